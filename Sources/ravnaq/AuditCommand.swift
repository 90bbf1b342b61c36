import ArgumentParser
import RavnaqCore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit log (admins): who changed what, when, before and after.",
        discussion: HelpText.fitted("Examples:\n  ravnaq audit --entity loans\n  ravnaq audit --entity families --id 5b1e… --format json"))
    @Option(help: "Only this table's entries, e.g. loans, repayments, families.") var entity: String?
    @Option(name: .customLong("id"), help: "Only this row's entries.") var entityID: String?
    @Option(help: "At most this many entries (1–500).") var limit: Int = 100
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let page = try await CLI.withActor(acting) { database, actor in
            try await AuditLog(database: database).list(entity: entity, entityID: entityID, limit: String(limit), cursor: nil, as: actor)
        }
        try output.print(page.data(), rows: "items", columns: ["at", "actor", "action", "entity", "entity_id"])
    }
}
