import Foundation

/// A spreadsheet as read from a file someone brings: the header row and the rows under it,
/// each numbered as the spreadsheet numbers it (the header is row 1), so that an error can say
/// "row 17" and be found at once.
public struct SheetTable: Sendable {
    public var headers: [String]
    public var rows: [SheetRow]

    public init(headers: [String], rows: [SheetRow]) {
        self.headers = headers
        self.rows = rows
    }

    /// Reads CSV (any of the encodings and separators `CSVReader` knows) or XLSX, told apart by
    /// the bytes themselves: an XLSX file is a ZIP archive and starts with `PK\u{3}\u{4}`.
    public static func read(_ data: Data) throws -> SheetTable {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return try XLSXReader.read(data)
        }
        return try CSVReader.read(data)
    }
}

public struct SheetRow: Sendable {
    /// The row's number in the spreadsheet (the header row is 1).
    public let number: Int
    public let cells: [SheetCell]

    public init(number: Int, cells: [SheetCell]) {
        self.number = number
        self.cells = cells
    }

    public subscript(column: Int) -> SheetCell? {
        column < cells.count ? cells[column] : nil
    }

    public var isBlank: Bool { cells.allSatisfy { $0.text.allSatisfy(\.isWhitespace) } }
}

/// One cell: what a CSV field or an XLSX text cell held, or an XLSX number cell as the shortest
/// decimal text of its value (`ExcelNumber`) — never arithmetic on a Double.
public enum SheetCell: Sendable, Equatable {
    case text(String)
    case number(String)

    public var text: String {
        switch self {
        case .text(let text), .number(let text): text
        }
    }
}

/// A file that cannot be read as a table at all (not a row's problem: the whole file's).
public struct SheetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
