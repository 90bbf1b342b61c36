import Foundation
import Logging
import Postgres

/// Ravnaq's own PostgreSQL cluster inside its data directory (SPEC §10): created with initdb on
/// first use, started with pg_ctl, reachable only through a unix socket in the data directory
/// (no TCP port), and run as the `postgres` system user when ravnaq itself runs as root.
///
/// Several ravnaq processes may share one cluster (the server and CLI commands). Each holds a
/// shared lock on `cluster.users` while it uses the cluster; whoever leaves last stops it.
/// Starting and stopping happen under the exclusive `cluster.transition` lock, so a command
/// waits while another ravnaq starts or stops the cluster.
public final class PrivateCluster: @unchecked Sendable {
    public let dataDirectory: URL
    private let installation: PostgresInstallation
    private let logger: Logger
    /// The system user PostgreSQL runs as when we are root; nil when we run it as ourselves.
    private let serverUser: String?
    private var usersLock: FileLock?
    /// Written into postgresql.conf when the cluster is created.
    private let maxConnections: Int

    static let socketPathLimit = 107
    static let databaseName = "ravnaq"
    static let superuserName = "ravnaq"

    /// `maxConnections` matters only when the cluster is created (the test harness asks for more,
    /// since its tests run in parallel, each with a pool of its own).
    public init(dataDirectory: URL, logger: Logger, maxConnections: Int = 50) throws(RavnaqError) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.maxConnections = maxConnections
        self.installation = try PostgresInstallation.find()
        self.logger = logger
        self.serverUser = getuid() == 0 ? "postgres" : nil
        let socketPath = clusterDirectory.appending(path: ".s.PGSQL.5432").path
        guard socketPath.utf8.count <= Self.socketPathLimit else {
            throw .setup(
                "the data directory \(self.dataDirectory.path) is too deep: PostgreSQL's socket path "
                    + "\(socketPath) would pass its \(Self.socketPathLimit)-byte limit; choose a shorter --data-dir")
        }
    }

    var clusterDirectory: URL { dataDirectory.appending(path: "pg") }

    /// How to reach the cluster once it runs.
    public var conninfo: String {
        "host=\(clusterDirectory.path) port=5432 dbname=\(Self.databaseName) user=\(Self.superuserName)"
    }

    /// Creates the cluster if needed and starts it unless it already runs (then it is adopted).
    /// Returns whether this call started the server.
    @discardableResult
    public func start() throws(RavnaqError) -> Bool {
        try prepareDirectories()
        let transition = try FileLock(dataDirectory.appending(path: "cluster.transition"), exclusive: true)
        defer { transition.unlock() }
        usersLock = try FileLock(dataDirectory.appending(path: "cluster.users"), exclusive: false)

        if !FileManager.default.fileExists(atPath: clusterDirectory.appending(path: "PG_VERSION").path) {
            try initialize()
        }
        if try isRunning() {
            logger.info("adopting the running PostgreSQL in \(clusterDirectory.path)")
            return false
        }
        logger.info("starting PostgreSQL in \(clusterDirectory.path)")
        // A cluster left behind by a killed ravnaq may have a stale postmaster.pid; pg_ctl and
        // the postmaster check whether that process still lives and start over if not.
        try pgctl(["start", "-w", "-t", "60", "-l", clusterDirectory.appending(path: "server.log").path],
                  failure: "PostgreSQL did not start")
        try createDatabaseIfMissing()
        return true
    }

    /// Leaves the cluster; stops it if no other ravnaq process is using it.
    public func stop() {
        guard let transition = try? FileLock(dataDirectory.appending(path: "cluster.transition"), exclusive: true) else { return }
        defer { transition.unlock() }
        usersLock?.unlock()
        usersLock = nil
        guard let sole = FileLock.tryExclusive(dataDirectory.appending(path: "cluster.users")) else {
            logger.info("PostgreSQL stays up: another ravnaq process is using it")
            return
        }
        defer { sole.unlock() }
        guard (try? isRunning()) == true else { return }
        logger.info("stopping PostgreSQL in \(clusterDirectory.path)")
        do {
            try pgctl(["stop", "-w", "-m", "fast"], failure: "PostgreSQL did not stop")
        } catch {
            logger.error("\(error.message)")
        }
    }

    // MARK: Steps

    private func prepareDirectories() throws(RavnaqError) {
        let fileManager = FileManager.default
        // A data directory the server user cannot reach is refused before anything is made:
        // what ravnaq would create gets the usual 0755, so the nearest folder that already
        // exists is the one that decides. (With the cluster's folder there, nothing is made, and
        // the check below is the one that runs.)
        if let serverUser, !fileManager.fileExists(atPath: clusterDirectory.path) {
            var existing = dataDirectory
            while !fileManager.fileExists(atPath: existing.path) && existing.path != "/" { existing.deleteLastPathComponent() }
            let reachable = try? Subprocess.run("/usr/bin/test", ["-x", existing.path], asUser: serverUser)
            guard reachable?.status == 0 else {
                throw .setup(
                    "PostgreSQL runs as the \(serverUser) system user, which cannot reach \(existing.path) (so not \(dataDirectory.path) either): "
                        + "give it search permission on every parent folder (chmod o+x) or choose another --data-dir")
            }
        }
        do {
            try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            if !fileManager.fileExists(atPath: clusterDirectory.path) {
                try fileManager.createDirectory(at: clusterDirectory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw .setup("cannot create the data directory \(dataDirectory.path): \(error.localizedDescription)")
        }
        guard let serverUser else { return }
        // The postgres user must own the cluster folder and be able to walk to it.
        guard chownToServerUser(clusterDirectory) else {
            throw .setup("cannot hand \(clusterDirectory.path) to the \(serverUser) system user")
        }
        let reachable = try? Subprocess.run("/usr/bin/test", ["-w", clusterDirectory.path, "-a", "-x", clusterDirectory.path], asUser: serverUser)
        guard reachable?.status == 0 else {
            throw .setup(
                "PostgreSQL runs as the \(serverUser) system user, which cannot reach \(clusterDirectory.path): "
                    + "give it search permission on every parent folder (chmod o+x) or choose another --data-dir")
        }
    }

    private func chownToServerUser(_ url: URL) -> Bool {
        guard let serverUser, let account = getpwnam(serverUser) else { return false }
        return chown(url.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0
    }

    private func initialize() throws(RavnaqError) {
        logger.info("creating a PostgreSQL cluster in \(clusterDirectory.path)")
        try run(installation.program("initdb"),
                ["-D", clusterDirectory.path, "-U", Self.superuserName, "-E", "UTF8", "--locale=C.UTF-8",
                 "--auth=trust", "--no-instructions"],
                failure: "initdb could not create the cluster")
        // Unix socket only, readable by its owner only: `trust` is safe because nobody else can
        // open the socket.
        let settings = """

            # Set by ravnaq: a private cluster reachable only through its own socket.
            listen_addresses = ''
            unix_socket_directories = '\(clusterDirectory.path)'
            unix_socket_permissions = 0700
            max_connections = \(maxConnections)
            shared_buffers = 256MB
            # Room for bulk loads (seed generate, restore) without a checkpoint every few seconds.
            max_wal_size = 4GB
            log_min_messages = warning

            """
        let configuration = clusterDirectory.appending(path: "postgresql.conf")
        do {
            let handle = try FileHandle(forWritingTo: configuration)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()
        } catch {
            throw .setup("cannot configure \(configuration.path): \(error.localizedDescription)")
        }
    }

    private func isRunning() throws(RavnaqError) -> Bool {
        let output: Subprocess.Output
        do {
            output = try Subprocess.run(installation.program("pg_ctl"), ["status", "-D", clusterDirectory.path], asUser: serverUser)
        } catch {
            throw .setup("cannot run pg_ctl: \(error)")
        }
        return output.status == 0
    }

    /// The cluster's own `ravnaq` database, made on first start (initdb makes only `postgres`).
    private func createDatabaseIfMissing() throws(RavnaqError) {
        do {
            let admin = try PostgresConnection(
                conninfo: "host=\(clusterDirectory.path) port=5432 dbname=postgres user=\(Self.superuserName)")
            let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [Self.databaseName]).rowCount > 0
            if !exists { try admin.execute("CREATE DATABASE \(Self.databaseName)") }
        } catch {
            throw .setup("cannot create the \(Self.databaseName) database in \(clusterDirectory.path): \(error)")
        }
    }

    private func pgctl(_ arguments: [String], failure: String) throws(RavnaqError) {
        try run(installation.program("pg_ctl"), [arguments[0], "-D", clusterDirectory.path] + arguments.dropFirst(), failure: failure)
    }

    @discardableResult
    private func run(_ program: String, _ arguments: [String], failure: String) throws(RavnaqError) -> String {
        let output: Subprocess.Output
        do {
            output = try Subprocess.run(program, arguments, asUser: serverUser)
        } catch {
            throw .setup("\(failure): cannot run \(program): \(error)")
        }
        guard output.status == 0 else {
            var message = "\(failure): \(output.text.trimmingCharacters(in: .whitespacesAndNewlines))"
            let log = clusterDirectory.appending(path: "server.log").path
            if FileManager.default.fileExists(atPath: log) { message += " (see \(log))" }
            throw .setup(message)
        }
        return output.text
    }
}
