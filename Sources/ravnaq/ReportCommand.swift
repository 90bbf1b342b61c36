import ArgumentParser
import Foundation
import RavnaqCore

/// `ravnaq report NAME`: the reports for grant officers (SPEC §8).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A report for grant officers: portfolio, grants, outcomes or training.",
        discussion: HelpText.fitted("""
            One row per group and, in a table or CSV, a last row "total" (distinct loans or families, not a sum of rows).
            Portfolio and grants rows also carry their currency; with several currencies there is one "total" row per currency.
            Examples:
              ravnaq report portfolio --as-of 2025-06-30 --by region,programme --format csv
              ravnaq report training --by course --from 2025-01-01 --to 2025-06-30
            """))

    @Argument(help: "The report.") var name: ReportName
    @Option(name: .customLong("as-of"), help: "As of this date (default: today); nothing after it counts.") var asOf: String?
    @Option(help: "Start of the period (default: the beginning).") var from: String?
    @Option(help: "End of the period (default: --as-of).") var to: String?
    @Option(help: "Group by a comma list of programme, region, district, project_type, mentor, head_sex, category, disability (training also course).") var by: String?
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let query = try ReportQuery.parse(report: name.rawValue, asOf: asOf, from: from, to: to, by: by)
        let answer = try await CLI.withActor(acting) { database, actor in try await Reports(database: database).run(query, as: actor) }
        if output.resolvedFormat == .json {
            try output.print(answer.json)
            return
        }
        let (table, columns) = try Self.table(answer.text, by: query.by.map(\.rawValue))
        try output.print(table, rows: "rows", columns: columns)
    }

    /// The rows and, when grouped, the total under the first group column: one row, or one per
    /// currency when the report holds several (amounts are never added across currencies). The
    /// columns are the group keys, then (portfolio, grants) the currency and the metrics in the
    /// report's order.
    static func table(_ text: String, by: [String]) throws -> (Data, [String]) {
        guard let answer = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              var rows = answer["rows"] as? [[String: Any]], let total = answer["total"] as? [String: Any]
        else { throw RavnaqError.setup("the report's answer could not be read") }
        // PostgreSQL writes `"key" : value`; the metrics keep the order of the total object.
        let totalText = text.range(of: "\"total\"").map { text[$0.upperBound...] } ?? Substring(text)
        func position(_ key: String) -> String.Index { totalText.range(of: "\"\(key)\"")?.lowerBound ?? totalText.endIndex }
        let metrics = total.keys.sorted { position($0) < position($1) }
        if let first = by.first {
            let perCurrency = answer["totals"] as? [[String: Any]] ?? []
            for var last in perCurrency.count > 1 ? perCurrency : [total] {
                last[first] = "total"
                rows.append(last)
            }
        }
        return (try JSONSerialization.data(withJSONObject: ["rows": rows]), by + metrics)
    }
}
