import ArgumentParser
import RavnaqCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Users and their API tokens. A new token is printed once, alone on the last line.",
        subcommands: [Add.self, Token.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user and print a first bearer token.",
            discussion: HelpText.fitted("""
                Example:
                  ravnaq user add malika@example.org --org AN --role coordinator
                """))
        @Argument(help: "The user's email (unique in the database).") var email: String
        @Option(help: "The organization's code (not needed when there is only one).") var org: String?
        @Option(help: "What the user may do.") var role: Role
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (user, token) = try await CLI.withDatabase(database) { database in
                let organization = try await Organizations(database: database).resolve(code: org)
                return try await Users(database: database).add(
                    email: email, role: role, organizationID: organization.id, actorName: CLI.operatorName)
            }
            print("user \(user.email) (\(user.role.rawValue)) created; its token is shown once:")
            print(token)
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a further token for a user.",
            discussion: HelpText.fitted("Example:\n  ravnaq user token malika@example.org"))
        @Argument var email: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let token = try await CLI.withDatabase(database) { database in
                try await Users(database: database).newToken(email: email, actorName: CLI.operatorName)
            }
            print("a new token for \(email), shown once:")
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every token of a user at once.",
            discussion: HelpText.fitted("Example:\n  ravnaq user revoke malika@example.org"))
        @Argument var email: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let count = try await CLI.withDatabase(database) { database in
                try await Users(database: database).revoke(email: email, actorName: CLI.operatorName)
            }
            print("revoked \(count) token\(count == 1 ? "" : "s") of \(email)")
        }
    }
}
