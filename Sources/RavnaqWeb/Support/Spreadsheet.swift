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
        var writer = SheetWriter(format: format, sheetName: name, headers: headers)
        for row in rows { writer.append(row) }
        writer.finish()
        return writer.take()
    }
}
