import Foundation

/// A table as a donor downloads it: CSV (UTF-8 with a byte-order mark, so that Excel reads
/// Cyrillic and Uzbek letters right, comma-separated, CRLF) or XLSX (one sheet). Numbers stay
/// the decimal strings the services gave: an XLSX number cell carries that very text.
struct Spreadsheet {
    enum Cell {
        case text(String)
        /// A plain decimal (`"1250000.50"`, `"0.235866"`, `"14"`).
        case number(String)

        var text: String {
            switch self {
            case .text(let text), .number(let text): text
            }
        }
    }

    let name: String
    let headers: [String]
    let rows: [[Cell]]

    var csv: Data {
        var text = "\u{FEFF}"
        for line in [headers.map(Cell.text)] + rows {
            text += line.map { Self.csvField($0.text) }.joined(separator: ",") + "\r\n"
        }
        return Data(text.utf8)
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { ",\"\r\n".contains($0) }) || text.hasPrefix("=") || text.hasPrefix("+") || text.hasPrefix("@") else {
            return text
        }
        // A leading = + @ would be run as a formula by a spreadsheet: quoted and kept as text.
        let safe = "=+@".contains(text.first ?? " ") ? "'" + text : text
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    var xlsx: Data {
        var sheet = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (r, line) in ([headers.map(Cell.text)] + rows).enumerated() {
            sheet += "<row r=\"\(r + 1)\">"
            for (c, cell) in line.enumerated() {
                let ref = Self.column(c) + "\(r + 1)"
                switch cell {
                case .number(let value) where value.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil:
                    sheet += "<c r=\"\(ref)\"><v>\(value)</v></c>"
                default:
                    sheet += "<c r=\"\(ref)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.xml(cell.text))</t></is></c>"
                }
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        let sheetName = Self.xml(String(name.prefix(31)))
        var zip = ZipWriter()
        zip.add("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#)
        zip.add("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)
        zip.add("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name=""# + sheetName + #"" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
        zip.add("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)
        zip.add("xl/worksheets/sheet1.xml", sheet)
        return zip.finish()
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
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A ZIP archive of stored (uncompressed) files: all an XLSX needs for tables this small.
struct ZipWriter {
    private var data = Data()
    private var directory = Data()
    private var count: UInt16 = 0

    mutating func add(_ name: String, _ text: String) {
        let content = Data(text.utf8)
        let nameBytes = Data(name.utf8)
        let crc = CRC32.checksum(content)
        let offset = UInt32(data.count)
        // Local file header: version 2.0, no flags, stored, a fixed time (1 January 2026).
        data.append(le32(0x0403_4b50)); data.append(le16(20)); data.append(le16(0)); data.append(le16(0))
        data.append(le16(0)); data.append(le16(0x5C21))
        data.append(le32(crc)); data.append(le32(UInt32(content.count))); data.append(le32(UInt32(content.count)))
        data.append(le16(UInt16(nameBytes.count))); data.append(le16(0))
        data.append(nameBytes); data.append(content)
        // Its central directory entry.
        directory.append(le32(0x0201_4b50)); directory.append(le16(20)); directory.append(le16(20)); directory.append(le16(0))
        directory.append(le16(0)); directory.append(le16(0)); directory.append(le16(0x5C21))
        directory.append(le32(crc)); directory.append(le32(UInt32(content.count))); directory.append(le32(UInt32(content.count)))
        directory.append(le16(UInt16(nameBytes.count))); directory.append(le16(0)); directory.append(le16(0))
        directory.append(le16(0)); directory.append(le16(0)); directory.append(le32(0)); directory.append(le32(offset))
        directory.append(nameBytes)
        count += 1
    }

    mutating func finish() -> Data {
        let start = UInt32(data.count)
        data.append(directory)
        data.append(le32(0x0605_4b50)); data.append(le16(0)); data.append(le16(0))
        data.append(le16(count)); data.append(le16(count))
        data.append(le32(UInt32(directory.count))); data.append(le32(start)); data.append(le16(0))
        return data
    }

    private func le16(_ value: UInt16) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    private func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
}

/// The CRC-32 of ZIP (polynomial 0xEDB88320).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func checksum(_ data: Data) -> UInt32 {
        ~data.reduce(~UInt32(0)) { table[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
    }
}
