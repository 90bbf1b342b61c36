import ArgumentParser
import RavnaqCore

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Income-generating projects and their lifecycle.",
        subcommands: [Add.self, List.self, Show.self, Status.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a project for a family (coordinator, admin).",
            discussion: HelpText.fitted("""
                Example:
                  ravnaq project add --family 5b1e… --type sewing --title "Home sewing workshop" \\
                    --started-on 2025-01-20 --revenue 3000000 --costs 1200000
                """))
        @Option(help: "The family's id or code (AN-0001).") var family: String
        @Option var type: ProjectType
        @Option var title: String
        @Option var description: String?
        @Option(name: .customLong("started-on")) var startedOn: String?
        @Option(parsing: .unconditional, help: "Expected monthly revenue (UZS).") var revenue: String?
        @Option(parsing: .unconditional, help: "Expected monthly costs (UZS).") var costs: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = ProjectInput(family_id: family, type: type.rawValue, title: title, description: description, started_on: startedOn,
                                     expected_monthly_revenue: revenue.map { AmountInput($0) }, expected_monthly_costs: costs.map { AmountInput($0) })
            let project = try await CLI.withActor(acting) { database, actor in try await Projects(database: database).create(input, as: actor) }
            try output.print(project.json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List projects.", discussion: HelpText.fitted("Example:\n  ravnaq project list --family 5b1e…"))
        @Option(help: "Only this family's projects (id).") var family: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await Projects(database: database).list(familyID: family, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a project.", discussion: HelpText.fitted("Example:\n  ravnaq project show 9c0d…"))
        @Argument(help: "The project's id, or its family's code when the family has one project.") var project: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let shown = try await CLI.withActor(acting) { database, actor in try await Projects(database: database).get(project, as: actor) }
            try output.print(shown.json)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a project along planned → active → (suspended ↔ active) → closed | failed.",
            discussion: HelpText.fitted("Example:\n  ravnaq project status 9c0d… suspended --date 2025-06-01 --reason \"illness\""))
        @Argument(help: "The project's id, or its family's code when the family has one project.") var project: String
        @Argument var status: ProjectStatus
        @Option var date: String
        @Option var reason: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let changed = try await CLI.withActor(acting) { database, actor in
                try await Projects(database: database).changeStatus(project: project, StatusInput(status: status.rawValue, date: date, reason: reason), as: actor)
            }
            try output.print(changed.json)
        }
    }
}
