import ArgumentParser
import RavnaqCore

/// `ravnaq progress report|income|assess|graduation|poverty-line|lock` — what mentors record
/// every month and what shows whether a family is becoming self-sufficient (SPEC §7).
enum ProgressRecords {
    static let subcommands: [any ParsableCommand.Type] = [Report.self, Income.self, Assess.self, GraduationCheck.self, PovertyLine.self, Lock.self]

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a project's month (or correct it with --correct).",
            discussion: HelpText.fitted("Example:\n  ravnaq progress report 9c0d… --period 2025-03 --revenue 3200000 --costs 1100000 --units-sold 40 --members-working 2"))
        @Argument(help: "The project's id, or its family's code when the family has one project.") var project: String
        @Option var period: String
        @Option(parsing: .unconditional) var revenue: String
        @Option(parsing: .unconditional) var costs: String
        @Option(name: .customLong("units-sold")) var unitsSold: Int?
        @Option(name: .customLong("members-working")) var membersWorking: Int?
        @Option(name: .customLong("hired-workers")) var hiredWorkers: Int?
        @Flag(help: "Correct the month's report instead of adding it.") var correct = false
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = MonthlyReportInput(period: period, revenue: AmountInput(revenue), costs: AmountInput(costs), units_sold: unitsSold,
                                           members_working: membersWorking, hired_workers: hiredWorkers)
            let report = try await CLI.withActor(acting) { database, actor in
                try await MonthlyReports(database: database).record(project: project, input, correcting: correct ? period : nil, as: actor)
            }
            try output.print(report.json)
        }
    }

    struct Income: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a family's household income for a month, by source (or correct it with --correct).",
            discussion: HelpText.fitted("""
                Sources: project, wages, pension, benefits, remittances, other.

                Example:
                  ravnaq progress income AN-0001 --period 2025-03 --household-size 5 \\
                    --source project=2100000 --source pension=900000 --source benefits=450000
                """))
        @Argument(help: "The family's id or code.") var family: String
        @Option var period: String
        @Option(name: .customLong("household-size")) var householdSize: Int
        @Option(name: .customLong("source"), help: "SOURCE=AMOUNT, repeatable.") var sources: [String] = []
        @Flag(help: "Correct the month's income instead of adding it.") var correct = false
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for source in sources where source.split(separator: "=").count != 2 {
                throw ValidationError("--source takes SOURCE=AMOUNT, e.g. pension=900000")
            }
        }

        func run() async throws {
            let amounts = Dictionary(sources.map { pair -> (String, AmountInput) in
                let parts = pair.split(separator: "=")
                return (String(parts[0]), AmountInput(String(parts[1])))
            }, uniquingKeysWith: { _, last in last })
            let income = try await CLI.withActor(acting) { database, actor in
                try await HouseholdIncomes(database: database).record(
                    family: family, IncomeInput(period: period, household_size: householdSize, sources: amounts),
                    correcting: correct ? period : nil, as: actor)
            }
            try output.print(income.json, columns: ["period", "household_size", "total", "per_capita", "poverty_line", "band"])
        }
    }

    struct Assess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the self-sufficiency matrix (15 domains, 1–5; childcare and children_education may be 0).",
            discussion: HelpText.fitted("""
                Example:
                  ravnaq progress assess AN-0001 --date 2025-03-10 --kind intake \\
                    --score income=2 --score employment=2 --score food=3 … (all 15 domains)
                """))
        @Argument(help: "The family's id or code.") var family: String
        @Option var date: String
        @Option(help: "Which assessment of the family this is.") var kind: AssessmentKind
        @Option(name: .customLong("score"), help: "DOMAIN=SCORE, repeatable.") var scores: [String] = []
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var parsed: [String: Int] = [:]
            for pair in scores {
                let parts = pair.split(separator: "=")
                guard parts.count == 2, let score = Int(parts[1]) else { throw ValidationError("--score takes DOMAIN=SCORE, e.g. income=3") }
                parsed[String(parts[0])] = score
            }
            let assessment = try await CLI.withActor(acting) { database, actor in
                try await Assessments(database: database).record(family: family, AssessmentInput(assessed_on: date, kind: kind.rawValue, scores: parsed), as: actor)
            }
            try output.print(assessment.json, columns: ["assessed_on", "kind", "derived_index"])
        }
    }

    struct GraduationCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graduation",
            abstract: "Show a family's graduation criteria as of a date; --confirm graduates a ready family.",
            discussion: HelpText.fitted("Examples:\n  ravnaq progress graduation AN-0001\n  ravnaq progress graduation AN-0001 --confirm"))
        @Argument(help: "The family's id or code.") var family: String
        @Option(name: .customLong("as-of")) var asOf: String?
        @Flag(help: "Confirm the graduation (coordinator, admin).") var confirm = false
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let evaluation = try await CLI.withActor(acting) { database, actor in
                confirm ? try await Graduation(database: database).confirm(family: family, as: actor)
                    : try await Graduation(database: database).evaluate(family: family, asOf: asOf, as: actor)
            }
            if output.resolvedFormat != .json { CLI.warn("status: \(evaluation.status)\(evaluation.risks.isEmpty ? "" : " (\(evaluation.risks.joined(separator: "; ")))")") }
            try output.print(evaluation, rows: "criteria", columns: ["name", "met", "detail"])
        }
    }

    struct PovertyLine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poverty-line",
            abstract: "List the poverty line, or extend it (admin).",
            discussion: HelpText.fitted("Examples:\n  ravnaq progress poverty-line\n  ravnaq progress poverty-line --from 2027-01-01 --amount 760000"))
        @Option var from: String?
        @Option(parsing: .unconditional) var amount: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lines = try await CLI.withActor(acting) { database, actor in
                let reference = ReferenceData(database: database)
                if from != nil || amount != nil {
                    _ = try await reference.addPovertyLine(PovertyLineInput(effective_on: from, amount: amount.map { AmountInput($0) }), as: actor)
                }
                return try await ListPage.all { try await reference.povertyLines(page: $0, as: actor) }
            }
            try output.print(lines.data(), rows: "items")
        }
    }

    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lock a month: its reports and income become read-only (admin).",
            discussion: HelpText.fitted("Example:\n  ravnaq progress lock 2025-03"))
        @Argument var period: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let locked = try await CLI.withActor(acting) { database, actor in try await ReferenceData(database: database).lock(period: period, as: actor) }
            try output.print(locked.json)
        }
    }
}
