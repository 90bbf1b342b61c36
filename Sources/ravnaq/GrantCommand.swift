import ArgumentParser
import Foundation
import RavnaqCore

struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Grants: show one, approve, disburse a tranche, record an expense. Prints JSON.",
        discussion: """
            A grant is named by its id or its number (G-000045, or G-45). The operator acts as an \
            admin of the organization (--org CODE, not needed when there is only one); the audit \
            log records cli:<system user>.
            """,
        subcommands: [Show.self, Approve.self, Disburse.self, Expense.self]
    )

    /// The organization the operator acts in, and the database.
    struct Operator: ParsableArguments {
        @Option(help: "The organization's code (not needed when there is only one).") var org: String?
        @OptionGroup var database: DatabaseOptions

        /// Runs `body` with the grants service and an actor for the operator in `role`.
        func run<T>(as role: Role = .admin, _ body: (Grants, Actor) async throws -> T) async throws -> T {
            try await CLI.withDatabase(database) { database in
                let organization = try await Organizations(database: database).resolve(code: org)
                let actor = Actor(userID: nil, organizationID: organization.id, role: role, name: CLI.operatorName)
                return try await body(Grants(database: database), actor)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a grant: total, disbursed, expenses, utilization and its tranches.",
            discussion: "Examples:\n  ravnaq grant show G-000045\n  ravnaq grant show 0b5e4c9e-3f1a-4c55-9a8e-2f1d6c1e7a10 --org AN")
        @Argument(help: "The grant's id or number.") var grant: String
        @OptionGroup var options: Operator

        func run() async throws {
            let view = try await options.run { grants, actor in try await grants.get(grant, as: actor) }
            try printJSON(view)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve tranche N, where the grant's programme asks for approval.",
            discussion: """
                Approval is a grant officer's act: from the CLI the operator gives it in the grant \
                officer's role, and the tranche records cli:<system user> as its approver.

                Example:
                  ravnaq grant approve G-000045 2
                """)
        @Argument(help: "The grant's id or number.") var grant: String
        @Argument(help: "The tranche's number, from 1.") var n: Int
        @OptionGroup var options: Operator

        func run() async throws {
            let view = try await options.run(as: .grantOfficer) { grants, actor in
                try await grants.approve(grant: grant, tranche: n, as: actor)
            }
            try printJSON(view)
        }
    }

    struct Disburse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disburse tranche N on a date (debit grant_expense, credit cash).",
            discussion: """
                Refused when the tranche was already disbursed, an earlier one was not, the \
                programme's approval is missing, or the tranche's condition does not hold.

                Example:
                  ravnaq grant disburse G-000045 1 --date 2025-02-01
                """)
        @Argument(help: "The grant's id or number.") var grant: String
        @Argument(help: "The tranche's number, from 1.") var n: Int
        @Option(help: "The disbursement date, YYYY-MM-DD.") var date: String
        @OptionGroup var options: Operator

        func run() async throws {
            let answer = try await options.run { grants, actor in
                try await grants.disburse(grant: grant, tranche: n, DisbursementInput(date: date), as: actor, key: nil)
            }
            print(String(decoding: answer.body, as: UTF8.self))
        }
    }

    struct Expense: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an expense against a grant.",
            discussion: """
                Categories: equipment, materials, rent, transport, other. The amount is in the \
                grant's currency; expenses may not add up to more than was disbursed.

                Example:
                  ravnaq grant expense G-000045 --date 2025-03-01 --category equipment --amount 3000000 --receipt R-17
                """)
        @Argument(help: "The grant's id or number.") var grant: String
        @Option(help: "The date of the expense, YYYY-MM-DD.") var date: String
        @Option(help: "equipment, materials, rent, transport or other.") var category: String
        @Option(help: "The amount in the grant's currency, such as 3000000 or 1250.50.") var amount: String
        @Option(help: "The receipt's reference.") var receipt: String?
        @OptionGroup var options: Operator

        func run() async throws {
            let input = ExpenseInput(date: date, category: category, amount: AmountInput(amount), receipt: receipt)
            let answer = try await options.run { grants, actor in
                try await grants.recordExpense(grant: grant, input, as: actor, key: nil)
            }
            print(String(decoding: answer.body, as: UTF8.self))
        }
    }
}

/// JSON on standard output, one document per line (the same encoding as the API's answers).
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try RavnaqJSON.encode(value), as: UTF8.self))
}
