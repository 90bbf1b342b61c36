import CLibPQ

/// The rows a statement returned, read in text format. Owns its `PGresult` and frees it.
///
/// Not Sendable: decode what you need into Swift values inside the connection's closure.
public final class PostgresResult {
    private let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows touched by an INSERT, UPDATE, DELETE or COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(_ column: Int) -> String {
        String(cString: PQfname(handle, Int32(column)))
    }

    public func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// The column's text, or nil for SQL NULL.
    public func text(row: Int, column: Int) -> String? {
        if isNull(row: row, column: column) { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// The raw bytes of a value (no copy into a String): for JSON that goes straight to a client.
    public func withBytes<T>(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = PQgetvalue(handle, Int32(row), Int32(column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, row: Int, column: Int) throws(PostgresError) -> T {
        guard let text = text(row: row, column: column) else {
            throw PostgresError(kind: .decoding, message: "column \(columnName(column)) is NULL, expected \(T.self)")
        }
        return try T(postgresText: text)
    }

    public func decode<T: PostgresDecodable>(_ type: T?.Type, row: Int, column: Int) throws(PostgresError) -> T? {
        guard let text = text(row: row, column: column) else { return nil }
        return try T(postgresText: text)
    }

    /// Each row as a `PostgresRow`, for `for row in result.rows { … }`.
    public var rows: [PostgresRow] {
        (0..<rowCount).map { PostgresRow(result: self, index: $0) }
    }

    /// The first row, or nil when the statement returned none.
    public var first: PostgresRow? {
        rowCount > 0 ? PostgresRow(result: self, index: 0) : nil
    }
}

/// One row of a result; columns are read by position, in the order of the SELECT list.
public struct PostgresRow {
    let result: PostgresResult
    let index: Int

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        try result.decode(T.self, row: index, column: column)
    }

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T?.Type) throws(PostgresError) -> T? {
        try result.decode(T?.self, row: index, column: column)
    }

    public func text(_ column: Int) -> String? {
        result.text(row: index, column: column)
    }

    public var columnCount: Int { result.columnCount }
}
