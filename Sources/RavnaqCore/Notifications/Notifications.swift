import Dates
import Foundation
import Postgres

/// A notification as `ravnaq notifications list` shows it.
public struct NotificationView: Encodable, Sendable, ListItem {
    public let id: String
    public let kind: String
    /// The user's email, or the member's family code (a member's name or phone is not shown here).
    public let recipient: String
    public let language: String
    public let message: String
    public let status: String
    public let attempts: Int
    public let created_at: String
    public let next_attempt_at: String?
    public let delivered_at: String?
    public let last_error: String?

    /// Every key, null included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(recipient, forKey: .recipient)
        try container.encode(language, forKey: .language)
        try container.encode(message, forKey: .message)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(next_attempt_at, forKey: .next_attempt_at)
        try container.encode(delivered_at, forKey: .delivered_at)
        try container.encode(last_error, forKey: .last_error)
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, recipient, language, message, status, attempts, created_at, next_attempt_at, delivered_at, last_error
    }
}

/// The outbox (issue 17): notifications are written in the transaction of their cause (`add`)
/// or by the scan of what falls due (`enqueueDue`), and `NotificationWorker` delivers them.
public struct Notifications: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Writes one notification in the caller's transaction; the same cause for the same
    /// recipient again adds nothing. Answers how many it wrote (0 or 1).
    @discardableResult
    static func add(_ connection: PostgresConnection, organization: UUID, kind: String, cause: String, user: UUID? = nil,
                    member: UUID? = nil, language: String, message: String, details: [String: String]) throws -> Int {
        try connection.query(
            """
            INSERT INTO notifications (organization_id, kind, cause, user_id, member_id, language, message, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
            ON CONFLICT (organization_id, cause, recipient) DO NOTHING
            """,
            [organization, kind, cause, user, member, language, message,
             String(decoding: try RavnaqJSON.encode(details), as: UTF8.self)]).affectedRows
    }

    static func language(_ code: String) -> NotificationText.Language { NotificationText.Language(rawValue: code) ?? .uz }

    /// A grant whose tranches need a grant officer's approval: each grant officer of the
    /// organization is told, in the grant's own transaction.
    static func tranchesWaiting(_ connection: PostgresConnection, organization: UUID, grant: UUID, number: String, total: String,
                                currency: String) throws {
        for officer in try connection.query(
            "SELECT id, language FROM users WHERE organization_id = $1 AND role = 'grant_officer' AND revoked_at IS NULL ORDER BY email",
            [organization]).rows {
            let (id, language): (UUID, String) = (try officer.decode(0), try officer.decode(1))
            try add(connection, organization: organization, kind: "tranche_approval", cause: "tranche_approval:\(grant.idString)", user: id,
                    language: language,
                    message: NotificationText.trancheApproval(grant: number, amount: total, currency: currency, in: Self.language(language)),
                    details: ["grant": number, "total": total, "currency": currency])
        }
    }

    /// What falls due, for every organization as of its own today: a visit tomorrow (its
    /// mentor), an installment in three days (the family's first member, the head first, who
    /// consented to messages and has a phone) and a new high alert (its mentor; once in 30 days
    /// per family). Each cause is written once, so running this every few minutes adds each once.
    /// Answers how many notifications it wrote.
    @discardableResult
    public func enqueueDue() async throws -> Int {
        let organizations: [UUID] = try await database.transaction { connection in
            try connection.query("SELECT id FROM organizations ORDER BY code").rows.map { try $0.decode(0) }
        }
        var written = 0
        for organization in organizations {
            written += try await database.transaction { connection in
                try Self.enqueueDue(connection, organization: organization,
                                    today: try Organizations.today(connection, organizationID: organization))
            }
        }
        return written
    }

    /// Answers how many it wrote.
    static func enqueueDue(_ connection: PostgresConnection, organization: UUID, today: LocalDate) throws -> Int {
        var written = 0
        // The latest visit since the current mentor's assignment plans the next one for tomorrow.
        for row in try connection.query(
            """
            SELECT f.id, f.code, u.id, u.language, d.next_visit_on::text
            FROM mentor_assignments a
            JOIN families f ON f.id = a.family_id AND f.status = 'active'
            JOIN users u ON u.id = a.mentor_id AND u.revoked_at IS NULL
            CROSS JOIN LATERAL (SELECT v.next_visit_on FROM visits v WHERE v.family_id = f.id AND v.visited_on >= a.from_on
                                ORDER BY v.visited_on DESC, v.created_at DESC, v.id DESC LIMIT 1) d
            WHERE a.organization_id = $1 AND a.from_on <= $2 AND (a.to_on IS NULL OR a.to_on > $2) AND d.next_visit_on = $2::date + 1
            """, [organization, today]).rows {
            let (family, code, mentor, language, date): (UUID, String, UUID, String, String) =
                (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4))
            written += try add(connection, organization: organization, kind: "visit_due", cause: "visit_due:\(family.idString):\(date)", user: mentor,
                    language: language, message: NotificationText.visitDue(family: code, on: date, in: Self.language(language)),
                    details: ["family_id": family.idString, "family_code": code, "due_on": date])
        }
        // An installment of a live loan due in three days that what was paid so far does not cover.
        for row in try connection.query(
            """
            SELECT l.id, l.number, l.currency, m.id, m.language, lh.due_on[p.k]::text,
                   (lh.scheduled[p.k] - greatest(c.covered, coalesce(lh.scheduled[p.k - 1], 0)))::numeric(18,2)::text
            FROM loan_histories lh
            JOIN loans l ON l.id = lh.loan_id
            CROSS JOIN LATERAL (SELECT array_position(lh.due_on, $2::date + 3) AS k) p
            CROSS JOIN LATERAL (SELECT amount_through(lh.paid_on, lh.covered, $2) AS covered) c
            CROSS JOIN LATERAL (SELECT m.id, m.language FROM members m
                                WHERE m.family_id = lh.family_id AND m.messages_consent AND m.phone IS NOT NULL
                                ORDER BY m.relation = 'head' DESC, m.created_at, m.id LIMIT 1) m
            WHERE lh.organization_id = $1 AND p.k IS NOT NULL AND loan_live_on(l.disbursed_on, l.written_off_on, $2)
              AND c.covered + lh.tolerance < lh.scheduled[p.k]
            """, [organization, today]).rows {
            let (loan, number, currency, member, language, date, amount): (UUID, String, String, UUID, String, String, String) =
                (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4), try row.decode(5),
                 try row.decode(6))
            written += try add(connection, organization: organization, kind: "installment_due", cause: "installment_due:\(loan.idString):\(date)",
                    member: member, language: language,
                    message: NotificationText.installmentDue(loan: number, amount: amount, currency: currency, on: date, in: Self.language(language)),
                    details: ["loan": number, "due_on": date, "amount": amount, "currency": currency])
        }
        // A high alert (not acknowledged at its score) of a family with a current mentor, not
        // told about the family in the last 30 days.
        try Alerts.planForEveryFamily(connection)
        for row in try connection.query(
            "SELECT x.family_id, x.code, x.score, u.id, u.language FROM (" + Alerts.alertsSQL(where: "a.shown AND a.score >= 50") + """
                ) x
                JOIN users u ON lower(u.email) = lower(x.mentor) AND u.organization_id = $1 AND u.revoked_at IS NULL
                WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.organization_id = $1 AND n.kind = 'high_alert'
                                  AND n.details ->> 'family_id' = x.family_id::text AND n.created_at > now() - interval '30 days')
                """, [organization, today, nil]).rows {
            let (family, code, score, mentor, language): (UUID, String, Int, UUID, String) =
                (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4))
            written += try add(connection, organization: organization, kind: "high_alert", cause: "high_alert:\(family.idString):\(today)", user: mentor,
                    language: language, message: NotificationText.highAlert(family: code, score: score, in: Self.language(language)),
                    details: ["family_id": family.idString, "family_code": code, "score": String(score)])
        }
        return written
    }

    /// The organization's notifications, newest first (admins and coordinators); `status`
    /// narrows them.
    public func list(status: String?, page: Page = Page(), as actor: Actor) async throws -> Paged<NotificationView> {
        try actor.require(.admin, .coordinator, to: "read notifications")
        if let status, !["pending", "delivered", "failed", "cancelled"].contains(status) {
            throw RavnaqError.badQuery([.init(pointer: "/status", detail: "\"\(status)\" is not pending, delivered, failed or cancelled")])
        }
        let list = ListKey("/notifications", of: actor, filters: [status ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try Paged(
                rows: connection.query(
                    """
                    SELECT n.id, n.kind, coalesce(u.email, f.code), n.language, n.message, n.status, n.attempts, n.created_at::text,
                           CASE WHEN n.status = 'pending' THEN n.next_attempt_at::text END, n.delivered_at::text, n.last_error,
                           n.created_at::text, n.id::text
                    FROM notifications n
                    LEFT JOIN users u ON u.id = n.user_id
                    LEFT JOIN members m ON m.id = n.member_id LEFT JOIN families f ON f.id = m.family_id
                    WHERE n.organization_id = $1 AND ($2::text IS NULL OR n.status = $2)
                      AND ($3::timestamptz IS NULL OR (n.created_at, n.id) < ($3, $4::uuid))
                    ORDER BY n.created_at DESC, n.id DESC LIMIT $5
                    """, [actor.organizationID, status, after?[0], after?[1], page.limit + 1]).rows,
                page: page, list: list
            ) { row in
                NotificationView(id: try row.decode(0, as: UUID.self).idString, kind: try row.decode(1), recipient: try row.decode(2),
                                 language: try row.decode(3), message: try row.decode(4), status: try row.decode(5),
                                 attempts: try row.decode(6), created_at: try row.decode(7), next_attempt_at: try row.decode(8, as: String?.self),
                                 delivered_at: try row.decode(9, as: String?.self), last_error: try row.decode(10, as: String?.self))
            }
        }
    }

    /// Sends a failed notification (or every failed one, `id` nil) again from now, its attempts
    /// counted afresh. Answers how many.
    public func retry(_ id: String?, as actor: Actor) async throws -> Int {
        try actor.require(.admin, .coordinator, to: "retry notifications")
        let uuid = try id.map { text -> UUID in
            guard let uuid = UUID(uuidString: text) else { throw RavnaqError.notFound("notification \(text)") }
            return uuid
        }
        return try await database.transaction(as: actor) { connection in
            let count = try connection.query(
                """
                UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
                WHERE organization_id = $1 AND status = 'failed' AND ($2::uuid IS NULL OR id = $2)
                """, [actor.organizationID, uuid]).affectedRows
            if let id, count == 0 {
                guard try connection.query("SELECT 1 FROM notifications WHERE id = $1", [uuid]).first != nil else {
                    throw RavnaqError.notFound("notification \(id)")
                }
                throw RavnaqError.rule(.notificationNotFailed, message: "only a failed notification is retried; this one is not failed")
            }
            return count
        }
    }
}
