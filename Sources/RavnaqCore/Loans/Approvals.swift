import Dates
import Foundation
import Postgres
import RavnaqMoney

/// A money movement waiting for a second person (issue 16).
public struct ApprovalView: Encodable, Sendable, ListItem {
    public let id: String
    /// `write_off` or `disbursement`.
    public let kind: String
    public let loan_id: String
    public let loan_number: String
    /// The date asked for (of the write-off or the disbursement).
    public let date: String
    public let reason: String?
    public let amount: String
    public let currency: String
    public let requested_by: String
    public let requested_at: String
    /// `pending`, `approved` or `refused`.
    public let status: String
    public let decided_by: String?
    public let decided_at: String?
    public let note: String?

    /// Every key, null included, as the OpenAPI document says.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(loan_id, forKey: .loan_id)
        try container.encode(loan_number, forKey: .loan_number)
        try container.encode(date, forKey: .date)
        try container.encode(reason, forKey: .reason)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(requested_by, forKey: .requested_by)
        try container.encode(requested_at, forKey: .requested_at)
        try container.encode(status, forKey: .status)
        try container.encode(decided_by, forKey: .decided_by)
        try container.encode(decided_at, forKey: .decided_at)
        try container.encode(note, forKey: .note)
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, loan_id, loan_number, date, reason, amount, currency, requested_by, requested_at, status, decided_by,
             decided_at, note
    }
}

public struct DecisionInput: Decodable, Sendable {
    public var note: String?
    public init(note: String? = nil) { self.note = note }
}

/// Four eyes (issue 16). A programme's `write_off_approval` makes every write-off of its loans,
/// and `disbursement_approval_above` every disbursement of a larger principal, a request that a
/// different coordinator or admin approves or refuses. The request is checked when it is made
/// (by running it and rolling it back), and run for real on approval, by the approver; nothing
/// moves before. Both steps are audit entries of `approvals`. Imports record what already
/// happened and go straight through.
public struct Approvals: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public enum Kind: String, Sendable, CaseIterable {
        case writeOff = "write_off", disbursement
    }

    /// What waits (or, with `status`, what was decided), oldest first.
    public func list(status: String?, page: Page, as actor: Actor) async throws -> Paged<ApprovalView> {
        try actor.require(.admin, .coordinator, to: "read approvals")
        var errors = FieldErrors()
        let status = status ?? "pending"
        if !["pending", "approved", "refused"].contains(status) {
            errors.add("/status", "\"\(status)\" is not one of: pending, approved, refused")
        }
        try errors.check()
        let list = ListKey("/approvals", of: actor, filters: [status])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try Paged(
                rows: connection.query(
                    Self.selectSQL + """
                        , a.requested_at::text, a.id::text
                        FROM approvals a JOIN loans l ON l.id = a.loan_id
                        WHERE a.organization_id = $1 AND a.status = $2
                          AND ($3::timestamptz IS NULL OR (a.requested_at, a.id) > ($3, $4::uuid))
                        ORDER BY a.requested_at, a.id LIMIT $5
                        """,
                    [actor.organizationID, status, after?[0], after?[1], page.limit + 1]).rows,
                page: page, list: list, item: Self.view)
        }
    }

    /// Approves a request: the money moves now, as the approver, with what was asked.
    public func approve(_ id: String, _ input: DecisionInput, as actor: Actor) async throws -> ApprovalView {
        try await decide(id, approve: true, note: input.note, as: actor)
    }

    public func refuse(_ id: String, _ input: DecisionInput, as actor: Actor) async throws -> ApprovalView {
        try await decide(id, approve: false, note: input.note, as: actor)
    }

    private func decide(_ key: String, approve: Bool, note: String?, as actor: Actor) async throws -> ApprovalView {
        try actor.require(.admin, .coordinator, to: approve ? "approve requests" : "refuse requests")
        guard let id = UUID(uuidString: key) else { throw RavnaqError.notFound("approval \(key)") }
        return try await database.transaction(as: actor) { connection in
            // The loan first, then the request: the order every money movement locks in.
            guard let loanID = try connection.query(
                "SELECT loan_id FROM approvals WHERE id = $1 AND organization_id = $2", [id, actor.organizationID]
            ).first?.decode(0, as: UUID.self) else { throw RavnaqError.notFound("approval \(key)") }
            let loan = try Loans.load(connection, loanID.idString, actor, lock: true)
            let row = try connection.query(
                "SELECT kind, on_date, reason, requested_by, status FROM approvals WHERE id = $1 FOR UPDATE", [id]).first!
            let status: String = try row.decode(4)
            guard status == "pending" else {
                throw RavnaqError.rule(.approvalDecided, message: "this request was already \(status)")
            }
            let requestedBy: String = try row.decode(3)
            guard requestedBy != actor.name else {
                throw RavnaqError.rule(.ownRequest, message: "a request is decided by someone other than who made it (\(requestedBy))")
            }
            if approve {
                let date: LocalDate = try row.decode(1)
                switch Kind(rawValue: try row.decode(0))! {
                case .writeOff: _ = try Loans.writeOff(connection, loan: loan, on: date, reason: try row.decode(2), actor: actor)
                case .disbursement: _ = try Loans.disburse(connection, loan: loan, on: date, actor: actor)
                }
            }
            try connection.query(
                "UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), note = $4 WHERE id = $1",
                [id, approve ? "approved" : "refused", actor.name, note])
            return try Self.find(connection, id)
        }
    }

    // MARK: The request side, inside the money movement's own transaction

    /// Whether the loan's programme asks for a second person for this movement.
    static func needed(_ kind: Kind, loan: LoanRecord, _ connection: PostgresConnection) throws -> Bool {
        let row = try connection.query(
            "SELECT write_off_approval, disbursement_approval_above::text FROM programmes WHERE id = $1", [loan.programmeID]).first!
        switch kind {
        case .writeOff:
            return try row.decode(0, as: Bool.self)
        case .disbursement:
            guard let limit = try row.decode(1, as: String?.self).flatMap(loan.currency.parse) else { return false }
            return loan.terms.principal > limit
        }
    }

    /// Records a request after `check` has run it and been rolled back, so that a request the
    /// rules refuse is refused now, not at approval. One request per loan and kind waits at a time.
    static func request(_ kind: Kind, loan: LoanRecord, on date: LocalDate, reason: String?, _ connection: PostgresConnection,
                        actor: Actor, check: () throws -> Void) throws -> ApprovalView {
        try connection.execute("SAVEPOINT approval_check")
        do {
            try check()
            try connection.execute("ROLLBACK TO SAVEPOINT approval_check")
        } catch {
            try? connection.execute("ROLLBACK TO SAVEPOINT approval_check")
            throw error
        }
        if let waiting = try connection.query(
            "SELECT requested_by FROM approvals WHERE loan_id = $1 AND kind = $2 AND status = 'pending'", [loan.id, kind.rawValue]
        ).first {
            throw RavnaqError.conflict(.approvalPending, message: "a \(kind == .writeOff ? "write-off" : "disbursement") of loan \(loan.number) requested by \(try waiting.decode(0, as: String.self)) is waiting for approval")
        }
        let id: UUID = try connection.query(
            """
            INSERT INTO approvals (organization_id, loan_id, kind, on_date, reason, requested_by)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """, [actor.organizationID, loan.id, kind.rawValue, date, reason, actor.name]
        ).first!.decode(0)
        return try find(connection, id)
    }

    // MARK: Reading

    /// The columns `view` reads, of an approval `a` and its loan `l`. The amount is the
    /// principal outstanding for a write-off as of its date, the principal for a disbursement.
    static let selectSQL = """
        SELECT a.id, a.kind, a.loan_id, l.number, a.on_date::text, a.reason,
               (CASE WHEN a.kind = 'disbursement' THEN l.principal
                     WHEN a.status = 'approved' THEN l.written_off_principal
                     ELSE (SELECT f.outstanding_principal FROM loan_figures(l.id, a.on_date) f) END)::numeric(18,2)::text,
               l.currency, a.requested_by, a.requested_at::text, a.status, a.decided_by, a.decided_at::text, a.note
        """

    static func find(_ connection: PostgresConnection, _ id: UUID) throws -> ApprovalView {
        try view(connection.query(selectSQL + " FROM approvals a JOIN loans l ON l.id = a.loan_id WHERE a.id = $1", [id]).first!)
    }

    static func view(_ row: PostgresRow) throws -> ApprovalView {
        ApprovalView(
            id: try row.decode(0, as: UUID.self).idString, kind: try row.decode(1), loan_id: try row.decode(2, as: UUID.self).idString,
            loan_number: try row.decode(3), date: try row.decode(4), reason: try row.decode(5, as: String?.self),
            amount: try row.decode(6, as: String?.self) ?? "0.00", currency: try row.decode(7), requested_by: try row.decode(8),
            requested_at: try row.decode(9), status: try row.decode(10), decided_by: try row.decode(11, as: String?.self),
            decided_at: try row.decode(12, as: String?.self), note: try row.decode(13, as: String?.self))
    }
}
