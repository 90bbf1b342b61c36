import ArgumentParser
import RavnaqCore

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The database: migrations, backup and restore.",
        subcommands: [Migrate.self, Status.self, Backup.self, Restore.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations and changed definition files (serve does this too).",
            discussion: HelpText.fitted("Example:\n  ravnaq db migrate --data-dir /srv/ravnaq"))
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            // Opening the database applies what is pending.
            let statuses = try await CLI.withDatabase(database) { database in
                try await database.pool.withConnection { try Migrator().status($0) }
            }
            let definitions = statuses.filter { $0.name.hasPrefix("definitions/") }.count
            let migrations = statuses.count - definitions
            print("\(migrations) migration\(migrations == 1 ? "" : "s") and \(definitions) definition files applied; the schema is up to date")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the migrations and definition files, and when each was applied.",
            discussion: HelpText.fitted("Example:\n  ravnaq db status"))
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

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save the whole database to a file (pg_dump's custom format).",
            discussion: HelpText.fitted("Example:\n  ravnaq db backup /srv/backups/ravnaq-2025-06-30.dump"))
        @Argument(help: "The file to write.") var file: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLI.withDatabase(database) { try $0.backup(to: file) }
            print("saved to \(file)")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the database's contents with a backup, in one transaction.",
            discussion: HelpText.fitted("Stop the server first. Example:\n  ravnaq db restore /srv/backups/ravnaq-2025-06-30.dump"))
        @Argument(help: "The backup file.") var file: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CLI.withDatabase(database) { try $0.restore(from: file) }
            print("restored from \(file)")
        }
    }
}
