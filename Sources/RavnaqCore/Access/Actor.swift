import Foundation

/// Who is acting: every request and every service call carries one, and every transaction
/// hands it to PostgreSQL (`ravnaq.*` settings) for the audit log and the access policies.
public struct Actor: Sendable, Equatable {
    public let userID: UUID?
    public let organizationID: UUID
    public let role: Role
    /// What the audit log records: the user's email, or `cli:<system user>` for the operator.
    public let name: String
    /// The API token the request came with (nil for the CLI); every transaction checks that it
    /// is still in force.
    public let token: String?

    public init(userID: UUID?, organizationID: UUID, role: Role, name: String, token: String? = nil) {
        self.userID = userID
        self.organizationID = organizationID
        self.role = role
        self.name = name
        self.token = token
    }
}

public enum Role: String, Sendable, CaseIterable, Codable {
    case admin, coordinator, mentor
    case grantOfficer = "grant_officer"
}

extension Actor {
    /// Refuses (403) unless the actor has one of `roles`; `action` completes the sentence
    /// "only admins and coordinators can …".
    public func require(_ roles: Role..., to action: String) throws {
        guard roles.contains(role) else {
            let names = roles.map { $0 == .grantOfficer ? "grant officers" : "\($0.rawValue)s" }
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            throw RavnaqError.forbidden("only \(list) can \(action)")
        }
    }
}

extension Actor {
    /// Grant officers never see personal data — member names, birth dates, PINFL, the address
    /// below the district, visit notes (SPEC §1), and the family's registry reference, plan goals'
    /// texts and referrals' reasons, which describe the family as much, and a member's sex (for
    /// aggregates only, never member by member). Their requests run as `ravnaq_officer`, which may
    /// not even read those columns (sql/001_baseline.sql), so their queries must not name them at all.
    public var seesPersonalData: Bool { role != .grantOfficer }

    /// `column` in a query for the roles that see personal data, NULL for the others.
    func personal(_ column: String) -> String {
        seesPersonalData ? column : "NULL"
    }
}
