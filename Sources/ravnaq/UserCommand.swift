import ArgumentParser
import Foundation
import RavnaqCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Users, their API tokens and their sign-in links. A new token or link is printed once, alone on the last line.",
        subcommands: [Add.self, Invite.self, PasswordReset.self, Token.self, Revoke.self, Contact.self]
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

    /// Issue 17: where notifications reach a user, and whether they agree to them.
    struct Contact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a user's phone and consent to messages (admin).",
            discussion: HelpText.fitted("""
                The phone in international form; --phone "" removes it.

                Example:
                  ravnaq user contact aziza@example.org --phone "+998 90 123 45 67" --messages-consent true
                """))
        @Argument(help: "The user's email or id.") var user: String
        @Option(help: "E.164, spaces allowed (+998 90 123 45 67).") var phone: String?
        @Option(name: .customLong("messages-consent"), help: "true or false.") var messagesConsent: Bool?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (user, input) = (user, ContactInput(phone: phone, messages_consent: messagesConsent))
            let view = try await CLI.withActor(acting) { database, actor in
                try await Users(database: database).changeContact(user: user, input, as: actor)
            }
            try output.print(view, columns: ["email", "role", "phone", "messages_consent"])
        }
    }

    /// The web app's address in the links printed, as the people invited reach it.
    struct LinkOptions: ParsableArguments {
        @Option(name: .customLong("url"), help: "The web app's address as people reach it (default: $RAVNAQ_URL, else http://127.0.0.1:8080).")
        var url: String?

        var base: String {
            let base = url ?? ProcessInfo.processInfo.environment["RAVNAQ_URL"] ?? "http://127.0.0.1:8080"
            return base.hasSuffix("/") ? String(base.dropLast()) : base
        }

        /// Makes the user's link and prints it, alone on the last line.
        func print(_ purpose: SignIn.LinkPurpose, _ what: String, for email: String, _ options: DatabaseOptions) async throws {
            let token = try await CLI.withDatabase(options) { database in
                try await SignIn(database: database).issueLink(email: email, purpose: purpose, actorName: CLI.operatorName)
            }
            Swift.print("\(what) for \(email), valid \(SignIn.linkLifetimeHours) hours, shown once:")
            Swift.print("\(base)/welcome/\(token)")
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a one-time link (valid 72 hours) where a user sets their web password.",
            discussion: HelpText.fitted("""
                The link is shown once; only its hash is kept. A new link replaces the user's \
                earlier unused ones, and invites a revoked user back.

                Example:
                  ravnaq user invite malika@example.org --url https://ravnaq.example.org
                """))
        @Argument var email: String
        @OptionGroup var link: LinkOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await link.print(.invitation, "a sign-in link", for: email, database)
        }
    }

    struct PasswordReset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password-reset",
            abstract: "Print a one-time link (valid 72 hours) where a user sets a new web password.",
            discussion: HelpText.fitted("""
                Setting the new password ends the user's open sessions.

                Example:
                  ravnaq user password-reset malika@example.org
                """))
        @Argument var email: String
        @OptionGroup var link: LinkOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await link.print(.passwordReset, "a password reset link", for: email, database)
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
            abstract: "Revoke a user: every token and web session of theirs ends at once, and they cannot sign in.",
            discussion: HelpText.fitted("Example:\n  ravnaq user revoke malika@example.org"))
        @Argument var email: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let count = try await CLI.withDatabase(database) { database in
                try await Users(database: database).revoke(email: email, actorName: CLI.operatorName)
            }
            print("revoked \(email): \(count) token\(count == 1 ? "" : "s") and session\(count == 1 ? "" : "s") ended")
        }
    }
}
