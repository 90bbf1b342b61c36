import ArgumentParser
import Foundation
import RavnaqCore

/// `ravnaq export KIND`: the organization's families, projects, loans, repayments or grants in
/// the shape `ravnaq import` reads, written as it is read (memory stays flat).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export families, projects, loans, repayments or grants as CSV or XLSX, in the shape imports read.",
        discussion: HelpText.fitted("""
            Examples:
              ravnaq export families --format xlsx --output oilalar.xlsx
              ravnaq export repayments --format csv --sep ';' > tolovlar.csv
            """))

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, xlsx }

    @Argument(help: "What to export: families, projects, loans, repayments or grants.") var kind: ImportKind
    @Option(help: "csv (UTF-8 with a BOM) or xlsx.") var format: Format = .csv
    @Option(help: "The CSV separator, e.g. ';' for Excel in Russian or Uzbek locales.") var sep: String = ","
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var acting: ActingOptions

    func validate() throws {
        guard sep.count == 1 else { throw ValidationError("--sep takes one character, such as ';'") }
        if format == .xlsx, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("an XLSX file is not for the terminal: give --output FILE or redirect standard output")
        }
    }

    func run() async throws {
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("cannot write \(output)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        let sheetFormat: SheetWriter.Format = format == .xlsx ? .xlsx : .csv(separator: sep.first!)
        try await CLI.withActor(acting) { database, actor in
            try await Exports(database: database).run(kind, format: sheetFormat, as: actor) { bytes in handle.write(bytes) }
        }
        if output != nil { try handle.close() }
    }
}
