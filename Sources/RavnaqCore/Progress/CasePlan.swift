import Dates
import Foundation
import Postgres

/// A family's plan goals and referrals to specialists: both are created open, listed oldest
/// first, and change status with the date of the change (`POST …/{gid}/status`).
extension CaseManagement {
    public func addGoal(family key: String, _ input: GoalInput, as actor: Actor, idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "keep family plans")
        return try await database.record(as: actor, once: idempotency, operation: .planGoal, resource: key) { connection in
            let (familyID, today) = try Self.writableFamily(connection, key: key, actor: actor)
            var errors = FieldErrors()
            let text = errors.text(input.text, "/text")
            let targetOn = errors.date(input.target_on, "/target_on", required: false)
            let setOn = Self.pastDate(input.date, "/date", today: today, errors: &errors)
            if let targetOn, let setOn, targetOn < setOn { errors.add("/target_on", "is before the day the goal is set, \(setOn)") }
            try errors.check()
            try Self.requireAssigned(connection, familyID: familyID, key: key, actor: actor, on: setOn!, to: "keep family plans")
            let id: UUID = try connection.query(
                """
                INSERT INTO plan_goals (organization_id, family_id, text, set_on, target_on, status_on)
                VALUES ($1, $2, $3, $4, $5, $4) RETURNING id
                """,
                [actor.organizationID, familyID, text!, setOn!, targetOn]
            ).first!.decode(0)
            return try Self.item(connection, .goals, id: id, actor: actor)
        }
    }

    public func addReferral(family key: String, _ input: ReferralInput, as actor: Actor, idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "refer families to specialists")
        return try await database.record(as: actor, once: idempotency, operation: .referral, resource: key) { connection in
            let (familyID, today) = try Self.writableFamily(connection, key: key, actor: actor)
            var errors = FieldErrors()
            let specialist = errors.choice(input.specialist, "/specialist", as: Specialist.self)
            let reason = errors.text(input.reason, "/reason")
            let referredOn = Self.pastDate(input.date, "/date", today: today, errors: &errors)
            try errors.check()
            try Self.requireAssigned(connection, familyID: familyID, key: key, actor: actor, on: referredOn!, to: "refer families to specialists")
            let id: UUID = try connection.query(
                """
                INSERT INTO referrals (organization_id, family_id, specialist, reason, referred_on, status_on)
                VALUES ($1, $2, $3, $4, $5, $5) RETURNING id
                """,
                [actor.organizationID, familyID, specialist!.rawValue, reason!, referredOn!]
            ).first!.decode(0)
            return try Self.item(connection, .referrals, id: id, actor: actor)
        }
    }

    public func goals(family key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await list(.goals, family: key, page: page, as: actor)
    }

    public func referrals(family key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await list(.referrals, family: key, page: page, as: actor)
    }

    /// open → achieved | dropped, and back to open; the date (default today) is when it happened.
    public func changeGoalStatus(family key: String, goal id: String, _ input: CaseStatusInput, as actor: Actor) async throws -> JSONText {
        try await changeStatus(.goals, GoalStatus.self, family: key, item: id, input, as: actor)
    }

    /// open → done | declined, and back to open; the date (default today) is when it happened.
    public func changeReferralStatus(family key: String, referral id: String, _ input: CaseStatusInput, as actor: Actor) async throws -> JSONText {
        try await changeStatus(.referrals, ReferralStatus.self, family: key, item: id, input, as: actor)
    }

    // MARK: Shared by goals and referrals

    struct PlanTable: Sendable {
        let table: String
        /// "goal", "referral": for messages.
        let noun: String
        /// The endpoint of the family's list, for its cursors.
        let endpoint: String
        /// Refused: a status change to the status it has.
        let unchanged: Refusal
        /// The day the item began (`set_on`, `referred_on`).
        let startColumn: String
        /// The item `t` as JSON; `personal` puts a column in for the roles that see personal
        /// data and NULL for grant officers (the goal's text, the referral's reason).
        let json: @Sendable (_ personal: (String) -> String) -> String

        func json(for actor: Actor) -> String { json(actor.personal) }

        static let goals = PlanTable(
            table: "plan_goals", noun: "goal", endpoint: "/families/{id}/goals", unchanged: .goalStatusUnchanged, startColumn: "set_on",
            json: { personal in
                """
                json_build_object('id', t.id, 'family_id', t.family_id, 'text', \(personal("t.text")), 'set_on', t.set_on,
                                  'target_on', t.target_on, 'status', t.status, 'status_on', t.status_on)::text
                """
            })
        static let referrals = PlanTable(
            table: "referrals", noun: "referral", endpoint: "/families/{id}/referrals", unchanged: .referralStatusUnchanged, startColumn: "referred_on",
            json: { personal in
                """
                json_build_object('id', t.id, 'family_id', t.family_id, 'specialist', t.specialist, 'reason', \(personal("t.reason")),
                                  'referred_on', t.referred_on, 'status', t.status, 'status_on', t.status_on)::text
                """
            })
    }

    /// Oldest first; for grant officers without the goals' texts and the referrals' reasons.
    private func list(_ kind: PlanTable, family key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let familyID = try Self.readableFamily(connection, key: key, actor: actor)
            let list = ListKey(kind.endpoint, of: actor, filters: [familyID.idString])
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(
                    """
                    SELECT \(kind.json(for: actor)), t.created_at::text, t.id FROM \(kind.table) t
                    WHERE t.family_id = $1 AND ($2::timestamptz IS NULL OR (t.created_at, t.id) > ($2, $3::uuid))
                    ORDER BY t.created_at, t.id LIMIT $4
                    """,
                    [familyID, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    private func changeStatus<Status: RawRepresentable & CaseIterable>(
        _ kind: PlanTable, _ type: Status.Type, family key: String, item: String, _ input: CaseStatusInput, as actor: Actor
    ) async throws -> JSONText where Status.RawValue == String {
        try actor.require(.admin, .coordinator, .mentor, to: "change the status of a \(kind.noun)")
        // The status is read here, the date (which needs today and the item) in the transaction;
        // both land in one list of errors.
        var statusErrors = FieldErrors()
        let status = statusErrors.choice(input.status, "/status", as: Status.self)?.rawValue
        return try await database.transaction(as: actor) { [statusErrors] connection in
            let (familyID, today) = try Self.writableFamily(connection, key: key, actor: actor)
            guard let id = UUID(uuidString: item), let row = try connection.query(
                "SELECT status, \(kind.startColumn) FROM \(kind.table) WHERE id = $1 AND family_id = $2 FOR UPDATE", [id, familyID]
            ).first else { throw RavnaqError.notFound("\(kind.noun) \(item) of family \(key)") }
            let current: String = try row.decode(0)
            let start: LocalDate = try row.decode(1)
            var errors = statusErrors
            let date = Self.pastDate(input.date, "/date", today: today, errors: &errors)
            if let date, date < start { errors.add("/date", "is before the \(kind.noun) began, \(start)") }
            try errors.check()
            try Self.requireAssigned(connection, familyID: familyID, key: key, actor: actor, on: date!,
                                     to: "change the status of a \(kind.noun)")
            guard status! != current else {
                throw RavnaqError.rule(kind.unchanged, message: "the \(kind.noun) is already \(current)")
            }
            try connection.query("UPDATE \(kind.table) SET status = $2, status_on = $3 WHERE id = $1", [id, status!, date!])
            return try Self.item(connection, kind, id: id, actor: actor)
        }
    }

    static func item(_ connection: PostgresConnection, _ kind: PlanTable, id: UUID, actor: Actor) throws -> JSONText {
        JSONText(try connection.query("SELECT \(kind.json(for: actor)) FROM \(kind.table) t WHERE t.id = $1", [id]).first!.decode(0))
    }

    /// An optional date that defaults to today and may not be in the future.
    static func pastDate(_ value: String?, _ pointer: String, today: LocalDate, errors: inout FieldErrors) -> LocalDate? {
        guard value != nil else { return today }
        guard let date = errors.date(value, pointer) else { return nil }
        if date > today {
            errors.add(pointer, "is in the future (today is \(today))")
            return nil
        }
        return date
    }
}
