import Dates
import Foundation
import Postgres

/// Case management (SPEC §7): a mentor's visits, the family's plan goals and its referrals to
/// specialists, and the list of families whose next visit is due.
///
/// Who may do what: coordinators and admins work on every family; a mentor only on the families
/// assigned to them today — any other family is not found (404), as for every other read — and
/// records only what is dated within their assignment (403 with the reason otherwise); grant
/// officers read, never write, and never see visit notes (SPEC §1).
public struct CaseManagement: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    // MARK: Visits

    /// Records a visit; the visit's date may not be in the future and the next visit comes after it.
    public func recordVisit(family key: String, _ input: VisitInput, as actor: Actor, idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "record visits")
        return try await database.record(as: actor, once: idempotency, operation: .visit, resource: key) { connection in
            let (familyID, today) = try Self.writableFamily(connection, key: key, actor: actor)
            var errors = FieldErrors()
            let date = errors.date(input.date, "/date")
            if let date, date > today { errors.add("/date", "is in the future (today is \(today))") }
            let kind = errors.choice(input.kind, "/kind", as: VisitKind.self)
            let notes = errors.text(input.notes, "/notes", required: false)
            let next = errors.date(input.next_visit_on, "/next_visit_on")
            if let date, let next, next <= date { errors.add("/next_visit_on", "must be after the visit's date, \(date)") }
            try errors.check()
            try Self.requireAssigned(connection, familyID: familyID, key: key, actor: actor, on: date!, to: "record visits")
            let id: UUID = try connection.query(
                """
                INSERT INTO visits (organization_id, family_id, visited_on, kind, notes, next_visit_on, mentor_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                """,
                [actor.organizationID, familyID, date!, kind!.rawValue, notes, next!, actor.userID]
            ).first!.decode(0)
            return try connection.query(Self.visitSQL(for: actor) + Self.visitFrom + " WHERE v.id = $1", [id]).first.map { JSONText(try $0.decode(0)) }!
        }
    }

    /// A family's visits in date order, oldest first (visits on one day in the order they were
    /// recorded). Grant officers get them without notes.
    public func visits(family key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let familyID = try Self.readableFamily(connection, key: key, actor: actor)
            let list = ListKey("/families/{id}/visits", of: actor, filters: [familyID.idString], keys: 3)
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(
                    Self.visitSQL(for: actor) + """
                        , v.visited_on::text, v.created_at::text, v.id \(Self.visitFrom)
                        WHERE v.family_id = $1
                          AND ($2::date IS NULL OR (v.visited_on, v.created_at, v.id) > ($2::date, $3::timestamptz, $4::uuid))
                        ORDER BY v.visited_on, v.created_at, v.id LIMIT $5
                        """,
                    [familyID, after?[0], after?[1], after?[2], page.limit + 1]),
                page: page, list: list)
        }
    }

    /// One visit as JSON (the caller adds further columns and `visitFrom`); `notes` is left out
    /// for grant officers.
    static func visitSQL(for actor: Actor) -> String {
        let notes = actor.seesPersonalData ? "'notes', v.notes, " : ""
        return """
            SELECT json_build_object('id', v.id, 'family_id', v.family_id, 'date', v.visited_on, 'kind', v.kind, \(notes)
                                     'next_visit_on', v.next_visit_on, 'mentor', u.email)::text
            """
    }

    /// The visits with the user who recorded each.
    static let visitFrom = " FROM visits v LEFT JOIN users u ON u.id = v.mentor_id"

    // MARK: The due list

    /// The families of a mentor (email or id) whose next visit is due as of a date (default
    /// today): the latest visit since the current assignment began planned the next one for
    /// `as_of` or earlier, or there was no visit since the assignment began (then the family is
    /// due from the assignment's first day). Active families only; most overdue first.
    public func due(mentor: String?, asOf: String?, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "list the visits that are due")
        var errors = FieldErrors()
        let date = errors.date(asOf, "/as_of", required: false)
        let mentorKey = errors.text(mentor, "/mentor", required: actor.role != .mentor)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let asOf = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            let mentorID: UUID
            if actor.role == .mentor {
                guard let own = actor.userID else { throw RavnaqError.forbidden("a mentor without a user account has no families") }
                if let mentorKey {
                    let asked = try Users.user(connection, key: mentorKey, organizationID: actor.organizationID)?.id
                    guard asked == own else { throw RavnaqError.forbidden("a mentor can list only their own due visits") }
                }
                mentorID = own
            } else {
                guard let user = try Users.user(connection, key: mentorKey!, organizationID: actor.organizationID) else {
                    throw RavnaqError.invalid("/mentor", "no user \(mentorKey!) in this organization")
                }
                guard user.role == .mentor else { throw RavnaqError.invalid("/mentor", "\(mentorKey!) is not a mentor") }
                mentorID = user.id
            }
            return JSONText(try connection.query(Self.dueSQL, [actor.organizationID, mentorID, asOf]).first!.decode(0))
        }
    }

    /// For each assignment `a` of family `f`, as of $3: its `last` visit (`last.visited_on`),
    /// and the next visit planned by the latest one since the assignment began
    /// (`since.next_visit_on`; with none, the visit is due from the assignment's first day).
    static let visitsOfAssignment = """
        LEFT JOIN LATERAL (
            SELECT v.visited_on FROM visits v WHERE v.family_id = f.id AND v.visited_on <= $3
            ORDER BY v.visited_on DESC, v.created_at DESC, v.id DESC LIMIT 1) last ON true
        LEFT JOIN LATERAL (
            SELECT v.next_visit_on FROM visits v WHERE v.family_id = f.id AND v.visited_on >= a.from_on AND v.visited_on <= $3
            ORDER BY v.visited_on DESC, v.created_at DESC, v.id DESC LIMIT 1) since ON true
        """

    static let dueSQL = """
        WITH assigned AS (
            SELECT a.family_id, a.from_on FROM mentor_assignments a
            WHERE a.organization_id = $1 AND a.mentor_id = $2 AND a.from_on <= $3 AND (a.to_on IS NULL OR a.to_on > $3)
        ), due AS (
            SELECT f.id, f.code, f.region, f.district, a.from_on, last.visited_on AS last_visit_on,
                   since.next_visit_on, coalesce(since.next_visit_on, a.from_on) AS due_since
            FROM assigned a
            JOIN families f ON f.id = a.family_id
            \(visitsOfAssignment)
            WHERE f.status = 'active' AND coalesce(since.next_visit_on, a.from_on) <= $3
        )
        SELECT json_build_object(
            'mentor', (SELECT email FROM users WHERE id = $2), 'as_of', $3::date,
            'items', coalesce(json_agg(json_build_object(
                'family_id', d.id, 'code', d.code, 'region', d.region, 'district', d.district,
                'last_visit_on', d.last_visit_on, 'next_visit_on', d.next_visit_on, 'due_since', d.due_since,
                'assigned_from', d.from_on, 'days_overdue', $3::date - d.due_since)
                ORDER BY d.due_since, d.code), '[]'),
            'next_cursor', NULL)::text
        FROM due d
        """

    // MARK: Access

    /// The family's id for reading its case management: every role may, a mentor only for the
    /// families assigned to them today (404 otherwise).
    static func readableFamily(_ connection: PostgresConnection, key: String, actor: Actor) throws -> UUID {
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        return try FamilyAccess.family(connection, key, actor: actor, intent: .read, on: today)
    }

    /// The family's id for recording in its case management, with today: a mentor only for the
    /// families assigned to them today (404 otherwise).
    static func writableFamily(_ connection: PostgresConnection, key: String, actor: Actor) throws -> (UUID, LocalDate) {
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        return (try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today), today)
    }

    /// Refuses a mentor (403) a record dated on a day the family was not assigned to them (before
    /// their assignment began, or in another mentor's time).
    static func requireAssigned(_ connection: PostgresConnection, familyID: UUID, key: String, actor: Actor,
                                on date: LocalDate, to action: String) throws {
        guard actor.role == .mentor else { return }
        guard try FamilyAccess.isAssigned(connection, family: familyID, to: actor, on: date) else {
            throw RavnaqError.forbidden(
                "a mentor can \(action) only for the days a family is assigned to them; family \(key) was not assigned to you on \(date)")
        }
    }
}
