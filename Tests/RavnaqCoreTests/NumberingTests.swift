import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// An organization with a programme and a project, ready for loans and grants.
struct NumberingFixture {
    let database: Database
    let admin: Actor
    let programme: String
    let project: String

    static func make(_ database: Database, code: String) async throws -> NumberingFixture {
        let organization = try await Organizations(database: database).add(code: code, name: "Organization \(code)", operatorName: "cli:test")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test")
        let programme = try await Programmes(database: database).create(
            ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31", budget: "500000000"),
            as: admin)
        let (family, _) = try await Families(database: database).create(
            FamilyInput(code: "\(code)-0001", region: "Andijon", district: "Asaka"), as: admin)
        let familyID = try #require(try JSONSerialization.jsonObject(with: Data(family.text.utf8)) as? [String: Any])["id"] as? String
        let project = try await Projects(database: database).create(
            ProjectInput(family_id: familyID, type: "baking", title: "Tandir bakery"), as: admin)
        let projectID = try #require(try JSONSerialization.jsonObject(with: Data(project.text.utf8)) as? [String: Any])["id"] as? String
        return NumberingFixture(database: database, admin: admin, programme: programme.id, project: try #require(projectID))
    }

    func openLoan() async throws -> String {
        try await Loans(database: database).open(
            LoanInput(programme_id: programme, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-15"),
            as: admin).number
    }

    func openGrant() async throws -> String {
        try await Grants(database: database).create(
            GrantInput(programme_id: programme, project_id: project, currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "6000000", planned_on: "2025-02-01")]),
            as: admin).number
    }
}

@Suite("Loan and grant numbers, per organization (SPEC §9)")
struct NumberingTests {
    @Test("each organization numbers its own loans and grants from L-000001 and G-000001, and a number names the organization's own")
    func perOrganization() async throws {
        let database = try await TestDatabase.make()
        let a = try await NumberingFixture.make(database, code: "AN")
        let b = try await NumberingFixture.make(database, code: "FG")
        #expect(try await a.openLoan() == "L-000001")
        #expect(try await b.openLoan() == "L-000001")
        #expect(try await a.openLoan() == "L-000002")
        #expect(try await b.openGrant() == "G-000001")
        #expect(try await a.openGrant() == "G-000001")
        #expect(try await b.openGrant() == "G-000002")
        // The same number in two organizations: each finds its own.
        let theirs = try await Loans(database: database).get("L-000001", asOf: nil, as: b.admin)
        #expect(theirs.project_id == b.project)
        #expect(try await Loans(database: database).get("L-000001", asOf: nil, as: a.admin).project_id == a.project)
        #expect(try await Grants(database: database).get("G-000002", as: b.admin).project_id == b.project)
        await #expect(throws: RavnaqError.notFound("grant G-000002")) { try await Grants(database: database).get("G-000002", as: a.admin) }
    }

    @Test("concurrent loans and grants in one organization take distinct numbers with no gaps, and a rolled-back insert gives its number back")
    func concurrent() async throws {
        let database = try await TestDatabase.make(poolSize: 12)
        let a = try await NumberingFixture.make(database, code: "AN")
        let numbers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<24 {
                group.addTask { index % 2 == 0 ? try await a.openLoan() : try await a.openGrant() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let expected = (1...12).map { String(format: "%06d", $0) }
        #expect(numbers.filter { $0.hasPrefix("L-") }.sorted() == expected.map { "L-" + $0 })
        #expect(numbers.filter { $0.hasPrefix("G-") }.sorted() == expected.map { "G-" + $0 })
        // A grant refused after its row was written (the tranche insert fails) takes no number.
        try await database.pool.withConnection { connection in
            let refused = #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    _ = try connection.query(
                        "INSERT INTO grants (organization_id, programme_id, project_id, currency, total) VALUES ($1, $2, $3, 'UZS', 1)",
                        [a.admin.organizationID, UUID(uuidString: a.programme)!, UUID(uuidString: a.project)!])
                    _ = try connection.query("SELECT 1 / 0")
                }
            }
            #expect(refused?.sqlState?.code == "22012")
        }
        #expect(try await a.openGrant() == "G-000013")
    }

    @Test("seed generate reserves its numbers from the organization's counters: a generated organization starts at L-000001 and G-000001, and the next loan opened follows its last")
    func generated() async throws {
        let database = try await TestDatabase.make()
        let other = try await NumberingFixture.make(database, code: "AN")
        #expect(try await other.openLoan() == "L-000001")
        let summary = try await ScaleSeed(database: database).generate(families: 30, organizationCode: "GEN")
        let org = summary.organization.id
        let (loans, grants, lastLoan, lastGrant, programme, project): (Int, Int, String, String, String, String) =
            try await database.pool.withConnection { connection in
                let row = try connection.query(
                    """
                    SELECT (SELECT count(*) FROM loans WHERE organization_id = $1)::int, (SELECT count(*) FROM grants WHERE organization_id = $1)::int,
                           (SELECT max(number) FROM loans WHERE organization_id = $1), (SELECT max(number) FROM grants WHERE organization_id = $1),
                           (SELECT programme_id::text FROM loans WHERE organization_id = $1 LIMIT 1),
                           (SELECT id::text FROM projects WHERE organization_id = $1 LIMIT 1)
                    """, [org]).first!
                return (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4), try row.decode(5))
            }
        #expect(loans > 0 && grants > 0)
        #expect(lastLoan == String(format: "L-%06d", loans))
        #expect(lastGrant == String(format: "G-%06d", grants))
        let distinct = try await database.pool.withConnection { connection in
            try connection.query("SELECT count(DISTINCT number)::int FROM loans WHERE organization_id = $1", [org]).first!.decode(0, as: Int.self)
        }
        #expect(distinct == loans)
        let generated = NumberingFixture(
            database: database, admin: Actor(userID: nil, organizationID: org, role: .admin, name: "cli:test"),
            programme: programme, project: project)
        #expect(try await generated.openLoan() == String(format: "L-%06d", loans + 1))
        #expect(try await other.openLoan() == "L-000002")
    }
}
