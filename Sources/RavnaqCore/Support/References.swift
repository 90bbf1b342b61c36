import Foundation
import Postgres

/// What a person types for a thing they know by a readable name: a family by its code, a
/// programme by its name, a project by its register number (`external_ref`, set by an import) or
/// by its family's code (when the family has one project).
/// Ids work everywhere as well. Each lookup stays inside the acting organization.
enum References {
    /// A family by id or code (case ignored).
    static func family(_ key: String, _ connection: PostgresConnection, organizationID: UUID) throws -> UUID? {
        let row = if let uuid = UUID(uuidString: key) {
            try connection.query("SELECT id FROM families WHERE id = $1 AND organization_id = $2", [uuid, organizationID]).first
        } else {
            try connection.query("SELECT id FROM families WHERE lower(code) = lower($1) AND organization_id = $2", [key, organizationID]).first
        }
        return try row?.decode(0)
    }

    /// A programme by id or name (case ignored; names are unique in the organization).
    static func programme(_ key: String, _ connection: PostgresConnection, organizationID: UUID) throws -> UUID? {
        let row = if let uuid = UUID(uuidString: key) {
            try connection.query("SELECT id FROM programmes WHERE id = $1 AND organization_id = $2", [uuid, organizationID]).first
        } else {
            try connection.query("SELECT id FROM programmes WHERE lower(name) = lower($1) AND organization_id = $2", [key, organizationID]).first
        }
        return try row?.decode(0)
    }

    /// A project by id, or by its family's code when the family has exactly one project; a
    /// family with several is refused with their ids, so that the person can choose.
    static func project(_ key: String, _ connection: PostgresConnection, organizationID: UUID, pointer: String) throws -> UUID? {
        if let uuid = UUID(uuidString: key), let id: UUID = try connection.query(
            "SELECT id FROM projects WHERE id = $1 AND organization_id = $2", [uuid, organizationID]
        ).first?.decode(0) {
            return id
        }
        // The register's own number of an imported project (an export names a project without
        // one by its id, which the organization it is imported into keeps as that number).
        if let id: UUID = try connection.query(
            "SELECT id FROM projects WHERE lower(external_ref) = lower($1) AND organization_id = $2", [key, organizationID]
        ).first?.decode(0) {
            return id
        }
        let projects: [(UUID, String)] = try connection.query(
            """
            SELECT p.id, p.title FROM projects p JOIN families f ON f.id = p.family_id
            WHERE lower(f.code) = lower($1) AND p.organization_id = $2 ORDER BY p.created_at, p.id
            """,
            [key, organizationID]
        ).rows.map { (try $0.decode(0), try $0.decode(1)) }
        guard projects.count <= 1 else {
            throw RavnaqError.invalid(pointer, "family \(key) has \(projects.count) projects; give one's id: "
                + projects.map { "\($0.0.idString) (\($0.1))" }.joined(separator: ", "))
        }
        return projects.first?.0
    }

    /// A loan by id, by its register number (`external_ref`, set by an import) or by Ravnaq's
    /// number (`L-000002`); a register number wins over another loan's Ravnaq number.
    static func loan(_ key: String, _ connection: PostgresConnection, organizationID: UUID) throws -> UUID? {
        try connection.query(
            """
            SELECT id FROM loans
            WHERE organization_id = $1 AND (lower(external_ref) = lower($2) OR number = upper($2) OR id::text = lower($2))
            ORDER BY lower(external_ref) = lower($2) DESC NULLS LAST LIMIT 1
            """, [organizationID, key]).first?.decode(0)
    }

    /// A project named in a path (`/projects/{id}`, `ravnaq project status KEY`): its id, or its
    /// family's code; none is a 404.
    static func existingProject(_ key: String, _ connection: PostgresConnection, organizationID: UUID) throws -> UUID {
        guard let id = try project(key, connection, organizationID: organizationID, pointer: "/project") else {
            throw RavnaqError.notFound("project \(key)")
        }
        return id
    }
}
