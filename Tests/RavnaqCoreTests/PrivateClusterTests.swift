import Foundation
import Logging
import Postgres
@testable import RavnaqCore
import Testing
import TestSupport

@Suite("Private PostgreSQL cluster (SPEC §10)")
struct PrivateClusterTests {
    var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    @Test("created, started, shared by two users, stopped by the last one, and reused with its data")
    func lifecycle() async throws {
        let directory = try TestDatabase.temporaryDirectory("life")
        let server = try Database.open(dataDirectory: directory.path, logger: logger, environment: [:])
        try await server.pool.withConnection { try $0.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)") }

        // A second user (a CLI command while the server runs) adopts the running cluster...
        let command = try Database.open(dataDirectory: directory.path, logger: logger, environment: [:])
        #expect(try await command.pool.withConnection { try $0.query("SELECT n FROM kept").first!.decode(0, as: Int.self) } == 42)
        // ...and leaving does not stop it under the server.
        command.close()
        #expect(try await server.pool.withConnection { try $0.query("SELECT 1").rowCount } == 1)

        // The last one out stops it: nothing listens on the socket any more.
        server.close()
        #expect(throws: PostgresError.self) { try PostgresConnection(conninfo: server.conninfo) }

        // A second start reuses the data.
        let again = try Database.open(dataDirectory: directory.path, logger: logger, environment: [:])
        #expect(try await again.pool.withConnection { try $0.query("SELECT n FROM kept").first!.decode(0, as: Int.self) } == 42)
        again.close()
    }

    @Test("a server restart under a running pool: requests fail as unavailable at most once, then work")
    func restartUnderPool() async throws {
        let directory = try TestDatabase.temporaryDirectory("restart")
        let database = try Database.open(dataDirectory: directory.path, poolSize: 2, logger: logger, environment: [:])
        defer { database.close() }
        #expect(try await database.pool.withConnection { try $0.query("SELECT 1").rowCount } == 1)

        // Stop PostgreSQL behind ravnaq's back, as an operator or a crash would.
        let pgctl = try #require(["/usr/lib/postgresql/15/bin/pg_ctl", "/usr/local/bin/pg_ctl"].first { FileManager.default.isExecutableFile(atPath: $0) })
        try runPostgresTool(pgctl, ["stop", "-D", directory.appending(path: "pg").path, "-m", "fast", "-w"])
        await #expect(throws: RavnaqError.self) {
            try await database.transaction { try $0.query("SELECT 1").rowCount }
        }
        try runPostgresTool(pgctl, ["start", "-D", directory.appending(path: "pg").path, "-w", "-l", directory.appending(path: "pg/server.log").path])

        var failures = 0
        for _ in 0..<5 {
            do {
                #expect(try await database.transaction { try $0.query("SELECT 1").rowCount } == 1)
            } catch RavnaqError.unavailable {
                failures += 1
            }
        }
        #expect(failures <= 1)
    }

    @Test("a data directory whose socket path is too long is refused with a clear message")
    func socketPathLimit() throws {
        let deep = "/tmp/" + String(repeating: "d", count: 100)
        let error = #expect(throws: RavnaqError.self) { try PrivateCluster(dataDirectory: URL(fileURLWithPath: deep), logger: logger) }
        #expect(error?.message.contains("107-byte limit") == true)
    }

    @Test("a data directory the postgres user cannot reach is refused before anything is created", .enabled(if: getuid() == 0))
    func unreachableRefusedFirst() throws {
        let closed = try TestDatabase.temporaryDirectory("closed")
        chmod(closed.path, 0o700)  // root's alone: the postgres user cannot enter it
        let wanted = closed.appending(path: "ravnaq/data")
        let error = #expect(throws: RavnaqError.self) {
            try Database.open(dataDirectory: wanted.path, logger: logger, environment: [:])
        }
        #expect(error?.message.contains("cannot reach \(closed.path)") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: closed.appending(path: "ravnaq").path))
    }

    @Test("the data directory comes from --data-dir, then RAVNAQ_DATA_DIR, then the home folder")
    func dataDirectoryResolution() throws {
        #expect(try DataDirectory.resolve("/srv/r", environment: ["RAVNAQ_DATA_DIR": "/x"]).path == "/srv/r")
        #expect(try DataDirectory.resolve(nil, environment: ["RAVNAQ_DATA_DIR": "/x"]).path == "/x")
        let fallback = try DataDirectory.resolve(nil, environment: ["HOME": "/home/dilnoza"]).path
        #expect(fallback == (getuid() == 0 ? "/var/lib/ravnaq" : "/home/dilnoza/.local/share/ravnaq"))
    }

    @Test("DATABASE_URL or PG* variables select an external server")
    func externalServer() {
        #expect(Database.externalConninfo(["DATABASE_URL": "postgresql://u@h/db"]) == "postgresql://u@h/db")
        #expect(Database.externalConninfo(["PGHOST": "/run/postgresql"]) == "")
        #expect(Database.externalConninfo(["HOME": "/root"]) == nil)
    }
}

/// Runs pg_ctl as the cluster's owner (the postgres user when the tests run as root), through
/// the same spawner ravnaq uses (Foundation's Process would wait on the started server).
func runPostgresTool(_ program: String, _ arguments: [String]) throws {
    let output = try Subprocess.run(program, arguments, asUser: getuid() == 0 ? "postgres" : nil)
    #expect(output.status == 0, "\(output.text)")
}
