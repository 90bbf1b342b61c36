import Hummingbird
import RavnaqCore

/// `/api/v1/approvals`: write-offs and disbursements waiting for a second person (issue 16).
struct ApprovalsController {
    let approvals: Approvals

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("approvals", use: list)
        group.post("approvals/:id/approve", use: approve)
        group.post("approvals/:id/refuse", use: refuse)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<ApprovalView> {
        try await approvals.list(status: request.query("status"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func approve(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ApprovalView> {
        var request = request
        let (input, _) = try await request.decode(DecisionInput.self)
        return JSONAnswer(try await approvals.approve(try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    @Sendable func refuse(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<ApprovalView> {
        var request = request
        let (input, _) = try await request.decode(DecisionInput.self)
        return JSONAnswer(try await approvals.refuse(try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/approvals": {
        "get": {"summary": "Write-offs and disbursements waiting for a second person (coordinator, admin), oldest first; ?status=approved|refused for the decided ones",
                "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "approved", "refused"], "default": "pending"}},
                               {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of requests.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Approval"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/approvals/{id}/approve": {
        "post": {"summary": "Approve a request made by someone else (coordinator, admin): the write-off or disbursement is made now, as asked",
                 "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionInput"}}}},
                 "responses": {"200": {"description": "The request, approved.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Approval"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/approvals/{id}/refuse": {
        "post": {"summary": "Refuse a request made by someone else (coordinator, admin): nothing moves",
                 "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionInput"}}}},
                 "responses": {"200": {"description": "The request, refused.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Approval"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "DecisionInput": {"type": "object", "properties": {"note": {"type": "string"}}},
      "Approval": {"type": "object", "required": ["id", "kind", "loan_id", "loan_number", "date", "reason", "amount", "currency", "requested_by", "requested_at", "status", "decided_by", "decided_at", "note"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "kind": {"type": "string", "enum": ["write_off", "disbursement"]},
        "loan_id": {"$ref": "#/components/schemas/Id"}, "loan_number": {"type": "string"}, "date": {"$ref": "#/components/schemas/Date"},
        "reason": {"type": ["string", "null"]}, "amount": {"$ref": "#/components/schemas/Amount"}, "currency": {"type": "string"},
        "requested_by": {"type": "string"}, "requested_at": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "approved", "refused"]},
        "decided_by": {"type": ["string", "null"]}, "decided_at": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}
    }}
    """#
}
