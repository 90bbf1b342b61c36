import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// An organization with an admin actor, on a fresh database.
struct CoreFixture {
    let database: Database
    let admin: Actor

    static func make() async throws -> CoreFixture {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        return CoreFixture(database: database, admin: Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test"))
    }

    func user(_ email: String, _ role: Role) async throws -> Actor {
        let (user, _) = try await Users(database: database).add(email: email, role: role, organizationID: admin.organizationID, actorName: "cli:test")
        return Actor(userID: user.id, organizationID: user.organizationID, role: role, name: email)
    }

    func object(_ json: JSONText) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any])
    }
}

@Suite("Families, members and mentors (SPEC §2)")
struct FamiliesTests {
    @Test("PINFL: the check digit rule, and a wrong one is a warning, not an error")
    func pinfl() async throws {
        // 7,3,1 weights over the first 13 digits: for 1234567890123, Σ = 7+6+3+28+15+6+49+24+9+0+3+2+21 = 173 → 3.
        #expect(PINFL.checkDigit("12345678901230") == 3)
        #expect(PINFL.hasValidCheckDigit("12345678901233"))
        #expect(!PINFL.hasValidCheckDigit("12345678901234"))
        #expect(!PINFL.hasValidShape("1234567890123"))
        #expect(!PINFL.hasValidShape("1234567890123a"))

        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        let (_, warnings) = try await families.create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", relation: "head", pinfl: "12345678901234")]),
            as: fixture.admin)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("expected 3") == true)
        let invalid = await #expect(throws: RavnaqError.self) {
            try await families.create(
                FamilyInput(code: "AN-0002", region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                            members: [MemberInput(full_name: "X", relation: "head", pinfl: "123")]), as: fixture.admin)
        }
        #expect(invalid?.message.contains("members 0 pinfl: ") == true)
    }

    @Test("without consent no personal data is stored; every bad field is named at once")
    func consentAndValidation() async throws {
        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        let error = await #expect(throws: RavnaqError.self) {
            try await families.create(
                FamilyInput(code: "bad code!", region: "", district: "Asaka", mahalla: "Navbahor", categories: ["poor"],
                            members: [MemberInput(full_name: "A", sex: "x", birth_date: "1990-02-30", relation: "cousin")]),
                as: fixture.admin)
        }
        guard case .invalid(let fields)? = error else { Issue.record("expected invalid input"); return }
        #expect(Set(fields.map(\.pointer)) == ["/code", "/region", "/categories/0", "/members/0/sex", "/members/0/birth_date",
                                               "/members/0/relation", "/mahalla", "/members"])
        // The database refuses personal data without consent even when asked directly.
        let created = try await families.create(FamilyInput(code: "AN-0003", region: "Andijon", district: "Asaka"), as: fixture.admin)
        let id = try #require(try fixture.object(created.family)["id"] as? String)
        await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { connection in
                try connection.query(
                    "INSERT INTO members (organization_id, family_id, full_name, relation) VALUES ($1, $2, 'X', 'head')",
                    [fixture.admin.organizationID, UUID(uuidString: id)!]).affectedRows
            }
        }
        let count = try await fixture.database.pool.withConnection { try $0.query("SELECT count(*) FROM members").first!.decode(0, as: Int.self) }
        #expect(count == 0)
    }

    @Test("one mentor at a time: a new assignment ends the current one; only mentors can be assigned")
    func mentors() async throws {
        let fixture = try await CoreFixture.make()
        _ = try await fixture.user("aziza@example.org", .mentor)
        _ = try await fixture.user("bobur@example.org", .mentor)
        _ = try await fixture.user("officer@example.org", .grantOfficer)
        let families = Families(database: fixture.database)
        let created = try await families.create(FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka"), as: fixture.admin)
        let id = try #require(try fixture.object(created.family)["id"] as? String)

        _ = try await families.assignMentor(family: id, mentor: "aziza@example.org", from: "2025-01-01", as: fixture.admin)
        _ = try await families.assignMentor(family: "AN-0001", mentor: "bobur@example.org", from: "2025-06-01", as: fixture.admin)
        let march = try fixture.object(try await families.get(id, asOf: "2025-03-01", as: fixture.admin))
        #expect((march["mentor"] as? [String: Any])?["email"] as? String == "aziza@example.org")
        let july = try fixture.object(try await families.get(id, asOf: "2025-07-01", as: fixture.admin))
        #expect((july["mentor"] as? [String: Any])?["email"] as? String == "bobur@example.org")

        await #expect(throws: RavnaqError.self) {
            try await families.assignMentor(family: id, mentor: "officer@example.org", from: "2025-08-01", as: fixture.admin)
        }
        await #expect(throws: RavnaqError.self) {
            try await families.assignMentor(family: id, mentor: "aziza@example.org", from: "2025-05-01", as: fixture.admin)
        }
        // The exclusion constraint backs it: two overlapping assignments cannot exist.
        let overlap = await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { connection in
                try connection.query(
                    """
                    INSERT INTO mentor_assignments (organization_id, family_id, mentor_id, from_on)
                    SELECT organization_id, $1, id, '2025-09-01' FROM users WHERE email = 'aziza@example.org'
                    """, [UUID(uuidString: id)!]).affectedRows
            }
        }
        #expect(overlap?.constraint == "mentor_assignments_one_at_a_time")
    }

    @Test("search folds Uzbek apostrophes and case; pages follow the cursor and the cursor is tied to its filter")
    func searchAndPaging() async throws {
        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        let names = ["G‘ulnora O‘rinova", "Gʻayrat Maʼrufov", "Дилноза Каримова", "Sherzod Tursunov", "G`ulchehra Ro'ziyeva"]
        for (index, name) in names.enumerated() {
            _ = try await families.create(
                FamilyInput(code: "AN-000\(index + 1)", region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                            members: [MemberInput(full_name: name, relation: "head")]), as: fixture.admin)
        }
        func codes(_ page: ListPage) throws -> [String] {
            try page.items.map { try #require(try fixture.object($0)["code"] as? String) }
        }
        #expect(try codes(try await families.list(query: "G'ULNORA", page: Page(), as: fixture.admin)) == ["AN-0001"])
        #expect(try codes(try await families.list(query: "g’ul", page: Page(), as: fixture.admin)) == ["AN-0001", "AN-0005"])
        #expect(try codes(try await families.list(query: "ma'ruf", page: Page(), as: fixture.admin)) == ["AN-0002"])
        #expect(try codes(try await families.list(query: "каримова", page: Page(), as: fixture.admin)) == ["AN-0003"])

        let first = try await families.list(query: nil, page: Page(limit: 2), as: fixture.admin)
        #expect(try codes(first) == ["AN-0001", "AN-0002"])
        let cursor = try #require(first.nextCursor)
        let second = try await families.list(query: nil, page: try Page(limit: "2", cursor: cursor), as: fixture.admin)
        #expect(try codes(second) == ["AN-0003", "AN-0004"])
        let last = try await families.list(query: nil, page: try Page(limit: "2", cursor: second.nextCursor), as: fixture.admin)
        #expect(try codes(last) == ["AN-0005"])
        #expect(last.nextCursor == nil)
        // The cursor belongs to the list without a search: with one it is refused.
        await #expect(throws: RavnaqError.badQuery([.init(pointer: "/cursor", detail: "is not a cursor of this list with these filters")])) {
            try await families.list(query: "g'ul", page: try Page(limit: "2", cursor: cursor), as: fixture.admin)
        }
        #expect(throws: RavnaqError.self) { try Page(limit: "501", cursor: nil) }
    }

    @Test("a search over more families than its window (2 000, tested one by one) meets the indexes' matches beyond it without a gap or a repeat")
    func searchBeyondTheWindow() async throws {
        let fixture = try await CoreFixture.make()
        // 2 100 families in one statement; a rare name in every 300th, a common one in every 3rd.
        let expected: [String: [String]] = try await fixture.database.pool.withConnection { connection in
            try connection.query(
                """
                WITH f AS (
                    INSERT INTO families (organization_id, code, region, district, consent_on)
                    SELECT $1, 'W-' || lpad(n::text, 4, '0'), 'Andijon', 'Asaka', '2025-01-10' FROM generate_series(1, 2100) n
                    RETURNING id, code)
                INSERT INTO members (organization_id, family_id, full_name, relation)
                SELECT $1, f.id, CASE WHEN substring(f.code, 3)::int % 300 = 0 THEN 'Zafar Ro‘ziyev' ELSE 'Dilnoza Karimova' END, 'head'
                FROM f WHERE substring(f.code, 3)::int % 300 = 0 OR substring(f.code, 3)::int % 3 = 1
                """, [fixture.admin.organizationID])
            // The list's order: by when registered (one statement: the same), then by id.
            var expected: [String: [String]] = [:]
            for (name, term) in [("rare", "%roziyev%"), ("common", "%karimova%")] {
                expected[name] = try connection.query(
                    """
                    SELECT f.code FROM families f JOIN members m ON m.family_id = f.id
                    WHERE fold_name(m.full_name) LIKE $1 ORDER BY f.created_at, f.id
                    """, [term]).rows.map { try $0.decode(0, as: String.self) }
            }
            return expected
        }
        #expect(expected["rare"]?.count == 7 && expected["common"]?.count == 700)
        let families = Families(database: fixture.database)
        func all(_ query: String, limit: Int) async throws -> [String] {
            var codes: [String] = []
            var cursor: String?
            repeat {
                let page = try await families.list(query: query, page: try Page(limit: "\(limit)", cursor: cursor), as: fixture.admin)
                codes += try page.items.map { try #require(try fixture.object($0)["code"] as? String) }
                cursor = page.nextCursor
            } while cursor != nil
            return codes
        }
        #expect(try await all("ro'ziyev", limit: 3) == expected["rare"])
        #expect(try await all("KARIMOVA", limit: 250) == expected["common"])
    }
}

@Suite("Consent withdrawal and exit (SPEC §2)")
struct ConsentTests {
    @Test("withdrawing consent erases personal fields everywhere, audit copies included; code and money stay")
    func withdraw() async throws {
        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        let (created, _) = try await families.create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", mahalla: "Navbahor", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", sex: "female", birth_date: "1988-04-02", relation: "head",
                                                  pinfl: "12345678901233")]),
            as: fixture.admin)
        let id = try #require(try fixture.object(created)["id"] as? String)
        let after = try fixture.object(try await families.withdrawConsent(family: "AN-0001", date: "2025-06-01", as: fixture.admin))
        #expect(after["code"] as? String == "AN-0001")
        #expect(after["mahalla"] is NSNull)
        #expect(after["consent_withdrawn_on"] as? String == "2025-06-01")
        let member = try #require((after["members"] as? [[String: Any]])?.first)
        #expect(member["full_name"] is NSNull)
        #expect(member["pinfl"] is NSNull)
        #expect(member["sex"] is NSNull)  // personal like the name: officers never read it member by member
        #expect(member["relation"] as? String == "head")

        let leftovers = try await fixture.database.pool.withConnection { connection in
            try connection.query(
                "SELECT count(*) FROM audit_log WHERE (before::text || coalesce(after::text, '')) ~ '(Dilnoza|12345678901233|1988-04-02|Navbahor|\"female\")'"
            ).first!.decode(0, as: Int.self)
        }
        #expect(leftovers == 0)
        let markers = try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM audit_log WHERE after ->> 'full_name' = '[erased]' AND after ->> 'sex' = '[erased]'").first!.decode(0, as: Int.self)
        }
        #expect(markers >= 1)
        // Everything else in the audit log is still untouchable.
        await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { try $0.query("UPDATE audit_log SET after = NULL").affectedRows }
        }
        // No personal data can come back without new consent.
        await #expect(throws: RavnaqError.self) {
            try await families.addMember(family: id, MemberInput(full_name: "X", relation: "son"), as: fixture.admin)
        }
    }

    @Test("an exit records date and reason once")
    func exit() async throws {
        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        _ = try await families.create(FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka"), as: fixture.admin)
        let exited = try fixture.object(try await families.exit(family: "AN-0001", ExitInput(date: "2025-05-01", reason: "moved"), as: fixture.admin))
        #expect(exited["status"] as? String == "exited")
        #expect(exited["exit_reason"] as? String == "moved")
        await #expect(throws: RavnaqError.self) {
            try await families.exit(family: "AN-0001", ExitInput(date: "2025-05-02", reason: "moved"), as: fixture.admin)
        }
        let invalid = await #expect(throws: RavnaqError.self) {
            try await families.exit(family: "AN-0001", ExitInput(date: "x", reason: "bored"), as: fixture.admin)
        }
        #expect(invalid?.message.contains("reason: ") == true)
    }
}
