import Hummingbird
import RavnaqCore

/// Monthly project reports, household income, assessments, graduation, the poverty line and
/// period locks (SPEC §7).
struct ProgressController {
    let reports: MonthlyReports
    let incomes: HouseholdIncomes
    let assessments: Assessments
    let graduation: Graduation
    let reference: ReferenceData

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("projects/:id/reports", use: listReports)
        group.post("projects/:id/reports", use: addReport)
        group.put("projects/:id/reports/:period", use: correctReport)
        group.get("families/:id/income", use: listIncome)
        group.post("families/:id/income", use: addIncome)
        group.put("families/:id/income/:period", use: correctIncome)
        group.get("families/:id/assessments", use: listAssessments)
        group.post("families/:id/assessments", use: addAssessment)
        group.get("families/:id/graduation", use: evaluate)
        group.post("families/:id/graduation", use: confirm)
        group.get("poverty-lines", use: povertyLines)
        group.post("poverty-lines", use: addPovertyLine)
        group.post("periods/:period/lock", use: lock)
    }

    @Sendable func listReports(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await reports.list(project: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addReport(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(MonthlyReportInput.self)
        return CreatedJSON(json: try await reports.record(project: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func correctReport(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(MonthlyReportInput.self)
        return try await reports.record(project: try context.parameters.require("id"), input,
                                        correcting: try context.parameters.require("period"), as: try context.requireActor())
    }

    @Sendable func listIncome(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await incomes.list(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addIncome(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(IncomeInput.self)
        return CreatedJSON(json: try await incomes.record(family: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func correctIncome(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(IncomeInput.self)
        return try await incomes.record(family: try context.parameters.require("id"), input,
                                        correcting: try context.parameters.require("period"), as: try context.requireActor())
    }

    @Sendable func listAssessments(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await assessments.list(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addAssessment(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(AssessmentInput.self)
        return CreatedJSON(json: try await assessments.record(family: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func evaluate(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<Graduation.Evaluation> {
        JSONAnswer(try await graduation.evaluate(family: try context.parameters.require("id"), asOf: request.query("as_of"),
                                                 as: try context.requireActor()))
    }

    @Sendable func confirm(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<Graduation.Evaluation> {
        JSONAnswer(try await graduation.confirm(family: try context.parameters.require("id"), as: try context.requireActor()))
    }

    @Sendable func povertyLines(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await reference.povertyLines(page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addPovertyLine(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(PovertyLineInput.self)
        return CreatedJSON(json: try await reference.addPovertyLine(input, as: try context.requireActor()))
    }

    @Sendable func lock(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await reference.lock(period: try context.parameters.require("period"), as: try context.requireActor())
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/projects/{id}/reports": {
        "get": {"summary": "The project's monthly reports, oldest month first", "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of months.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/MonthlyReport"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Record a month's results (one per project and month; mentor of the family, coordinator, admin)",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonthlyReportInput"}}}},
                 "responses": {"201": {"description": "The report with net_income.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonthlyReport"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/projects/{id}/reports/{period}": {
        "put": {"summary": "Correct a month's report until the period is locked",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "period", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Period"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonthlyReportCorrection"}}}},
                "responses": {"200": {"description": "The report.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonthlyReport"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/income": {
        "get": {"summary": "The family's household income by month, oldest first, with per-capita income, poverty line and band", "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of months.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/HouseholdIncome"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Record a month's household income by source",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IncomeInput"}}}},
                 "responses": {"201": {"description": "The month's income with per-capita income, poverty line and band.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HouseholdIncome"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/income/{period}": {
        "put": {"summary": "Correct a month's income until the period is locked",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "period", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Period"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IncomeCorrection"}}}},
                "responses": {"200": {"description": "The income.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HouseholdIncome"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/assessments": {
        "get": {"summary": "Self-sufficiency matrix assessments by date, oldest first (those of one day in the order recorded), with change since intake per domain and a derived index", "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of assessments.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Assessment"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Record an assessment (15 domains, 1–5; childcare and children_education may be 0)",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["assessed_on", "kind", "scores"], "properties": {
                   "assessed_on": {"$ref": "#/components/schemas/Date"}, "kind": {"enum": ["intake", "periodic", "exit"]},
                   "scores": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 5}}}}}}},
                 "responses": {"201": {"description": "The assessment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/graduation": {
        "get": {"summary": "Graduation readiness as of a date: on_track, at_risk or ready, with each criterion and its figures",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "The evaluation.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraduationEvaluation"}}}}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}},
        "post": {"summary": "Confirm the graduation of a ready family (coordinator, admin)", "parameters": [{"$ref": "#/components/parameters/id"}],
                 "responses": {"200": {"description": "The evaluation; the family is graduated.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraduationEvaluation"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/poverty-lines": {
        "get": {"summary": "The poverty line table (UZS per person per month), oldest first", "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of lines.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/PovertyLine"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}}},
        "post": {"summary": "Extend the poverty line (admin)",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["effective_on", "amount"], "properties": {
                   "effective_on": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}}}}}},
                 "responses": {"201": {"description": "The new line.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PovertyLine"}}}}, "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/periods/{period}/lock": {
        "post": {"summary": "Lock a month: its reports and income become read-only (admin)",
                 "parameters": [{"name": "period", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Period"}}],
                 "responses": {"200": {"description": "The month, locked.", "content": {"application/json": {"schema": {"type": "object", "required": ["period", "locked"], "properties": {
                                 "period": {"$ref": "#/components/schemas/Period"}, "locked": {"const": true}}}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "PovertyLine": {"type": "object", "required": ["effective_on", "amount"], "properties": {"effective_on": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}}},
      "GraduationEvaluation": {"type": "object", "required": ["family_id", "as_of", "status", "family_status", "criteria", "risks"], "properties": {
        "family_id": {"$ref": "#/components/schemas/Id"}, "as_of": {"$ref": "#/components/schemas/Date"},
        "status": {"enum": ["on_track", "at_risk", "ready"]}, "family_status": {"$ref": "#/components/schemas/FamilyStatus"},
        "criteria": {"type": "array", "description": "the six criteria, in this order", "items": {"type": "object", "required": ["name", "met", "detail"], "properties": {
          "name": {"enum": ["income_above_line", "project_profitable", "no_loan_over_30_dpd", "ssm_core_domains", "course_completed", "no_recent_write_off"],
                   "description": "income_above_line: income per person at least the poverty line in each of the last income_months consecutive months, the latest as_of's month or the one before, benefits left out unless count_benefits; project_profitable: the projects' net income positive in each of those months; no_loan_over_30_dpd: no live loan more than max_dpd days past due; ssm_core_domains: income, employment and food at least min_ssm in the latest assessment, at most 7 months old; course_completed: at least courses completed; no_recent_write_off: no loan written off in the 12 months up to as_of"},
          "met": {"type": "boolean"},
          "detail": {"type": "string", "description": "the figures behind the criterion, the failing one marked: a month (below), (not positive) or no project report, a missing or too old month, no poverty line for YYYY-MM, the scores below the minimum, an assessment's age, the loan written off"}}}},
        "risks": {"type": "array", "items": {"type": "string"}}}},
      "MonthlyReport": {"type": "object", "required": ["id", "project_id", "period", "revenue", "costs", "net_income", "units_sold", "members_working", "hired_workers", "locked"], "properties": {
        "id": {"type": "string"}, "project_id": {"type": "string"}, "period": {"$ref": "#/components/schemas/Period"},
        "revenue": {"$ref": "#/components/schemas/Amount"}, "costs": {"$ref": "#/components/schemas/Amount"}, "net_income": {"$ref": "#/components/schemas/Amount"},
        "units_sold": {"type": "integer"}, "members_working": {"type": "integer"}, "hired_workers": {"type": "integer"}, "locked": {"type": "boolean"}}},
      "HouseholdIncome": {"type": "object", "required": ["id", "family_id", "period", "household_size", "sources", "total", "per_capita", "poverty_line", "band"], "properties": {
        "id": {"type": "string"}, "family_id": {"type": "string"}, "period": {"$ref": "#/components/schemas/Period"}, "household_size": {"type": "integer"},
        "sources": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Amount"}}, "total": {"$ref": "#/components/schemas/Amount"},
        "per_capita": {"$ref": "#/components/schemas/Amount"},
        "poverty_line": {"anyOf": [{"$ref": "#/components/schemas/Amount"}, {"type": "null"}], "description": "the line in force on the month's first day; null before the table's first line"},
        "band": {"enum": ["poor", "near_poor", "above", null], "description": "null when no poverty line is in force"}}},
      "Assessment": {"type": "object", "required": ["id", "family_id", "assessed_on", "kind", "scores", "change_since_intake", "derived_index"], "properties": {
        "id": {"type": "string"}, "family_id": {"type": "string"}, "assessed_on": {"$ref": "#/components/schemas/Date"}, "kind": {"enum": ["intake", "periodic", "exit"]},
        "scores": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 5}},
        "change_since_intake": {"type": ["object", "null"], "additionalProperties": {"type": ["integer", "null"]}, "description": "null without an intake assessment"},
        "derived_index": {"type": "number"}}},
      "MonthlyReportInput": {"type": "object", "required": ["period", "revenue", "costs"], "properties": {
        "period": {"$ref": "#/components/schemas/Period"}, "revenue": {"$ref": "#/components/schemas/Amount"}, "costs": {"$ref": "#/components/schemas/Amount"},
        "units_sold": {"$ref": "#/components/schemas/Count"}, "members_working": {"$ref": "#/components/schemas/Count"}, "hired_workers": {"$ref": "#/components/schemas/Count"}}},
      "MonthlyReportCorrection": {"description": "A month's report again: the path names the month; a period in the body, if any, must be that month.",
        "type": "object", "required": ["revenue", "costs"], "properties": {
        "period": {"$ref": "#/components/schemas/Period"}, "revenue": {"$ref": "#/components/schemas/Amount"}, "costs": {"$ref": "#/components/schemas/Amount"},
        "units_sold": {"$ref": "#/components/schemas/Count"}, "members_working": {"$ref": "#/components/schemas/Count"}, "hired_workers": {"$ref": "#/components/schemas/Count"}}},
      "Count": {"type": ["integer", "null"], "minimum": 0, "maximum": 2147483647, "description": "null or left out: 0"},
      "IncomeInput": {"type": "object", "required": ["period", "household_size", "sources"], "properties": {
        "period": {"$ref": "#/components/schemas/Period"}, "household_size": {"type": "integer", "minimum": 1},
        "sources": {"type": "object", "properties": {"project": {"$ref": "#/components/schemas/Amount"}, "wages": {"$ref": "#/components/schemas/Amount"},
          "pension": {"$ref": "#/components/schemas/Amount"}, "benefits": {"$ref": "#/components/schemas/Amount"},
          "remittances": {"$ref": "#/components/schemas/Amount"}, "other": {"$ref": "#/components/schemas/Amount"}}}}},
      "IncomeCorrection": {"description": "A month's income again: the path names the month; a period in the body, if any, must be that month.",
        "type": "object", "required": ["household_size", "sources"], "properties": {
        "period": {"$ref": "#/components/schemas/Period"}, "household_size": {"type": "integer", "minimum": 1},
        "sources": {"type": "object", "properties": {"project": {"$ref": "#/components/schemas/Amount"}, "wages": {"$ref": "#/components/schemas/Amount"},
          "pension": {"$ref": "#/components/schemas/Amount"}, "benefits": {"$ref": "#/components/schemas/Amount"},
          "remittances": {"$ref": "#/components/schemas/Amount"}, "other": {"$ref": "#/components/schemas/Amount"}}}}}
    }}
    """#
}
