import Foundation
import Logging
import Metrics
import Postgres
import Synchronization

/// Whether the work of this task may read from the replica: set for the API's read-only GETs
/// by the HTTP layer (issue 18). Everything else — writes, the web app, the CLI — reads the primary.
public enum ReadRouting {
    @TaskLocal public static var replicaAllowed = false
}

/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `16/B374D848`).
public struct LSN: Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64
    init(value: UInt64) { self.value = value }
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
        value = high << 32 | low
    }
    public static func < (a: LSN, b: LSN) -> Bool { a.value < b.value }
    public var description: String { String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true) }
}

/// A PostgreSQL hot standby that the API's read-only GETs are sent to (issue 18; README,
/// "Reads from a replica"), with row-level security and the request role exactly as on the
/// primary (the same `transaction(as:)`, on the standby's copy of the same roles and policies).
///
/// A monitor compares the standby's replayed position with the primary's every `checkEvery`:
/// the lag is the time since the standby last held everything the primary had written at a
/// check. A standby lagging more than `maxLag`, or not answering, is skipped (a warning, and
/// `ravnaq_replica_usable` 0) and used again once it has caught up. A token's reads stay on
/// the primary after its own write until the standby has replayed that write's position.
public final class Replica: Sendable {
    public struct Settings: Sendable {
        public var maxLag: Duration = .seconds(10)
        public var checkEvery: Duration = .seconds(1)
        /// How long a token's write is remembered at most (a standby that never catches up).
        public var forgetWritesAfter: Duration = .seconds(300)
        public init() {}
    }

    let pool: PostgresPool
    let settings: Settings
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var usable = false
        var replayed: LSN?
        var lag: Duration?
        /// The primary's position at recent checks, oldest first.
        var samples: [(lsn: LSN, at: ContinuousClock.Instant)] = []
        /// Each token's latest write: its position and when.
        var writes: [String: (lsn: LSN, at: ContinuousClock.Instant)] = [:]
    }

    public init(conninfo: String, poolSize: Int, settings: Settings = Settings(), logger: Logger) {
        // A standby that stops answering without closing its connections (a network cut) is
        // noticed within seconds, not when TCP gives up; no read waits on it for ever.
        pool = PostgresPool(conninfo: Self.withTimeouts(conninfo), size: poolSize) { connection in
            try connection.execute("SET statement_timeout = '120s'")
        }
        self.settings = settings
        self.logger = logger
    }

    /// `conninfo` (a URL or key=value pairs) with a connect timeout and TCP keepalives added,
    /// unless it sets them itself.
    static func withTimeouts(_ conninfo: String) -> String {
        let settings = [("connect_timeout", "5"), ("keepalives", "1"), ("keepalives_idle", "5"), ("keepalives_interval", "2"),
                        ("keepalives_count", "3")].filter { !conninfo.contains($0.0 + "=") }
        guard !settings.isEmpty else { return conninfo }
        if conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + settings.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        return conninfo + " " + settings.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Whether a read by `token` may go to the standby now.
    func serves(token: String?) -> Bool {
        state.withLock { state in
            guard state.usable, let replayed = state.replayed else { return false }
            guard let token, let write = state.writes[token] else { return true }
            return replayed >= write.lsn
        }
    }

    /// A token wrote, up to `lsn` on the primary: its reads stay there until the standby has it
    /// (the furthest of its writes counts, whichever finished first). Nil: the position could
    /// not be read, so the token reads the primary until the write is forgotten.
    func noteWrite(token: String, lsn: LSN?) {
        let lsn = lsn ?? LSN(value: .max)
        state.withLock { state in
            if let known = state.writes[token], known.lsn > lsn { return }
            state.writes[token] = (lsn, .now)
        }
    }

    /// The standby failed a request (it went away): skipped until the next check finds it back.
    func markUnreachable(_ error: any Error) {
        let was = state.withLock { state in
            defer { state.usable = false }
            return state.usable
        }
        if was { logger.warning("the replica stopped answering; reads go to the primary: \(error)") }
        Gauge(label: "ravnaq_replica_usable").record(0)
    }

    /// The lag found at the last check; nil while the standby does not answer.
    public var lag: Duration? { state.withLock { $0.lag } }
    public var usable: Bool { state.withLock { $0.usable } }

    /// One check: the primary's position, then the standby's.
    public func check(primary: PostgresPool) async {
        let now = ContinuousClock.now
        let replayed: LSN
        do {
            let written = try await primary.withConnection { try $0.query("SELECT pg_current_wal_lsn()::text").first!.decode(0, as: String.self) }
            let answer = try await pool.withConnection { connection in
                try connection.query("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").first.map {
                    (try $0.decode(0, as: Bool.self), try $0.decode(1, as: String?.self))
                }
            }
            guard let position = LSN(written) else { throw RavnaqError.fault("pg_current_wal_lsn() gave \(written)") }
            state.withLock { $0.samples.append((position, now)) }
            guard let answer, answer.0, let text = answer.1, let standby = LSN(text) else {
                throw RavnaqError.fault("the replica is not a standby in recovery")
            }
            replayed = standby
        } catch {
            update(usable: false, lag: nil, replayed: nil, reason: "it does not answer (\(error))")
            return
        }
        let lag: Duration? = state.withLock { state in
            defer {
                state.writes = state.writes.filter { $0.value.lsn > replayed && now - $0.value.at < settings.forgetWritesAfter }
            }
            // The latest check whose position the standby holds: it was caught up as of then.
            guard let caughtUp = state.samples.lastIndex(where: { $0.lsn <= replayed }) else {
                // None: behind since before the oldest check remembered (600 of them at most),
                // for all we know — at the first check, by an unknown amount: not used yet.
                if state.samples.count > 600 { state.samples.removeFirst() }
                guard state.samples.count > 1, let oldest = state.samples.first else { return nil }
                return now - oldest.at
            }
            let lag = caughtUp == state.samples.count - 1 ? Duration.zero : now - state.samples[caughtUp].at
            state.samples.removeFirst(caughtUp)
            return lag
        }
        guard let lag else {
            update(usable: false, lag: nil, replayed: replayed, reason: "it is behind the primary by more than one check shows")
            return
        }
        update(usable: lag <= settings.maxLag, lag: lag, replayed: replayed,
               reason: "it lags \(lag.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))) behind the primary")
    }

    private func update(usable: Bool, lag: Duration?, replayed: LSN?, reason: String) {
        let was = state.withLock { state in
            defer {
                state.usable = usable
                state.lag = lag
                if let replayed { state.replayed = replayed }
            }
            return state.usable
        }
        if was && !usable { logger.warning("the replica is skipped, reads go to the primary: \(reason)") }
        if !was && usable { logger.info("reads go to the replica again") }
        Gauge(label: "ravnaq_replica_usable").record(usable ? 1 : 0)
        // Seconds as Prometheus wants them (a time, not an amount).
        if let lag { Gauge(label: "ravnaq_replica_lag_seconds").record(lag / .seconds(1)) }
    }

    /// Until cancelled: a check every `checkEvery`.
    public func run(primary: PostgresPool) async {
        while !Task.isCancelled {
            await check(primary: primary)
            try? await Task.sleep(for: settings.checkEvery)
        }
    }

    public func close() { pool.close() }
}
