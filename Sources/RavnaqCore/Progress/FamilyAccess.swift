import Dates
import Foundation
import Postgres

/// Who may read or record a family's progress (SPEC §1): coordinators and admins any family of
/// the organization; a mentor only the families assigned to them on the day; a grant officer
/// reads only (403 with the reason). A family the actor may not see is "not found", as if it did
/// not exist — PostgreSQL's policies hide it from a mentor already (sql/definitions/10_access.sql); asking again here
/// keeps the rule readable where it is used.
enum FamilyAccess {
    enum Intent { case read, write }

    static func family(_ connection: PostgresConnection, _ key: String, actor: Actor, intent: Intent, on date: LocalDate) throws -> UUID {
        if intent == .write, actor.role == .grantOfficer {
            throw RavnaqError.forbidden("grant officers read progress but do not record it")
        }
        let id = try Families.resolve(connection, key: key, organizationID: actor.organizationID)
        if actor.role == .mentor, try !isAssigned(connection, family: id, to: actor, on: date) {
            throw RavnaqError.notFound("family \(key)")
        }
        return id
    }

    /// Whether the family is assigned to this mentor on the date.
    static func isAssigned(_ connection: PostgresConnection, family: UUID, to mentor: Actor, on date: LocalDate) throws -> Bool {
        try connection.query(
            """
            SELECT 1 FROM mentor_assignments
            WHERE family_id = $1 AND mentor_id = $2 AND from_on <= $3 AND (to_on IS NULL OR to_on > $3)
            """,
            [family, mentor.userID, date]
        ).rowCount > 0
    }

    /// The family of a project, checked the same way.
    static func project(_ connection: PostgresConnection, _ key: String, actor: Actor, intent: Intent, on date: LocalDate) throws -> (project: UUID, family: UUID) {
        let uuid = try References.existingProject(key, connection, organizationID: actor.organizationID)
        guard let row = try connection.query(
            "SELECT family_id FROM projects WHERE id = $1 AND organization_id = $2", [uuid, actor.organizationID]
        ).first else { throw RavnaqError.notFound("project \(key)") }
        let family: UUID = try row.decode(0)
        _ = try self.family(connection, family.idString, actor: actor, intent: intent, on: date)
        return (uuid, family)
    }
}

/// A reporting month, `YYYY-MM`, held as its first day.
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let firstDay: LocalDate

    public init?(_ text: String) {
        guard text.count == 7, let day = LocalDate(text + "-01") else { return nil }
        firstDay = day
    }

    public init(containing date: LocalDate) {
        firstDay = date.startOfMonth
    }

    public var description: String { String(firstDay.description.prefix(7)) }
    public static func < (lhs: Period, rhs: Period) -> Bool { lhs.firstDay < rhs.firstDay }
}

extension FieldErrors {
    /// A `YYYY-MM` month that has begun (SPEC §7: a month that has not begun yet is refused).
    mutating func period(_ value: String?, _ pointer: String, today: LocalDate) -> Period? {
        guard let value else {
            add(pointer, "is required")
            return nil
        }
        guard let period = Period(value) else {
            add(pointer, "\"\(value)\" is not a month of the form YYYY-MM")
            return nil
        }
        guard Self.dates.contains(period.firstDay) else {
            add(pointer, Self.outsideDates(value))
            return nil
        }
        if period.firstDay > today {
            add(pointer, "\(value) has not begun yet")
            return nil
        }
        return period
    }
}
