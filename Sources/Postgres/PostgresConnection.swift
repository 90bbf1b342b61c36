import CLibPQ
import Foundation

/// One libpq connection. Every call blocks its thread until PostgreSQL answers, so async code
/// reaches it only through `PostgresPool`, which runs it on a thread of its own.
///
/// Statements given to `query` are prepared once per connection and reused (named prepared
/// statements): the plan is cached and only the parameters travel.
///
/// `@unchecked Sendable`: a connection is used by one thread at a time (the pool hands it out
/// exclusively); it moves between threads but is never shared.
public final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let conninfo: String
    private var preparedNames: [String: String] = [:]
    /// Set when the connection may have broken; checked cheaply before the next use.
    private(set) var isSuspect = false

    /// Connects with a libpq connection string: a URL (`postgresql://…`) or `key=value` pairs;
    /// what it leaves out comes from the usual `PG*` environment variables.
    public init(conninfo: String) throws(PostgresError) {
        self.conninfo = conninfo
        try connect()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    private func connect() throws(PostgresError) {
        if let handle { PQfinish(handle) }
        preparedNames = [:]
        handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let handle { PQfinish(handle) }
            self.handle = nil
            throw PostgresError(kind: .connection, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // Server notices ("relation already exists, skipping") are not errors; keep stderr clean.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        isSuspect = false
        // Fixed formats so that decoding never depends on the server's configuration.
        try execute("SET DateStyle = ISO; SET TimeZone = 'UTC'; SET IntervalStyle = iso_8601")
    }

    /// True while libpq believes the connection is up (it learns of a broken one only on use).
    public var isConnected: Bool {
        handle.map { PQstatus($0) == CONNECTION_OK } ?? false
    }

    /// Reconnects if the connection is down or was marked suspect and no longer answers.
    public func ensureConnected() throws(PostgresError) {
        if isConnected, isSuspect {
            // One cheap round trip tells whether the server we knew is still there.
            if (try? execute("")) == nil { isSuspect = true } else { isSuspect = false }
        }
        if !isConnected || isSuspect {
            try connect()
        }
    }

    /// Marks the connection as possibly broken (another connection of the pool lost its server).
    func markSuspect() { isSuspect = true }

    // MARK: Statements

    /// Runs one parameterized statement through a prepared statement cached on this connection.
    @discardableResult
    public func query(_ sql: String, _ bindings: PostgresBindings = []) throws(PostgresError) -> PostgresResult {
        let handle = try liveHandle()
        let name: String
        if let known = preparedNames[sql] {
            name = known
        } else {
            name = "rq\(preparedNames.count + 1)"
            let prepared = PQprepare(handle, name, sql, 0, nil)
            try check(prepared, expecting: PGRES_COMMAND_OK)
            preparedNames[sql] = name
        }
        let result = withCStrings(bindings.map { $0?.postgresText }) { values in
            PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
        }
        do {
            return try check(result, expecting: PGRES_TUPLES_OK, PGRES_COMMAND_OK)
        } catch where error.sqlState == SQLState("0A000") || error.sqlState == SQLState("26000") {
            // "cached plan must not change result type" after a schema change, or a statement the
            // server forgot: prepare afresh once.
            preparedNames[sql] = nil
            _ = try? check(PQexec(handle, "DEALLOCATE \(name)"), expecting: PGRES_COMMAND_OK)
            return try query(sql, bindings)
        }
    }

    /// Runs SQL text with no parameters through the simple protocol; it may hold several
    /// statements (migrations). Never pass it values from outside.
    public func execute(_ sql: String) throws(PostgresError) {
        let handle = try liveHandle()
        // Keep draining: a multi-statement string yields one result per statement.
        guard PQsendQuery(handle, sql) == 1 else { throw connectionError() }
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            do { try check(result, expecting: PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY) } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction: COMMIT when it returns, ROLLBACK when it throws anything.
    /// A serialization failure or deadlock (40001, 40P01) runs the whole body again, up to
    /// `attempts` times, so `body` must not have effects outside the database.
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted, attempts: Int = 5,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do {
                do {
                    try execute(isolation.beginStatement)
                } catch {
                    throw error.kind == .connection ? error.brokenBeforeWork : error
                }
                do {
                    let value = try body(self)
                    try execute("COMMIT")
                    return value
                } catch {
                    if isConnected { try? execute("ROLLBACK") }
                    throw error
                }
            } catch let error as PostgresError where error.isTransient && attempt < attempts {
                attempt += 1
                // A short, growing pause lets the competing transaction finish first.
                usleep(UInt32(1_000 * attempt * attempt))
            }
        }
    }

    public enum IsolationLevel: Sendable {
        case readCommitted, repeatableRead, serializable

        var beginStatement: String {
            switch self {
            case .readCommitted: "BEGIN"
            case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
            case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
            }
        }
    }

    // MARK: COPY

    /// Bulk-loads rows with `COPY … FROM STDIN` (text format). Each row holds one value per
    /// column of the COPY statement, nil for NULL. Returns the number of rows loaded.
    @discardableResult
    public func copyIn(_ copyStatement: String, rows: some Sequence<[String?]>) throws(PostgresError) -> Int {
        let handle = try liveHandle()
        let start = PQexec(handle, copyStatement)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            try check(start, expecting: PGRES_COPY_IN)
            throw PostgresError(kind: .usage, message: "not a COPY … FROM STDIN statement")
        }
        PQclear(start)
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 16)
        func flush() -> Bool {
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    PQputCopyData(handle, $0.baseAddress, Int32($0.count)) == 1
                }
            }
        }
        for row in rows {
            CopyText.append(row: row, to: &buffer)
            if buffer.count >= 1 << 16, !flush() { throw connectionError() }
        }
        if !buffer.isEmpty, !flush() { throw connectionError() }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        var loaded = 0
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            do { loaded += try check(result, expecting: PGRES_COMMAND_OK).affectedRows } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return loaded
    }

    // MARK: Errors

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: "the connection to PostgreSQL is closed")
        }
        return handle
    }

    private func connectionError() -> PostgresError {
        let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "no connection"
        return PostgresError(kind: .connection, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Turns a libpq result into a `PostgresResult`, or into the error it carries.
    @discardableResult
    private func check(_ result: OpaquePointer?, expecting accepted: ExecStatusType...) throws(PostgresError) -> PostgresResult {
        guard let result else { throw connectionError() }
        let owned = PostgresResult(handle: result)
        let status = PQresultStatus(result)
        if accepted.contains(status) { return owned }
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C").map(SQLState.init)
        let lostConnection = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        if lostConnection || sqlState?.errorClass == "08" || sqlState == .adminShutdown {
            throw PostgresError(
                kind: .connection, sqlState: sqlState,
                message: field("M") ?? connectionError().message)
        }
        throw PostgresError(
            kind: .server, sqlState: sqlState,
            message: field("M") ?? String(cString: PQresultErrorMessage(result)),
            detail: field("D"), hint: field("H"), constraint: field("n"),
            table: field("t"), column: field("c"))
    }
}

/// Calls `body` with C strings for each value (nil stays a null pointer), all alive for the call.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var storage = [CChar]()
    var offsets = [Int?]()
    offsets.reserveCapacity(values.count)
    for value in values {
        guard let value else { offsets.append(nil); continue }
        offsets.append(storage.count)
        storage.append(contentsOf: value.utf8CString)
    }
    return storage.withUnsafeBufferPointer { buffer in
        body(offsets.map { offset in offset.map { buffer.baseAddress! + $0 } })
    }
}
