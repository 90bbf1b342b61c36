import ArgumentParser
import Foundation
import Logging
import RavnaqCore

@main
struct Ravnaq: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ravnaq",
        abstract: "Track the microprojects of families leaving poverty: families, loans, grants, training, progress.",
        discussion: HelpText.fitted("""
            With no DATABASE_URL (or PG* variables), ravnaq runs its own PostgreSQL in the data \
            directory (--data-dir, $RAVNAQ_DATA_DIR, ~/.local/share/ravnaq; /var/lib/ravnaq for root).

            First steps:
              ravnaq org add AN --name "Andijon Family Fund"
              ravnaq user add admin@example.org --org AN --role admin
              ravnaq serve --port 8080
            """),
        version: version,
        subcommands: [
            ServeCommand.self, DBCommand.self, OrgCommand.self, UserCommand.self, ProgrammeCommand.self, CalendarCommand.self, FamilyCommand.self,
            ProjectCommand.self, LoanCommand.self, ApprovalCommand.self, AlertsCommand.self, NotificationsCommand.self, LedgerCommand.self, GrantCommand.self, ProgressCommand.self, TrainingCommand.self, ReportCommand.self, ImportCommand.self, ExportCommand.self, AuditCommand.self, SeedCommand.self,
        ]
    )
}

/// Options every command that touches the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where the private PostgreSQL lives (ignored with DATABASE_URL).")
    var dataDirectory: String?
}

enum CLI {
    /// Logs go to standard error; commands are quiet unless something goes wrong.
    static func makeLogger(level: Logger.Level = .warning) -> Logger {
        // LOG_FORMAT=json: one JSON object per line (README, "Configuration").
        let json = ProcessInfo.processInfo.environment["LOG_FORMAT"]?.lowercased() == "json"
        var logger = Logger(label: "ravnaq") { json ? JSONLogHandler(label: $0) as any LogHandler : StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        return logger
    }

    /// Opens the database for one command and leaves it afterwards (stopping the private
    /// cluster if this command started it and no server uses it).
    static func withDatabase<T>(_ options: DatabaseOptions, _ body: (Database) async throws -> T) async throws -> T {
        let database = try Database.open(dataDirectory: options.dataDirectory, poolSize: 2, logger: makeLogger())
        do {
            let value = try await body(database)
            database.close()
            return value
        } catch {
            database.close()
            throw error
        }
    }

    /// How the operator appears in the audit log: `cli:<system user>`.
    static var operatorName: String {
        if let account = getpwuid(getuid()), let name = account.pointee.pw_name {
            return "cli:" + String(cString: name)
        }
        return "cli:uid\(getuid())"
    }
}

extension CLI {
    /// A note for the person at the terminal, on standard error.
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }
}
