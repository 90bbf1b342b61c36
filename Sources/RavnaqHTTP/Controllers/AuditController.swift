import Hummingbird
import RavnaqCore

/// `GET /api/v1/audit`: the audit log, for admins.
struct AuditController {
    let audit: AuditLog

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("audit", use: list)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await audit.list(entity: request.query("entity"), entityID: request.query("entity_id"), limit: request.query("limit"),
                             cursor: request.query("cursor"), as: try context.requireActor())
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/audit": {
        "get": {"summary": "The audit log, oldest first (admins): who changed what, when, with the row before and after",
                "parameters": [{"name": "entity", "in": "query", "schema": {"type": "string"}, "description": "a table, e.g. loans"},
                               {"name": "entity_id", "in": "query", "schema": {"type": "string"}},
                               {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of entries.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/AuditEntry"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"},
                              "403": {"$ref": "#/components/responses/Forbidden"}}}
      }
    },
    "schemas": {
      "AuditEntry": {"type": "object", "required": ["id", "at", "actor", "action", "entity", "entity_id", "before", "after"], "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string", "description": "the user's email, or cli:<system user>, seed:demo"},
        "action": {"enum": ["insert", "update", "delete"]}, "entity": {"type": "string", "examples": ["loans"]}, "entity_id": {"type": "string"},
        "before": {"type": ["object", "null"], "description": "the row before (null for an insert)"}, "after": {"type": ["object", "null"], "description": "the row after (null for a delete)"}}}
    }}
    """#
}
