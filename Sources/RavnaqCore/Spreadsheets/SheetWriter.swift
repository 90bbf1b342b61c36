import Foundation

/// A value written into a spreadsheet.
public enum SheetValue: Sendable, Equatable {
    case text(String)
    /// A plain decimal (`"0.235866"`, `"14"`), a number cell in XLSX.
    case number(String)
    /// An amount (`"1250000.50"`), a number cell shown with thousands and two decimals in XLSX.
    case amount(String)
    case empty

    var text: String {
        switch self {
        case .text(let text), .number(let text), .amount(let text): text
        case .empty: ""
        }
    }
}

/// Writes a table as CSV or XLSX a few rows at a time, so that an export of any size streams:
/// rows go in, `take()` hands out the bytes written so far, and memory stays flat.
///
/// CSV is RFC 4180 in UTF-8 with a byte-order mark (so that Excel shows Cyrillic and Uzbek
/// letters right), CRLF line ends, `,` or another separator (`;` suits Excel in Russian and
/// Uzbek locales). A text starting with `=`, `+` or `@` is written with a leading `'`, so that a
/// spreadsheet never runs it as a formula.
///
/// XLSX is one sheet with a frozen header row; numbers and amounts are number cells carrying the
/// very decimal text given (never a Double), amounts formatted `#,##0.00`. The ZIP is written
/// as it goes (stored entries with data descriptors).
public struct SheetWriter {
    public enum Format: Sendable, Equatable {
        case csv(separator: Character)
        case xlsx

        public var contentType: String {
            switch self {
            case .csv: "text/csv; charset=utf-8"
            case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }

        public var fileExtension: String {
            switch self {
            case .csv: "csv"
            case .xlsx: "xlsx"
            }
        }
    }

    public let format: Format
    private var buffer = Data()
    private var zip: ZipStream?
    private var sheetNames: [String] = []
    private var row = 0

    public init(format: Format, sheetName: String, headers: [String]) {
        self.format = format
        switch format {
        case .csv:
            buffer.append(contentsOf: [0xEF, 0xBB, 0xBF])
        case .xlsx:
            var zip = ZipStream()
            for (path, content) in XLSXParts.leading { zip.add(path, Data(content.utf8)) }
            self.zip = zip
        }
        beginSheet(sheetName, headers: headers)
    }

    /// Starts another sheet (XLSX; one sheet per currency of a report). CSV has one table: the
    /// next rows follow after a blank line and their own header row.
    public mutating func nextSheet(_ name: String, headers: [String]) {
        switch format {
        case .csv:
            buffer.append(Data("\r\n".utf8))
        case .xlsx:
            zip!.write(Data(XLSXParts.sheetEnd.utf8))
            zip!.end()
        }
        beginSheet(name, headers: headers)
    }

    private mutating func beginSheet(_ name: String, headers: [String]) {
        row = 0
        if format == .xlsx {
            sheetNames.append(XLSXParts.sheetName(name, taken: sheetNames))
            zip!.begin("xl/worksheets/sheet\(sheetNames.count).xml")
            zip!.write(Data(XLSXParts.sheetStart.utf8))
        }
        append(headers.map(SheetValue.text))
    }

    public mutating func append(_ cells: [SheetValue]) {
        row += 1
        switch format {
        case .csv(let separator):
            var line = ""
            for (index, cell) in cells.enumerated() {
                if index > 0 { line.append(separator) }
                line += Self.csvField(cell.text, separator: separator)
            }
            buffer.append(Data((line + "\r\n").utf8))
        case .xlsx:
            var xml = "<row r=\"\(row)\">"
            for (column, cell) in cells.enumerated() {
                let reference = Self.column(column) + String(row)
                switch cell {
                case .number(let value) where Self.isDecimal(value):
                    xml += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                case .amount(let value) where Self.isDecimal(value):
                    xml += "<c r=\"\(reference)\" s=\"1\"><v>\(value)</v></c>"
                case .empty:
                    continue
                default:
                    xml += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.xml(cell.text))</t></is></c>"
                }
            }
            zip!.write(Data((xml + "</row>").utf8))
        }
    }

    /// Ends the file (XLSX: the sheet, then the ZIP's directory).
    /// The workbook's parts that name its sheets come last, once all are known.
    public mutating func finish() {
        guard var zip else { return }
        zip.write(Data(XLSXParts.sheetEnd.utf8))
        zip.end()
        for (path, content) in XLSXParts.trailing(sheetNames: sheetNames) { zip.add(path, Data(content.utf8)) }
        zip.finish()
        self.zip = zip
    }

    /// The bytes written since the last call.
    public mutating func take() -> Data {
        if var zip {
            buffer.append(zip.take())
            self.zip = zip
        }
        defer { buffer = Data() }
        return buffer
    }

    static func csvField(_ text: String, separator: Character) -> String {
        let formula = text.first.map { "=+@".contains($0) } ?? false
        guard formula || text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        let safe = formula ? "'" + text : text
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func isDecimal(_ value: String) -> Bool {
        value.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func column(_ index: Int) -> String {
        var index = index
        var name = ""
        repeat {
            name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
            index = index / 26 - 1
        } while index >= 0
        return name
    }

    static func xml(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            // XML 1.0 has no place for other control characters: left out.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

/// The parts of a workbook besides its sheets.
private enum XLSXParts {
    static let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#

    static let leading: [(String, String)] = [
        ("_rels/.rels", header + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        // Style 0: general; style 1: built-in number format 4, #,##0.00.
        ("xl/styles.xml", header + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#),
    ]

    static func trailing(sheetNames: [String]) -> [(String, String)] {
        let numbered = sheetNames.enumerated().map { ($0.offset + 1, $0.element) }
        let sheets = numbered.map { #"<sheet name=""# + SheetWriter.xml($0.1) + #"" sheetId=""# + "\($0.0)" + #"" r:id="rId"# + "\($0.0)" + #""/>"# }
        let relations = numbered.map { #"<Relationship Id="rId"# + "\($0.0)" + #"" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet"# + "\($0.0)" + #".xml"/>"# }
        let overrides = numbered.map { #"<Override PartName="/xl/worksheets/sheet"# + "\($0.0)" + #".xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"# }
        return [
            ("xl/workbook.xml", header + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"# + sheets.joined() + "</sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", header + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"# + relations.joined()
                + #"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#),
            ("[Content_Types].xml", header + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"# + overrides.joined() + "</Types>"),
        ]
    }

    /// Excel's sheet names: at most 31 characters, none of : \\ / ? * [ ], unique.
    static func sheetName(_ name: String, taken: [String]) -> String {
        var base = String(name.filter { !":\\/?*[]".contains($0) }.prefix(31))
        if base.isEmpty { base = "Sheet" }
        var candidate = base
        var n = 2
        while taken.contains(where: { $0.lowercased() == candidate.lowercased() }) {
            candidate = String(base.prefix(28)) + " \(n)"
            n += 1
        }
        return candidate
    }

    /// The header row stays in view (frozen) as the rows scroll.
    static let sheetStart = header + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"#
    static let sheetEnd = "</sheetData></worksheet>"
}
