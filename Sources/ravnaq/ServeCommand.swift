import ArgumentParser
import Foundation
import RavnaqCore
import RavnaqHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (JSON under /api/v1).",
        discussion: """
            Applies pending migrations first. Ctrl-C (SIGINT) or SIGTERM stops the server and, \
            when ravnaq started it, its private PostgreSQL.

            Examples:
              ravnaq serve
              ravnaq serve --host 0.0.0.0 --port 9000 --data-dir /srv/ravnaq
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() async throws {
        let logger = CLI.makeLogger(level: .info)
        let database = try Database.open(dataDirectory: self.database.dataDirectory, poolSize: 8, logger: logger)
        let app = buildApplication(services: Services(database: database), host: host, port: port, logger: logger)
        do {
            try await app.runService()
        } catch {
            database.close()
            throw error
        }
        database.close()
    }
}
