import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Reads from a streaming replica (issue 18), against a real hot standby made by
/// `pg_basebackup` (TestReplication). One after the other: they pause and stop the standby.
@Suite("Reads from a hot standby: routing, read-your-writes, lag and loss", .serialized)
struct ReplicaTests {
    struct Setup {
        let replication: TestReplication
        let database: Database
        let replica: Replica
        let admin: Actor
        let mentor: Actor
    }

    /// A database on the primary with the standby as its replica, and an organization of its own
    /// with an admin and a mentor, each signed in by token.
    static func setup(maxLag: Duration = .seconds(30)) async throws -> Setup {
        let replication = try await TestReplication.shared.value
        var settings = Replica.Settings()
        settings.maxLag = maxLag
        var logger = Logger(label: "replica")
        logger.logLevel = .error
        let replica = Replica(conninfo: replication.standbyConninfo, poolSize: 2, settings: settings, logger: logger)
        let database = Database(conninfo: replication.primaryConninfo, cluster: nil, poolSize: 2, replica: replica)
        let code = "R" + UUID().uuidString.prefix(6).replacingOccurrences(of: "-", with: "")
        let organization = try await Organizations(database: database).add(code: code, name: "Replica test", operatorName: "cli:test")
        let users = Users(database: database)
        let (_, adminToken) = try await users.add(email: "admin-\(code)@example.org", role: .admin, organizationID: organization.id, actorName: "cli:test")
        let (_, mentorToken) = try await users.add(email: "mentor-\(code)@example.org", role: .mentor, organizationID: organization.id, actorName: "cli:test")
        let setup = Setup(replication: replication, database: database, replica: replica,
                          admin: try await users.authenticate(token: adminToken), mentor: try await users.authenticate(token: mentorToken))
        try await caughtUp(setup)
        return setup
    }

    /// Checks until the standby holds everything the primary wrote (at most 20 s).
    static func caughtUp(_ setup: Setup) async throws {
        for _ in 0..<100 {
            await setup.replica.check(primary: setup.database.pool)
            if setup.replica.lag == .zero && setup.replica.usable { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the standby did not catch up")
    }

    /// Where a read-only GET's transaction ran — "replica" or "primary" — and the families it saw.
    static func read(_ setup: Setup, as actor: Actor) async throws -> (on: String, families: [String]) {
        try await ReadRouting.$replicaAllowed.withValue(true) {
            try await setup.database.transaction(as: actor) { connection in
                let standby: Bool = try connection.query("SELECT pg_is_in_recovery()").first!.decode(0)
                let codes = try connection.query("SELECT code FROM families ORDER BY code").rows.map { try $0.decode(0, as: String.self) }
                return (standby ? "replica" : "primary", codes)
            }
        }
    }

    static func addFamily(_ setup: Setup, _ code: String, as actor: Actor) async throws {
        _ = try await Families(database: setup.database).create(
            FamilyInput(code: code, region: "Andijon", district: "Asaka", consent_on: "2025-01-10"), as: actor)
    }

    @Test("read-only GETs run on the standby under the request role and row-level security; writes and other reads on the primary")
    func routing() async throws {
        let setup = try await Self.setup()
        defer { setup.database.close() }
        try await Self.addFamily(setup, "RP-1", as: setup.admin)
        try await Self.caughtUp(setup)
        // A second token (the mentor's) reads from the standby: its admin's family is not theirs.
        #expect(try await Self.read(setup, as: setup.mentor) == ("replica", []))
        // Outside a read-only GET, the primary.
        let outside = try await setup.database.transaction(as: setup.admin) { try $0.query("SELECT pg_is_in_recovery()").first!.decode(0, as: Bool.self) }
        #expect(outside == false)
        // The mentor's own family is seen on the standby once it has replayed it.
        _ = try await Families(database: setup.database).assignMentor(family: "RP-1", mentor: setup.mentor.name, from: "2025-02-01", as: setup.admin)
        try await Self.caughtUp(setup)
        #expect(try await Self.read(setup, as: setup.mentor) == ("replica", ["RP-1"]))
    }

    @Test("after its own write a token reads from the primary until the standby has replayed it; another token reads the standby meanwhile")
    func readYourWrites() async throws {
        let setup = try await Self.setup()
        defer { setup.database.close() }
        // A second token of the admin's, on the standby too.
        let users = Users(database: setup.database)
        let other = try await users.authenticate(token: try await users.newToken(email: setup.admin.name, actorName: "cli:test"))
        try await Self.caughtUp(setup)
        try setup.replication.pauseReplay(true)
        defer { try? setup.replication.pauseReplay(false) }
        try await Self.addFamily(setup, "RW-1", as: setup.admin)
        await setup.replica.check(primary: setup.database.pool)
        #expect(setup.replica.usable)  // behind by a moment, well inside the 30 s allowed
        #expect(try await Self.read(setup, as: setup.admin) == ("primary", ["RW-1"]))
        // The second token has not written: the standby, which has not replayed the family yet.
        #expect(try await Self.read(setup, as: other) == ("replica", []))
        // A token made after the standby stopped replaying is not there: the primary checks it.
        let newer = try await users.authenticate(token: try await users.newToken(email: setup.admin.name, actorName: "cli:test"))
        #expect(try await Self.read(setup, as: newer) == ("primary", ["RW-1"]))

        try setup.replication.pauseReplay(false)
        try await Self.caughtUp(setup)
        #expect(try await Self.read(setup, as: setup.admin) == ("replica", ["RW-1"]))
    }

    @Test("through the API: a GET goes to the standby, a POST to the primary, and the token that wrote reads its write")
    func throughTheAPI() async throws {
        let setup = try await Self.setup()
        defer { setup.database.close() }
        let users = Users(database: setup.database)
        let writer = try await users.newToken(email: setup.admin.name, actorName: "cli:test")
        let reader = try await users.newToken(email: setup.admin.name, actorName: "cli:test")
        try await Self.caughtUp(setup)
        try setup.replication.pauseReplay(true)
        defer { try? setup.replication.pauseReplay(false) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = buildApplication(services: Services(database: setup.database), host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.router) { client in
            func codes(_ token: String) async throws -> [String] {
                try await client.execute(uri: "/api/v1/families", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok)
                    return (try json(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                }
            }
            let created = try await client.execute(
                uri: "/api/v1/families", method: .post, headers: [.authorization: "Bearer \(writer)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"code": "API-1", "region": "Andijon", "district": "Asaka"}"#)) { $0.status }
            #expect(created == .created)
            #expect(try await codes(writer) == ["API-1"])
            #expect(try await codes(reader) == [])  // the standby, still paused before the family
            try setup.replication.pauseReplay(false)
            try await Self.caughtUp(setup)
            #expect(try await codes(reader) == ["API-1"])
        }
    }

    @Test("a standby lagging more than the limit is skipped, and used again once it has caught up")
    func lag() async throws {
        let setup = try await Self.setup(maxLag: .seconds(1))
        defer { setup.database.close() }
        try setup.replication.pauseReplay(true)
        defer { try? setup.replication.pauseReplay(false) }
        await setup.replica.check(primary: setup.database.pool)
        try await Self.addFamily(setup, "LG-1", as: setup.admin)
        try await Task.sleep(for: .milliseconds(1500))
        await setup.replica.check(primary: setup.database.pool)
        #expect(!setup.replica.usable)
        #expect((setup.replica.lag ?? .zero) > .seconds(1))
        #expect(try await Self.read(setup, as: setup.mentor).on == "primary")
        // A server starting now, its first check finding the standby behind by it cannot tell
        // how much: not used until it has caught up.
        let starting = Replica(conninfo: setup.replication.standbyConninfo, poolSize: 1, logger: Logger(label: "replica"))
        defer { starting.close() }
        await starting.check(primary: setup.database.pool)
        #expect(!starting.usable && starting.lag == nil)

        try setup.replication.pauseReplay(false)
        try await Self.caughtUp(setup)
        #expect(try await Self.read(setup, as: setup.mentor).on == "replica")
    }

    @Test("a standby that goes away is skipped at the next read, which the primary answers; back, it is used again")
    func loss() async throws {
        let setup = try await Self.setup()
        defer { setup.database.close() }
        // The pool's connections to the standby are open (the setup read from it).
        #expect(try await Self.read(setup, as: setup.mentor).on == "replica")
        try setup.replication.stopStandby()
        do {
            // The read that meets the lost standby is answered by the primary.
            #expect(try await Self.read(setup, as: setup.mentor).on == "primary")
            await setup.replica.check(primary: setup.database.pool)
            #expect(!setup.replica.usable && setup.replica.lag == nil)
            #expect(try await Self.read(setup, as: setup.mentor).on == "primary")
        } catch {
            try? setup.replication.startStandby()
            throw error
        }
        try setup.replication.startStandby()
        try await Self.caughtUp(setup)
        #expect(try await Self.read(setup, as: setup.mentor).on == "replica")
    }
}
