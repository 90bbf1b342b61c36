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
                "responses": {"200": {"description": "{items:[{id, at, actor, action, entity, entity_id, before, after}], next_cursor}"},
                              "403": {"$ref": "#/components/responses/Problem"}}}
      }
    }}
    """#
}
