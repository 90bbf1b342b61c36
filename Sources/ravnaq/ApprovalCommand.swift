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
        @Argument(help: "The request's id.") var id: String
        @Option(help: "A note kept with the decision.") var note: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let approval = try await CLI.withActor(acting) { database, actor in
                try await Approvals(database: database).approve(id, DecisionInput(note: note), as: actor)
            }
            try output.print(approval, columns: ApprovalCommand.columns)
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse someone else's request: nothing moves.",
            discussion: HelpText.fitted("Example:\n  ravnaq approval refuse 7c1d… --note \"the family is paying again\""))
        @Argument(help: "The request's id.") var id: String
        @Option(help: "A note kept with the decision.") var note: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let approval = try await CLI.withActor(acting) { database, actor in
                try await Approvals(database: database).refuse(id, DecisionInput(note: note), as: actor)
            }
            try output.print(approval, columns: ApprovalCommand.columns)
        }
    }
}
