import ArgumentParser
import Foundation
import RavnaqCore

/// `--format table|json|csv` and `--sep` (SPEC §9): table by default on a terminal, JSON
/// otherwise. CSV is RFC 4180, UTF-8 with a byte-order mark so that Excel shows Cyrillic;
/// `--sep ';'` suits Excel set to Russian or Uzbek locales.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Option(help: "How to print the answer (default: table on a terminal, else json).") var format: Format?
    @Option(help: "The CSV separator, e.g. ';' for Excel in Russian or Uzbek locales.") var sep: String = ","

    func validate() throws {
        guard sep.count == 1 else { throw ValidationError("--sep takes one character, such as ';'") }
    }

    var resolvedFormat: Format {
        format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json)
    }

    /// Prints a JSON answer. `rows` names the array to show as rows (`items`, `installments`);
    /// without it a single object is shown as one row. `columns` picks and orders the columns
    /// (default: the scalar fields of the first row, in their order).
    func print(_ json: Data, rows key: String? = nil, columns: [String]? = nil) throws {
        if resolvedFormat == .json {
            FileHandle.standardOutput.write(json)
            FileHandle.standardOutput.write(Data("\n".utf8))
            return
        }
        let object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        let records: [[String: Any]]
        if let key, let dictionary = object as? [String: Any] {
            records = dictionary[key] as? [[String: Any]] ?? []
        } else if let array = object as? [[String: Any]] {
            records = array
        } else {
            records = [object as? [String: Any] ?? [:]]
        }
        let names = columns ?? Self.scalarKeys(json: json, key: key, first: records.first)
        // A column may name a nested field (`allocation.principal`), headed `allocation_principal`.
        let cells = records.map { record in
            names.map { name in
                Self.text(name.split(separator: ".").reduce(record as Any?) { ($0 as? [String: Any])?[String($1)] })
            }
        }
        let header = names.map { $0.replacingOccurrences(of: ".", with: "_") }
        switch resolvedFormat {
        case .csv: Swift.print(CSV.document(header: header, rows: cells, separator: Character(sep)), terminator: "")
        case .table: Swift.print(TextTable.render(header: header, rows: cells))
        case .json: break
        }
    }

    func print(_ value: some Encodable, rows key: String? = nil, columns: [String]? = nil) throws {
        try print(RavnaqJSON.encode(value), rows: key, columns: columns)
    }

    /// Scalar fields in the order the JSON answer has them (JSONSerialization loses the order):
    /// the same columns in the same order on every run, in the table and in the CSV.
    private static func scalarKeys(json: Data, key: String?, first: [String: Any]?) -> [String] {
        guard let first else { return [] }
        return JSONKeyOrder.keys(of: json, rows: key).filter { name in
            first[name].map { !($0 is [Any]) && !($0 is [String: Any]) } ?? false
        }
    }

    /// A JSON value as a cell: booleans as the words given, a list joined by `separator`.
    static func text(_ value: Any?, booleans: (true: String, false: String) = ("true", "false"), separator: String = " ") -> String {
        switch value {
        case nil, is NSNull: ""
        case let string as String: string
        // JSON true/false arrive as Foundation's boolean NSNumber (and 1 and 0 also cast to Bool),
        // so the boolean is told apart by its class.
        case let number as NSNumber:
            String(describing: type(of: number)) == "__NSCFBoolean" ? (number.boolValue ? booleans.true : booleans.false) : number.stringValue
        case let array as [Any]: array.map { text($0, booleans: booleans, separator: separator) }.joined(separator: separator)
        default: "\(value!)"
        }
    }
}

enum CSV {
    /// RFC 4180: CRLF line ends, fields quoted when they hold the separator, a quote or a line break.
    static func document(header: [String], rows: [[String]], separator: Character) -> String {
        func field(_ value: String) -> String {
            guard value.contains(separator) || value.contains("\"") || value.contains("\n") || value.contains("\r") else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = ([header] + rows).map { $0.map(field).joined(separator: String(separator)) }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}

enum TextTable {
    /// Columns padded to their widest cell; numbers are right-aligned.
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func isNumber(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return isNumber(cell) ? padding + cell : cell + padding
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }
}
