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
        group.get("loans/:id/payoff", use: payoff)
        group.post("loans/:id/disbursements", use: disburse)
        group.get("loans/:id/repayments", use: repayments)
        group.post("loans/:id/repayments", use: repay)
        group.post("loans/:id/repayments/:rid/reversal", use: reverse)
        group.post("loans/:id/write-off", use: writeOff)
        group.post("loans/:id/restructure", use: restructure)
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
        // as_of picks only the collection list's day, but a bad one is refused on either list.
        _ = try FieldErrors.asOf(request.query("as_of"))
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
        JSONAnswer(try await loans.schedule(try context.parameters.require("id"), asOf: request.query("as_of"), version: request.query("version"),
                                            as: try context.requireActor()))
    }

    @Sendable func restructure(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(RestructureInput.self)
        return try await loans.restructure(try context.parameters.require("id"), input, as: try context.requireActor(),
                                           idempotency: try request.idempotencyKey(body: body))
    }

    @Sendable func payoff(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<PayoffQuote> {
        JSONAnswer(try await loans.payoff(try context.parameters.require("id"), on: request.query("on"), as: try context.requireActor()))
    }

    @Sendable func disburse(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.disburse(try context.parameters.require("id"), input, as: try context.requireActor(),
                                        idempotency: try request.idempotencyKey(body: body))
    }

    @Sendable func repayments(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<RepaymentItem> {
        try await loans.repayments(try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func repay(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(RepaymentRequest.self)
        return try await loans.repay(try context.parameters.require("id"), input, as: try context.requireActor(),
                                     idempotency: try request.idempotencyKey(body: body))
    }

    @Sendable func reverse(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.reverse(try context.parameters.require("id"), repayment: try context.parameters.require("rid"), input,
                                       as: try context.requireActor(), idempotency: try request.idempotencyKey(body: body))
    }

    @Sendable func writeOff(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(DateInput.self)
        return try await loans.writeOff(try context.parameters.require("id"), input, as: try context.requireActor(),
                                        idempotency: try request.idempotencyKey(body: body))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/loans": {
        "get": {"summary": "Loans, oldest first (project_id: one project's); with overdue=true the collection list: late loans with family code, mentor, days past due and amount overdue as of as_of (default today), most days late first, then by number. Its cursor keeps the day of the first page. overdue is true or false; anything else is a 422 naming /overdue.",
                "parameters": [{"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "only with overdue=true"},
                               {"name": "project_id", "in": "query", "schema": {"$ref": "#/components/schemas/Id"}, "description": "only this project's loans; not with overdue=true"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of loans, or of late loans with overdue=true.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"anyOf": [{"$ref": "#/components/schemas/LoanSummary"}, {"$ref": "#/components/schemas/LateLoan"}]}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "422": {"$ref": "#/components/responses/Invalid"}}},
        "post": {"summary": "Open a loan (coordinator, admin); it is approved until disbursed",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoanInput"}}}},
                 "responses": {"201": {"description": "The loan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loan"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/portfolio-at-risk": {
        "get": {"summary": "PAR30 and PAR90 as of a date, per currency: outstanding principal of active loans more than 30 (90) days late ÷ outstanding principal of all active loans",
                "parameters": [{"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "PAR per currency; ratios are JSON numbers.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PortfolioAtRisk"}}}},
                              "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}": {
        "get": {"summary": "One loan (id or number L-000123) as of a date",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "The loan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loan"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/schedule": {
        "get": {"summary": "The schedule: projected from planned_disbursement_on before disbursement, fixed after; paid and status as of a date. A restructured loan has several versions: the one in force on as_of unless ?version=N (a replaced version is shown as it stood the day before its replacement)",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}},
                               {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "The schedule.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/restructure": {
        "post": {"summary": "Restructure an active loan, late or not (coordinator, admin): a new schedule version from `on` for what is outstanding that day — the principal not yet repaid, plus the overdue interest and unpaid fees when capitalize_overdue (posted: debit loans_receivable, credit interest_income and fee_income); without it the overdue interest is added to the new first installment and unpaid fees stay owed. Earlier versions stay readable (/schedule?version=N); figures of earlier days do not change; days past due restart from the new schedule. Honours Idempotency-Key",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["on", "installments", "capitalize_overdue", "reason"], "properties": {
                   "on": {"$ref": "#/components/schemas/Date"}, "installments": {"type": "integer", "minimum": 1, "maximum": 600},
                   "annual_rate": {"$ref": "#/components/schemas/Amount", "description": "the new schedule's yearly percentage; the loan's own when not given"},
                   "grace_periods": {"type": "integer", "minimum": 0, "default": 0}, "capitalize_overdue": {"type": "boolean"},
                   "reason": {"type": "string", "minLength": 1}}}}}},
                 "responses": {"201": {"description": "The loan, restructured.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Loan"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/payoff": {
        "get": {"summary": "The exact amount that settles an active loan on a day (today by default), split into principal, interest and fees: a repayment of it on that day closes the loan with this allocation. Interest by the loan's early_payoff rule: full_interest, every remaining installment's, due or not; interest_to_date (declining-balance loans), only what accrued by the day, the rest being waived by a repayment of exactly the quote",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "on", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "The payoff quote.", "content": {"application/json": {"schema": {"type": "object",
                  "required": ["loan_id", "number", "on", "currency", "rule", "principal", "interest", "fees", "total", "waived"], "properties": {
                  "loan_id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string"}, "on": {"$ref": "#/components/schemas/Date"},
                  "currency": {"type": "string"}, "rule": {"type": "string", "enum": ["full_interest", "interest_to_date"], "description": "the rule applied: a flat loan pays full_interest whatever its programme says"},
                  "principal": {"$ref": "#/components/schemas/Amount"}, "interest": {"$ref": "#/components/schemas/Amount"},
                  "fees": {"$ref": "#/components/schemas/Amount"}, "total": {"$ref": "#/components/schemas/Amount"},
                  "waived": {"$ref": "#/components/schemas/Amount", "description": "the scheduled interest not charged (0.00 under full_interest)"}}}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/disbursements": {
        "post": {"summary": "Disburse (debit loans_receivable, credit cash); honours Idempotency-Key. When the programme's disbursement_approval_above is below the principal, the answer is a request waiting for a second person (an Approval) and nothing moves yet",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DateBody"}}}},
                 "responses": {"201": {"description": "The loan, disbursed, or the request for approval.", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/Loan"}, {"$ref": "#/components/schemas/Approval"}]}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/repayments": {
        "get": {"summary": "The loan's repayments and recoveries, reversed ones included, in date order (then by id), each with its current allocation and reversed_on (null unless reversed) — where loan reverse finds a repayment's id. Seen as the loan is: another organization's loan, or for a mentor a family not assigned to them, is a 404",
                "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of repayments.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/RepaymentItem"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Record a repayment, allocated oldest installment first, fees → interest → principal; after a write-off it is a recovery. Honours Idempotency-Key",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["amount", "date"], "properties": {
                   "amount": {"$ref": "#/components/schemas/Amount"}, "date": {"$ref": "#/components/schemas/Date"}}}}}},
                 "responses": {"201": {"description": "The repayment with its allocation.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Repayment"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"},
                               "422": {"description": "overpayment, repayment-before-disbursement, repayment-before-latest, loan-not-disbursed, invalid-input", "$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/repayments/{rid}/reversal": {
        "post": {"summary": "Reverse a wrong repayment: a reversing ledger transaction; later repayments are allocated afresh",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "rid", "in": "path", "required": true, "schema": {"type": "string"}},
                                {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/DateBody"}}}},
                 "responses": {"201": {"description": "The reversed repayment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Repayment"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/loans/{id}/write-off": {
        "post": {"summary": "Write off the principal outstanding on the date (debit loan_loss_expense, credit loans_receivable); the interest and fees due and unpaid are kept for recoveries. Where the programme has write_off_approval, the answer is a request waiting for a second person (an Approval) and nothing moves yet",
                 "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "reason"], "properties": {
                   "date": {"$ref": "#/components/schemas/Date"}, "reason": {"type": "string", "minLength": 1}}}}}},
                 "responses": {"201": {"description": "The loan, written off, or the request for approval.", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/Loan"}, {"$ref": "#/components/schemas/Approval"}]}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "DateBody": {"type": "object", "properties": {"date": {"$ref": "#/components/schemas/Date"}}},
      "LoanStatus": {"enum": ["approved", "active", "repaid", "written_off"]},
      "Allocation": {"type": "object", "required": ["principal", "interest", "fees"], "properties": {
        "principal": {"$ref": "#/components/schemas/Amount"}, "interest": {"$ref": "#/components/schemas/Amount"}, "fees": {"$ref": "#/components/schemas/Amount"}}},
      "Repayment": {"type": "object", "required": ["id", "loan_id", "kind", "date", "amount", "currency", "allocation", "interest_waived", "loan_status", "outstanding_principal"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "loan_id": {"$ref": "#/components/schemas/Id"}, "kind": {"enum": ["repayment", "recovery"]},
        "date": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"},
        "allocation": {"$ref": "#/components/schemas/Allocation"},
        "interest_waived": {"$ref": "#/components/schemas/Amount", "description": "interest waived by an early payoff with interest to date (a repayment of exactly the payoff quote); 0.00 otherwise"},
        "reversed_on": {"$ref": "#/components/schemas/Date", "description": "only on a reversal: the day it was reversed"},
        "loan_status": {"$ref": "#/components/schemas/LoanStatus"}, "outstanding_principal": {"$ref": "#/components/schemas/Amount"}}},
      "Schedule": {"type": "object", "required": ["loan_id", "number", "currency", "basis", "as_of", "version", "versions", "installments"], "properties": {
        "version": {"type": "integer", "minimum": 1}, "versions": {"type": "integer", "minimum": 1},
        "loan_id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string"}, "currency": {"type": "string"},
        "basis": {"enum": ["planned", "fixed"], "description": "planned before disbursement (projected from planned_disbursement_on), fixed after"},
        "as_of": {"$ref": "#/components/schemas/Date"},
        "installments": {"type": "array", "items": {"type": "object", "required": ["n", "due_on", "principal", "interest", "fees", "total", "paid", "waived", "status"], "properties": {
          "n": {"type": "integer", "minimum": 1}, "due_on": {"$ref": "#/components/schemas/Date"}, "principal": {"$ref": "#/components/schemas/Amount"},
          "interest": {"$ref": "#/components/schemas/Amount"}, "fees": {"$ref": "#/components/schemas/Amount"}, "total": {"$ref": "#/components/schemas/Amount"},
          "paid": {"$ref": "#/components/schemas/Amount"},
          "waived": {"$ref": "#/components/schemas/Amount", "description": "interest an early payoff with interest to date waived on it: owed no more, never paid"},
          "status": {"enum": ["pending", "partial", "paid", "late"]}}}}}},
      "PortfolioAtRisk": {"type": "object", "required": ["as_of", "currencies"], "properties": {
        "as_of": {"$ref": "#/components/schemas/Date"},
        "currencies": {"type": "array", "items": {"type": "object", "required": ["currency", "loans_active", "outstanding_principal", "at_risk_30", "at_risk_90", "par30", "par90"], "properties": {
          "currency": {"type": "string"}, "loans_active": {"type": "integer", "minimum": 0}, "outstanding_principal": {"$ref": "#/components/schemas/Amount"},
          "at_risk_30": {"$ref": "#/components/schemas/Amount"}, "at_risk_90": {"$ref": "#/components/schemas/Amount"},
          "par30": {"type": "number", "minimum": 0, "maximum": 1}, "par90": {"type": "number", "minimum": 0, "maximum": 1}}}}}},
      "LoanSummary": {"type": "object", "required": ["id", "number", "project_id", "programme_id", "status", "currency", "principal", "outstanding_principal", "days_past_due"], "properties": {
        "id": {"type": "string"}, "number": {"type": "string", "examples": ["L-000123"]}, "project_id": {"type": "string"}, "programme_id": {"type": "string"},
        "status": {"$ref": "#/components/schemas/LoanStatus"}, "currency": {"type": "string"}, "principal": {"$ref": "#/components/schemas/Amount"},
        "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "days_past_due": {"type": "integer"}}},
      "LateLoan": {"type": "object", "required": ["id", "number", "family_id", "family_code", "family_head", "mentor", "days_past_due", "overdue", "outstanding_principal", "currency"], "properties": {
        "id": {"type": "string"}, "number": {"type": "string"}, "family_id": {"type": "string", "format": "uuid"}, "family_code": {"type": "string"},
        "family_head": {"type": ["string", "null"], "description": "the head of the family's full name; null for grant officers or when the family has none"},
        "mentor": {"type": ["string", "null"], "description": "the current mentor's email"},
        "days_past_due": {"type": "integer", "minimum": 1}, "overdue": {"$ref": "#/components/schemas/Amount"},
        "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"}}},
      "LoanInput": {"type": "object", "required": ["programme_id", "project_id", "principal", "currency", "annual_rate", "method", "installments", "frequency", "planned_disbursement_on"],
        "properties": {"programme_id": {"type": "string", "minLength": 1}, "project_id": {"type": "string", "minLength": 1}, "principal": {"$ref": "#/components/schemas/Amount"},
          "currency": {"$ref": "#/components/schemas/Currency", "description": "must be the programme's"}, "annual_rate": {"type": "string", "examples": ["24"]},
          "method": {"enum": ["annuity", "equal_principal", "flat"]}, "installments": {"type": "integer", "minimum": 1, "maximum": 600},
          "frequency": {"enum": ["monthly", "biweekly", "weekly"]}, "grace_periods": {"type": "integer", "default": 0},
          "planned_disbursement_on": {"$ref": "#/components/schemas/Date"}, "first_due_on": {"type": ["string", "null"], "format": "date"}}},
      "Loan": {"type": "object", "required": ["id", "number", "programme_id", "project_id", "status", "currency", "principal", "annual_rate", "method", "installments", "frequency",
                                              "grace_periods", "planned_disbursement_on", "as_of", "outstanding_principal", "days_past_due", "overdue", "total_owed", "paid",
                                              "early_payoff", "repayments_count", "latest_repayment"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string"}, "programme_id": {"$ref": "#/components/schemas/Id"}, "project_id": {"$ref": "#/components/schemas/Id"},
        "status": {"$ref": "#/components/schemas/LoanStatus"}, "currency": {"type": "string"}, "principal": {"$ref": "#/components/schemas/Amount"},
        "annual_rate": {"type": "string", "examples": ["24"]}, "method": {"enum": ["annuity", "equal_principal", "flat"]}, "installments": {"type": "integer", "minimum": 1},
        "frequency": {"enum": ["monthly", "biweekly", "weekly"]}, "grace_periods": {"type": "integer", "minimum": 0},
        "planned_disbursement_on": {"$ref": "#/components/schemas/Date"},
        "first_due_on": {"$ref": "#/components/schemas/Date", "description": "left out unless the loan was opened with one"},
        "disbursed_on": {"$ref": "#/components/schemas/Date", "description": "left out until disbursed"},
        "as_of": {"$ref": "#/components/schemas/Date"},
        "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "days_past_due": {"type": "integer", "minimum": 0},
        "overdue": {"$ref": "#/components/schemas/Amount"}, "total_owed": {"$ref": "#/components/schemas/Amount"},
        "paid": {"$ref": "#/components/schemas/Allocation"},
        "written_off_on": {"$ref": "#/components/schemas/Date", "description": "left out unless written off"},
        "written_off_principal": {"$ref": "#/components/schemas/Amount", "description": "left out unless written off"},
        "write_off_reason": {"type": "string", "description": "left out unless written off"},
        "restructured_on": {"$ref": "#/components/schemas/Date", "description": "the day of the latest restructuring; left out unless restructured"},
        "early_payoff": {"enum": ["full_interest", "interest_to_date"], "description": "how paying it off early is charged interest: its programme's rule when it was opened"},
        "repayments_count": {"type": "integer", "minimum": 0, "description": "how many items /loans/{id}/repayments lists: repayments and recoveries, reversed ones included, whatever as_of"},
        "latest_repayment": {"anyOf": [{"$ref": "#/components/schemas/RepaymentItem"}, {"type": "null"}], "description": "the last item of /loans/{id}/repayments (by date, then id); null when there is none"}}},
      "RepaymentItem": {"type": "object", "required": ["id", "kind", "date", "amount", "currency", "allocation", "interest_waived", "reversed_on"], "properties": {
        "id": {"type": "string", "description": "what loan reverse and /repayments/{rid}/reversal take"}, "kind": {"enum": ["repayment", "recovery"]},
        "date": {"$ref": "#/components/schemas/Date"}, "amount": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"},
        "allocation": {"$ref": "#/components/schemas/Allocation", "description": "the current allocation (recomputed after an earlier repayment's reversal; all zero for a recovery)"},
        "interest_waived": {"$ref": "#/components/schemas/Amount", "description": "interest it waived as an early payoff with interest to date; 0.00 otherwise"},
        "reversed_on": {"type": ["string", "null"], "format": "date", "description": "the day it was reversed; null unless it was"}}}
    }}
    """#
}
