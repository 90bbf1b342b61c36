import Dates
import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// A grant officer's dashboard, read from the four reports of SPEC §8 (the same statements as
/// `GET /api/v1/reports/…`): the portfolio's PAR30 and PAR90 at each of the last 12 month-ends
/// and what was disbursed and collected in each month; grants' utilization per programme;
/// income bands at intake against now and the change per self-sufficiency domain; training's
/// completion and trained against untrained families. Filters: programme, region and period.
/// Every table downloads as CSV and XLSX. Families appear nowhere, not even by code: these
/// are aggregates.
struct DashboardPages {
    let services: Services
    let cache: ReportCache

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("dashboard", use: page)
        group.get("dashboard/download/:table", use: download)
    }

    /// The filters, from the query: a programme and a region by name (as the reports group
    /// them), and the period's last day (the month-ends run up to it) with its first.
    struct Filters {
        var programme: String?
        var region: String?
        var from: LocalDate?
        var to: LocalDate?

        /// A programme and a region (nil: all), up to today.
        init(programme: String? = nil, region: String? = nil) {
            self.programme = programme
            self.region = region
        }

        init(_ request: Request) throws {
            let query = request.uri.queryParameters
            programme = query.get("programme").flatMap { $0.isEmpty ? nil : $0 }
            region = query.get("region").flatMap { $0.isEmpty ? nil : $0 }
            var errors = FieldErrors()
            from = errors.date(query.get("from").flatMap { $0.isEmpty ? nil : Formats.parseDate($0) ?? $0 }, "/from", required: false)
            to = errors.date(query.get("to").flatMap { $0.isEmpty ? nil : Formats.parseDate($0) ?? $0 }, "/to", required: false)
            try errors.check()
        }

        var groups: [ReportGroup] { (programme == nil ? [] : [.programme]) + (region == nil ? [] : [.region]) }

        /// The row of a report for these filters: its total without filters, else the row of
        /// the chosen programme and region (the first currency's, should a programme lend in two).
        func pick(_ report: Document) -> Document? {
            guard programme != nil || region != nil else { return report.object("total") }
            return report.list("rows").first { row in
                (programme == nil || row.string("programme") == programme) && (region == nil || row.string("region") == region)
            }
        }

        var query: String {
            [("programme", programme), ("region", region), ("from", from?.description), ("to", to?.description)]
                .compactMap { name, value in value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } }
                .joined(separator: "&")
        }
    }

    /// Everything on the dashboard: its tables, each also a download.
    struct Dashboard {
        var tables: [String: Spreadsheet] = [:]
        var values: [String: Any] = [:]
        /// What the filters offer: the programmes and regions the reports group by.
        var programmes: [String] = []
        var regions: [String] = []
    }

    private func officer(_ context: RavnaqRequestContext) throws -> Actor {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, .grantOfficer, to: "read the dashboard")
        return actor
    }

    /// The dashboard for the filters. `oneAtATime` works out its reports one after the other
    /// (preparing dashboards ahead, which should not take every pooled connection from the
    /// people using the app); otherwise they run together, over the pool's connections.
    func build(_ filters: Filters, actor: Actor, language: Language, oneAtATime: Bool = false) async throws -> Dashboard {
        let texts = language.texts
        let end = filters.to ?? LocalDate(Today.iso())!
        let months = (0..<12).reversed().map { end.startOfMonth.adding(months: -$0) }
        try actor.require(.admin, .coordinator, .grantOfficer, to: "read reports")
        let reports = services.reports, cache = self.cache
        func run(_ query: ReportQuery) async throws -> JSONText {
            try await cache.run(query, as: actor, reports: reports).answer
        }
        // The month-ends, each its own report run; then grants, outcomes, training, and the
        // filters' choices.
        let groups = filters.groups
        let monthEnds = months.map { month in
            ReportQuery(report: .portfolio, asOf: min(month.endOfMonth, end), from: month, to: min(month.endOfMonth, end), by: groups)
        }
        let grantsQuery = ReportQuery(report: .grants, asOf: end, from: filters.from, to: end,
                                      by: [.programme] + (filters.region == nil ? [] : [.region]))
        let outcomesQuery = ReportQuery(report: .outcomes, asOf: end, by: filters.groups)
        let trainingQuery = ReportQuery(report: .training, asOf: end, from: filters.from, to: end, by: filters.groups)
        let choicesQuery = ReportQuery(report: .outcomes, asOf: end, by: [.programme, .region])
        if oneAtATime {
            for query in monthEnds + [grantsQuery, outcomesQuery, trainingQuery, choicesQuery] { _ = try await run(query) }
        }
        let portfolio = try await withThrowingTaskGroup(of: (Int, JSONText).self) { group in
            for (index, query) in monthEnds.enumerated() {
                group.addTask { (index, try await cache.run(query, as: actor, reports: reports).answer) }
            }
            var answers = [JSONText?](repeating: nil, count: months.count)
            for try await (index, document) in group { answers[index] = document }
            return answers.map { $0.flatMap { filters.pick($0.document) } }
        }
        async let grantsReport = run(grantsQuery)
        async let outcomesReport = run(outcomesQuery)
        async let trainingReport = run(trainingQuery)
        async let choices = run(choicesQuery)

        var dashboard = Dashboard()
        let monthLabels = months.map { Formats.month($0.description) }

        // Portfolio.
        dashboard.tables["portfolio"] = Spreadsheet(
            name: texts["table_portfolio"],
            headers: [texts["month"], "PAR30", "PAR90", texts["disbursed"], texts["collected"], texts["outstanding"], texts["loans_active"], texts["currency"]],
            rows: zip(monthLabels, portfolio).map { label, row in
                [.text(label), .number(row?.string("par30") ?? ""), .number(row?.string("par90") ?? ""),
                 .number(row?.string("disbursed") ?? "0"), .number(row?.string("collected") ?? "0"),
                 .number(row?.string("outstanding_principal") ?? "0"), .number(row?.string("loans_active") ?? "0"), .text(row?.string("currency") ?? "")]
            })
        let percent = { (value: String?) -> String? in
            guard let value, let share = Decimal(string: value) else { return nil }
            return "\(share * 100)"
        }
        dashboard.values["par_chart"] = Charts.line(
            title: texts["chart_par"], labels: monthLabels,
            series: [.init(name: "PAR30", style: "series-a", values: portfolio.map { percent($0?.string("par30")) }),
                     .init(name: "PAR90", style: "series-b", values: portfolio.map { percent($0?.string("par90")) })],
            axis: { "\($0) %" })
        dashboard.values["flows_chart"] = Charts.bars(
            title: texts["chart_flows"], labels: monthLabels,
            series: [.init(name: texts["disbursed"], style: "bar-a", values: portfolio.map { $0?.string("disbursed") }),
                     .init(name: texts["collected"], style: "bar-b", values: portfolio.map { $0?.string("collected") })],
            axis: { Formats.grouped($0) })
        dashboard.values["portfolio_rows"] = zip(monthLabels, portfolio).map { label, row -> [String: Any] in
            let currency = row?.string("currency") ?? "UZS"
            return ["month": label, "par30": Formats.percent(row?.string("par30")), "par90": Formats.percent(row?.string("par90")),
                    "disbursed": Formats.amount(row?.string("disbursed") ?? "0.00", currency: currency, in: language),
                    "collected": Formats.amount(row?.string("collected") ?? "0.00", currency: currency, in: language),
                    "outstanding": Formats.amount(row?.string("outstanding_principal") ?? "0.00", currency: currency, in: language),
                    "loans": row?.string("loans_active") ?? "0"]
        }

        // Grants: utilization per programme.
        let grants = try await grantsReport.document.list("rows").filter { filters.region == nil || $0.string("region") == filters.region }
            .filter { filters.programme == nil || $0.string("programme") == filters.programme }
        dashboard.tables["grants"] = Spreadsheet(
            name: texts["table_grants"],
            headers: [texts["programme"], texts["currency"], texts["grants_count"], texts["committed"], texts["disbursed"], texts["expenses"], texts["utilization_share"]],
            rows: grants.map { row in
                [.text(row.string("programme") ?? ""), .text(row.string("currency") ?? ""), .number(row.string("grants") ?? "0"),
                 .number(row.string("committed") ?? "0"), .number(row.string("disbursed") ?? "0"), .number(row.string("expenses") ?? "0"),
                 .number(row.string("utilization") ?? "")]
            })
        dashboard.values["grants_rows"] = grants.map { row -> [String: Any] in
            let currency = row.string("currency") ?? "UZS"
            return ["programme": row.string("programme") ?? "", "grants": row.string("grants") ?? "0",
                    "committed": Formats.amount(row.string("committed"), currency: currency, in: language),
                    "disbursed": Formats.amount(row.string("disbursed"), currency: currency, in: language),
                    "expenses": Formats.amount(row.string("expenses"), currency: currency, in: language),
                    "utilization": Formats.percent(row.string("utilization"))]
        }
        dashboard.values["grants_chart"] = Charts.bars(
            title: texts["chart_utilization"], labels: grants.map { $0.string("programme") ?? "" },
            series: [.init(name: texts["utilization_share"], style: "bar-a", values: grants.map { percent($0.string("utilization")) })],
            axis: { "\($0) %" })

        // Outcomes.
        let outcomes = filters.pick(try await outcomesReport.document) ?? [:]
        let bands = ["poor", "near_poor", "above"]
        dashboard.tables["bands"] = Spreadsheet(
            name: texts["table_bands"], headers: [texts["band"], texts["intake"], texts["latest"]],
            rows: bands.map { [.text(texts["band_\($0)"]), .number(outcomes.string("intake_\($0)") ?? "0"), .number(outcomes.string("now_\($0)") ?? "0")] })
        dashboard.values["bands_rows"] = bands.map { ["band": texts["band_\($0)"], "intake": outcomes.string("intake_\($0)") ?? "0", "now": outcomes.string("now_\($0)") ?? "0"] }
        dashboard.values["bands_chart"] = Charts.bars(
            title: texts["chart_bands"], labels: bands.map { texts["band_\($0)"] },
            series: [.init(name: texts["intake"], style: "bar-a", values: bands.map { outcomes.string("intake_\($0)") }),
                     .init(name: texts["latest"], style: "bar-b", values: bands.map { outcomes.string("now_\($0)") })],
            axis: { $0 })
        dashboard.values["families"] = outcomes.string("families") ?? "0"
        dashboard.tables["domains"] = Spreadsheet(
            name: texts["table_domains"], headers: [texts["domain"], texts["mean_change"]],
            rows: Assessments.domains.map { [.text(texts["domain_\($0)"]), .number(outcomes.string("ssm_\($0)_change") ?? "")] })
        dashboard.values["domain_rows"] = Assessments.domains.map { domain -> [String: Any] in
            let change = outcomes.string("ssm_\(domain)_change")
            return ["domain": texts["domain_\(domain)"], "change": change.map { Formats.grouped($0) } ?? "–",
                    "down": change?.hasPrefix("-") ?? false]
        }

        // Training.
        let training = filters.pick(try await trainingReport.document) ?? [:]
        let trainingFigures: [(String, String, Bool)] = [
            ("enrollments", "enrollments", false), ("completions", "completions", false), ("completion_rate", "completion_rate", true),
            ("trained_families", "trained_families", false), ("trained_above_line_share", "trained_above_line_share", true),
            ("untrained_families", "untrained_families", false), ("untrained_above_line_share", "untrained_above_line_share", true),
        ]
        dashboard.tables["training"] = Spreadsheet(
            name: texts["table_training"], headers: [texts["figure"], texts["value"]],
            rows: trainingFigures.map { [.text(texts["training_\($0.0)"]), .number(training.string($0.1) ?? "")] })
        dashboard.values["training_rows"] = trainingFigures.map { key, field, share -> [String: Any] in
            ["figure": texts["training_\(key)"], "value": share ? Formats.percent(training.string(field)) : (training.string(field) ?? "0")]
        }
        dashboard.values["training_chart"] = Charts.bars(
            title: texts["chart_training"], labels: [texts["trained"], texts["untrained"]],
            series: [.init(name: texts["above_line_share"], style: "bar-a",
                           values: [percent(training.string("trained_above_line_share")), percent(training.string("untrained_above_line_share"))])],
            axis: { "\($0) %" })

        // The filters' choices.
        let choiceRows = try await choices.document.list("rows")
        let programmes = Set(choiceRows.compactMap { $0.string("programme") }).sorted()
        let regions = Set(choiceRows.compactMap { $0.string("region") }).sorted()
        dashboard.programmes = programmes
        dashboard.regions = regions
        dashboard.values["programmes"] = programmes.map { ["value": $0, "selected": $0 == filters.programme] }
        dashboard.values["regions"] = regions.map { ["value": $0, "selected": $0 == filters.region] }
        dashboard.values["from"] = filters.from.map { Formats.date($0.description) } ?? ""
        dashboard.values["to"] = Formats.date(end.description)
        dashboard.values["query"] = filters.query
        return dashboard
    }

    @Sendable func page(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try officer(context)
        let language = Language.of(request)
        let dashboard = try await build(try Filters(request), actor: actor, language: language)
        return Pages.shared.page("dashboard", title: language.texts["dashboard_title"], dashboard.values, request: request, context: context)
    }

    @Sendable func download(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try officer(context)
        let language = Language.of(request)
        let name = try context.parameters.require("table")
        let format = request.uri.queryParameters.get("format") ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw RavnaqError.invalid("/format", "is csv or xlsx") }
        let dashboard = try await build(try Filters(request), actor: actor, language: language)
        guard let table = dashboard.tables[name] else { throw RavnaqError.notFound("table \(name)") }
        let body = format == "csv" ? table.csv : table.xlsx
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(status: .ok, headers: [
            .contentType: type, .contentDisposition: "attachment; filename=\"ravnaq-\(name).\(format)\"", .cacheControl: "private, no-cache",
        ], body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}
