import Foundation

/// A JSON answer — a list's items or a report's rows — as spreadsheet rows, for every route
/// that also answers `?format=csv|xlsx`. Columns are the scalar members of the first item, in
/// the answer's order. Amounts (decimal strings with two decimals, as every amount is
/// answered) become amount cells; JSON numbers (counts, ratios) number cells; everything else
/// text. Nested objects and arrays of scalars are written as text (`"low_income, disability"`).
public enum AnswerSheets {
    public struct Sheet: Sendable {
        public let name: String
        public let headers: [String]
        public let rows: [[SheetValue]]

        public init(name: String, headers: [String], rows: [[SheetValue]]) {
            self.name = name
            self.headers = headers
            self.rows = rows
        }
    }

    /// A list's items, gathered from all of its pages.
    public static func list(_ items: [[String: Any]], keys: [String], name: String) -> [Sheet] {
        let columns = keys.filter { key in items.first.map { isScalar($0[key]) } ?? true }
        return [Sheet(name: name, headers: columns, rows: items.map { item in columns.map { value(item[$0]) } })]
    }

    /// A report (SPEC §8): its rows, then the total — one total row per currency when it holds
    /// several, labelled in the first group column. `sheetPerCurrency` (XLSX) puts each
    /// currency's rows and total on a sheet of its own.
    public static func report(_ json: Data, sheetPerCurrency: Bool) throws -> [Sheet] {
        guard let answer = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let rows = answer["rows"] as? [[String: Any]], let total = answer["total"] as? [String: Any] else {
            throw RavnaqError.fault("a report's answer has no rows and total")
        }
        let name = answer["report"] as? String ?? "report"
        let by = answer["by"] as? [String] ?? []
        let totals = (answer["totals"] as? [[String: Any]]) ?? [total]
        var keys = JSONKeyOrder.keys(of: json, rows: "rows")
        if keys.isEmpty {
            // No rows: the total's members, in its order.
            keys = by + JSONKeyOrder.keys(of: Data(json), rows: "totals").filter { !by.contains($0) }
            if keys.isEmpty { keys = total.keys.sorted() }
        }
        func totalRow(_ figures: [String: Any]) -> [SheetValue] {
            keys.enumerated().map { index, key in
                if index == 0, !by.isEmpty { return .text("total") }
                return by.contains(key) ? .empty : value(figures[key])
            }
        }
        let currencies = Set(rows.compactMap { $0["currency"] as? String })
        guard sheetPerCurrency, currencies.count > 1 else {
            let lastRows = by.isEmpty ? [totalRow(total)] : totals.map(totalRow)
            return [Sheet(name: name, headers: keys, rows: rows.map { row in keys.map { value(row[$0]) } } + lastRows)]
        }
        return currencies.sorted().map { currency in
            let own = rows.filter { $0["currency"] as? String == currency }
            let figures = totals.first { $0["currency"] as? String == currency } ?? [:]
            return Sheet(name: "\(name) \(currency)", headers: keys, rows: own.map { row in keys.map { value(row[$0]) } } + [totalRow(figures)])
        }
    }

    /// Writes sheets as one file.
    public static func write(_ sheets: [Sheet], format: SheetWriter.Format) -> Data {
        guard let first = sheets.first else { return Data() }
        var writer = SheetWriter(format: format, sheetName: first.name, headers: first.headers)
        for (index, sheet) in sheets.enumerated() {
            if index > 0 { writer.nextSheet(sheet.name, headers: sheet.headers) }
            for row in sheet.rows { writer.append(row) }
        }
        writer.finish()
        return writer.take()
    }

    /// A count or a ratio as the JSON wrote it: `1`, not `1.0`; `0.307692`.
    static func numberText(_ number: NSNumber) -> String {
        let value = number.doubleValue
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : ExcelNumber.plain(value.description)
    }

    static func isScalar(_ value: Any?) -> Bool {
        switch value {
        case is [String: Any]: false
        case let array as [Any]: array.allSatisfy { !($0 is [String: Any]) && !($0 is [Any]) }
        default: true
        }
    }

    static func value(_ value: Any?) -> SheetValue {
        switch value {
        case nil, is NSNull: .empty
        case let text as String:
            text.range(of: #"^-?[0-9]+\.[0-9]{2}$"#, options: .regularExpression) != nil ? .amount(text) : .text(text)
        case let number as NSNumber:
            // A JSON true or false is an NSNumber too, of type "c" (char).
            String(cString: number.objCType) == "c" ? .text(number.boolValue ? "yes" : "no") : .number(numberText(number))
        case let array as [Any]:
            .text(array.map { "\($0)" }.joined(separator: ", "))
        default:
            .text("\(value!)")
        }
    }
}
