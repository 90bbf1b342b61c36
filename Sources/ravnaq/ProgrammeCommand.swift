import ArgumentParser
import RavnaqCore

struct ProgrammeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programme",
        abstract: "Programmes: a donor's funding lines. Every loan and grant belongs to one.",
        subcommands: [Add.self, List.self, Funds.self]
    )

    static let columns = ["id", "name", "donor", "currency", "starts_on", "ends_on", "budget", "funds_received", "tranche_approval",
                          "late_fee", "late_fee_percent", "late_fee_after_days", "late_fee_repeat", "arrears_tolerance",
                          "installment_multiple", "write_off_approval", "disbursement_approval_above"]

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a programme (admin).",
            discussion: HelpText.fitted("""
                Example:
                  ravnaq programme add --name "Family Business 2025" --donor UNDP --currency UZS \\
                    --starts-on 2025-01-01 --ends-on 2026-12-31 --budget 500000000
                """))
        @Option var name: String
        @Option var donor: String
        @Option var currency = "UZS"
        @Option(name: .customLong("starts-on")) var startsOn: String
        @Option(name: .customLong("ends-on")) var endsOn: String
        @Option(parsing: .unconditional) var budget: String
        @Flag(name: .customLong("tranche-approval"), help: "Grant tranches need a grant officer's approval.") var trancheApproval = false
        @Option(name: .customLong("late-fee"), parsing: .unconditional, help: "Fee charged on an installment still unpaid N+1 days after its due date.") var lateFee: String?
        @Option(name: .customLong("late-fee-after-days")) var lateFeeAfterDays: Int?
        @Option(name: .customLong("late-fee-percent"), help: "Instead of a fixed fee: a percentage of what is unpaid of the installment.") var lateFeePercent: String?
        @Option(name: .customLong("late-fee-repeat"), help: "once (default) or monthly: again each month the installment stays unpaid.") var lateFeeRepeat: String?
        @Option(name: .customLong("arrears-tolerance"), help: "An installment short by at most this counts as paid for days past due and PAR.") var arrearsTolerance: String?
        @Flag(name: .customLong("write-off-approval"), help: "Write-offs need a second person's approval.") var writeOffApproval = false
        @Option(name: .customLong("disbursement-approval-above"), help: "Disbursements of a larger principal need a second person's approval.") var disbursementApprovalAbove: String?
        @Option(name: .customLong("installment-multiple"), help: "Round regular installments up to a multiple of this (e.g. 1000).") var installmentMultiple: String?
        @Option(name: .customLong("early-payoff"), help: "full_interest (default) or interest_to_date: a loan paid off early pays interest only up to that day.") var earlyPayoff: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = ProgrammeInput(
                name: name, donor: donor, currency: currency, starts_on: startsOn, ends_on: endsOn, budget: AmountInput(budget),
                tranche_approval: trancheApproval, late_fee: lateFee.map { AmountInput($0) }, late_fee_after_days: lateFeeAfterDays,
                late_fee_percent: lateFeePercent.map { AmountInput($0) }, late_fee_repeat: lateFeeRepeat,
                arrears_tolerance: arrearsTolerance.map { AmountInput($0) }, installment_multiple: installmentMultiple.map { AmountInput($0) },
                write_off_approval: writeOffApproval, disbursement_approval_above: disbursementApprovalAbove.map { AmountInput($0) },
                early_payoff: earlyPayoff)
            let programme = try await CLI.withActor(acting) { database, actor in
                try await Programmes(database: database).create(input, as: actor)
            }
            try output.print(programme, columns: ProgrammeCommand.columns)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List programmes.", discussion: HelpText.fitted("Example:\n  ravnaq programme list --format csv"))
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let all = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Programmes(database: database).list(page: $0, as: actor) }
            }
            try output.print(all.data(), rows: "items", columns: ProgrammeCommand.columns)
        }
    }

    struct Funds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record donor money received (debit cash, credit donor_funds).",
            discussion: HelpText.fitted("Example:\n  ravnaq programme funds 3f2c… --date 2025-01-05 --amount 200000000"))
        @Argument(help: "The programme's id.") var programme: String
        @Option var date: String
        @Option(parsing: .unconditional) var amount: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await CLI.withActor(acting) { database, actor in
                try await Programmes(database: database).receiveFunds(
                    programme: programme, FundsInput(date: date, amount: AmountInput(amount)), as: actor, key: nil)
            }
            try output.print(answer.json)
        }
    }
}
