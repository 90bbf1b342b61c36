import Foundation
import Logging
import Postgres
@testable import RavnaqCore

/// A primary and its hot standby for the replica tests (issue 18): a private cluster of its own,
/// migrated, copied with `pg_basebackup -R` (streaming replication, Debian's PostgreSQL 15) into
/// a second one started as a standby. Made once per test run; the clusters go at exit.
public final class TestReplication: Sendable {
    public let primary: PrivateCluster
    public let standby: PrivateCluster
    let installation: PostgresInstallation
    let serverUser: String?

    public static let shared = Task<TestReplication, any Error> { try TestReplication() }

    private init() throws {
        var logger = Logger(label: "replication")
        logger.logLevel = .warning
        serverUser = getuid() == 0 ? "postgres" : nil
        installation = try PostgresInstallation.find(programs: ["initdb", "pg_ctl", "pg_basebackup"])
        primary = try PrivateCluster(dataDirectory: try TestDatabase.temporaryDirectory("primary"), logger: logger, maxConnections: 100)
        try primary.start()
        Cleanup.register(primary)
        try Migrator().migrate(PostgresConnection(conninfo: primary.conninfo))

        let standbyDirectory = try TestDatabase.temporaryDirectory("standby")
        let copy = standbyDirectory.appending(path: "pg")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if let serverUser, let account = getpwnam(serverUser) { chown(copy.path, account.pointee.pw_uid, account.pointee.pw_gid) }
        try Self.run(installation.program("pg_basebackup"), as: serverUser,
                ["-h", primary.clusterDirectory.path, "-p", "5432", "-U", PrivateCluster.superuserName, "-D", copy.path, "-R", "-X", "stream",
                 // At once: the default waits for the next spread checkpoint, minutes away.
                 "--checkpoint=fast"])
        // The primary's socket is in its data directory, so its lock file came with the copy
        // (naming the primary's live postmaster: the standby would refuse to start).
        try? FileManager.default.removeItem(at: copy.appending(path: ".s.PGSQL.5432.lock"))
        // Its own socket; the rest of the primary's settings, and standby.signal with
        // primary_conninfo from -R, came with the copy.
        let handle = try FileHandle(forWritingTo: copy.appending(path: "postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\nunix_socket_directories = '\(copy.path)'\nhot_standby = on\n".utf8))
        try handle.close()
        standby = try PrivateCluster(dataDirectory: standbyDirectory, logger: logger)
        try startStandby()
        Cleanup.register(standby)
    }

    public var primaryConninfo: String { primary.conninfo }
    public var standbyConninfo: String { standby.conninfo }

    /// Starts the standby (again); it catches up from the primary's WAL.
    public func startStandby() throws {
        try Self.run(installation.program("pg_ctl"), as: serverUser, ["start", "-w", "-t", "60", "-D", standby.clusterDirectory.path,
                                                 "-l", standby.clusterDirectory.appending(path: "server.log").path])
    }

    /// Stops the standby at once, as a replica lost would be.
    public func stopStandby() throws {
        try Self.run(installation.program("pg_ctl"), as: serverUser, ["stop", "-m", "fast", "-w", "-D", standby.clusterDirectory.path])
    }

    /// Stops or restarts the standby's replay of the primary's WAL (it still receives it).
    public func pauseReplay(_ paused: Bool) throws {
        let connection = try PostgresConnection(conninfo: standbyConninfo)
        _ = try connection.query(paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()").rowCount
    }

    private static func run(_ program: String, as serverUser: String?, _ arguments: [String]) throws {
        let output = try Subprocess.run(program, arguments, asUser: serverUser)
        guard output.status == 0 else { throw RavnaqError.setup("\(program) \(arguments.joined(separator: " ")): \(output.text)") }
    }
}
