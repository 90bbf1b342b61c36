import Foundation
import RavnaqCore

/// A dashboard table as a donor downloads it, CSV or XLSX, written by RavnaqCore's
/// `SheetWriter` (the same writer as the exports and the reports' downloads). Numbers stay the
/// decimal strings the services gave: an XLSX number cell carries that very text.
struct Spreadsheet {
    typealias Cell = SheetValue

    let name: String
    let headers: [String]
    let rows: [[Cell]]

    var csv: Data { written(.csv(separator: ",")) }
    var xlsx: Data { written(.xlsx) }

    private func written(_ format: SheetWriter.Format) -> Data {
        AnswerSheets.write([.init(name: name, headers: headers, rows: rows)], format: format)
    }
}
