import Foundation
import Postgres

/// A money-moving request's `Idempotency-Key` with what it is compared by.
public struct IdempotencyKey: Sendable {
    public let key: String
    /// The request's path: keys are kept per organization and endpoint.
    public let endpoint: String
    /// The request body, compared as parsed JSON (jsonb equality ignores spacing and key order).
    public let body: String

    public init(key: String, endpoint: String, body: String) {
        self.key = key
        self.endpoint = endpoint
        self.body = body.isEmpty ? "{}" : body
    }
}

/// An answer as it went out the first time: replayed byte for byte for a repeated key.
public struct StoredAnswer: Sendable {
    public let status: Int
    public let body: Data
}

extension Database {
    /// Runs a money-moving action at most once per key (SPEC §3): the key's row is inserted in
    /// the action's own transaction, so a duplicate arriving meanwhile waits on it, then reads
    /// the stored answer; if the first attempt fails, nothing was stored and the next one runs.
    public func once(
        as actor: Actor, key: IdempotencyKey?, status: Int,
        _ action: @escaping @Sendable (PostgresConnection) throws -> any Encodable & Sendable
    ) async throws -> StoredAnswer {
        try await transaction(as: actor) { connection in
            if let key {
                let fresh = try connection.query(
                    """
                    INSERT INTO idempotency_keys (organization_id, endpoint, key, request) VALUES ($1, $2, $3, $4::jsonb)
                    ON CONFLICT DO NOTHING
                    """,
                    [actor.organizationID, key.endpoint, key.key, key.body]
                ).affectedRows == 1
                if !fresh {
                    let row = try connection.query(
                        """
                        SELECT request = $4::jsonb, status, response FROM idempotency_keys
                        WHERE organization_id = $1 AND endpoint = $2 AND key = $3
                        """,
                        [actor.organizationID, key.endpoint, key.key, key.body]
                    ).first!
                    guard try row.decode(0, as: Bool.self) else {
                        throw RavnaqError.conflict(
                            type: "idempotency-key-reused",
                            message: "the Idempotency-Key \(key.key) was already used with a different request body")
                    }
                    return StoredAnswer(status: try row.decode(1), body: Data((try row.decode(2, as: String.self)).utf8))
                }
            }
            let body = try RavnaqJSON.encode(action(connection))
            if let key {
                try connection.query(
                    "UPDATE idempotency_keys SET status = $4, response = $5 WHERE organization_id = $1 AND endpoint = $2 AND key = $3",
                    [actor.organizationID, key.endpoint, key.key, status, String(decoding: body, as: UTF8.self)])
            }
            return StoredAnswer(status: status, body: body)
        }
    }
}
