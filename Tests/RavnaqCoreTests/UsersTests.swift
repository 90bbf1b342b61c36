import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Organizations, users and tokens")
struct UsersTests {
    @Test("a new user's token authenticates as that user; only its hash is stored")
    func tokenAuthenticates() async throws {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let users = Users(database: database)
        let (user, token) = try await users.add(email: "malika@example.org", role: .coordinator, organizationID: organization.id, actorName: "cli:test")
        let actor = try await users.authenticate(token: token)
        #expect(actor == Actor(userID: user.id, organizationID: organization.id, role: .coordinator, name: "malika@example.org", token: token))

        let stored = try await database.pool.withConnection { connection in
            try connection.query("SELECT encode(token_hash, 'hex') FROM api_tokens").rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(stored.count == 1)
        #expect(!stored[0].contains(token))
        let dump = try await database.pool.withConnection { connection in
            try connection.query("SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ') FROM audit_log").first!.decode(0, as: String.self)
        }
        #expect(!dump.contains(token))
        #expect(!dump.contains(stored[0]))
    }

    @Test("wrong, malformed and revoked tokens are refused; a further token works until revoked")
    func refusedTokens() async throws {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let users = Users(database: database)
        let (_, first) = try await users.add(email: "a@example.org", role: .mentor, organizationID: organization.id, actorName: "cli:test")
        let second = try await users.newToken(email: "A@example.org", actorName: "cli:test")
        #expect(try await users.authenticate(token: second).role == .mentor)

        for bad in ["", "rvq_", "nonsense", String(first.dropLast()) + (first.last == "A" ? "B" : "A")] {
            await #expect(throws: RavnaqError.unauthenticated) { try await users.authenticate(token: bad) }
        }
        #expect(try await users.revoke(email: "a@example.org", actorName: "cli:test") == 2)
        await #expect(throws: RavnaqError.unauthenticated) { try await users.authenticate(token: first) }
        await #expect(throws: RavnaqError.unauthenticated) { try await users.authenticate(token: second) }
    }

    @Test("bad input and duplicates are refused with clear errors and write nothing")
    func badInput() async throws {
        let database = try await TestDatabase.make()
        let organizations = Organizations(database: database)
        let organization = try await organizations.add(code: "AN", name: "Andijon", operatorName: "cli:test")
        await #expect(throws: RavnaqError.self) { try await organizations.add(code: "an", name: "Again", operatorName: "cli:test") }
        let invalid = await #expect(throws: RavnaqError.self) { try await organizations.add(code: "bad code!", name: " ", operatorName: "cli:test") }
        guard case .invalid(let fields)? = invalid else { Issue.record("expected invalid input"); return }
        #expect(fields.map(\.pointer) == ["/code", "/name"])

        let users = Users(database: database)
        _ = try await users.add(email: "a@example.org", role: .admin, organizationID: organization.id, actorName: "cli:test")
        let duplicate = await #expect(throws: RavnaqError.self) {
            try await users.add(email: "A@EXAMPLE.org", role: .mentor, organizationID: organization.id, actorName: "cli:test")
        }
        #expect(duplicate?.message.contains("already exists") == true)
        await #expect(throws: RavnaqError.self) {
            try await users.add(email: "not-an-email", role: .mentor, organizationID: organization.id, actorName: "cli:test")
        }
        let count = try await database.pool.withConnection { try $0.query("SELECT count(*) FROM users").first!.decode(0, as: Int.self) }
        #expect(count == 1)
    }

    @Test("every change is in the audit log with its actor, and the log cannot be edited")
    func audit() async throws {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:dilnoza")
        _ = try await Users(database: database).add(email: "a@example.org", role: .admin, organizationID: organization.id, actorName: "cli:dilnoza")
        let entries = try await database.pool.withConnection { connection in
            try connection.query("SELECT actor, action, entity FROM audit_log ORDER BY id").rows.map {
                [try $0.decode(0, as: String.self), try $0.decode(1, as: String.self), try $0.decode(2, as: String.self)]
            }
        }
        // A new organization's calendar (Sunday off, the eight fixed holidays) is part of making it.
        #expect(entries == [["cli:dilnoza", "insert", "organizations"], ["cli:dilnoza", "insert", "calendars"]]
                    + Array(repeating: ["cli:dilnoza", "insert", "holidays"], count: 8)
                    + [["cli:dilnoza", "insert", "users"], ["cli:dilnoza", "insert", "api_tokens"]])
        let error = await #expect(throws: PostgresError.self) {
            try await database.pool.withConnection { try $0.query("UPDATE audit_log SET actor = 'someone else'").affectedRows }
        }
        #expect(error?.message.contains("cannot be changed") == true)
    }

    @Test("a CLI command without --org picks the only organization, and asks when there are several")
    func resolveOrganization() async throws {
        let database = try await TestDatabase.make()
        let organizations = Organizations(database: database)
        await #expect(throws: RavnaqError.self) { try await organizations.resolve(code: nil) }
        _ = try await organizations.add(code: "AN", name: "Andijon", operatorName: "cli:test")
        #expect(try await organizations.resolve(code: nil).code == "AN")
        _ = try await organizations.add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let error = await #expect(throws: RavnaqError.self) { try await organizations.resolve(code: nil) }
        #expect(error?.message.contains("--org") == true)
        #expect(try await organizations.resolve(code: "fg").name == "Farg‘ona")
    }
}
