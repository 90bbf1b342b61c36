import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// The first worksheet of an XLSX workbook, read by the server itself (no LibreOffice at run
/// time): the ZIP archive through ZIPFoundation, its XML through Foundation's streaming parser.
/// Text cells (shared, inline or formula strings) come as text; number cells as the shortest
/// decimal text of their value (`ExcelNumber`), which is also how a date cell arrives: a serial
/// day number that the date columns read as such.
enum XLSXReader {
    /// No part of a workbook we read may unpack to more than this (a guard against ZIP bombs):
    /// the sheet of 100 000 families with their members is about a tenth of it.
    static let largestPart = 1 << 30

    static func read(_ data: Data) throws -> SheetTable {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw SheetError("the file looks like an XLSX workbook but is not a readable ZIP archive")
        }
        let sharedStrings = try archive["xl/sharedStrings.xml"].map { entry in
            try SharedStringsParser.parse(part(entry, of: archive))
        } ?? []
        guard let sheet = try firstSheetPath(archive).flatMap({ archive[$0] }) else {
            throw SheetError("the XLSX workbook has no worksheet")
        }
        var rows = try SheetParser.parse(part(sheet, of: archive), sharedStrings: sharedStrings)
        guard let header = rows.first, !header.isBlank else {
            throw SheetError("the first worksheet has no header row")
        }
        rows.removeFirst()
        return SheetTable(headers: header.cells.map { $0.text.trimmingCharacters(in: .whitespaces) },
                          rows: rows.filter { !$0.isBlank })
    }

    private static func part(_ entry: Entry, of archive: Archive) throws -> Data {
        guard entry.uncompressedSize <= UInt64(largestPart) else {
            throw SheetError("the XLSX part \(entry.path) unpacks to more than \(largestPart >> 20) MiB")
        }
        var data = Data()
        do {
            _ = try archive.extract(entry) { data.append($0) }
        } catch {
            throw SheetError("the XLSX part \(entry.path) cannot be unpacked: \(error)")
        }
        return data
    }

    /// The path of the workbook's first sheet, through workbook.xml and its relationships
    /// (LibreOffice and Excel both name it `worksheets/sheet1.xml`, but nothing promises that).
    private static func firstSheetPath(_ archive: Archive) throws -> String? {
        guard let workbook = archive["xl/workbook.xml"], let relations = archive["xl/_rels/workbook.xml.rels"] else {
            return archive["xl/worksheets/sheet1.xml"] == nil ? nil : "xl/worksheets/sheet1.xml"
        }
        let first = AttributeFinder.first(element: "sheet", attribute: "r:id", in: try part(workbook, of: archive))
        let targets = AttributeFinder.all(element: "Relationship", key: "Id", value: "Target", in: try part(relations, of: archive))
        guard let first, let target = targets[first] else { return "xl/worksheets/sheet1.xml" }
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }
}

/// Attributes of elements in a small part (workbook.xml and its relationships).
private final class AttributeFinder: NSObject, XMLParserDelegate {
    let element: String
    var found: [[String: String]] = []

    init(element: String) { self.element = element }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        if name == element || name.hasSuffix(":" + element) { found.append(attributes) }
    }

    static func run(_ element: String, _ data: Data) -> [[String: String]] {
        let finder = AttributeFinder(element: element)
        let parser = XMLParser(data: data)
        parser.delegate = finder
        parser.parse()
        return finder.found
    }

    static func first(element: String, attribute: String, in data: Data) -> String? {
        run(element, data).first?[attribute]
    }

    static func all(element: String, key: String, value: String, in data: Data) -> [String: String] {
        Dictionary(run(element, data).compactMap { attributes in
            attributes[key].flatMap { k in attributes[value].map { (k, $0) } }
        }, uniquingKeysWith: { first, _ in first })
    }
}

/// xl/sharedStrings.xml: each `<si>` is one string, the text of its `<t>` elements (rich-text
/// runs joined), phonetic hints (`<rPh>`) left out.
private final class SharedStringsParser: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ data: Data) throws -> [String] {
        let delegate = SharedStringsParser()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else { throw SheetError("the XLSX shared strings cannot be read: \(parser.parserError.map { "\($0)" } ?? "bad XML")") }
        return delegate.strings
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "rPh": inPhonetic = true
        case "t": inText = !inPhonetic
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "rPh": inPhonetic = false
        case "t": inText = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }
}

/// A worksheet's rows. A cell's column comes from its reference (`C7`), so that cells Excel
/// leaves out (empty ones) keep the others in their columns.
private final class SheetParser: NSObject, XMLParserDelegate {
    let sharedStrings: [String]
    var rows: [SheetRow] = []
    var cells: [SheetCell] = []
    var rowNumber = 0
    var cellType = "n"
    var cellColumn = 0
    var value = ""
    var inValue = false
    var failure: SheetError?

    init(sharedStrings: [String]) { self.sharedStrings = sharedStrings }

    static func parse(_ data: Data, sharedStrings: [String]) throws -> [SheetRow] {
        let delegate = SheetParser(sharedStrings: sharedStrings)
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        let parsed = parser.parse()
        if let failure = delegate.failure { throw failure }
        guard parsed else { throw SheetError("the XLSX worksheet cannot be read: \(parser.parserError.map { "\($0)" } ?? "bad XML")") }
        return delegate.rows
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            cells = []
        case "c":
            cellType = attributes["t"] ?? "n"
            cellColumn = attributes["r"].flatMap(Self.columnIndex) ?? cells.count
            value = ""
        case "v", "t":
            inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t":
            inValue = false
        case "c":
            guard cellColumn < 16_384 else { return }
            while cells.count < cellColumn { cells.append(.text("")) }
            let cell: SheetCell
            switch cellType {
            case "s":
                guard let index = Int(value), sharedStrings.indices.contains(index) else {
                    failure = SheetError("row \(rowNumber) refers to a shared string that the workbook does not have")
                    parser.abortParsing()
                    return
                }
                cell = .text(sharedStrings[index])
            case "n":
                cell = value.isEmpty ? .text("") : ExcelNumber.shortest(value).map(SheetCell.number) ?? .text(value)
            case "b":
                cell = .text(value == "1" ? "true" : "false")
            default:  // str (a formula's text), inlineStr, e (an error such as #N/A), d (an ISO date)
                cell = .text(value)
            }
            if cellColumn == cells.count { cells.append(cell) } else { cells[cellColumn] = cell }
        case "row":
            rows.append(SheetRow(number: rowNumber, cells: cells))
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { value += string }
    }

    /// `C7` → 2; `AA1` → 26.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard (65...90).contains(scalar.value) else { break }
            index = index * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 ? nil : index - 1
    }
}
