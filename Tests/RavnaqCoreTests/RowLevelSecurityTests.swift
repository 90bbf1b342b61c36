import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Row-level security: organizations never see each other's rows")
struct RowLevelSecurityTests {
    @Test("requests run as ravnaq_app, and even a query without WHERE sees only the actor's organization")
    func tenantIsolationInSQL() async throws {
        let fixture = try await CoreFixture.make()
        let other = try await Organizations(database: fixture.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let otherAdmin = Actor(userID: nil, organizationID: other.id, role: .admin, name: "cli:test")
        let families = Families(database: fixture.database)
        _ = try await families.create(FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka"), as: fixture.admin)
        _ = try await families.create(FamilyInput(code: "FG-0001", region: "Farg‘ona", district: "Rishton"), as: otherAdmin)
        _ = try await families.create(FamilyInput(code: "FG-0002", region: "Farg‘ona", district: "Rishton"), as: otherAdmin)

        let (role, seen, organizations) = try await fixture.database.transaction(as: fixture.admin) { connection in
            (try connection.query("SELECT current_user").first!.decode(0, as: String.self),
             try connection.query("SELECT code FROM families ORDER BY code").rows.map { try $0.decode(0, as: String.self) },
             try connection.query("SELECT count(*) FROM organizations").first!.decode(0, as: Int.self))
        }
        #expect(role == "ravnaq_app")
        #expect(seen == ["AN-0001"])
        #expect(organizations == 1)
        let audit = try await fixture.database.transaction(as: otherAdmin) { connection in
            try connection.query("SELECT DISTINCT organization_id FROM audit_log").rows.map { try $0.decode(0, as: UUID.self) }
        }
        #expect(audit == [other.id])

        // Writing into another organization is refused by PostgreSQL.
        let error = await #expect(throws: RavnaqError.self) {
            try await fixture.database.transaction(as: fixture.admin) { connection in
                try connection.query(
                    "INSERT INTO families (organization_id, code, region, district) VALUES ($1, 'X-1', 'R', 'D')", [other.id]
                ).affectedRows
            }
        }
        guard case .forbidden? = error else { Issue.record("expected a refusal, got \(String(describing: error))"); return }
        // And the ledger and the audit log cannot be changed by a request, even in its own organization.
        await #expect(throws: RavnaqError.self) {
            try await fixture.database.transaction(as: fixture.admin) { try $0.query("DELETE FROM audit_log").affectedRows }
        }
        // The same session without an actor (the owner) sees everything: bootstrap and migrations.
        let all = try await fixture.database.pool.withConnection { try $0.query("SELECT count(*) FROM families").first!.decode(0, as: Int.self) }
        #expect(all == 3)
    }

    @Test("another organization's family, loan or programme is not found through the services")
    func tenantIsolationInServices() async throws {
        let fixture = try await CoreFixture.make()
        let other = try await Organizations(database: fixture.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let otherAdmin = Actor(userID: nil, organizationID: other.id, role: .admin, name: "cli:test")
        let (programme, _) = try await LoansCoreTests.setUp(fixture)
        let (created, _) = try await Families(database: fixture.database).create(
            FamilyInput(code: "AN-0002", region: "Andijon", district: "Asaka"), as: fixture.admin)
        let familyID = try #require(try fixture.object(created)["id"] as? String)
        await #expect(throws: RavnaqError.notFound("family \(familyID)")) {
            try await Families(database: fixture.database).get(familyID, as: otherAdmin)
        }
        await #expect(throws: RavnaqError.notFound("programme \(programme)")) {
            try await Programmes(database: fixture.database).get(programme, as: otherAdmin)
        }
        let list = try await Families(database: fixture.database).list(query: nil, page: Page(), as: otherAdmin)
        #expect(list.items.isEmpty)
    }
}

@Suite("Grant officers see no personal data")
struct PersonalDataTests {
    @Test("the case file hides names, PINFL, birth dates and the mahalla from a grant officer, and search by name finds nothing")
    func hidden() async throws {
        let fixture = try await CoreFixture.make()
        let officer = try await fixture.user("officer@example.org", .grantOfficer)
        let families = Families(database: fixture.database)
        let (created, _) = try await families.create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", mahalla: "Navbahor", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", birth_date: "1988-04-02", relation: "head", pinfl: "12345678901233")]),
            as: fixture.admin)
        let id = try #require(try fixture.object(created)["id"] as? String)
        let seen = try await families.get(id, as: officer)
        for secret in ["Dilnoza", "Navbahor", "12345678901233", "1988-04-02"] {
            #expect(!seen.text.contains(secret), "\(secret)")
        }
        let file = try fixture.object(seen)
        #expect(file["code"] as? String == "AN-0001")
        #expect(file["district"] as? String == "Asaka")
        #expect((file["members"] as? [[String: Any]])?.first?["relation"] as? String == "head")
        #expect(try await families.list(query: "dilnoza", page: Page(), as: officer).items.isEmpty)
        #expect(try await families.list(query: "AN-0001", page: Page(), as: officer).items.count == 1)
        // The coordinator still sees everything.
        #expect(try await families.get(id, as: fixture.admin).text.contains("Dilnoza Karimova"))
    }
}
