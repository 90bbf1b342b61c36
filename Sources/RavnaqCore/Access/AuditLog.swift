import Foundation
import Postgres

/// Reading the audit log (SPEC §1: admins only). Nobody changes it through the service: it is
/// written by triggers and refuses UPDATE and DELETE.
public struct AuditLog: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Entries oldest first, optionally for one entity (`families`, `loans`, …) or one row.
    public func list(entity: String?, entityID: String?, limit: String?, cursor: String?, as actor: Actor) async throws -> ListPage {
        try actor.require(.admin, to: "read the audit log")
        let page = try Page(limit: limit, cursor: cursor)
        let list = ListKey("/audit", of: actor, filters: [entity ?? "", entityID ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            // The cursor's position is (at, id); `id` orders entries of the same instant.
            try ListPage(
                result: connection.query(
                    """
                    SELECT json_build_object('id', id, 'at', at, 'actor', actor, 'action', action, 'entity', entity,
                                             'entity_id', entity_id, 'before', before, 'after', after)::text,
                           at::text, id
                    FROM audit_log
                    WHERE organization_id = $1 AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR entity_id = $3)
                      AND ($4::timestamptz IS NULL OR (at, id) > ($4, $5::bigint))
                    ORDER BY at, id LIMIT $6
                    """,
                    [actor.organizationID, entity, entityID, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }
}
