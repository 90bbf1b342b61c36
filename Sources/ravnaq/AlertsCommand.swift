import ArgumentParser
import Foundation
import RavnaqCore

/// Smart monitoring (issue 17): which family needs help this week, and why.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Families that need help, highest score first, and why; acknowledge one.",
        discussion: HelpText.fitted("""
            A mentor sees their own families, a coordinator or admin every family (or one \
            mentor's with --mentor). An acknowledged alert stays away until its score rises.
            """),
        subcommands: [List.self, Acknowledge.self],
        defaultSubcommand: List.self
    )

    /// One row of the table or CSV: the reasons in words, one after the other.
    struct Line: Encodable {
        let family_code: String
        let score: Int
        let level: String
        let mentor: String?
        let reasons: String

        init(_ alert: AlertView) {
            family_code = alert.family_code
            score = alert.score
            level = alert.level
            mentor = alert.mentor
            reasons = alert.reasons.map(\.text).joined(separator: "; ")
        }
    }

    static let columns = ["family_code", "score", "level", "mentor", "reasons"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The alerts as of a day (default today).",
            discussion: HelpText.fitted("Examples:\n  ravnaq alerts --as mentor1@example.org\n  ravnaq alerts list --as-of 2026-11-15 --mentor mentor2@example.org --format csv"))
        @Option(name: .customLong("as-of"), help: "YYYY-MM-DD (default today).") var asOf: String?
        @Option(help: "Only this mentor's families (email).") var mentor: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (asOf, mentor) = (asOf, mentor)
            let all = try await CLI.withActor(acting) { database, actor in
                try await Paged.all { try await Alerts(database: database).list(asOf: asOf, mentor: mentor, page: $0, as: actor) }
            }
            if output.resolvedFormat == .json {
                try output.print(Data(all.json().utf8), rows: "items")
            } else {
                try output.print(all.items.map(Line.init), columns: AlertsCommand.columns)
            }
        }
    }

    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge a family's alert at today's score: it stays away until the score rises.",
            discussion: HelpText.fitted("Example:\n  ravnaq alerts acknowledge AN-0007 --note \"visited, the shop reopens Monday\""))
        @Argument(help: "The alert's id (its family's id) or the family's code.") var id: String
        @Option(help: "A note kept with the acknowledgement.") var note: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (id, note) = (id, note)
            let alert = try await CLI.withActor(acting) { database, actor in
                try await Alerts(database: database).acknowledge(id, AcknowledgementInput(note: note), as: actor)
            }
            if output.resolvedFormat == .json {
                try output.print(alert)
            } else {
                try output.print(Line(alert), columns: AlertsCommand.columns)
            }
        }
    }
}
