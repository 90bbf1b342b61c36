/// Every failure of the libpq layer: a server error with its fields, a lost connection, or a
/// value that could not be decoded. Callers match on `sqlState` or `kind`, never on message text.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached, or the connection broke mid-request.
        case connection
        /// The server refused a statement; `sqlState` says why.
        case server
        /// A column's text could not be turned into the Swift type asked for.
        case decoding
        /// The wrapper was used in a way it does not support (e.g. COPY without COPY mode).
        case usage
    }

    public let kind: Kind
    public let sqlState: SQLState?
    public let message: String
    public let detail: String?
    public let hint: String?
    public let constraint: String?
    public let table: String?
    public let column: String?
    /// A connection that broke on a transaction's BEGIN: nothing of the transaction reached
    /// the server, so it is safe to run it again on a new connection.
    public private(set) var brokeBeforeWork = false

    /// The same error, for a connection that broke before any of a transaction's work.
    var brokenBeforeWork: PostgresError {
        var error = self
        error.brokeBeforeWork = true
        return error
    }

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// Worth running the whole transaction again (serialization failure or deadlock).
    public var isTransient: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }

    public var description: String {
        var text = message
        if let sqlState { text = "\(sqlState.code): \(text)" }
        if let detail { text += " (\(detail))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }
}

/// A five-character SQLSTATE code, with names for the ones Ravnaq reacts to.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public init(_ code: String) { self.code = code }
    public var description: String { code }

    /// The class: the first two characters ("23" for integrity violations, "08" for connection).
    public var errorClass: Substring { code.prefix(2) }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let checkViolation = SQLState("23514")
    public static let notNullViolation = SQLState("23502")
    public static let exclusionViolation = SQLState("23P01")
    public static let raiseException = SQLState("P0001")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let insufficientPrivilege = SQLState("42501")
    /// A write in a read-only transaction, such as any on a hot standby.
    public static let readOnlyTransaction = SQLState("25006")
    public static let undefinedTable = SQLState("42P01")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let lockNotAvailable = SQLState("55P03")
    public static let adminShutdown = SQLState("57P01")
    public static let cannotConnectNow = SQLState("57P03")
}
