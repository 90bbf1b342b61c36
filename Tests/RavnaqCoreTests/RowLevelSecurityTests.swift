import Dates
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

/// Three families F-1, F-2 and F-3 with rows in every table that leads to a family — the same
/// number for each family, so that a mentor's share of a table is exact — written by the schema
/// owner, with personal data a grant officer must never read.
private struct AccessBook {
    let fixture: CoreFixture
    let aziza: Actor
    let bobur: Actor

    /// The tables a mentor sees only for their families, and the ones everybody sees whole.
    static let familyTables = [
        "families", "members", "projects", "project_status_changes", "loans", "loan_installments", "repayments", "grants",
        "grant_tranches", "grant_expenses", "enrollments", "attendance", "visits", "plan_goals", "referrals", "project_reports",
        "household_incomes", "assessments",
    ]
    static let sharedTables = ["courses", "course_sessions"]

    static func make() async throws -> AccessBook {
        let fixture = try await CoreFixture.make()
        let book = AccessBook(fixture: fixture, aziza: try await fixture.user("aziza@example.org", .mentor),
                              bobur: try await fixture.user("bobur@example.org", .mentor))
        let org = "'\(fixture.admin.organizationID.idString)'::uuid"
        try await fixture.database.pool.withConnection { try $0.execute(Self.seedSQL.replacingOccurrences(of: "$org", with: org)) }
        return book
    }

    static let seedSQL = """
        SELECT ensure_accounts($org, 'UZS');
        INSERT INTO programmes (organization_id, name, donor, currency, starts_on, ends_on, budget)
        VALUES ($org, 'Family Business 2025', 'UNDP', 'UZS', '2025-01-01', '2026-12-31', 500000000);
        INSERT INTO families (organization_id, code, region, district, mahalla, consent_on)
        SELECT $org, 'F-' || n, 'Andijon', 'Asaka', 'Navbahor', '2025-01-10' FROM generate_series(1, 3) n;
        INSERT INTO members (organization_id, family_id, full_name, birth_date, pinfl, relation)
        SELECT organization_id, id, 'Dilnoza Karimova', '1988-04-02', '12345678901233', relation
        FROM families, unnest(ARRAY['head', 'daughter']) relation;
        INSERT INTO projects (organization_id, family_id, type, title) SELECT organization_id, id, 'sewing', 'Sewing' FROM families;
        INSERT INTO project_status_changes (organization_id, project_id, from_status, to_status, changed_on)
        SELECT organization_id, id, 'planned', 'active', '2025-01-20' FROM projects;
        INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind) VALUES ($org, '2025-02-15', 'UZS', 'repayment');
        INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
        SELECT t.organization_id, t.id, a.id, 'UZS', CASE a.code WHEN 'cash' THEN 300 ELSE -300 END
        FROM ledger_transactions t JOIN accounts a ON a.organization_id = t.organization_id AND a.code IN ('cash', 'loans_receivable');
        INSERT INTO loans (organization_id, programme_id, project_id, currency, principal, annual_rate, method, installments,
                           frequency, planned_disbursement_on, status, disbursed_on)
        SELECT p.organization_id, g.id, p.id, 'UZS', 200, 0, 'equal_principal', 2, 'monthly', '2025-01-15', 'active', '2025-01-15'
        FROM projects p, programmes g;
        INSERT INTO loan_installments (organization_id, loan_id, n, due_on, principal, interest)
        SELECT organization_id, id, n, ('2025-01-15'::date + make_interval(months => n))::date, 100, 0 FROM loans, generate_series(1, 2) n;
        INSERT INTO repayments (organization_id, loan_id, paid_on, amount, principal, transaction_id)
        SELECT l.organization_id, l.id, '2025-02-15', 100, 100, t.id FROM loans l, ledger_transactions t;
        INSERT INTO grants (organization_id, programme_id, project_id, currency, total)
        SELECT p.organization_id, g.id, p.id, 'UZS', 600 FROM projects p, programmes g;
        INSERT INTO grant_tranches (organization_id, grant_id, n, amount, planned_on)
        SELECT organization_id, id, n, 300, '2025-02-01' FROM grants, generate_series(1, 2) n;
        INSERT INTO grant_expenses (organization_id, grant_id, spent_on, category, amount)
        SELECT organization_id, id, '2025-03-01', 'equipment', 100 FROM grants;
        INSERT INTO courses (organization_id, code, title, skill, hours) VALUES ($org, 'SEW-1', 'Sewing basics', 'sewing', 40);
        INSERT INTO course_sessions (organization_id, course_id, held_on, hours, trainer, venue)
        SELECT organization_id, id, '2025-02-01', 4, 'Malika Yusupova', 'Mahalla centre' FROM courses;
        INSERT INTO enrollments (organization_id, course_id, member_id) SELECT m.organization_id, c.id, m.id FROM members m, courses c;
        INSERT INTO attendance (organization_id, session_id, enrollment_id)
        SELECT e.organization_id, s.id, e.id FROM enrollments e, course_sessions s;
        INSERT INTO visits (organization_id, family_id, visited_on, kind, notes, next_visit_on)
        SELECT organization_id, id, '2025-02-01', 'home', 'the husband drinks', '2025-03-01' FROM families;
        INSERT INTO plan_goals (organization_id, family_id, text, set_on, status_on)
        SELECT organization_id, id, 'Open a bank account', '2025-02-01', '2025-02-01' FROM families;
        INSERT INTO referrals (organization_id, family_id, specialist, reason, referred_on, status_on)
        SELECT organization_id, id, 'lawyer', 'land', '2025-02-01', '2025-02-01' FROM families;
        INSERT INTO project_reports (organization_id, project_id, period, revenue, costs)
        SELECT organization_id, id, '2025-03-01', 3200000, 1100000 FROM projects;
        INSERT INTO household_incomes (organization_id, family_id, period, household_size, project)
        SELECT organization_id, id, '2025-03-01', 5, 2100000 FROM families;
        INSERT INTO assessments (organization_id, family_id, assessed_on, kind, income, employment, housing, food, childcare,
                                 children_education, adult_education, health, life_skills, family_relations, community, legal,
                                 mobility, safety, credit)
        SELECT organization_id, id, '2025-03-10', 'intake', 2, 2, 2, 2, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2 FROM families;
        """

    /// `SELECT count(*)` without a WHERE clause on every table, as `actor`, or as the schema
    /// owner (everything) without one.
    func counts(as actor: Actor? = nil) async throws -> [String: Int] {
        let tables = Self.familyTables + Self.sharedTables + ["mentor_assignments"]
        let count: @Sendable (PostgresConnection) throws -> [String: Int] = { connection in
            try Dictionary(uniqueKeysWithValues: tables.map {
                ($0, try connection.query("SELECT count(*) FROM \($0)").first!.decode(0, as: Int.self))
            })
        }
        if let actor { return try await fixture.database.transaction(as: actor, count) }
        return try await fixture.database.pool.withConnection(count)
    }

    /// What a mentor with `share` of the three families sees: that share of every family table,
    /// the shared tables whole, and `assignments` of their own assignments.
    func expectShare(_ share: Int, assignments: Int, as mentor: Actor, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let all = try await counts()
        let seen = try await counts(as: mentor)
        for table in Self.familyTables {
            #expect(seen[table] == all[table]! / 3 * share, "\(table)", sourceLocation: sourceLocation)
        }
        for table in Self.sharedTables {
            #expect(seen[table] == all[table], "\(table)", sourceLocation: sourceLocation)
        }
        #expect(seen["mentor_assignments"] == assignments, "mentor_assignments", sourceLocation: sourceLocation)
    }

    func codes(as actor: Actor) async throws -> [String] {
        try await fixture.database.transaction(as: actor) { connection in
            try connection.query("SELECT code FROM families ORDER BY code").rows.map { try $0.decode(0, as: String.self) }
        }
    }

    func assign(_ code: String, to mentor: String, from: String) async throws {
        _ = try await Families(database: fixture.database).assignMentor(family: code, mentor: mentor, from: from, as: fixture.admin)
    }

    var today: LocalDate {
        get async throws {
            try await fixture.database.pool.withConnection {
                try $0.query("SELECT (now() AT TIME ZONE 'Asia/Tashkent')::date").first!.decode(0, as: LocalDate.self)
            }
        }
    }
}

@Suite("Access rules in PostgreSQL itself (sql/definitions/10_access.sql): mentors' families, grant officers' read-only view")
struct AccessRulesSQLTests {
    /// What a refusal of PostgreSQL's privileges or policies says: the same words whichever
    /// table or policy refused (its own text stays in the database's log, not in answers).
    static let databaseRefusal = "your role may not read or change this"
    @Test("a mentor's SELECT without WHERE returns only the rows of the families assigned to them today, in every table, and follows the assignments")
    func mentorScope() async throws {
        let book = try await AccessBook.make()
        try await book.expectShare(0, assignments: 0, as: book.aziza)

        try await book.assign("F-1", to: "aziza@example.org", from: "2025-01-01")
        try await book.assign("F-2", to: "bobur@example.org", from: "2025-01-01")
        // F-3 was Aziza's until Bobur took it over: only Bobur sees it now, and only his own assignment of it.
        try await book.assign("F-3", to: "aziza@example.org", from: "2025-01-01")
        try await book.assign("F-3", to: "bobur@example.org", from: "2025-03-01")
        try await book.expectShare(1, assignments: 1, as: book.aziza)
        try await book.expectShare(2, assignments: 2, as: book.bobur)
        #expect(try await book.codes(as: book.aziza) == ["F-1"])
        #expect(try await book.codes(as: book.bobur) == ["F-2", "F-3"])

        // F-2 moves to Aziza today; then her assignment of F-1 ends today.
        let today = try await book.today
        try await book.assign("F-2", to: "aziza@example.org", from: today.description)
        try await book.expectShare(2, assignments: 2, as: book.aziza)
        try await book.expectShare(1, assignments: 1, as: book.bobur)
        let ended = try await book.fixture.database.pool.withConnection {
            try $0.query("UPDATE mentor_assignments SET to_on = $1 WHERE to_on IS NULL AND family_id = (SELECT id FROM families WHERE code = 'F-1')",
                         [today]).affectedRows
        }
        #expect(ended == 1)
        #expect(try await book.codes(as: book.aziza) == ["F-2"])
        // An assignment that begins tomorrow gives nothing today.
        try await book.assign("F-1", to: "aziza@example.org", from: today.adding(days: 1).description)
        try await book.expectShare(1, assignments: 1, as: book.aziza)

        // The other roles see every family; a transaction that set no role sees none.
        let all = try await book.counts()
        #expect(try await book.counts(as: book.fixture.admin) == all)
        #expect(try await book.counts(as: try await book.fixture.user("malika@example.org", .coordinator)) == all)
        #expect(try await book.counts(as: try await book.fixture.user("officer@undp.example", .grantOfficer)) == all)
        let organization = book.fixture.admin.organizationID
        let nobody = try await book.fixture.database.pool.transaction { connection in
            try connection.query("SELECT set_config('ravnaq.organization_id', $1, true), set_config('role', 'ravnaq_app', true)",
                                 [organization.idString])
            return try connection.query("SELECT (SELECT count(*) FROM families), (SELECT count(*) FROM courses)").first
                .map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int.self)) }!
        }
        #expect(nobody == (0, 1))
    }

    @Test("a mentor cannot write outside their families either: a new row elsewhere violates the policy, an UPDATE without WHERE touches only theirs")
    func mentorWrites() async throws {
        let book = try await AccessBook.make()
        try await book.assign("F-1", to: "aziza@example.org", from: "2025-01-01")
        let other = try await book.fixture.database.pool.withConnection {
            try $0.query("SELECT id FROM families WHERE code = 'F-2'").first!.decode(0, as: UUID.self)
        }
        await #expect(throws: RavnaqError.forbidden(Self.databaseRefusal)) {
            try await book.fixture.database.transaction(as: book.aziza) { connection in
                try connection.query(
                    "INSERT INTO visits (organization_id, family_id, visited_on, kind, next_visit_on) VALUES (ravnaq_org(), $1, '2025-04-01', 'home', '2025-05-01')",
                    [other]
                ).affectedRows
            }
        }
        let touched = try await book.fixture.database.transaction(as: book.aziza) {
            try $0.query("UPDATE plan_goals SET text = 'Buy a second machine'").affectedRows
        }
        #expect(touched == 1)
    }

    @Test("only admins read the audit log, in SQL too")
    func auditLog() async throws {
        let book = try await AccessBook.make()
        try await book.assign("F-1", to: "aziza@example.org", from: "2025-01-01")
        let coordinator = try await book.fixture.user("malika@example.org", .coordinator)
        for (actor, sees) in [(book.fixture.admin, true), (coordinator, false), (book.aziza, false)] {
            let rows = try await book.fixture.database.transaction(as: actor) {
                try $0.query("SELECT count(*) FROM audit_log").first!.decode(0, as: Int.self)
            }
            #expect((rows > 0) == sees, "\(actor.role)")
        }
    }

    @Test("a grant officer runs as ravnaq_officer: reads every family's rows but no personal column, and writes nothing but a tranche's approval")
    func grantOfficer() async throws {
        let book = try await AccessBook.make()
        let officer = try await book.fixture.user("officer@undp.example", .grantOfficer)
        let database = book.fixture.database
        let (role, members) = try await database.transaction(as: officer) { connection in
            (try connection.query("SELECT current_user").first!.decode(0, as: String.self),
             try connection.query("SELECT id, family_id, relation, works FROM members").rowCount)
        }
        #expect(role == "ravnaq_officer")
        #expect(members == 6)

        // Personal columns, the audit log (its copies hold them) and tokens are not readable at all.
        let reads = [
            ("SELECT full_name FROM members", "members"), ("SELECT birth_date FROM members", "members"),
            ("SELECT pinfl FROM members", "members"), ("SELECT * FROM members", "members"),
            ("SELECT sex FROM members", "members"), ("SELECT count(*) FROM members WHERE sex = 'female'", "members"),
            ("SELECT mahalla FROM families", "families"), ("SELECT notes FROM visits", "visits"),
            ("SELECT count(*) FROM audit_log", "audit_log"), ("SELECT count(*) FROM api_tokens", "api_tokens"),
        ]
        for (sql, table) in reads {
            await #expect(throws: RavnaqError.forbidden(Self.databaseRefusal), "\(sql)") {
                try await database.transaction(as: officer) { try $0.query(sql).rowCount }
            }
        }
        // No write, even one that matches no row.
        let writes = [
            ("INSERT INTO families (organization_id, code, region, district) VALUES (ravnaq_org(), 'X-1', 'Andijon', 'Asaka')", "families"),
            ("UPDATE members SET works = true", "members"), ("UPDATE projects SET title = 'x' WHERE false", "projects"),
            ("UPDATE loans SET status = 'repaid'", "loans"), ("DELETE FROM repayments", "repayments"),
            ("INSERT INTO grant_expenses (organization_id, grant_id, spent_on, category, amount) SELECT organization_id, id, '2025-03-02', 'other', 1 FROM grants",
             "grant_expenses"),
            ("UPDATE grant_tranches SET disbursed_on = '2025-02-01'", "grant_tranches"), ("DELETE FROM grant_tranches WHERE false", "grant_tranches"),
            ("DELETE FROM visits WHERE false", "visits"), ("UPDATE plan_goals SET status = 'dropped'", "plan_goals"),
            ("DELETE FROM attendance", "attendance"), ("UPDATE household_incomes SET household_size = 6", "household_incomes"),
        ]
        for (sql, table) in writes {
            await #expect(throws: RavnaqError.forbidden(Self.databaseRefusal), "\(sql)") {
                try await database.transaction(as: officer) { try $0.query(sql).affectedRows }
            }
        }
        // Approving a tranche works, and is audited under the officer's name.
        let approved = try await database.transaction(as: officer) {
            try $0.query(
                "UPDATE grant_tranches SET approved_at = now(), approved_by = 'officer@undp.example' WHERE n = 2 AND grant_id = (SELECT min(id::text)::uuid FROM grants)"
            ).affectedRows
        }
        #expect(approved == 1)
        let audited = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM audit_log WHERE entity = 'grant_tranches' AND action = 'update' AND actor = 'officer@undp.example'")
                .first!.decode(0, as: Int.self)
        }
        #expect(audited == 1)
    }
}
