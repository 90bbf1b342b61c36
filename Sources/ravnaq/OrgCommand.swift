import ArgumentParser
import RavnaqCore

struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Organizations (NGOs) sharing this database.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization.",
            discussion: HelpText.fitted("Example:\n  ravnaq org add AN --name \"Andijon Family Fund\""))
        @Argument(help: "A short code, unique in the database (letters, digits, '-', '_').") var code: String
        @Option(help: "The organization's name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let organization = try await CLI.withDatabase(database) { database in
                try await Organizations(database: database).add(code: code, name: name, operatorName: CLI.operatorName)
            }
            print("organization \(organization.code) created (\(organization.id.uuidString.lowercased()))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organizations.", discussion: HelpText.fitted("Example:\n  ravnaq org list"))
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let all = try await CLI.withDatabase(database) { try await Organizations(database: $0).list() }
            for organization in all { print("\(organization.code)\t\(organization.name)") }
        }
    }
}
