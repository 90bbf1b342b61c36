import Dates
import Foundation
import Postgres

public struct ExitInput: Decodable, Sendable {
    public var date: String?
    public var reason: String?
    public init(date: String? = nil, reason: String? = nil) {
        self.date = date
        self.reason = reason
    }
}

public enum ExitReason: String, CaseIterable, Sendable { case moved, declined, deceased, other }

extension Families {
    /// Withdrawn consent: the members' names, birth dates and PINFLs, the family's mahalla and its
    /// visit notes are erased everywhere, the audit log's copies included; the code and money
    /// records stay.
    public func withdrawConsent(family key: String, date: String?, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "record a withdrawal of consent")
        var errors = FieldErrors()
        let on = errors.date(date, "/date")
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let id = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            guard on! <= today else { throw RavnaqError.invalid("/date", "is in the future") }
            let members = try connection.query(
                """
                UPDATE members SET full_name = NULL, sex = NULL, birth_date = NULL, pinfl = NULL, phone = NULL,
                                   messages_consent = false, erased_on = $2
                WHERE family_id = $1 AND erased_on IS NULL RETURNING id::text
                """, [id, on!]).rows.map { try $0.decode(0, as: String.self) }
            try connection.query(
                "UPDATE families SET consent_on = NULL, consent_withdrawn_on = $2, mahalla = NULL WHERE id = $1", [id, on!])
            try connection.query("SELECT erase_audit_copies($1, 'members', $2::text[], ARRAY['full_name', 'sex', 'birth_date', 'pinfl', 'phone'])",
                                 [actor.organizationID, postgresArray(members)])
            try connection.query("SELECT erase_audit_copies($1, 'families', ARRAY[$2::text], ARRAY['mahalla'])", [actor.organizationID, id.idString])
            // Visit notes are personal data too (SPEC §1).
            let visits = try connection.query(
                "UPDATE visits SET notes = NULL WHERE family_id = $1 AND notes IS NOT NULL RETURNING id::text", [id]
            ).rows.map { try $0.decode(0, as: String.self) }
            try connection.query("SELECT erase_audit_copies($1, 'visits', $2::text[], ARRAY['notes'])",
                                 [actor.organizationID, postgresArray(visits)])
            // And the notes acknowledging its alerts (issue 17).
            try connection.query("SELECT erase_acknowledgement_notes($1)", [id])
            return try Self.caseFile(connection, id: id, actor: actor, asOf: today)!
        }
    }

    /// The family leaves the programme: status `exited` with the date and reason.
    public func exit(family key: String, _ input: ExitInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "record a family's exit")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let reason = errors.choice(input.reason, "/reason", as: ExitReason.self)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let id = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let status: String = try connection.query("SELECT status FROM families WHERE id = $1 FOR UPDATE", [id]).first!.decode(0)
            guard status == "active" else { throw RavnaqError.rule(.familyNotActive, message: "the family is already \(status)") }
            try connection.query("UPDATE families SET status = 'exited', status_on = $2, exit_reason = $3 WHERE id = $1",
                                 [id, date!, reason!.rawValue])
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            return try Self.caseFile(connection, id: id, actor: actor, asOf: today)!
        }
    }
}
