import Foundation
import Logging
import Postgres

/// Forgets idempotency keys (SPEC §3) once they are older than `keepDays` (issue 18, item 7): a
/// phone's outbox or a client retries within minutes, and a key kept for ever only grows the
/// table. It runs inside `ravnaq serve` beside the requests: each batch is one short statement
/// of its own (a few hundred rows, locked only while deleted), with a pause between batches, so
/// that a request never waits behind the sweep for long. A key is honoured for at least
/// `keepDays` days, and forgotten within `every` after.
public struct IdempotencyKeySweeper: Sendable {
    public struct Settings: Sendable {
        public var keepDays = 30
        public var batch = 500
        public var pause: Duration = .milliseconds(20)
        public var every: Duration = .seconds(3600)
        public init(keepDays: Int = 30) { self.keepDays = keepDays }
    }

    let database: Database
    let settings: Settings
    let logger: Logger

    public init(database: Database, settings: Settings = Settings(), logger: Logger) {
        self.database = database
        self.settings = settings
        self.logger = logger
    }

    /// What one sweep did: the keys deleted, in how many statements.
    public struct Outcome: Sendable, Equatable {
        public var deleted = 0
        public var batches = 0
        public init(deleted: Int = 0, batches: Int = 0) {
            self.deleted = deleted
            self.batches = batches
        }
    }

    /// Deletes every expired key, a batch at a time, until a batch comes back short.
    public func sweep() async throws -> Outcome {
        var outcome = Outcome()
        while !Task.isCancelled {
            let deleted = try await database.pool.withConnection { [settings] connection in
                // The table's owner: the sweep is for every organization (row-level security is
                // for the requests' role). ctid: the rows the sub-select found, without their keys.
                try connection.query(
                    """
                    DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
                        SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(days => $1) LIMIT $2))
                    """, [settings.keepDays, settings.batch]).affectedRows
            }
            outcome.deleted += deleted
            outcome.batches += 1
            if deleted < settings.batch { break }
            try await Task.sleep(for: settings.pause)
        }
        return outcome
    }

    /// Until cancelled: a sweep at the start and then every `every`. A failure is logged and
    /// tried again at the next turn.
    public func run() async {
        while !Task.isCancelled {
            do {
                let outcome = try await sweep()
                if outcome.deleted > 0 {
                    logger.info("forgot \(outcome.deleted) idempotency keys older than \(settings.keepDays) days")
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("the sweep of expired idempotency keys failed: \(error)")
            }
            try? await Task.sleep(for: settings.every)
        }
    }
}
