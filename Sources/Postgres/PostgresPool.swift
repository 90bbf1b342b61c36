import Dispatch
import Synchronization

/// A few libpq connections for async code. Each connection lives on its own serial dispatch
/// queue, and the work given to the pool runs there, so no blocking libpq call ever runs on a
/// NIO event loop or on Swift's cooperative threads. A whole transaction is one hop: the
/// caller awaits once, the statements run back to back on the connection's queue.
public final class PostgresPool: Sendable {
    private final class Slot: @unchecked Sendable {
        let queue: DispatchQueue
        /// Touched only on `queue`.
        var connection: PostgresConnection?
        /// The pool's failure generation this slot's connection was last known good at.
        var checkedGeneration = 0
        init(index: Int) {
            queue = DispatchQueue(label: "ravnaq.postgres.\(index)")
        }
    }

    private struct State {
        var idle: [Slot]
        var waiters: [CheckedContinuation<Slot, Never>] = []
        /// Bumped whenever a connection finds its server gone; slots connected earlier re-check.
        var failureGeneration = 0
        /// Told how long each checkout that found no idle connection waited (metrics).
        var waitObserver: (@Sendable (Duration) -> Void)?
    }

    /// The connections in use and the callers waiting for one, now.
    public struct Usage: Sendable, Equatable {
        public let inUse: Int
        public let waiting: Int
    }

    public var usage: Usage {
        state.withLock { Usage(inUse: size - $0.idle.count, waiting: $0.waiters.count) }
    }

    /// From now on `observer` is told how long each checkout that had to wait for a connection
    /// waited (`/metrics`); it runs where the connection is handed over, so it must be quick.
    public func observeWaits(_ observer: @escaping @Sendable (Duration) -> Void) {
        state.withLock { $0.waitObserver = observer }
    }

    private let conninfo: String
    private let setup: @Sendable (PostgresConnection) throws -> Void
    private let state: Mutex<State>
    public let size: Int

    /// `setup` runs on each new connection (after every reconnect too), e.g. `SET ROLE`.
    public init(
        conninfo: String, size: Int,
        setup: @escaping @Sendable (PostgresConnection) throws -> Void = { _ in }
    ) {
        precondition(size > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.size = size
        self.setup = setup
        self.state = Mutex(State(idle: (0..<size).map(Slot.init)))
    }

    /// Runs `body` with a connection of its own, on that connection's thread.
    /// A lost connection throws `PostgresError` of kind `.connection` (callers answer 503); the
    /// next use reconnects, so the pool heals by itself when PostgreSQL comes back.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let slot = await checkout()
        defer { checkin(slot) }
        let generation = state.withLock { $0.failureGeneration }
        return try await withCheckedThrowingContinuation { continuation in
            slot.queue.async {
                do {
                    let connection = try self.connection(in: slot, generation: generation)
                    continuation.resume(returning: try body(connection))
                } catch {
                    if let error = error as? PostgresError, error.kind == .connection {
                        self.state.withLock { $0.failureGeneration += 1 }
                    }
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Runs `body` in one transaction on a connection of its own (see
    /// `PostgresConnection.transaction`: rollback on any error, retry on 40001/40P01).
    public func transaction<T: Sendable>(
        isolation: PostgresConnection.IsolationLevel = .readCommitted, attempts: Int = 5,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            do {
                return try connection.transaction(isolation: isolation, attempts: attempts, body)
            } catch let error as PostgresError where error.brokeBeforeWork {
                // A pooled connection whose server restarted fails on its first statement, before
                // any work: connect afresh and run the transaction once more, rather than answer
                // the first request after PostgreSQL's return with a 503. The other idle
                // connections are marked to be checked before their next use.
                self.state.withLock { $0.failureGeneration += 1 }
                try connection.ensureConnected()
                try self.setup(connection)
                return try connection.transaction(isolation: isolation, attempts: attempts, body)
            }
        }
    }

    /// Closes every idle connection (call when no work is running any more).
    public func close() {
        let slots = state.withLock { $0.idle }
        for slot in slots {
            slot.queue.sync { slot.connection = nil }
        }
    }

    // MARK: Slots

    /// Runs on the slot's queue.
    private func connection(in slot: Slot, generation: Int) throws -> PostgresConnection {
        if let connection = slot.connection {
            if slot.checkedGeneration < generation {
                connection.markSuspect()
                slot.checkedGeneration = generation
            }
            let wasConnected = connection.isConnected && !connection.isSuspect
            try connection.ensureConnected()
            if !wasConnected { try setup(connection) }
            return connection
        }
        let connection = try PostgresConnection(conninfo: conninfo)
        try setup(connection)
        slot.connection = connection
        slot.checkedGeneration = generation
        return connection
    }

    private func checkout() async -> Slot {
        let asked = ContinuousClock.now
        var waited = false
        let slot = await withCheckedContinuation { continuation in
            let slot: Slot? = state.withLock { state in
                if let slot = state.idle.popLast() { return slot }
                state.waiters.append(continuation)
                return nil
            }
            if let slot { continuation.resume(returning: slot) } else { waited = true }
        }
        if waited, let observer = state.withLock({ $0.waitObserver }) {
            observer(ContinuousClock.now - asked)
        }
        return slot
    }

    private func checkin(_ slot: Slot) {
        let waiter: CheckedContinuation<Slot, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(slot)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: slot)
    }
}
