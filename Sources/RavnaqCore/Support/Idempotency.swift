import Foundation
import Postgres

/// A money-moving request's `Idempotency-Key` with the body it is compared by.
public struct IdempotencyKey: Sendable {
    public let key: String
    /// The request body, compared as parsed JSON (jsonb equality ignores spacing and key order).
    /// The HTTP layer refuses duplicate member names first, so what is compared is what is booked.
    public let body: String

    public init(key: String, body: String) {
        self.key = key
        self.body = body.isEmpty ? "{}" : body
    }
}

/// What a money-moving action answered the first time, as JSON: replayed byte for byte for a
/// repeated key. The service says nothing of HTTP; the HTTP layer answers it as a create.
public struct StoredAnswer: Sendable {
    public let body: Data
}

/// The operations that honour an Idempotency-Key: the money-moving ones, and the records a
/// mentor's phone may send more than once. A key is kept per organization, operation
/// and the resource the operation acts on, as resolved (the loan's id, however the request
/// named it), so the same key sent to `/loans/L-000002/…` and `/loans/<its uuid>/…` is one key.
public enum IdempotentOperation: String, Sendable {
    case loanDisbursement = "loan-disbursement"
    case repayment
    case repaymentReversal = "repayment-reversal"
    case writeOff = "write-off"
    case restructuring
    case trancheDisbursement = "tranche-disbursement"
    case grantExpense = "grant-expense"
    case donorFunds = "donor-funds"
    // Records the web app's outbox may send again (issue 14).
    case visit
    case monthlyReport = "monthly-report"
    case householdIncome = "household-income"
    case assessment
    case planGoal = "plan-goal"
    case referral
}

extension Database {
    /// Runs a money-moving action at most once per key (SPEC §3). `resolve` finds (and locks)
    /// what the action acts on and names it; then the key's row is inserted in the same
    /// transaction as the money, so a duplicate arriving meanwhile waits on the lock or the
    /// row, then reads the stored answer. If the first attempt fails, nothing was stored and
    /// the next one runs.
    public func once<Target: Sendable>(
        as actor: Actor, key: IdempotencyKey?, operation: IdempotentOperation,
        resolve: @escaping @Sendable (PostgresConnection) throws -> (target: Target, resource: String),
        _ action: @escaping @Sendable (PostgresConnection, Target) throws -> any Encodable & Sendable
    ) async throws -> StoredAnswer {
        try await transaction(as: actor) { connection in
            let (target, resource) = try resolve(connection)
            let claim = IdempotencyClaim(actor: actor, key: key, operation: operation, resource: resource)
            if let stored = try claim.storedAnswer(connection) { return StoredAnswer(body: Data(stored.utf8)) }
            let body = try RavnaqJSON.encode(action(connection, target))
            try claim.keep(String(decoding: body, as: UTF8.self), connection)
            return StoredAnswer(body: body)
        }
    }

    /// A record a phone may send more than once — the web app's outbox retries a form until it
    /// is answered (issue 14) — made at most once per key as `once` makes money move: a repeat
    /// with the same body answers what the first one did and records nothing. `resource` is the
    /// family or project as the request named it.
    public func record(
        as actor: Actor, once key: IdempotencyKey?, operation: IdempotentOperation, resource: String,
        _ body: @escaping @Sendable (PostgresConnection) throws -> JSONText
    ) async throws -> JSONText {
        try await transaction(as: actor) { connection in
            let claim = IdempotencyClaim(actor: actor, key: key, operation: operation, resource: resource)
            if let stored = try claim.storedAnswer(connection) { return JSONText(stored) }
            let answer = try body(connection)
            try claim.keep(answer.text, connection)
            return answer
        }
    }
}

/// One key of one operation on one resource, inside the transaction that acts on it.
private struct IdempotencyClaim {
    let actor: Actor
    let key: IdempotencyKey?
    let operation: IdempotentOperation
    let resource: String

    /// Claims the key, or answers what its first use stored (a 409 when the body differs).
    func storedAnswer(_ connection: PostgresConnection) throws -> String? {
        guard let key else { return nil }
        var stored: PostgresRow?
        // Twice at most: a key the sweep deletes between the two statements (IdempotencyKeySweeper,
        // an expired key used again) is gone for the second; it is then claimed afresh.
        for _ in 0..<2 where stored == nil {
            let fresh = try connection.query(
                """
                INSERT INTO idempotency_keys (organization_id, operation, resource, key, request) VALUES ($1, $2, $3, $4, $5::jsonb)
                ON CONFLICT DO NOTHING
                """,
                [actor.organizationID, operation.rawValue, resource, key.key, key.body]
            ).affectedRows == 1
            if fresh { return nil }
            stored = try connection.query(
                """
                SELECT request = $5::jsonb, response FROM idempotency_keys
                WHERE organization_id = $1 AND operation = $2 AND resource = $3 AND key = $4
                """,
                [actor.organizationID, operation.rawValue, resource, key.key, key.body]
            ).first
        }
        guard let row = stored else { throw RavnaqError.fault("the Idempotency-Key \(key.key) was neither claimed nor found") }
        guard try row.decode(0, as: Bool.self) else {
            throw RavnaqError.conflict(
                .idempotencyKeyReused,
                message: "the Idempotency-Key \(key.key) was already used with a different request body")
        }
        return try row.decode(1, as: String.self)
    }

    /// Keeps the first answer for the repeats.
    func keep(_ answer: String, _ connection: PostgresConnection) throws {
        guard let key else { return }
        try connection.query(
            "UPDATE idempotency_keys SET response = $5 WHERE organization_id = $1 AND operation = $2 AND resource = $3 AND key = $4",
            [actor.organizationID, operation.rawValue, resource, key.key, answer])
    }
}
