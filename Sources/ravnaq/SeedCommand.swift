import ArgumentParser
import Foundation
import RavnaqCore

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Generated data sets for trying Ravnaq at scale and for the benchmark.",
        subcommands: [Generate.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a large organization in the demo's shapes and proportions.",
            discussion: HelpText.fitted("""
                Creates a new organization with N families: members, mentors (one per 250 families), \
                projects, loans on time, late, repaid and written off, grants in every state, courses \
                with attendance, up to twelve months of reports and household income, assessments and \
                visits. Everything goes in through COPY in one transaction (nothing is left behind \
                if it fails). A progress bar goes to standard error on a terminal; one line per user \
                with a token goes to standard output: role, email, token, separated by tabs.

                Example:
                  ravnaq seed generate --families 100000 --org BENCH
                """))

        @Option(help: "How many families (1 to 1000000).") var families: Int
        @Option(help: "The new organization's code; it must not exist yet.") var org = "GEN"
        @Option(help: "The random seed: the same seed and organization code give the same data.") var seed: UInt64 = 2025
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard (1...ScaleSeed.familyLimit).contains(families) else {
                throw ValidationError("--families must be between 1 and \(ScaleSeed.familyLimit)")
            }
        }

        func run() async throws {
            let bar = ProgressBar(total: families, label: "families")
            let started = Date()
            let summary = try await CLI.withDatabase(database) { database in
                try await ScaleSeed(database: database).generate(
                    families: families, organizationCode: org, seed: seed, progress: { bar.show($0) })
            }
            bar.finish()
            let seconds = Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data(
                "organization \(summary.organization.code): \(summary.families) families, \(summary.rows) rows in \(String(format: "%.1f", seconds)) s\n".utf8))
            let lines = summary.logins.map { "\($0.role.rawValue)\t\($0.email)\t\($0.token)\n" }.joined()
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
    }
}

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
final class ProgressBar: Sendable {
    let total: Int
    let label: String
    let started = Date()
    let onTerminal = isatty(STDERR_FILENO) == 1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func show(_ done: Int) { show(done, of: total) }

    /// For work whose size is known only once it starts (an import's rows).
    func show(_ done: Int, of total: Int) {
        guard onTerminal else { return }
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let seconds = Int(Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) \(label)  \(seconds) s ".utf8))
    }

    func finish() {
        guard onTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
