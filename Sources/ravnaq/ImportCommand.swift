import ArgumentParser
import Foundation
import RavnaqCore

extension ImportKind: ExpressibleByArgument {}

/// `ravnaq import KIND FILE`: a register kept in Excel or CSV, brought in whole or not at all.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import families, projects, loans, repayments or grants from a CSV or XLSX file.",
        discussion: HelpText.fitted("""
            The whole file is checked first; if any row is wrong, every problem is listed (row, column, what is wrong) \
            and nothing is written. Rows already on record with the same data are left alone, so importing a file \
            twice writes nothing the second time. Headers may be English (as exports write them), Uzbek or Russian; \
            map others with --map, a JSON object such as {"Familiya":"full_name"}.
            Examples:
              ravnaq import families oilalar.xlsx --dry-run
              ravnaq import repayments tolovlar.csv --map map.json
            """))

    @Argument(help: "What the file holds: families, projects, loans, repayments or grants.") var kind: ImportKind
    @Argument(help: "The CSV (UTF-8 or Windows-1251; , ; or tab) or XLSX file.") var file: String
    @Flag(name: .customLong("dry-run"), help: "Check everything and say what would be written; write nothing.") var dryRun = false
    @Option(help: "A JSON file mapping the file's headers to the import's column names.") var map: String?
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let mapping = try map.map(Self.mapping) ?? [:]
        let options = Imports.Options(dryRun: dryRun, mapping: mapping, fileName: URL(fileURLWithPath: file).lastPathComponent)
        let bar = ProgressBar(total: 0, label: "rows")
        let result: ImportResult
        do {
            result = try await CLI.withActor(acting) { database, actor in
                try await Imports(database: database).run(kind, data: data, options: options, as: actor) { done, total in
                    if done % 500 == 0 { bar.show(done, of: total) }
                }
            }
        } catch RavnaqError.invalid(let problems) where problems.contains(where: { $0.pointer.hasPrefix("/rows/") || $0.pointer.hasPrefix("/columns/") }) {
            bar.finish()
            FileHandle.standardError.write(Data(Self.problemTable(problems).utf8))
            throw ExitCode(1)
        }
        bar.finish()
        for warning in result.warnings { CLI.warn(warning) }
        if output.resolvedFormat == .json {
            try output.print(result)
        } else {
            print(result.summary)
        }
    }

    static func mapping(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw ValidationError("--map \(path): give a JSON object of the file's headers and the column names, such as {\"Familiya\": \"full_name\"}")
        }
        return object
    }

    /// Every problem, one line each: row, column, what is wrong.
    static func problemTable(_ problems: [RavnaqError.FieldError]) -> String {
        let rows = problems.map { problem -> [String] in
            let parts = problem.pointer.split(separator: "/")
            let row = parts.first == "rows" && parts.count > 1 ? String(parts[1]) : ""
            return [row, problem.column ?? (parts.count > 2 ? String(parts[2]) : ""), problem.detail]
        }
        let headers = ["row", "column", "problem"]
        let widths = (0..<2).map { column in ([headers[column]] + rows.map { $0[column] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + cells[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + cells[2]
        }
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n\(count); nothing was written\n"
    }
}
