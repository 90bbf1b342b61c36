import Foundation
import Dates
import Postgres

public struct Organization: Sendable, Equatable, Codable {
    public let id: UUID
    public let code: String
    public let name: String
}

/// Organizations are made by the operator from the CLI (bootstrap); there is no API for it.
public struct Organizations: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func add(code: String, name: String, operatorName: String) async throws -> Organization {
        try Self.validate(code: code, name: name)
        return try await database.transaction(recordedAs: operatorName) { connection in
            try Self.insert(connection, code: code, name: name)
        }
    }

    static func validate(code: String, name: String) throws {
        var errors: [RavnaqError.FieldError] = []
        if code.range(of: #"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"#, options: .regularExpression) == nil {
            errors.append(.init(pointer: "/code", detail: "use 1 to 32 letters, digits, '-' or '_', starting with a letter or digit"))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(.init(pointer: "/name", detail: "must not be empty"))
        }
        guard errors.isEmpty else { throw RavnaqError.invalid(errors) }
    }

    /// Adds a validated organization inside the caller's transaction.
    static func insert(_ connection: PostgresConnection, code: String, name: String) throws -> Organization {
        let exists = try connection.query("SELECT 1 FROM organizations WHERE lower(code) = lower($1)", [code]).rowCount > 0
        if exists { throw RavnaqError.conflict(.duplicateOrganization, message: "an organization with code \(code) already exists") }
        let row = try connection.query(
            "INSERT INTO organizations (code, name) VALUES ($1, $2) RETURNING id", [code, name]
        ).first!
        return Organization(id: try row.decode(0), code: code, name: name)
    }

    public func list() async throws -> [Organization] {
        try await database.transaction { connection in
            try connection.query("SELECT id, code, name FROM organizations ORDER BY code").rows.map {
                Organization(id: try $0.decode(0), code: try $0.decode(1), name: try $0.decode(2))
            }
        }
    }

    /// The organization a CLI command acts in: the one named, or the only one there is.
    public func resolve(code: String?) async throws -> Organization {
        let all = try await list()
        if let code {
            guard let match = all.first(where: { $0.code.caseInsensitiveCompare(code) == .orderedSame }) else {
                throw RavnaqError.notFound("organization \(code)")
            }
            return match
        }
        switch all.count {
        case 1: return all[0]
        case 0: throw RavnaqError.setup("there is no organization yet: create one with `ravnaq org add CODE --name NAME`")
        default:
            throw RavnaqError.setup("there are several organizations (\(all.map(\.code).joined(separator: ", "))): choose one with --org CODE")
        }
    }
}

extension Organizations {
    /// "Today" for an organization: the date in its time zone (default Asia/Tashkent).
    static func today(_ connection: PostgresConnection, organizationID: UUID) throws -> LocalDate {
        try connection.query(
            "SELECT (now() AT TIME ZONE time_zone)::date FROM organizations WHERE id = $1", [organizationID]
        ).first!.decode(0)
    }
}
