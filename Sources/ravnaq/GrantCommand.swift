import ArgumentParser
import Foundation
import RavnaqCore

struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Grants: open, list, show, approve a tranche, disburse a tranche, record an expense.",
        discussion: HelpText.fitted("""
            A grant is named by its id or its number (G-000045, or G-45). Approval is a grant \
            officer's act: `--as` a grant officer, or the operator acting in that role.
            """),
        subcommands: [Open.self, List.self, Show.self, Approve.self, Disburse.self, Expense.self]
    )

    static let columns = ["id", "number", "currency", "total", "disbursed", "expenses", "utilization", "programme", "family_code"]
    static let trancheColumns = ["n", "amount", "planned_on", "condition", "status", "disbursed_on", "approved"]

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a grant with its ordered tranches (coordinator, admin). Its currency is the programme's.",
            discussion: HelpText.fitted("""
                Tranches are AMOUNT,PLANNED_ON[,CONDITION]; conditions: none, training_completed, \
                business_plan_approved, previous_tranche_accounted.

                Example:
                  ravnaq grant open --programme 3f2c… --project 9c0d… --total 6000000 \\
                    --tranche 4000000,2025-02-01,none --tranche 2000000,2025-05-01,previous_tranche_accounted
                """))
        @Option(help: "The programme's id or name.") var programme: String
        @Option(help: "The project's id, or its family's code when the family has one project.") var project: String
        @Option(parsing: .unconditional) var total: String
        @Option(name: .customLong("tranche"), help: "AMOUNT,PLANNED_ON[,CONDITION], repeatable, in order.") var tranches: [String] = []
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for tranche in tranches where !(2...3).contains(tranche.split(separator: ",").count) {
                throw ValidationError("--tranche takes AMOUNT,PLANNED_ON[,CONDITION], e.g. 4000000,2025-02-01,none")
            }
        }

        func run() async throws {
            let parsed = tranches.map { text -> TrancheInput in
                let parts = text.split(separator: ",").map(String.init)
                return TrancheInput(amount: AmountInput(parts[0]), planned_on: parts[1], condition: parts.count > 2 ? parts[2] : nil)
            }
            let grant = try await CLI.withActor(acting) { database, actor in
                let currency = try await Programmes(database: database).get(programme, as: actor).currency
                return try await Grants(database: database).create(
                    GrantInput(programme_id: programme, project_id: project, currency: currency, total: AmountInput(total), tranches: parsed),
                    as: actor)
            }
            try output.print(grant, rows: "tranches", columns: GrantCommand.trancheColumns)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List grants.", discussion: HelpText.fitted("Example:\n  ravnaq grant list --format csv"))
        @Option(help: "Only this project's grants (id).") var project: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let grants = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Grants(database: database).list(projectID: project, page: $0, as: actor) }
            }
            try output.print(grants.data(), rows: "items", columns: GrantCommand.columns)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a grant's tranches (total, disbursed, expenses and utilization in JSON).",
            discussion: HelpText.fitted("Examples:\n  ravnaq grant show G-000045\n  ravnaq grant show G-45 --format json"))
        @Argument(help: "The grant's id or number.") var grant: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let view = try await CLI.withActor(acting) { database, actor in try await Grants(database: database).get(grant, as: actor) }
            try output.print(view, rows: "tranches", columns: GrantCommand.trancheColumns)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve tranche N, where the grant's programme asks for approval.",
            discussion: HelpText.fitted("Examples:\n  ravnaq grant approve G-000045 2 --as officer@undp.example\n  ravnaq grant approve G-000045 2   # the operator, as grant officer"))
        @Argument(help: "The grant's id or number.") var grant: String
        @Argument(help: "The tranche's number, from 1.") var n: Int
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let view = try await CLI.withActor(acting) { database, actor in
                // The operator approves in the grant officer's role; a named user with their own.
                let approver = actor.userID == nil
                    ? Actor(userID: nil, organizationID: actor.organizationID, role: .grantOfficer, name: actor.name) : actor
                return try await Grants(database: database).approve(grant: grant, tranche: n, as: approver)
            }
            try output.print(view, rows: "tranches", columns: GrantCommand.trancheColumns)
        }
    }

    struct Disburse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disburse tranche N (in order, once, when its condition holds).",
            discussion: HelpText.fitted("Example:\n  ravnaq grant disburse G-000045 1 --date 2025-02-01"))
        @Argument(help: "The grant's id or number.") var grant: String
        @Argument(help: "The tranche's number, from 1.") var n: Int
        @Option(help: "The disbursement date, YYYY-MM-DD.") var date: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Grants(database: database).disburse(grant: grant, tranche: n, DisbursementInput(date: date), as: actor, key: nil)
            }
            try output.print(answer.json, rows: "tranches", columns: GrantCommand.trancheColumns)
        }
    }

    struct Expense: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an expense against a grant.",
            discussion: HelpText.fitted("Example:\n  ravnaq grant expense G-000045 --date 2025-03-01 --category equipment --amount 3000000 --receipt R-17"))
        @Argument(help: "The grant's id or number.") var grant: String
        @Option(help: "The date of the expense, YYYY-MM-DD.") var date: String
        @Option(help: "What the money went on.") var category: ExpenseCategory
        @Option(parsing: .unconditional, help: "The amount in the grant's currency, such as 3000000 or 1250.50.") var amount: String
        @Option(help: "The receipt's reference.") var receipt: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Grants(database: database).recordExpense(
                    grant: grant, ExpenseInput(date: date, category: category.rawValue, amount: AmountInput(amount), receipt: receipt), as: actor, key: nil)
            }
            try output.print(answer.json)
        }
    }
}
