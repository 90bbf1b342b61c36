import Hummingbird
import RavnaqCore

/// `/api/v1/loans`: opening, schedule, disbursement, repayments, reversal, write-off, arrears.
struct LoansController {
    let loans: Loans

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("loans", use: list)
        group.post("loans", use: open)
        group.get("loans/portfolio-at-risk", use: portfolioAtRisk)
        group.get("loans/:id", use: get)
        group.get("loans/:id/schedule", use: schedule)
        group.post("loans/:id/disbursements", use: disburse)
        group.get("loans/:id/repayments", use: repayments)
        group.post("loans/:id/repayments", use: repay)
        group.post("loans/:id/repayments/:rid/reversal", use: reverse)
        group.post("loans/:id/write-off", use: writeOff)
    }

    /// `?overdue=true` is the collection list (late loans, most days late first); without it, or
    /// with `overdue=false`, all loans, oldest first. Any other value is a 422 naming `/overdue`.
    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let overdue = request.query("overdue")
        // A bad `overdue` and a bad limit or cursor are reported together.
        var errors: [RavnaqError.FieldError] = []
        if let overdue, overdue != "true", overdue != "false" {
            errors.append(.init(pointer: "/overdue", detail: "must be true or false, not \"\(overdue)\""))
        }
        let page: Page?
        do {
            page = try request.page()
        } catch RavnaqError.badQuery(let more) {
            errors += more
            page = nil
        }
        // A filter's bad value is invalid input (422), like a bad `as_of`; with a bad limit or
        // cursor as well, the paging's 400 reports both.
        guard let page else { throw RavnaqError.badQuery(errors) }
        guard errors.isEmpty else { throw RavnaqError.invalid(errors) }
        if overdue == "true" {
            return try await loans.late(asOf: request.query("as_of"), page: page, as: actor).response(from: request, context: context)
        }
        return try await loans.list(projectID: request.query("project_id"), page: page, as: actor).response(from: request, context: context)
    }

    @Sendable func open(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<LoanView> {
        var request = request
        let (input, _) = try await request.decode(LoanInput.self)
        return JSONAnswer(try await loans.open(input, as: try context.requireActor()), status: .created)
    }

    @Sendable func portfolioAtRisk(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<PortfolioAtRisk> {
        JSONAnswer(try await loans.portfolioAtRisk(asOf: request.query("as_of"), as: try context.requireActor()))
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<LoanView> {
        JSONAnswer(try await loans.get(try context.parameters.require("id"), asOf: request.query("as_of"), as: try context.requireActor()))
    }

    @Sendable func schedule(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ScheduleView> {
        JSONAnswer(try await loans.schedule(try context.parameters.require("id"), asOf: request.query("as_of"), as: try context.requireActor()))
    }

    @Sendable func disburse(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.disburse(try context.parameters.require("id"), input, as: try context.requireActor(),
                                        idempotency: request.idempotencyKey(body: body))
    }

    @Sendable func repayments(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<RepaymentItem> {
        try await loans.repayments(try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func repay(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(RepaymentRequest.self)
        return try await loans.repay(try context.parameters.require("id"), input, as: try context.requireActor(),
                                     idempotency: request.idempotencyKey(body: body))
    }

    @Sendable func reverse(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.reverse(try context.parameters.require("id"), repayment: try context.parameters.require("rid"), input,
                                       as: try context.requireActor(), idempotency: request.idempotencyKey(body: body))
    }

    @Sendable func writeOff(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.writeOff(try context.parameters.require("id"), input, as: try context.requireActor(),
                                        idempotency: request.idempotencyKey(body: body))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/loans": {
        "get": {"summary": "Loans, oldest first (project_id: one project's); with overdue=true the collection list: late loans with family code, mentor, days past due and amount overdue as of as_of (default today), most days late first, then by number. Its cursor keeps the day of the first page. overdue is true or false; anything else is a 422 naming /overdue.",
                "parameters": [{"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "only with overdue=true"},
                               {"name": "project_id", "in": "query", "schema": {"type": "string"}, "description": "not with overdue=true"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of loans, or of late loans with overdue=true.", "content": {"application/json": {"schema": {"oneOf": [
                                {"type": "object", "required": ["items", "next_cursor"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/LoanSummary"}}, "next_cursor": {"type": ["string", "null"], "description": "null on the last page"}}},
                                {"type": "object", "required": ["items", "next_cursor"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/LateLoan"}}, "next_cursor": {"type": ["string", "null"], "description": "null on the last page"}}}]}}}},
                              "400": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}},
        "post": {"summary": "Open a loan (coordinator, admin); it is approved until disbursed",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoanInput"}}}},
                 "responses": {"201": {"description": "The loan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loan"}}}},
                               "422": {"$ref": "#/components/responses/Problem"}}}
      },
      "/api/v1/loans/portfolio-at-risk": {
        "get": {"summary": "PAR30 and PAR90 as of a date, per currency: outstanding principal of active loans more than 30 (90) days late ÷ outstanding principal of all active loans",
                "parameters": [{"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "{as_of, currencies:[{currency, loans_active, outstanding_principal, at_risk_30, at_risk_90, par30, par90}]}; ratios are JSON numbers"}}}
      },
      "/api/v1/loans/{id}": {
        "get": {"summary": "One loan (id or number L-000123) as of a date",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "The loan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loan"}}}},
                              "404": {"$ref": "#/components/responses/Problem"}}}
      },
      "/api/v1/loans/{id}/schedule": {
        "get": {"summary": "The schedule: projected from planned_disbursement_on before disbursement, fixed after; paid and status as of a date",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "{installments:[{n, due_on, principal, interest, fees, total, paid, status: pending|partial|paid|late}]}"}}}
      },
      "/api/v1/loans/{id}/disbursements": {
        "post": {"summary": "Disburse (debit loans_receivable, credit cash); honours Idempotency-Key",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DateBody"}}}},
                 "responses": {"201": {"description": "The loan."}, "409": {"$ref": "#/components/responses/Problem"}, "422": {"$ref": "#/components/responses/Problem"}}}
      },
      "/api/v1/loans/{id}/repayments": {
        "get": {"summary": "The loan's repayments and recoveries, reversed ones included, in date order (then by id), each with its current allocation and reversed_on (null unless reversed) — where loan reverse finds a repayment's id. Seen as the loan is: another organization's loan, or for a mentor a family not assigned to them, is a 404",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of repayments.", "content": {"application/json": {"schema": {"type": "object", "required": ["items", "next_cursor"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/RepaymentItem"}}, "next_cursor": {"type": ["string", "null"], "description": "null on the last page"}}}}}},
                              "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}},
        "post": {"summary": "Record a repayment, allocated oldest installment first, fees → interest → principal; after a write-off it is a recovery. Honours Idempotency-Key",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["amount", "date"], "properties": {
                   "amount": {"$ref": "#/components/schemas/Amount"}, "date": {"$ref": "#/components/schemas/Date"}}}}}},
                 "responses": {"201": {"description": "The repayment with its allocation {principal, interest, fees}."},
                               "409": {"$ref": "#/components/responses/Problem"},
                               "422": {"description": "overpayment, repayment-before-disbursement, repayment-before-latest, loan-not-disbursed, invalid-input", "$ref": "#/components/responses/Problem"}}}
      },
      "/api/v1/loans/{id}/repayments/{rid}/reversal": {
        "post": {"summary": "Reverse a wrong repayment: a reversing ledger transaction; later repayments are allocated afresh",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "rid", "in": "path", "required": true, "schema": {"type": "string"}},
                                {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/DateBody"}}}},
                 "responses": {"201": {"description": "The reversed repayment."}, "422": {"$ref": "#/components/responses/Problem"}}}
      },
      "/api/v1/loans/{id}/write-off": {
        "post": {"summary": "Write off the principal outstanding on the date (debit loan_loss_expense, credit loans_receivable)",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "reason"], "properties": {
                   "date": {"$ref": "#/components/schemas/Date"}, "reason": {"type": "string"}}}}}},
                 "responses": {"201": {"description": "The loan."}, "422": {"$ref": "#/components/responses/Problem"}}}
      }
    },
    "schemas": {
      "DateBody": {"type": "object", "properties": {"date": {"$ref": "#/components/schemas/Date"}}},
      "LoanSummary": {"type": "object", "properties": {
        "id": {"type": "string"}, "number": {"type": "string", "examples": ["L-000123"]}, "project_id": {"type": "string"}, "programme_id": {"type": "string"},
        "status": {"enum": ["approved", "active", "repaid", "written_off"]}, "currency": {"type": "string"}, "principal": {"$ref": "#/components/schemas/Amount"},
        "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "days_past_due": {"type": "integer"}}},
      "LateLoan": {"type": "object", "properties": {
        "id": {"type": "string"}, "number": {"type": "string"}, "family_code": {"type": "string"}, "mentor": {"type": ["string", "null"], "description": "the current mentor's email"},
        "days_past_due": {"type": "integer", "minimum": 1}, "overdue": {"$ref": "#/components/schemas/Amount"},
        "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"}}},
      "LoanInput": {"type": "object", "required": ["programme_id", "project_id", "principal", "currency", "annual_rate", "method", "installments", "frequency", "planned_disbursement_on"],
        "properties": {"programme_id": {"type": "string"}, "project_id": {"type": "string"}, "principal": {"$ref": "#/components/schemas/Amount"},
          "currency": {"type": "string", "description": "must be the programme's"}, "annual_rate": {"type": "string", "examples": ["24"]},
          "method": {"enum": ["annuity", "equal_principal", "flat"]}, "installments": {"type": "integer", "minimum": 1, "maximum": 600},
          "frequency": {"enum": ["monthly", "biweekly", "weekly"]}, "grace_periods": {"type": "integer", "default": 0},
          "planned_disbursement_on": {"$ref": "#/components/schemas/Date"}, "first_due_on": {"type": ["string", "null"], "format": "date"}}},
      "Loan": {"type": "object", "properties": {"id": {"type": "string"}, "number": {"type": "string"}, "status": {"enum": ["approved", "active", "repaid", "written_off"]},
        "principal": {"$ref": "#/components/schemas/Amount"}, "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "days_past_due": {"type": "integer"},
        "overdue": {"$ref": "#/components/schemas/Amount"}, "total_owed": {"$ref": "#/components/schemas/Amount"}, "as_of": {"$ref": "#/components/schemas/Date"},
        "paid": {"type": "object", "properties": {"principal": {"$ref": "#/components/schemas/Amount"}, "interest": {"$ref": "#/components/schemas/Amount"}, "fees": {"$ref": "#/components/schemas/Amount"}}},
        "repayments_count": {"type": "integer", "minimum": 0, "description": "how many items /loans/{id}/repayments lists: repayments and recoveries, reversed ones included, whatever as_of"},
        "latest_repayment": {"oneOf": [{"$ref": "#/components/schemas/RepaymentItem"}, {"type": "null"}], "description": "the last item of /loans/{id}/repayments (by date, then id); null when there is none"}}},
      "RepaymentItem": {"type": "object", "required": ["id", "kind", "date", "amount", "currency", "allocation", "reversed_on"], "properties": {
        "id": {"type": "string", "description": "what loan reverse and /repayments/{rid}/reversal take"}, "kind": {"enum": ["repayment", "recovery"]},
        "date": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"},
        "allocation": {"type": "object", "description": "the current allocation (recomputed after an earlier repayment's reversal; all zero for a recovery)", "properties": {"principal": {"$ref": "#/components/schemas/Amount"}, "interest": {"$ref": "#/components/schemas/Amount"}, "fees": {"$ref": "#/components/schemas/Amount"}}},
        "reversed_on": {"type": ["string", "null"], "format": "date", "description": "the day it was reversed; null unless it was"}}}
    }}
    """#
}
