import Foundation
import Metrics
import Postgres

extension Database {
    /// Runs `body` in one transaction acting as `actor`, as a request role (`ravnaq_app`; a grant
    /// officer's read-only `ravnaq_officer`): the actor goes to PostgreSQL as transaction-local
    /// settings (read by the audit trigger and the row-level security policies), and database
    /// failures become `RavnaqError`s a user can read.
    ///
    /// With a replica (`--replica-url`), the API's read-only GETs (`ReadRouting`) run there while
    /// it keeps up and holds the token's own latest write; one the standby cannot answer runs on
    /// the primary instead. A token's transaction on the primary is asked whether it wrote, and
    /// if it did, the primary's position after it is noted for the token (two statements more).
    public func transaction<T: Sendable>(
        as actor: Actor,
        isolation: PostgresConnection.IsolationLevel = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let reading = ReadRouting.replicaAllowed
        if let replica, reading, replica.serves(token: actor.token) {
            do {
                // Once: a conflict with the standby's replay is answered by the primary, not retried here.
                let value = try await replica.pool.transaction(isolation: isolation, attempts: 1) {
                    try self.acting(as: actor, on: $0, onStandby: true, body)
                }
                Counter(label: "ravnaq_reads_total", dimensions: [("on", "replica")]).increment()
                return value
            } catch RavnaqError.unauthenticated {
                // A token made a moment ago may not be on the standby yet: the primary decides.
            } catch let error as PostgresError {
                // Whatever the standby could not do — it went away, it conflicted with its replay,
                // its schema is a migration behind, the GET wrote — the primary answers.
                if error.kind == .connection { replica.markUnreachable(error) }
                replica.logger.warning("a read on the replica failed, the primary answers it: \(error.message)")
            }
        }
        do {
            // With a replica, whether the transaction wrote (it has an xid), asked before COMMIT.
            let watch = replica != nil && actor.token != nil
            let (value, wrote) = try await pool.transaction(isolation: isolation) { connection in
                let value = try self.acting(as: actor, on: connection, body)
                let wrote = try watch && connection.query("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").first!.decode(0, as: Bool.self)
                return (value, wrote)
            }
            if let replica {
                if reading { Counter(label: "ravnaq_reads_total", dimensions: [("on", "primary")]).increment() }
                if wrote, let token = actor.token {
                    // Any session's insert position after the COMMIT is past its commit record. A
                    // failure here must not fail a write already made: the token then reads the
                    // primary for a while.
                    let position = try? await pool.withConnection {
                        try $0.query("SELECT pg_current_wal_insert_lsn()::text").first!.decode(0, as: String.self)
                    }
                    replica.noteWrite(token: token, lsn: position.flatMap(LSN.init))
                }
            }
            return value
        } catch let error as PostgresError {
            throw RavnaqError(error)
        }
    }

    /// The request's actor set for the transaction, its token checked again, then `body`. A
    /// refusal on the primary also makes the server forget the token it remembered.
    private func acting<T>(
        as actor: Actor, on connection: PostgresConnection, onStandby: Bool = false, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let inForce: Bool = try connection.query(Self.actingAs, [
            actor.organizationID, actor.userID.map { $0.postgresText } ?? "", actor.role.rawValue, actor.name, actor.token,
        ]).first!.decode(0)
        guard inForce else {
            if let token = actor.token, !onStandby { tokens.forget(token) }
            throw RavnaqError.unauthenticated
        }
        return try body(connection)
    }

    /// Work that belongs to no organization yet (bootstrap, authentication), as the schema owner.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        do {
            return try await pool.transaction(body)
        } catch let error as PostgresError {
            throw RavnaqError(error)
        }
    }

    /// Bootstrap work by the operator (`cli:<user>`), as the schema owner, recorded in the
    /// audit log under `name`.
    public func transaction<T: Sendable>(
        recordedAs name: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await transaction { connection in
            try connection.query("SELECT set_config('ravnaq.actor', $1, true)", [name])
            return try body(connection)
        }
    }

    /// A single statement as the schema owner, outside a transaction block: one round trip
    /// where `transaction` takes three (BEGIN, the statement, COMMIT). For reads on every request
    /// (the token check).
    public func autocommit<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch let error as PostgresError {
            throw RavnaqError(error)
        }
    }

    /// One round trip: the actor for the audit trigger and the policies, and `SET LOCAL ROLE`
    /// to the request role, which owns no table, so row-level security applies. The role follows
    /// from the same `$3` as `ravnaq.role`, so the two cannot disagree (sql/definitions/10_access.sql).
    /// The token, when there is one, is checked again here (`ravnaq_token_in_force`,
    /// sql/definitions/10_access.sql): one statement, no extra
    /// round trip, and a revoked token stops working at once.
    static let actingAs = """
        SELECT ravnaq_token_in_force($5, nullif($2, '')::uuid, $3),
               set_config('ravnaq.organization_id', $1, true), set_config('ravnaq.user_id', $2, true),
               set_config('ravnaq.role', $3, true), set_config('ravnaq.actor', $4, true),
               set_config('role', CASE $3 WHEN 'grant_officer' THEN 'ravnaq_officer' ELSE 'ravnaq_app' END, true)
        """
}

extension RavnaqError {
    /// What a database failure means to the user. Services check their input and the rules they
    /// know before writing, so a refusal from PostgreSQL is either one of the few listed in
    /// `DatabaseRefusal` (a rule only the database can see, such as a locked month, in words
    /// written here) or a fault of ours: a 500 whose detail goes to the log, never to the client.
    public init(_ error: PostgresError) {
        // Every failure from PostgreSQL passes here: counted for /metrics by kind and SQLSTATE.
        Counter(label: "ravnaq_postgres_errors_total",
                dimensions: [("kind", "\(error.kind)"), ("sqlstate", error.sqlState?.code ?? "")]).increment()
        switch error.kind {
        case .connection:
            self = .unavailable(error.message)
        case .decoding, .usage:
            self = .fault(error.description)
        case .server:
            if let refusal = DatabaseRefusal.known[error.constraint ?? ""] {
                self = refusal.error(error)
            } else if error.sqlState == .insufficientPrivilege {
                // The row-level and column privileges are the floor under the services' own role
                // checks, which answer first with the reason; reaching the floor is still a refusal.
                self = .forbidden("your role may not read or change this")
            } else {
                self = .fault(error.description)
            }
        }
    }
}
