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

/// The operations that honour an Idempotency-Key. A key is kept per organization, operation
/// and the resource the operation acts on, as resolved (the loan's id, however the request
/// named it), so the same key sent to `/loans/L-000002/…` and `/loans/<its uuid>/…` is one key.
public enum IdempotentOperation: String, Sendable {
    case loanDisbursement = "loan-disbursement"
    case repayment
    case repaymentReversal = "repayment-reversal"
    case writeOff = "write-off"
    case trancheDisbursement = "tranche-disbursement"
    case grantExpense = "grant-expense"
    case donorFunds = "donor-funds"
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
            if let key {
                let fresh = try connection.query(
                    """
                    INSERT INTO idempotency_keys (organization_id, operation, resource, key, request) VALUES ($1, $2, $3, $4, $5::jsonb)
                    ON CONFLICT DO NOTHING
                    """,
                    [actor.organizationID, operation.rawValue, resource, key.key, key.body]
                ).affectedRows == 1
                if !fresh {
                    let row = try connection.query(
                        """
                        SELECT request = $5::jsonb, response FROM idempotency_keys
                        WHERE organization_id = $1 AND operation = $2 AND resource = $3 AND key = $4
                        """,
                        [actor.organizationID, operation.rawValue, resource, key.key, key.body]
                    ).first!
                    guard try row.decode(0, as: Bool.self) else {
                        throw RavnaqError.conflict(
                            .idempotencyKeyReused,
                            message: "the Idempotency-Key \(key.key) was already used with a different request body")
                    }
                    return StoredAnswer(body: Data((try row.decode(1, as: String.self)).utf8))
                }
            }
            let body = try RavnaqJSON.encode(action(connection, target))
            if let key {
                try connection.query(
                    "UPDATE idempotency_keys SET response = $5 WHERE organization_id = $1 AND operation = $2 AND resource = $3 AND key = $4",
                    [actor.organizationID, operation.rawValue, resource, key.key, String(decoding: body, as: UTF8.self)])
            }
            return StoredAnswer(body: body)
        }
    }
}
