import Hummingbird
import RavnaqCore

/// `/api/v1/programmes`: funding lines, and donor money received for them.
struct ProgrammesController {
    let programmes: Programmes

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("programmes", use: list)
        group.post("programmes", use: create)
        group.get("programmes/:id", use: get)
        group.patch("programmes/:id", use: update)
        group.post("programmes/:id/funds", use: funds)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<ProgrammeView> {
        try await programmes.list(page: try request.page(), as: try context.requireActor())
    }

    @Sendable func create(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ProgrammeView> {
        var request = request
        let (input, _) = try await request.decode(ProgrammeInput.self)
        return JSONAnswer(try await programmes.create(input, as: try context.requireActor()), status: .created)
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ProgrammeView> {
        JSONAnswer(try await programmes.get(try context.parameters.require("id"), as: try context.requireActor()))
    }

    @Sendable func update(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ProgrammeView> {
        var request = request
        let (input, _) = try await request.decode(ProgrammeInput.self)
        return JSONAnswer(try await programmes.update(programme: try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    @Sendable func funds(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(FundsInput.self)
        return try await programmes.receiveFunds(
            programme: try context.parameters.require("id"), input, as: try context.requireActor(),
            key: try request.idempotencyKey(body: body))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/programmes": {
        "get": {"summary": "The organization's programmes, oldest first", "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of programmes.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Programme"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}}},
        "post": {
          "summary": "Create a programme (admin)",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProgrammeInput"}}}},
          "responses": {"201": {"description": "The programme.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}
        }
      },
      "/api/v1/programmes/{id}": {
        "get": {"summary": "One programme", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The programme.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}}},
        "patch": {"summary": "Change the settings sent (admin); the currency does not change",
                  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                  "requestBody": {"required": false, "description": "the fields to change; an empty body changes nothing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProgrammeChangeInput"}}}},
                  "responses": {"200": {"description": "The programme.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/programmes/{id}/funds": {
        "post": {
          "summary": "Donor money received (debit cash, credit donor_funds); honours Idempotency-Key",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                         {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "amount"],
            "properties": {"date": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}}}}}},
          "responses": {"201": {"description": "The programme with its funds received.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"},
                        "422": {"$ref": "#/components/responses/Invalid"}}
        }
      }
    },
    "schemas": {
      "ProgrammeInput": {"type": "object", "required": ["name", "donor", "currency", "starts_on", "ends_on", "budget"], "properties": {
        "name": {"type": "string", "minLength": 1}, "donor": {"type": "string", "minLength": 1}, "currency": {"$ref": "#/components/schemas/Currency"},
        "starts_on": {"$ref": "#/components/schemas/Date"}, "ends_on": {"$ref": "#/components/schemas/Date"},
        "budget": {"$ref": "#/components/schemas/Amount"}, "tranche_approval": {"type": "boolean", "default": false},
        "late_fee": {"$ref": "#/components/schemas/Amount"}, "late_fee_after_days": {"type": "integer", "minimum": 0, "maximum": 365, "default": 0},
        "late_fee_percent": {"$ref": "#/components/schemas/LateFeePercent"},
        "late_fee_repeat": {"type": "string", "enum": ["once", "monthly"], "description": "once, or again on the same day of each following month while the installment stays unpaid (at most 12 times)"},
        "arrears_tolerance": {"$ref": "#/components/schemas/Amount", "description": "an installment short by at most this counts as paid for days past due and PAR"},
        "installment_multiple": {"$ref": "#/components/schemas/Amount", "description": "regular installments are rounded up to a multiple of it; \"0\" for none"},
        "write_off_approval": {"type": "boolean", "description": "write-offs need a second person's approval (GET /api/v1/approvals)"},
        "disbursement_approval_above": {"$ref": "#/components/schemas/Amount", "description": "disbursements of a larger principal need a second person's approval; \"0\" for none"},
        "early_payoff": {"type": "string", "enum": ["full_interest", "interest_to_date"], "description": "how a loan paid off early is charged interest: full_interest (the default), every remaining installment's; interest_to_date, only what accrued by the payoff day (declining-balance loans; a flat loan pays full interest)"},
        "graduation": {"$ref": "#/components/schemas/SettingValues"},
        "alert_weights": {"$ref": "#/components/schemas/AlertWeightsInput"}}},
      "ProgrammeChangeInput": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1}, "donor": {"type": "string", "minLength": 1},
        "starts_on": {"$ref": "#/components/schemas/Date"}, "ends_on": {"$ref": "#/components/schemas/Date"},
        "budget": {"$ref": "#/components/schemas/Amount"}, "tranche_approval": {"type": "boolean"},
        "late_fee": {"$ref": "#/components/schemas/Amount"}, "late_fee_after_days": {"type": "integer", "minimum": 0, "maximum": 365},
        "late_fee_percent": {"$ref": "#/components/schemas/LateFeePercent"},
        "late_fee_repeat": {"type": "string", "enum": ["once", "monthly"], "description": "once, or again on the same day of each following month while the installment stays unpaid (at most 12 times)"},
        "arrears_tolerance": {"$ref": "#/components/schemas/Amount", "description": "an installment short by at most this counts as paid for days past due and PAR"},
        "installment_multiple": {"$ref": "#/components/schemas/Amount", "description": "regular installments are rounded up to a multiple of it; \"0\" for none"},
        "write_off_approval": {"type": "boolean", "description": "write-offs need a second person's approval (GET /api/v1/approvals)"},
        "disbursement_approval_above": {"$ref": "#/components/schemas/Amount", "description": "disbursements of a larger principal need a second person's approval; \"0\" for none"},
        "early_payoff": {"type": "string", "enum": ["full_interest", "interest_to_date"], "description": "how a loan paid off early is charged interest: full_interest (the default), every remaining installment's; interest_to_date, only what accrued by the payoff day (declining-balance loans; a flat loan pays full interest)"},
        "graduation": {"$ref": "#/components/schemas/SettingValues"},
        "alert_weights": {"$ref": "#/components/schemas/AlertWeightsInput"}}},
      "SettingValues": {"type": "object", "description": "the programme's graduation settings (SPEC §7) for the families whose latest loan or grant is of it; a setting left out keeps its default (a PATCH changes only the settings it names); any other key, or a value of another type or outside its range, is a 422 naming /graduation/<key>", "additionalProperties": false, "properties": {
        "income_months": {"type": "integer", "minimum": 1, "maximum": 24, "default": 3, "description": "income_above_line and project_profitable: this many consecutive calendar months, the latest recorded by as_of being as_of's month or the one before, each at least the poverty line per person and with the projects' net income positive"},
        "min_ssm": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3, "description": "ssm_core_domains: the least score of income, employment and food in the latest assessment, which must be at most 7 months old"},
        "max_dpd": {"type": "integer", "minimum": 0, "maximum": 365, "default": 30, "description": "no_loan_over_30_dpd: the most days past due a live loan may be"},
        "courses": {"type": "integer", "minimum": 0, "maximum": 20, "default": 1, "description": "course_completed: the courses the family's members must have completed"},
        "count_benefits": {"type": "boolean", "default": false, "description": "income_above_line: whether benefits count toward the line; false (the default) compares (total − benefits) ÷ household size, since benefits for low-income families stop above the line"}}},
      "AlertWeightsInput": {"type": "object", "description": "alert weights over the defaults (issue 17) for the families whose latest loan or grant is of the programme: a signal's code and a whole number from 0 (the signal is off) to 100; a PATCH changes only the weights it names; another key or value is a 422 naming /alert_weights/<key>", "additionalProperties": false, "properties": {
        "loan_in_arrears": {"$ref": "#/components/schemas/AlertWeight"}, "repayment_late": {"$ref": "#/components/schemas/AlertWeight"},
        "net_income_falling": {"$ref": "#/components/schemas/AlertWeight"}, "income_below_line": {"$ref": "#/components/schemas/AlertWeight"},
        "grant_unaccounted": {"$ref": "#/components/schemas/AlertWeight"}, "visit_overdue": {"$ref": "#/components/schemas/AlertWeight"},
        "ssm_domain_dropped": {"$ref": "#/components/schemas/AlertWeight"}, "member_stopped_working": {"$ref": "#/components/schemas/AlertWeight"},
        "records_missing": {"$ref": "#/components/schemas/AlertWeight"}}},
      "AlertWeight": {"type": "integer", "minimum": 0, "maximum": 100},
      "LateFeePercent": {"type": "string", "pattern": "^[0-9]{1,3}(\\.[0-9]{1,6})?$", "description": "a late fee as a percentage of what is unpaid of the installment's principal and interest, 0 to 100; a fee is a fixed amount or a percentage, and naming one sets the other to zero"},
      "Programme": {"type": "object", "required": ["id", "name", "donor", "currency", "starts_on", "ends_on", "budget", "tranche_approval", "late_fee", "late_fee_after_days", "late_fee_percent", "late_fee_repeat", "arrears_tolerance", "installment_multiple", "write_off_approval", "disbursement_approval_above", "early_payoff", "alert_weights", "funds_received"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "name": {"type": "string"}, "donor": {"type": "string"}, "currency": {"type": "string"},
        "starts_on": {"$ref": "#/components/schemas/Date"}, "ends_on": {"$ref": "#/components/schemas/Date"},
        "budget": {"$ref": "#/components/schemas/Amount"}, "tranche_approval": {"type": "boolean"},
        "late_fee": {"$ref": "#/components/schemas/Amount"}, "late_fee_after_days": {"type": "integer"},
        "late_fee_percent": {"type": "string"}, "late_fee_repeat": {"type": "string", "enum": ["once", "monthly"]},
        "arrears_tolerance": {"$ref": "#/components/schemas/Amount"},
        "installment_multiple": {"oneOf": [{"$ref": "#/components/schemas/Amount"}, {"type": "null"}]},
        "write_off_approval": {"type": "boolean"}, "disbursement_approval_above": {"oneOf": [{"$ref": "#/components/schemas/Amount"}, {"type": "null"}]},
        "early_payoff": {"type": "string", "enum": ["full_interest", "interest_to_date"]},
        "alert_weights": {"type": "object", "description": "every signal's weight in the scores of the programme's families: the defaults with the programme's own over them", "additionalProperties": {"type": "integer"}},
        "funds_received": {"$ref": "#/components/schemas/Amount"}}}
    }}
    """#
}
