import Foundation

/// CSV as people have it: UTF-8 with or without a byte-order mark, or Windows-1251 (what Excel
/// on a Russian-language Windows saves); fields separated by `,`, `;` or a tab, whichever the
/// header row uses most (or what a first line `sep=;` says, as Excel writes it); RFC 4180 quotes,
/// with separators, quotes and line breaks inside them.
enum CSVReader {
    static func read(_ data: Data) throws -> SheetTable {
        var text = try decode(data)
        var separator: Character?
        if let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first,
           firstLine.lowercased().hasPrefix("sep="), firstLine.trimmingCharacters(in: .whitespacesAndNewlines).count == 5 {
            separator = firstLine.dropFirst(4).first
            text = String(text.dropFirst(firstLine.count + 1))
        }
        let records = parse(text, separator: separator ?? detectSeparator(text))
        guard let header = records.first, header.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw SheetError("the file has no header row")
        }
        let rows = records.dropFirst().enumerated().map { index, fields in
            SheetRow(number: index + 2, cells: fields.map(SheetCell.text))
        }
        return SheetTable(headers: header.map { $0.trimmingCharacters(in: .whitespaces) }, rows: rows.filter { !$0.isBlank })
    }

    /// UTF-8 when the bytes are valid UTF-8 (a BOM dropped), else Windows-1251: a Cyrillic file in
    /// 1251 is almost never valid UTF-8, and a UTF-8 file always is.
    static func decode(_ data: Data) throws -> String {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: bytes, encoding: .utf16) else { throw SheetError("the file is not valid UTF-16 text") }
            return text
        }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        guard let text = String(data: bytes, encoding: .windowsCP1251) else {
            throw SheetError("the file is neither UTF-8 nor Windows-1251 text (nor an XLSX workbook)")
        }
        return text
    }

    /// The separator the header line uses most, outside quotes; a comma when it uses none.
    static func detectSeparator(_ text: String) -> Character {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var quoted = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if !quoted, counts[byte] != nil { counts[byte]! += 1 }
        }
        let best = [UInt8(ascii: ";"), UInt8(ascii: "\t")].reduce(UInt8(ascii: ",")) { best, candidate in
            counts[candidate]! > counts[best]! ? candidate : best
        }
        return Character(UnicodeScalar(best))
    }

    /// Records of fields. A quote opens a quoted field only at the field's start; `""` inside one
    /// is a quote. CR LF, LF and CR all end a record. Read as UTF-8 bytes: the separators, quotes
    /// and line ends are ASCII, which never occur inside a multi-byte character.
    static func parse(_ text: String, separator: Character) -> [[String]] {
        let separator = separator.asciiValue ?? UInt8(ascii: ",")
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [[String]] = []
        var record: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var field: [UInt8] = []
            var quoted = false
            var atFieldStart = true
            var index = 0
            func endField() {
                record.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == quote {
                        if index < bytes.count, bytes[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote where atFieldStart:
                    quoted = true
                    atFieldStart = false
                case separator:
                    endField()
                case cr, lf:
                    if byte == cr, index < bytes.count, bytes[index] == lf { index += 1 }
                    endField()
                    records.append(record)
                    record = []
                default:
                    field.append(byte)
                    atFieldStart = false
                }
            }
            if !field.isEmpty || !record.isEmpty {
                endField()
                records.append(record)
            }
        }
        return records
    }
}
