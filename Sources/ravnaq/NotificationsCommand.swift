import ArgumentParser
import Foundation
import RavnaqCore

/// The outbox (issue 17): what was written, sent or not, and sending the failed ones again.
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "Notifications to mentors, families and grant officers: list them, retry the failed ones, scan for what falls due.",
        discussion: HelpText.fitted("""
            `ravnaq serve` writes them (the scan runs every ten minutes) and, with --notify-url, \
            delivers them.
            """),
        subcommands: [List.self, Retry.self, Scan.self]
    )

    static let columns = ["id", "kind", "recipient", "language", "status", "attempts", "created_at", "last_error", "message"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The notifications, newest first.", discussion: HelpText.fitted("Example:\n  ravnaq notifications list --status failed"))
        @Option(help: "pending, delivered, failed or cancelled.") var status: String?
        @Option(help: "At most this many (default 100).") var limit = 100
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (status, limit) = (status, limit)
            let all = try await CLI.withActor(acting) { database, actor in
                try await Paged.all(atMost: limit) { try await Notifications(database: database).list(status: status, page: $0, as: actor) }
            }
            try output.print(all.data(), rows: "items", columns: NotificationsCommand.columns)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a failed notification again (or --failed: every failed one).",
            discussion: HelpText.fitted("Examples:\n  ravnaq notifications retry 5b1e…\n  ravnaq notifications retry --failed"))
        @Argument(help: "The notification's id.") var id: String?
        @Flag(help: "Every failed notification.") var failed = false
        @OptionGroup var acting: ActingOptions

        func validate() throws {
            guard (id == nil) != !failed else { throw ValidationError("name a notification's id, or --failed for every failed one") }
        }

        func run() async throws {
            let id = id
            let count = try await CLI.withActor(acting) { database, actor in
                try await Notifications(database: database).retry(id, as: actor)
            }
            print("\(count) notification\(count == 1 ? "" : "s") will be sent again")
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the notifications of what falls due now, as the server does every ten minutes.",
            discussion: HelpText.fitted("Example:\n  ravnaq notifications scan"))
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let count = try await CLI.withDatabase(database) { database in try await Notifications(database: database).enqueueDue() }
            print("\(count) notification\(count == 1 ? "" : "s") written")
        }
    }
}
