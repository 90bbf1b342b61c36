import ArgumentParser
import RavnaqCore

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The database: migrations.",
        subcommands: [Migrate.self, Status.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations (serve does this too).",
            discussion: "Example:\n  ravnaq db migrate --data-dir /srv/ravnaq")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            // Opening the database applies what is pending.
            let statuses = try await CLI.withDatabase(database) { database in
                try await database.pool.withConnection { try Migrator().status($0) }
            }
            print("\(statuses.count) migrations applied; the schema is up to date")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the migrations and when each was applied.",
            discussion: "Example:\n  ravnaq db status")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let statuses = try await CLI.withDatabase(database) { database in
                try await database.pool.withConnection { try Migrator().status($0) }
            }
            for status in statuses {
                print("\(status.name)\t\(status.appliedAt ?? "pending")")
            }
        }
    }
}
