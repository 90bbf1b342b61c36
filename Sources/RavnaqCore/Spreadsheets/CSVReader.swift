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
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if !quoted, character == "\n" || character == "\r\n" { break }
            if !quoted, counts[character] != nil { counts[character]! += 1 }
        }
        return [";", "\t"].reduce(",") { best, candidate in counts[candidate]! > counts[best]! ? candidate : best }
    }

    /// Records of fields. A quote opens a quoted field only at the field's start; `""` inside one
    /// is a quote. CR LF, LF and CR all end a record.
    static func parse(_ text: String, separator: Character) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var atFieldStart = true
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case separator:
                record.append(field)
                field = ""
                atFieldStart = true
            case "\r\n", "\n", "\r":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
            default:
                field.append(character)
                atFieldStart = false
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
