import Foundation

/// A table read for one kind of import: which column of the file holds which field, found by
/// header (English, Uzbek, Russian, or a person's own mapping), and every problem of every row
/// collected under the row's number and the column's header.
struct ImportSheet: Sendable {
    let kind: ImportKind
    let rows: [SheetRow]
    /// The file's column index of each field it has.
    private let index: [String: Int]
    /// The header the file wrote for each field.
    private let headers: [String: String]
    /// Headers of columns the import does not read (a register's "№", notes).
    let ignored: [String]

    /// Finds the columns; a missing required column, a header used for two fields or a mapping
    /// to no field is the whole file's error.
    init(_ table: SheetTable, kind: ImportKind, mapping: [String: String]) throws {
        self.kind = kind
        var problems: [RavnaqError.FieldError] = []
        let known = Dictionary(uniqueKeysWithValues: kind.columns.map { ($0.key, $0) })
        var byName: [String: String] = [:]
        for column in kind.columns {
            for name in [column.key] + column.aliases { byName[Self.fold(name)] = column.key }
        }
        for (header, key) in mapping {
            guard known[key] != nil else {
                problems.append(.init(pointer: "/map/\(header)", detail: "\"\(key)\" is not a column of \(kind.rawValue) imports: "
                                      + kind.columns.map(\.key).joined(separator: ", ")))
                continue
            }
            byName[Self.fold(header)] = key
        }
        var index: [String: Int] = [:]
        var headers: [String: String] = [:]
        var ignored: [String] = []
        for (position, header) in table.headers.enumerated() where !header.isEmpty {
            guard let key = byName[Self.fold(header)] else {
                ignored.append(header)
                continue
            }
            if let first = headers[key] {
                problems.append(.init(pointer: "/columns/\(key)", detail: "both \"\(first)\" and \"\(header)\" are the column \(key)",
                                      column: header))
                continue
            }
            index[key] = position
            headers[key] = header
        }
        for column in kind.columns where column.required && index[column.key] == nil {
            let names = ([column.key] + column.aliases).map { "\"\($0)\"" }.joined(separator: ", ")
            problems.append(.init(pointer: "/columns/\(column.key)", detail: "the file has no column \(column.key) (headed one of \(names))"))
        }
        if !problems.isEmpty { throw RavnaqError.invalid(problems) }
        self.rows = table.rows
        self.index = index
        self.headers = headers
        self.ignored = ignored
    }

    func has(_ key: String) -> Bool { index[key] != nil }

    /// The header the file gave the field (for messages), or the field's own name.
    func header(_ key: String) -> String { headers[key] ?? key }

    /// A row's cell for a field; nil when the file has no such column or the cell is blank.
    func cell(_ row: SheetRow, _ key: String) -> SheetCell? {
        guard let position = index[key], let cell = row[position] else { return nil }
        let text = cell.text
        guard let first = text.first, let last = text.last else { return nil }
        if case .number = cell { return cell }
        // Most cells need no trimming: look at their ends before making a new string.
        if !first.isWhitespace, !last.isWhitespace { return cell }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{00A0}")))
        return trimmed.isEmpty ? nil : .text(trimmed)
    }

    func text(_ row: SheetRow, _ key: String) -> String? { cell(row, key)?.text }

    /// Header comparison: case, punctuation, apostrophes and spacing do not matter
    /// (`Tug‘ilgan sana`, `tug'ilgan_sana`, `TUGILGAN SANA`).
    static func fold(_ header: String) -> String {
        var folded = ""
        var space = false
        for character in header.lowercased() {
            if Self.apostrophes.contains(character) { continue }
            if character.isLetter || character.isNumber {
                if space, !folded.isEmpty { folded.append(" ") }
                folded.append(character)
                space = false
            } else if character.isWhitespace || character == "_" || character == "-" || character == "(" || character == ")" {
                space = true
            }
        }
        return folded
    }

    /// Uzbek Latin's oʻ and gʻ and the tutuq belgisi, however typed (ʻ and ʼ are letters to Unicode).
    static let apostrophes: Set<Character> = ["'", "`", "ʻ", "ʼ", "‘", "’", "´"]
}

/// Every problem of an import, each under its row and column.
struct ImportProblems {
    private(set) var errors: [RavnaqError.FieldError] = []
    let sheet: ImportSheet

    init(_ sheet: ImportSheet) { self.sheet = sheet }

    var isEmpty: Bool { errors.isEmpty }

    mutating func add(_ row: SheetRow, _ key: String?, _ detail: String) {
        if let key {
            errors.append(.init(pointer: "/rows/\(row.number)/\(key)", detail: detail, column: sheet.header(key)))
        } else {
            errors.append(.init(pointer: "/rows/\(row.number)", detail: detail))
        }
    }

    /// A service's refusal of one row, its fields' pointers (`/principal`) moved under the row.
    mutating func add(_ row: SheetRow, _ error: RavnaqError, fields: [String: String] = [:]) {
        switch error {
        case .invalid(let problems), .badQuery(let problems):
            for problem in problems {
                let field = String(problem.pointer.dropFirst().split(separator: "/").first ?? "")
                let key = fields[field] ?? field
                add(row, sheet.has(key) ? key : nil, problem.detail)
            }
        default:
            add(row, nil, error.message)
        }
    }

    func check() throws {
        if !errors.isEmpty {
            throw RavnaqError.invalid(errors.sorted { ($0.rowNumber, $0.pointer) < ($1.rowNumber, $1.pointer) })
        }
    }
}

private extension RavnaqError.FieldError {
    var rowNumber: Int { Int(pointer.split(separator: "/").dropFirst().first ?? "") ?? 0 }
}
