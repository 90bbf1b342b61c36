import Hummingbird
import RavnaqCore

/// `/api/v1/grants`: grants in tranches, their approval and disbursement, and their expenses.
/// `{id}` is a grant's id or its number (`G-000045`).
struct GrantsController {
    let grants: Grants

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("grants", use: list)
        group.post("grants", use: create)
        group.get("grants/:id", use: get)
        group.post("grants/:id/tranches/:n/approve", use: approve)
        group.post("grants/:id/tranches/:n/disburse", use: disburse)
        group.get("grants/:id/expenses", use: expenses)
        group.post("grants/:id/expenses", use: recordExpense)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<GrantView> {
        try await grants.list(projectID: request.query("project_id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func create(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<GrantView> {
        var request = request
        let (input, _) = try await request.decode(GrantInput.self)
        return JSONAnswer(try await grants.create(input, as: try context.requireActor()), status: .created)
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<GrantView> {
        JSONAnswer(try await grants.get(try context.parameters.require("id"), as: try context.requireActor()))
    }

    @Sendable func approve(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<GrantView> {
        let (id, n) = try Self.tranche(context)
        return JSONAnswer(try await grants.approve(grant: id, tranche: n, as: try context.requireActor()))
    }

    @Sendable func disburse(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        let (id, n) = try Self.tranche(context)
        var request = request
        let (input, body) = try await request.decode(DisbursementInput.self)
        return try await grants.disburse(
            grant: id, tranche: n, input, as: try context.requireActor(), key: try request.idempotencyKey(body: body))
    }

    @Sendable func expenses(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<GrantExpenseView> {
        try await grants.expenses(grant: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func recordExpense(_ request: Request, context: RavnaqRequestContext) async throws -> StoredAnswer {
        var request = request
        let (input, body) = try await request.decode(ExpenseInput.self)
        return try await grants.recordExpense(
            grant: try context.parameters.require("id"), input, as: try context.requireActor(),
            key: try request.idempotencyKey(body: body))
    }

    /// The grant and the tranche number of a `/grants/:id/tranches/:n/…` path; a number that is
    /// not one names no tranche (404).
    static func tranche(_ context: RavnaqRequestContext) throws -> (String, Int) {
        let id = try context.parameters.require("id")
        let text = try context.parameters.require("n")
        guard let n = Int(text) else { throw RavnaqError.notFound("tranche \(text) of grant \(id)") }
        return (id, n)
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/grants": {
        "get": {
          "summary": "The grants the user may see (a mentor: those of their families), oldest first",
          "parameters": [{"name": "project_id", "in": "query", "schema": {"$ref": "#/components/schemas/Id"}, "description": "only this project's grants"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
          "responses": {"200": {"description": "A page of grants.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Grant"}}}}]}}}},
                        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthenticated"}, "422": {"$ref": "#/components/responses/Invalid"}}
        },
        "post": {
          "summary": "Open a grant (admin, coordinator). Its currency must be the programme's; the tranche amounts must add up to the total (else 422 urn:ravnaq:problem:grant-tranches-sum); planned dates may not go backwards.",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrantInput"}}}},
          "responses": {"201": {"description": "The grant.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}
        }
      },
      "/api/v1/grants/{id}": {
        "get": {"summary": "One grant with its tranches", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The grant's id or its number (G-000045)."}],
                "responses": {"200": {"description": "The grant.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/grants/{id}/tranches/{n}/approve": {
        "post": {
          "summary": "A grant officer approves tranche n; only where the grant's programme has tranche_approval (else 422 approval-not-required). Approving again changes nothing.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The grant's id or its number (G-000045)."}, {"name": "n", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}, "description": "The tranche's number, from 1."}],
          "responses": {"200": {"description": "The grant, the tranche now approved.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                        "422": {"$ref": "#/components/responses/Invalid"}}
        }
      },
      "/api/v1/grants/{id}/tranches/{n}/disburse": {
        "post": {
          "summary": "Disburse tranche n (admin, coordinator): debit grant_expense, credit cash. Honours Idempotency-Key. Refused with 422 and type tranche-already-disbursed, tranche-out-of-order, disbursement-before-previous-tranche (dated before the previous tranche), approval-required or condition-not-met. previous_tranche_accounted holds when the expenses dated up to the disbursement date are at least 80 % of what was disbursed before; training_completed holds when a member of the family completed a course.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The grant's id or its number (G-000045)."}, {"name": "n", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}, "description": "The tranche's number, from 1."},
                         {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date"],
            "properties": {"date": {"$ref": "#/components/schemas/Date"}}}}}},
          "responses": {"201": {"description": "The whole grant (not only the tranche) after the disbursement.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                        "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}
        }
      },
      "/api/v1/grants/{id}/expenses": {
        "get": {
          "summary": "The grant's expenses, in date order (those of one day in the order recorded)",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The grant's id or its number (G-000045)."}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
          "responses": {"200": {"description": "A page of expenses.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/GrantExpense"}}}}]}}}},
                        "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}
        },
        "post": {
          "summary": "Record an expense of the grant (admin, coordinator). The expenses may not add up to more than was disbursed (422 expenses-exceed-disbursed). Honours Idempotency-Key.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The grant's id or its number (G-000045)."}, {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "category", "amount"],
            "properties": {"date": {"$ref": "#/components/schemas/Date"}, "category": {"$ref": "#/components/schemas/ExpenseCategory"},
                           "amount": {"$ref": "#/components/schemas/Amount"}, "receipt": {"type": ["string", "null"], "maxLength": 200}}}}}},
          "responses": {"201": {"description": "The expense.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrantExpense"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                        "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}
        }
      }
    },
    "schemas": {
      "GrantCondition": {"type": "string", "enum": ["none", "training_completed", "business_plan_approved", "previous_tranche_accounted"]},
      "ExpenseCategory": {"type": "string", "enum": ["equipment", "materials", "rent", "transport", "other"]},
      "GrantInput": {"type": "object", "required": ["programme_id", "project_id", "currency", "total", "tranches"], "properties": {
        "programme_id": {"$ref": "#/components/schemas/Id"}, "project_id": {"$ref": "#/components/schemas/Id"},
        "currency": {"$ref": "#/components/schemas/Currency"}, "total": {"$ref": "#/components/schemas/Amount"},
        "tranches": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "object", "required": ["amount", "planned_on"], "properties": {
          "amount": {"$ref": "#/components/schemas/Amount"}, "planned_on": {"$ref": "#/components/schemas/Date"},
          "condition": {"allOf": [{"$ref": "#/components/schemas/GrantCondition"}], "default": "none"}}}}}},
      "Grant": {"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string", "examples": ["G-000045"]},
        "programme_id": {"$ref": "#/components/schemas/Id"}, "programme": {"type": "string", "description": "the programme's name"},
        "project_id": {"$ref": "#/components/schemas/Id"}, "family_code": {"type": "string"}, "currency": {"type": "string"},
        "total": {"$ref": "#/components/schemas/Amount"}, "disbursed": {"$ref": "#/components/schemas/Amount"},
        "expenses": {"$ref": "#/components/schemas/Amount"},
        "utilization": {"type": ["number", "null"], "description": "expenses ÷ disbursed, rounded half-up to 6 decimal places (grant_utilization); null while nothing is disbursed"},
        "tranches": {"type": "array", "items": {"type": "object", "properties": {
          "n": {"type": "integer"}, "amount": {"$ref": "#/components/schemas/Amount"}, "planned_on": {"$ref": "#/components/schemas/Date"},
          "condition": {"$ref": "#/components/schemas/GrantCondition"}, "status": {"type": "string", "enum": ["pending", "approved", "disbursed"]},
          "approved": {"type": "boolean"}, "approved_by": {"type": ["string", "null"]},
          "disbursed_on": {"oneOf": [{"$ref": "#/components/schemas/Date"}, {"type": "null"}]}}}}}},
      "GrantExpense": {"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "grant_id": {"$ref": "#/components/schemas/Id"}, "date": {"$ref": "#/components/schemas/Date"},
        "category": {"$ref": "#/components/schemas/ExpenseCategory"}, "amount": {"$ref": "#/components/schemas/Amount"},
        "currency": {"type": "string"}, "receipt": {"type": ["string", "null"]}}}
    }}
    """#
}
