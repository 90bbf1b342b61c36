import ArgumentParser
import Hummingbird
import Foundation
import RavnaqCore
import RavnaqHTTP
import RavnaqWeb

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the web app and the HTTP API (JSON under /api/v1).",
        discussion: HelpText.fitted("""
            Applies pending migrations first. Ctrl-C (SIGINT) or SIGTERM stops the server and, \
            when ravnaq started it, its private PostgreSQL.

            --demo loads the demo organization (seed/) into an empty database — or, when it is \
            already there, loads nothing — and prints the web app's address, then a token and a \
            one-time sign-in link (valid 72 hours) for each demo user, one line each on standard \
            output: role<TAB>email<TAB>token<TAB>link.

            Examples:
              ravnaq serve
              ravnaq serve --demo
              ravnaq serve --host 0.0.0.0 --port 9000 --data-dir /srv/ravnaq
              ravnaq serve --connections 8
              ravnaq serve --notify-url https://sms.example.org/ravnaq
              ravnaq serve --metrics-port 9100
              ravnaq serve --replica-url postgresql://ravnaq@standby/ravnaq
            """)
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Load the demo organization into an empty database and print its users' tokens.") var demo = false
    @Option(help: "PostgreSQL connections in the pool (default: twice the number of cores).")
    var connections = Self.defaultConnections
    @Option(name: .customLong("notify-url"),
            help: "Where notifications are POSTed as JSON (an SMS gateway or a Telegram bridge; default: $RAVNAQ_NOTIFY_URL; none: nothing is sent).")
    var notifyURL: String?
    @Option(name: .customLong("idempotency-days"),
            help: "Days an Idempotency-Key is kept before it is forgotten (default: $RAVNAQ_IDEMPOTENCY_DAYS, else 30).")
    var idempotencyDays: Int?
    @Option(name: .customLong("replica-url"),
            help: "A PostgreSQL hot standby for the API's read-only GETs (default: $RAVNAQ_REPLICA_URL; none: every read goes to the primary).")
    var replicaURL: String?
    @Option(name: .customLong("metrics-port"),
            help: "Also serve GET /metrics without a token on 127.0.0.1 at this port (on --port it needs an admin's token).")
    var metricsPort: Int?
    @OptionGroup var database: DatabaseOptions

    /// A setting's text: the option's when given, else its environment variable's; nil when
    /// neither says anything (an empty text is none). `from` names where it came from, for errors.
    static func setting(_ option: String?, flag: String, variable: String) -> (text: String, from: String)? {
        guard let text = option ?? ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return (text, option == nil ? variable : flag)
    }

    /// The webhook, from --notify-url or RAVNAQ_NOTIFY_URL; refused unless http(s) with a host.
    func webhook() throws -> URL? {
        guard let (text, from) = Self.setting(notifyURL, flag: "--notify-url", variable: "RAVNAQ_NOTIFY_URL") else { return nil }
        guard let url = NotificationWorker.webhook(text) else {
            throw ValidationError("\(from) must be an http or https URL with a host, such as https://sms.example.org/hook; got \"\(text)\"")
        }
        return url
    }

    /// The standby's connection string, from --replica-url or RAVNAQ_REPLICA_URL: a
    /// postgresql:// URL or libpq's key=value form.
    func replicaConninfo() throws -> String? {
        guard let (text, from) = Self.setting(replicaURL, flag: "--replica-url", variable: "RAVNAQ_REPLICA_URL") else { return nil }
        guard text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") || text.contains("=") else {
            throw ValidationError("\(from) must be a postgresql:// URL or a libpq connection string such as \"host=standby dbname=ravnaq\"; got \"\(text)\"")
        }
        return text
    }

    /// How long idempotency keys are kept, from --idempotency-days or RAVNAQ_IDEMPOTENCY_DAYS:
    /// a whole number of days from 1 to 3650, 30 when neither is given.
    func idempotencyKeepDays() throws -> Int {
        guard let (text, from) = Self.setting(idempotencyDays.map(String.init), flag: "--idempotency-days",
                                              variable: "RAVNAQ_IDEMPOTENCY_DAYS") else { return 30 }
        guard let days = Int(text), (1...3650).contains(days) else {
            throw ValidationError("\(from) must be a whole number of days from 1 to 3650; got \"\(text)\"")
        }
        return days
    }

    /// Twice the cores: on 2 cores 4 connections served the case file at 1 535 req/s with a p99
    /// of 21 ms, 8 at 1 389 req/s with a p99 of 93 ms, 16 at 1 131 req/s (bench/, 16 clients) —
    /// more connections only make PostgreSQL's backends and the server's threads fight for the
    /// same cores.
    static var defaultConnections: Int { max(2, 2 * ProcessInfo.processInfo.activeProcessorCount) }

    /// Where a browser on this machine reaches the server (for the demo's links).
    var address: String { "http://\(host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host):\(port)" }

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard (1...200).contains(connections) else { throw ValidationError("--connections must be between 1 and 200") }
        if let metricsPort {
            guard (1...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be between 1 and 65535") }
            guard metricsPort != port else { throw ValidationError("--metrics-port must differ from --port (\(port))") }
        }
        _ = try webhook()
        _ = try idempotencyKeepDays()
        _ = try replicaConninfo()
    }

    func run() async throws {
        let logger = CLI.makeLogger(level: .info)
        let replica = try replicaConninfo().map { Replica(conninfo: $0, poolSize: connections, logger: logger) }
        let database = try Database.open(dataDirectory: self.database.dataDirectory, poolSize: connections, logger: logger, replica: replica)
        if demo {
            do {
                let logins = try await DemoSeed(database: database, logger: logger).load()
                var lines = "web app: \(address)/ — each demo user signs in once with their link, then with the password they set\n"
                for login in logins {
                    let link = try await SignIn(database: database).issueLink(email: login.email, purpose: .invitation, actorName: CLI.operatorName)
                    lines += "\(login.role.rawValue)\t\(login.email)\t\(login.token)\t\(address)/welcome/\(link)\n"
                }
                FileHandle.standardOutput.write(Data(lines.utf8))
            } catch {
                database.close()
                throw error
            }
        }
        let services = Services(database: database)
        let web = WebApp(services: services)
        let app = buildApplication(services: services, host: host, port: port, logger: logger, pages: web.register(on:))
        // The dashboards' reports, worked out ahead of the grant officers (they take seconds at
        // 100 000 families): at the start, then every nine minutes, off the requests' path.
        let preparing = Task.detached(priority: .background) {
            while !Task.isCancelled {
                await web.prepareDashboards(logger: logger)
                try? await Task.sleep(for: .seconds(540))
            }
        }
        defer { preparing.cancel() }
        // The outbox (issue 17): the scan of what falls due, and delivery when a webhook is set.
        let notifyURL = try webhook()
        let worker = NotificationWorker(database: database, url: notifyURL, logger: logger)
        let delivering = Task.detached(priority: .background) { await worker.run() }
        defer { delivering.cancel() }
        if let notifyURL { logger.info("notifications go to \(notifyURL.absoluteString)") }
        // The standby's lag, checked every second while it is configured (issue 18).
        let watching = replica.map { replica in Task.detached(priority: .background) { await replica.run(primary: database.pool) } }
        defer { watching?.cancel() }
        if replica != nil { logger.info("read-only GETs of the API go to the replica while it keeps up") }
        // Idempotency keys past their days, forgotten in small batches (issue 18).
        let sweeper = IdempotencyKeySweeper(database: database, settings: .init(keepDays: try idempotencyKeepDays()), logger: logger)
        let sweeping = Task.detached(priority: .background) { await sweeper.run() }
        defer { sweeping.cancel() }
        // Metrics for a scraper on this machine, without a token: 127.0.0.1 only, whatever --host says.
        let metricsServer = metricsPort.map { metricsPort in
            let metricsApp = Application(router: buildMetricsRouter(services: services),
                                         configuration: .init(address: .hostname("127.0.0.1", port: metricsPort), serverName: "ravnaq"),
                                         logger: logger)
            return Task.detached { try await metricsApp.runService(gracefulShutdownSignals: []) }
        }
        defer { metricsServer?.cancel() }
        do {
            try await app.runService()
        } catch {
            database.close()
            throw error
        }
        database.close()
    }
}
