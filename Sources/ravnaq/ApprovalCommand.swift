import ArgumentParser
import RavnaqCore

/// Four eyes (issue 16): write-offs and disbursements a programme makes wait for a second person.
struct ApprovalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approval",
        abstract: "Write-offs and disbursements waiting for a second person's approval.",
        subcommands: [List.self, Approve.self, Refuse.self]
    )

    static let columns = ["id", "kind", "loan_number", "date", "amount", "currency", "reason", "requested_by", "status", "decided_by"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What waits (or --status approved|refused).", discussion: HelpText.fitted("Example:\n  ravnaq approval list"))
        @Option(help: "pending (default), approved or refused.") var status: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let all = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Approvals(database: database).list(status: status, page: $0, as: actor) }
            }
            try output.print(all.data(), rows: "items", columns: ApprovalCommand.columns)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve someone else's request: the money moves now.",
            discussion: HelpText.fitted("Example:\n  ravnaq approval approve 7c1d… --as coordinator2@example.org"))
        @OptionGroup var decision: Decision

        func run() async throws { try await decision.make { try await $0.approve($1, $2, as: $3) } }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse someone else's request: nothing moves.",
            discussion: HelpText.fitted("Example:\n  ravnaq approval refuse 7c1d… --note \"the family is paying again\""))
        @OptionGroup var decision: Decision

        func run() async throws { try await decision.make { try await $0.refuse($1, $2, as: $3) } }
    }

    /// What approving and refusing both take: the request, a note, who decides, how to print it.
    struct Decision: ParsableArguments {
        @Argument(help: "The request's id.") var id: String
        @Option(help: "A note kept with the decision.") var note: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func make(_ decide: @escaping @Sendable (Approvals, String, DecisionInput, Actor) async throws -> ApprovalView) async throws {
            let (id, note) = (id, note)
            let approval = try await CLI.withActor(acting) { database, actor in
                try await decide(Approvals(database: database), id, DecisionInput(note: note), actor)
            }
            try output.print(approval, columns: ApprovalCommand.columns)
        }
    }
}
