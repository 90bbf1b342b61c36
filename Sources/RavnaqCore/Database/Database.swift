import Foundation
import Logging
import Postgres

/// The way to PostgreSQL for the whole process: a pool, and the private cluster behind it when
/// ravnaq runs its own (SPEC §10). Opened once by `serve` or by a CLI command, closed at exit.
public final class Database: Sendable {
    public let pool: PostgresPool
    public let cluster: PrivateCluster?
    /// The connection string the pool uses (for tools such as pg_dump and the benchmark).
    public let conninfo: String
    /// Actors of recently seen API tokens (`Users.authenticate`).
    let tokens = TokenCache()
    /// The hot standby the API's read-only GETs go to, when `--replica-url` names one.
    public let replica: Replica?

    public init(conninfo: String, cluster: PrivateCluster?, poolSize: Int, replica: Replica? = nil) {
        self.conninfo = conninfo
        self.cluster = cluster
        self.pool = PostgresPool(conninfo: conninfo, size: poolSize)
        self.replica = replica
    }

    /// Connects where the environment says: `DATABASE_URL` or the `PG*` variables name a server;
    /// otherwise ravnaq's private cluster in the data directory is started (or adopted).
    /// Pending migrations are applied.
    public static func open(
        dataDirectory: String?, poolSize: Int = 4, logger: Logger, replica: Replica? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Database {
        let database: Database
        if let external = externalConninfo(environment) {
            database = Database(conninfo: external, cluster: nil, poolSize: poolSize, replica: replica)
        } else {
            let directory = try DataDirectory.resolve(dataDirectory, environment: environment)
            let cluster = try PrivateCluster(dataDirectory: directory, logger: logger)
            do { try cluster.start() } catch {
                cluster.stop()
                throw error
            }
            database = Database(conninfo: cluster.conninfo, cluster: cluster, poolSize: poolSize, replica: replica)
        }
        do {
            let connection = try database.connect()
            let applied = try Migrator().migrate(connection)
            if !applied.isEmpty { logger.info("applied migrations: \(applied.joined(separator: ", "))") }
        } catch {
            database.close()
            throw error
        }
        return database
    }

    /// `DATABASE_URL`, or an empty conninfo (libpq reads `PG*` itself) when any of the usual
    /// variables names a server; nil when ravnaq should run its own cluster.
    static func externalConninfo(_ environment: [String: String]) -> String? {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        let named = ["PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"].contains { environment[$0]?.isEmpty == false }
        return named ? "" : nil
    }

    /// A connection of its own, outside the pool (migrations, bulk loads, one-shot commands).
    public func connect() throws -> PostgresConnection {
        do {
            return try PostgresConnection(conninfo: conninfo)
        } catch {
            throw RavnaqError.unavailable(error.message)
        }
    }

    /// Closes the pool and leaves the private cluster (stopping it if nobody else uses it).
    public func close() {
        pool.close()
        replica?.close()
        cluster?.stop()
    }
}

/// Where ravnaq keeps its private cluster: `--data-dir`, else `$RAVNAQ_DATA_DIR`, else
/// `~/.local/share/ravnaq` — for root `/var/lib/ravnaq`, since the postgres user cannot enter
/// root's home.
public enum DataDirectory {
    public static func resolve(_ option: String?, environment: [String: String]) throws -> URL {
        if let option, !option.isEmpty { return absolute(option) }
        if let variable = environment["RAVNAQ_DATA_DIR"], !variable.isEmpty { return absolute(variable) }
        if getuid() == 0 { return URL(fileURLWithPath: "/var/lib/ravnaq") }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw RavnaqError.setup("HOME is not set: give the data directory with --data-dir or RAVNAQ_DATA_DIR")
        }
        return URL(fileURLWithPath: home).appending(path: ".local/share/ravnaq")
    }

    private static func absolute(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
    }
}
