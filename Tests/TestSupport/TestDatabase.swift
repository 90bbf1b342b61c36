import Foundation
import Logging
import Postgres
import RavnaqCore

/// One throwaway PostgreSQL cluster per test run, started through the same `PrivateCluster`
/// code that `ravnaq` uses, in a temporary directory that is removed when the run ends.
/// Every test gets a database of its own, copied from a migrated template, so tests run in
/// parallel without seeing each other's rows.
public enum TestDatabase {
    /// A fresh, migrated database for one test.
    public static func make(poolSize: Int = 4) async throws -> Database {
        let server = try await shared.value
        let name = "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        let admin = try PostgresConnection(conninfo: server.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE \(name) TEMPLATE ravnaq_template")
        return Database(conninfo: server.conninfo(database: name), cluster: nil, poolSize: poolSize)
    }

    /// The cluster's connection string for a database (for tests that need a raw connection).
    public static func conninfo(database: String) async throws -> String {
        try await shared.value.conninfo(database: database)
    }

    /// A data directory of its own for tests of the cluster life cycle; removed at exit.
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp").appending(path: "rq-\(label)-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // The postgres system user must be able to walk into it when we are root.
        chmod(url.path, 0o755)
        Cleanup.register(url)
        return url
    }

    struct Server: Sendable {
        let cluster: PrivateCluster
        func conninfo(database: String) -> String {
            "host=\(cluster.dataDirectory.appending(path: "pg").path) port=5432 dbname=\(database) user=ravnaq"
        }
    }

    private static let shared = Task<Server, any Error> {
        Cleanup.removeLeftovers()
        let directory = try temporaryDirectory("tests")
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        let cluster = try PrivateCluster(dataDirectory: directory, logger: logger, maxConnections: 500)
        try cluster.start()
        Cleanup.register(cluster)
        let server = Server(cluster: cluster)
        // The template: every migration applied once; each test's database is a copy.
        let admin = try PostgresConnection(conninfo: server.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE ravnaq_template")
        let template = try PostgresConnection(conninfo: server.conninfo(database: "ravnaq_template"))
        try Migrator().migrate(template)
        return server
    }
}

/// Stops the test cluster and removes temporary directories when the test process exits.
enum Cleanup {
    private static let state = LockedState()

    final class LockedState: @unchecked Sendable {
        let lock = NSLock()
        var clusters: [PrivateCluster] = []
        var directories: [URL] = []
    }

    static func register(_ cluster: PrivateCluster) {
        state.lock.withLock { state.clusters.append(cluster) }
        installOnce()
    }

    static func register(_ directory: URL) {
        state.lock.withLock { state.directories.append(directory) }
        installOnce()
    }

    private static let installed: Void = {
        atexit {
            let (clusters, directories) = Cleanup.state.lock.withLock { (Cleanup.state.clusters, Cleanup.state.directories) }
            for cluster in clusters { cluster.stop() }
            for directory in directories { try? FileManager.default.removeItem(at: directory) }
        }
    }()

    private static func installOnce() { _ = installed }

    /// A test process that crashed cannot run its `atexit`: stop the clusters and remove the
    /// folders of test processes that no longer exist (`/tmp/rq-<label>-<pid>-…`).
    private static var quietLogger: Logger {
        var logger = Logger(label: "cleanup")
        logger.logLevel = .warning
        return logger
    }

    static func removeLeftovers() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in entries where name.hasPrefix("rq-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let pid = Int32(parts[2]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let directory = URL(fileURLWithPath: "/tmp").appending(path: name)
            if FileManager.default.fileExists(atPath: directory.appending(path: "pg/postmaster.pid").path),
               let cluster = try? PrivateCluster(dataDirectory: directory, logger: quietLogger) {
                cluster.stop()
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
