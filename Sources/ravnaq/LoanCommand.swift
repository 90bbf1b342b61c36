import ArgumentParser
import Foundation
import RavnaqCore
import RavnaqMoney

struct LoanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loan",
        abstract: "Loans: open, disburse, repay, schedule, show, write off, and the daily collection list.",
        discussion: HelpText.fitted("Wherever a loan is named, its id or its number (L-000123) works."),
        subcommands: [Open.self, Disburse.self, Repay.self, Repayments.self, Reverse.self, Schedule.self, Payoff.self, Show.self, List.self, Late.self, PAR.self, WriteOff.self, Restructure.self]
    )

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a loan (approved until disbursed). Its currency is the programme's.",
            discussion: HelpText.fitted("""
                Example:
                  ravnaq loan open --programme 3f2c… --project 9c0d… --principal 10000000 --rate 24 \\
                    --method annuity --installments 12 --frequency monthly --planned-on 2025-01-15
                """))
        @Option(help: "The programme's id or name.") var programme: String
        @Option(help: "The project's id, or its family's code when the family has one project.") var project: String
        @Option(parsing: .unconditional) var principal: String
        @Option(parsing: .unconditional, help: "Yearly interest in percent, e.g. 24.") var rate: String
        @Option(help: "How the installments are worked out.") var method: RepaymentMethod
        @Option var installments: Int
        @Option(help: "How often an installment falls due.") var frequency: Frequency = .monthly
        @Option(help: "Installments with interest only.") var grace: Int = 0
        @Option(name: .customLong("planned-on"), help: "Planned disbursement date.") var plannedOn: String
        @Option(name: .customLong("first-due-on")) var firstDueOn: String?
        @Option(help: "Defaults to the programme's currency.") var currency: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let loan = try await CLI.withActor(acting) { database, actor in
                var currency = self.currency
                if currency == nil { currency = try await Programmes(database: database).get(programme, as: actor).currency }
                return try await Loans(database: database).open(
                    LoanInput(programme_id: programme, project_id: project, principal: AmountInput(principal), currency: currency,
                              annual_rate: DecimalInput(rate), method: method.rawValue, installments: installments, frequency: frequency.rawValue,
                              grace_periods: grace, planned_disbursement_on: plannedOn, first_due_on: firstDueOn),
                    as: actor)
            }
            try output.print(loan, columns: LoanCommand.loanColumns)
        }
    }

    /// A repayment's answer, its allocation spelled out.
    static let repaymentColumns = ["id", "kind", "date", "amount", "currency", "allocation.principal", "allocation.interest", "allocation.fees",
                                   "reversed_on", "loan_status", "outstanding_principal"]

    static let loanColumns = ["id", "number", "status", "currency", "principal", "outstanding_principal", "days_past_due", "overdue",
                              "total_owed", "disbursed_on", "as_of"]

    struct Disburse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disburse a loan; its schedule is fixed from this date.",
            discussion: HelpText.fitted("Example:\n  ravnaq loan disburse L-000001 --date 2025-01-15"))
        @Argument var loan: String
        @Option var date: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).disburse(loan, DateInput(date: date), as: actor, idempotency: nil)
            }
            try output.print(answer.json, columns: LoanCommand.loanColumns)
        }
    }

    struct Repay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a repayment (fees → interest → principal, oldest installment first).",
            discussion: HelpText.fitted("Example:\n  ravnaq loan repay L-000001 945595.97 --date 2025-02-15"))
        @Argument var loan: String
        // An array that takes what the parser does not know, so that "-1000" reaches the amount
        // check and its message ("must be greater than zero") instead of being read as a flag.
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The amount, such as 945595.97.", valueName: "amount")) var amounts: [String] = []
        @Option var date: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        var amount: String { amounts.first ?? "" }

        func validate() throws {
            guard amounts.count == 1 else {
                throw ValidationError(amounts.isEmpty ? "give the amount, such as 945595.97" : "give one amount, not \(amounts.joined(separator: " "))")
            }
        }

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).repay(loan, RepaymentRequest(amount: AmountInput(amount), date: date), as: actor, idempotency: nil)
            }
            try output.print(answer.json, columns: LoanCommand.repaymentColumns)
        }
    }

    struct Reverse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reverse a wrong repayment; later repayments are allocated afresh.",
            discussion: HelpText.fitted("""
                Examples:
                  ravnaq loan repayments L-000001     # lists the ids to reverse
                  ravnaq loan reverse L-000001 7d3a… --date 2025-02-20
                """))
        @Argument var loan: String
        @Argument(help: "The repayment's id (see `ravnaq loan repayments`).") var repayment: String
        @Option(help: "The day it is reversed (default today); the books undo it on the repayment's own date.") var date: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).reverse(loan, repayment: repayment, DateInput(date: date), as: actor, idempotency: nil)
            }
            try output.print(answer.json, columns: LoanCommand.repaymentColumns)
        }
    }

    struct Repayments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a loan's repayments and recoveries in date order, with allocation and reversal.",
            discussion: HelpText.fitted("""
                Reversed ones are listed too, with the day they were reversed.
                Examples:
                  ravnaq loan repayments L-000001
                  ravnaq loan repayments L-000001 --format csv --sep ';'
                """))
        @Argument var loan: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        /// A row of the table and the CSV: the allocation's parts as columns of their own.
        struct Row: Encodable {
            let id, date, kind, amount, principal, interest, fees: String
            let reversed_on: String?
        }

        static let columns = ["id", "date", "kind", "amount", "principal", "interest", "fees", "reversed_on"]

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Loans(database: database).repayments(loan, page: $0, as: actor) }
            }
            if output.resolvedFormat == .json { return try output.print(page.data()) }
            try output.print(page.items.map {
                Row(id: $0.id, date: $0.date, kind: $0.kind, amount: $0.amount, principal: $0.allocation.principal,
                    interest: $0.allocation.interest, fees: $0.allocation.fees, reversed_on: $0.reversed_on.value)
            }, columns: Self.columns)
        }
    }

    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the schedule with what is paid and each installment's status.",
            discussion: HelpText.fitted("Examples:\n  ravnaq loan schedule L-000001\n  ravnaq loan schedule L-000001 --format csv"))
        @Argument var loan: String
        @Option(name: .customLong("as-of")) var asOf: String?
        @Option(help: "A restructured loan's earlier schedule version (1, 2, …).") var version: Int?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let schedule = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).schedule(loan, asOf: asOf, version: version.map(String.init), as: actor)
            }
            try output.print(schedule, rows: "installments", columns: ["n", "due_on", "principal", "interest", "fees", "total", "paid", "waived", "status"])
        }
    }

    struct Payoff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The exact amount that settles the loan on a day: principal, interest and fees.",
            discussion: HelpText.fitted("""
                A repayment of the total on that day closes the loan with this allocation. Under the
                programme's interest_to_date rule, the interest not accrued by that day is waived.
                Example:
                  ravnaq loan payoff L-000001 --on 2025-06-10
                """))
        @Argument var loan: String
        @Option(help: "The day to settle on (default: today).") var on: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let quote = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).payoff(loan, on: on, as: actor)
            }
            try output.print(quote, columns: ["number", "on", "rule", "principal", "interest", "fees", "total", "waived", "currency"])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a loan as of a date: outstanding principal, days past due, amount overdue.",
            discussion: HelpText.fitted("Example:\n  ravnaq loan show L-000001 --as-of 2025-04-20"))
        @Argument var loan: String
        @Option(name: .customLong("as-of")) var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let view = try await CLI.withActor(acting) { database, actor in try await Loans(database: database).get(loan, asOf: asOf, as: actor) }
            try output.print(view, columns: LoanCommand.loanColumns)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List loans, oldest first.", discussion: HelpText.fitted("Example:\n  ravnaq loan list --format csv"))
        @Option(help: "Only this project's loans (id).") var project: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await Loans(database: database).list(projectID: project, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items", columns: ["id", "number", "status", "currency", "principal", "outstanding_principal", "days_past_due"])
        }
    }

    struct Late: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The daily collection list: late loans, most days late first.",
            discussion: HelpText.fitted("Example:\n  ravnaq loan late --format csv --sep ';'"))
        @Option(name: .customLong("as-of")) var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let late = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Loans(database: database).late(asOf: asOf, page: $0, as: actor) }
            }
            try output.print(late.data(), rows: "items", columns: ["number", "family_code", "mentor", "days_past_due", "overdue", "outstanding_principal", "currency"])
        }
    }

    struct PAR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "par",
            abstract: "Portfolio at risk: PAR30 and PAR90 as of a date, per currency.",
            discussion: HelpText.fitted("Example:\n  ravnaq loan par --as-of 2025-05-15"))
        @Option(name: .customLong("as-of")) var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let par = try await CLI.withActor(acting) { database, actor in try await Loans(database: database).portfolioAtRisk(asOf: asOf, as: actor) }
            try output.print(par, rows: "currencies",
                             columns: ["currency", "loans_active", "outstanding_principal", "at_risk_30", "at_risk_90", "par30", "par90"])
        }
    }

    struct WriteOff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-off",
            abstract: "Write off the principal outstanding on a date.",
            discussion: HelpText.fitted("Example:\n  ravnaq loan write-off L-000001 --date 2025-06-30 --reason \"the family moved away\""))
        @Argument var loan: String
        @Option var date: String
        @Option var reason: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).writeOff(loan, DateInput(date: date, reason: reason), as: actor, idempotency: nil)
            }
            try output.print(answer.json, columns: LoanCommand.loanColumns + ["written_off_on", "written_off_principal"])
        }
    }

    struct Restructure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an active loan a new schedule from a date for what is outstanding (coordinator, admin).",
            discussion: HelpText.fitted("""
                The earlier schedule stays readable (loan schedule --version 1). With
                --capitalize-overdue the interest due and fees unpaid become principal;
                without it the overdue interest is due with the first new installment.
                Example:
                  ravnaq loan restructure L-000001 --on 2025-04-19 --installments 12 --capitalize-overdue --reason "the cow died"
                """))
        @Argument var loan: String
        @Option var on: String
        @Option var installments: Int
        @Option(name: .customLong("annual-rate"), help: "The new schedule's yearly rate (default: the loan's).") var annualRate: String?
        @Option(name: .customLong("grace-periods")) var gracePeriods: Int?
        @Flag(name: .customLong("capitalize-overdue"), help: "Make the overdue interest and unpaid fees principal.") var capitalize = false
        @Option var reason: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = RestructureInput(on: on, installments: installments, annual_rate: annualRate.map { AmountInput($0) },
                                         grace_periods: gracePeriods, capitalize_overdue: capitalize, reason: reason)
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Loans(database: database).restructure(loan, input, as: actor, idempotency: nil)
            }
            try output.print(answer.json, columns: LoanCommand.loanColumns)
        }
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "The books.", subcommands: [TrialBalanceCommand.self])

    struct TrialBalanceCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trial-balance",
            abstract: "Every account's debit and credit totals as of a date.",
            discussion: HelpText.fitted("Example:\n  ravnaq ledger trial-balance --as-of 2025-12-31 --format csv"))
        @Option(name: .customLong("as-of")) var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let balance = try await CLI.withActor(acting) { database, actor in
                try await LedgerService(database: database).trialBalance(asOf: asOf, as: actor)
            }
            let columns = ["account", "currency", "debit", "credit", "balance"]
            guard output.resolvedFormat != .json else { return try output.print(balance, rows: "accounts", columns: columns) }
            // On paper the books end with their totals: one row per currency.
            struct Row: Encodable { let account, currency, debit, credit, balance: String }
            let rows = balance.accounts.map { Row(account: $0.account, currency: $0.currency, debit: $0.debit, credit: $0.credit, balance: $0.balance) }
                + balance.totals.map { total in
                    let difference = Currency.named(total.currency).flatMap { currency in
                        currency.parse(total.debit).flatMap { debit in currency.parse(total.credit).map { currency.format(debit - $0) } }
                    }
                    return Row(account: "total", currency: total.currency, debit: total.debit, credit: total.credit, balance: difference ?? "")
                }
            try output.print(["accounts": rows], rows: "accounts", columns: columns)
        }
    }
}
