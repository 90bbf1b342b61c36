import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

@Suite("libpq errors and transactions")
struct ErrorAndTransactionTests {
    @Test("server errors carry SQLSTATE, message, detail and constraint")
    func errorFields() async throws {
        let database = try await TestDatabase.make()
        try await database.pool.withConnection { connection in
            try connection.execute("CREATE TABLE things (code text CONSTRAINT things_code_key UNIQUE, n int CONSTRAINT things_n_positive CHECK (n > 0))")
            try connection.query("INSERT INTO things VALUES ($1, $2)", ["A", 1])
        }
        let duplicate = await #expect(throws: PostgresError.self) {
            try await database.pool.withConnection { try $0.query("INSERT INTO things VALUES ($1, $2)", ["A", 2]).affectedRows }
        }
        #expect(duplicate?.kind == .server)
        #expect(duplicate?.sqlState == .uniqueViolation)
        #expect(duplicate?.constraint == "things_code_key")
        #expect(duplicate?.detail == "Key (code)=(A) already exists.")
        #expect(duplicate?.table == "things")

        let check = await #expect(throws: PostgresError.self) {
            try await database.pool.withConnection { try $0.query("INSERT INTO things VALUES ($1, $2)", ["B", -5]).affectedRows }
        }
        #expect(check?.sqlState == .checkViolation)
        #expect(check?.constraint == "things_n_positive")

        let syntax = await #expect(throws: PostgresError.self) {
            try await database.pool.withConnection { try $0.query("SELEC 1").rowCount }
        }
        #expect(syntax?.sqlState == SQLState("42601"))
        #expect(syntax?.message.contains("syntax error") == true)

        // The connection is still usable after errors.
        let count = try await database.pool.withConnection { try $0.query("SELECT count(*) FROM things").first!.decode(0, as: Int.self) }
        #expect(count == 1)
    }

    @Test("a thrown error rolls the whole transaction back")
    func rollback() async throws {
        let database = try await TestDatabase.make()
        try await database.pool.withConnection { try $0.execute("CREATE TABLE t (n int)") }
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await database.pool.transaction { connection in
                try connection.query("INSERT INTO t VALUES ($1)", [1])
                try connection.query("INSERT INTO t VALUES ($1)", [2])
                throw Refused()
            }
        }
        // A server error mid-transaction rolls back the statements before it too.
        await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                try connection.query("INSERT INTO t VALUES ($1)", [3])
                try connection.query("INSERT INTO t VALUES ($1)", ["not a number"])
                return ()
            }
        }
        let count = try await database.pool.withConnection { try $0.query("SELECT count(*) FROM t").first!.decode(0, as: Int.self) }
        #expect(count == 0)
        // And the connection is not left inside a failed transaction.
        _ = try await database.pool.transaction { try $0.query("INSERT INTO t VALUES ($1)", [4]).affectedRows }
        let after = try await database.pool.withConnection { try $0.query("SELECT count(*) FROM t").first!.decode(0, as: Int.self) }
        #expect(after == 1)
    }

    @Test("serialization failures and deadlocks are retried; the body runs again")
    func retry() async throws {
        let database = try await TestDatabase.make()
        try await database.pool.withConnection { connection in
            try connection.execute("CREATE TABLE t (n int)")
            try connection.execute("""
                CREATE FUNCTION raise_transient(code text) RETURNS void LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'transient' USING ERRCODE = code; END $$
                """)
        }
        let attempts = Atomic<Int>(0)
        for code in ["40001", "40P01"] {
            attempts.store(0, ordering: .relaxed)
            try await database.pool.transaction { connection in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                try connection.query("INSERT INTO t VALUES ($1)", [attempt])
                if attempt < 3 {
                    try connection.query("SELECT raise_transient($1)", [code])
                }
            }
            #expect(attempts.load(ordering: .relaxed) == 3)
        }
        // Only the successful attempts' rows are there: one per code.
        let rows = try await database.pool.withConnection { try $0.query("SELECT n FROM t ORDER BY n").rows.map { try $0.decode(0, as: Int.self) } }
        #expect(rows == [3, 3])
    }

    @Test("a real serialization conflict between two transactions resolves by retry")
    func realConflict() async throws {
        let database = try await TestDatabase.make(poolSize: 4)
        try await database.pool.withConnection { try $0.execute("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    // Up to 50 attempts: which transaction loses each round is up to timing, and
                    // this test is about every increment landing, not about the retry budget.
                    try await database.pool.transaction(isolation: .serializable, attempts: 50) { connection in
                        let n = try connection.query("SELECT n FROM counter").first!.decode(0, as: Int.self)
                        try connection.query("UPDATE counter SET n = $1", [n + 1])
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await database.pool.withConnection { try $0.query("SELECT n FROM counter").first!.decode(0, as: Int.self) }
        #expect(n == 8)
    }
}
