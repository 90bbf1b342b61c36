import Foundation
import Postgres
import Testing
import TestSupport

@Suite("libpq pool, COPY and reconnect")
struct PoolCopyReconnectTests {
    @Test("200 concurrent transactions on a pool of 3 all land, using at most 3 connections")
    func poolUnderConcurrency() async throws {
        let database = try await TestDatabase.make(poolSize: 3)
        try await database.pool.withConnection { try $0.execute("CREATE TABLE hits (n int NOT NULL)") }
        let backends = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 {
                group.addTask {
                    try await database.pool.transaction { connection in
                        try connection.query("INSERT INTO hits VALUES ($1)", [n])
                        return try connection.query("SELECT pg_backend_pid()").first!.decode(0, as: Int.self)
                    }
                }
            }
            var pids = Set<Int>()
            for try await pid in group { pids.insert(pid) }
            return pids
        }
        #expect(backends.count <= 3)
        let (count, sum) = try await database.pool.withConnection { connection in
            let row = try connection.query("SELECT count(*), sum(n) FROM hits").first!
            return (try row.decode(0, as: Int.self), try row.decode(1, as: Int.self))
        }
        #expect(count == 200)
        #expect(sum == (0..<200).reduce(0, +))
    }

    @Test("COPY FROM STDIN loads every row exactly, escapes and NULLs included")
    func copy() async throws {
        let database = try await TestDatabase.make()
        let rows: [[String?]] = (0..<20_000).map { n in
            [String(n), n % 7 == 0 ? nil : "O‘zbekiston\t\(n)\\\n\r end", "\(n).\(n % 100 < 10 ? "0" : "")\(n % 100)"]
        }
        let loaded = try await database.pool.withConnection { connection in
            try connection.execute("CREATE TABLE bulk (n int PRIMARY KEY, label text, amount numeric(18,2))")
            return try connection.copyIn("COPY bulk (n, label, amount) FROM STDIN", rows: rows)
        }
        #expect(loaded == 20_000)
        let back = try await database.pool.withConnection { connection in
            try connection.query("SELECT n, label, amount::text FROM bulk ORDER BY n").rows.map {
                [try $0.decode(0, as: Int.self).description, try $0.decode(1, as: String?.self), try $0.decode(2, as: String.self)]
            }
        }
        #expect(back == rows)
    }

    @Test("a failing COPY is reported and loads nothing")
    func copyFailure() async throws {
        let database = try await TestDatabase.make()
        let error = await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                try connection.execute("CREATE TABLE bulk (n int PRIMARY KEY)")
                try connection.copyIn("COPY bulk (n) FROM STDIN", rows: [["1"], ["2"], ["1"]])
            }
        }
        #expect(error?.sqlState == .uniqueViolation)
    }

    @Test("connections killed under the pool are replaced; at most one request sees the loss")
    func reconnectAfterTermination() async throws {
        let database = try await TestDatabase.make(poolSize: 2)
        let name = try await database.pool.withConnection { try $0.query("SELECT current_database()").first!.decode(0, as: String.self) }
        // Warm both connections (the sleep keeps the first busy while the second is taken).
        async let a = database.pool.withConnection { try $0.query("SELECT pg_sleep(0.3)").rowCount }
        async let b = database.pool.withConnection { try $0.query("SELECT pg_sleep(0.3)").rowCount }
        _ = try await (a, b)

        let killer = try PostgresConnection(conninfo: try await TestDatabase.conninfo(database: name))
        let killed = try killer.query(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) k",
            [name]
        ).first!.decode(0, as: Int.self)
        // Both, unless a slow machine let one task finish before the other began.
        #expect((1...2).contains(killed))

        var failures = 0
        for _ in 0..<6 {
            do {
                let one = try await database.pool.withConnection { try $0.query("SELECT 1").first!.decode(0, as: Int.self) }
                #expect(one == 1)
            } catch let error as PostgresError {
                #expect(error.kind == .connection)
                failures += 1
            }
        }
        #expect(failures <= 1)
    }

    @Test("a transaction on a pooled connection whose server went away runs on a new connection instead of failing")
    func transactionRetriesABrokenConnectionOnce() async throws {
        let database = try await TestDatabase.make(poolSize: 1)
        let name = try await database.pool.withConnection { try $0.query("SELECT current_database()").first!.decode(0, as: String.self) }
        let before = try await database.pool.transaction { try $0.query("SELECT pg_backend_pid()").first!.decode(0, as: Int.self) }
        let killer = try PostgresConnection(conninfo: try await TestDatabase.conninfo(database: name))
        try killer.query("SELECT pg_terminate_backend($1)", [before])
        // What a restart of PostgreSQL leaves: the pool's only connection is dead. The next
        // transaction succeeds at once, on a new backend.
        let after = try await database.pool.transaction { try $0.query("SELECT pg_backend_pid()").first!.decode(0, as: Int.self) }
        #expect(after != before)
        // A connection lost in the middle of a transaction is not retried: its work may have
        // reached the server, so the caller hears of it.
        await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                try killer.query("SELECT pg_terminate_backend($1)", [after])
                return try connection.query("SELECT 1").rowCount
            }
        }
    }

    @Test("a connection to nowhere is a connection error with libpq's reason")
    func unreachable() async throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "host=/nonexistent-dir port=5432 dbname=x connect_timeout=2")
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("/nonexistent-dir") == true)
    }
}
