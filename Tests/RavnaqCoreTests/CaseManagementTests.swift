import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// Families AN-0001… assigned to mentors, on a fresh database.
struct CaseFixture {
    let core: CoreFixture
    let cases: CaseManagement
    let families: Families
    let aziza: Actor
    let bobur: Actor

    static func make() async throws -> CaseFixture {
        let core = try await CoreFixture.make()
        return CaseFixture(
            core: core, cases: CaseManagement(database: core.database), families: Families(database: core.database),
            aziza: try await core.user("aziza@example.org", .mentor), bobur: try await core.user("bobur@example.org", .mentor))
    }

    func family(_ code: String, mentor: String? = nil, from: String = "2025-01-01") async throws {
        _ = try await families.create(FamilyInput(code: code, region: "Andijon", district: "Asaka"), as: core.admin)
        if let mentor { _ = try await families.assignMentor(family: code, mentor: mentor, from: from, as: core.admin) }
    }

    func visit(_ code: String, _ date: String, next: String, as actor: Actor? = nil, notes: String? = nil) async throws {
        _ = try await cases.recordVisit(family: code, VisitInput(date: date, kind: "home", notes: notes, next_visit_on: next),
                                        as: actor ?? core.admin)
    }

    /// The due list's rows as (code, days_overdue).
    func due(_ mentor: String?, asOf: String, as actor: Actor? = nil) async throws -> [[String: Any]] {
        let list = try core.object(try await cases.due(mentor: mentor, asOf: asOf, as: actor ?? core.admin))
        return try #require(list["items"] as? [[String: Any]])
    }

    func codes(_ rows: [[String: Any]]) -> [String] { rows.compactMap { $0["code"] as? String } }

    func count(_ table: String) async throws -> Int {
        try await core.database.pool.withConnection { try $0.query("SELECT count(*) FROM \(table)").first!.decode(0, as: Int.self) }
    }
}

@Suite("Case management: visits, the due list, goals and referrals (SPEC §7)")
struct CaseManagementTests {
    @Test("the due list at its edges: due on the planned day, not the day before; never visited is due; most overdue first")
    func dueEdges() async throws {
        let f = try await CaseFixture.make()
        try await f.family("AN-0001", mentor: "aziza@example.org")
        try await f.family("AN-0002", mentor: "aziza@example.org")
        try await f.family("AN-0003", mentor: "aziza@example.org", from: "2025-01-15")
        try await f.family("AN-0004", mentor: "bobur@example.org")
        try await f.visit("AN-0001", "2025-02-01", next: "2025-03-01")
        try await f.visit("AN-0002", "2025-02-01", next: "2025-03-02")
        try await f.visit("AN-0004", "2025-02-01", next: "2025-02-10")

        let march1 = try await f.due("aziza@example.org", asOf: "2025-03-01")
        #expect(f.codes(march1) == ["AN-0003", "AN-0001"])
        let never = try #require(march1.first)
        #expect(never["days_overdue"] as? Int == 45)
        #expect(never["last_visit_on"] is NSNull)
        #expect(never["next_visit_on"] is NSNull)
        #expect(never["due_since"] as? String == "2025-01-15")
        #expect(never["region"] as? String == "Andijon")
        #expect(never["district"] as? String == "Asaka")
        #expect(never["family_id"] as? String != nil)
        let onTheDay = march1[1]
        #expect(onTheDay["last_visit_on"] as? String == "2025-02-01")
        #expect(onTheDay["next_visit_on"] as? String == "2025-03-01")
        #expect(onTheDay["days_overdue"] as? Int == 0)

        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-02-28")) == ["AN-0003"])
        let march2 = try await f.due("aziza@example.org", asOf: "2025-03-02")
        #expect(f.codes(march2) == ["AN-0003", "AN-0001", "AN-0002"])
        #expect(march2.map { $0["days_overdue"] as? Int } == [46, 1, 0])
        // Only the latest visit counts, and only from its own day on.
        try await f.visit("AN-0001", "2025-03-05", next: "2025-04-05")
        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-03-02")) == ["AN-0003", "AN-0001", "AN-0002"])
        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-03-05")) == ["AN-0003", "AN-0002"])
        // Bobur's family is on his list only.
        #expect(f.codes(try await f.due("bobur@example.org", asOf: "2025-03-01")) == ["AN-0004"])
        // A family is on the list only from its assignment's first day (AN-0003's is 2025-01-15).
        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-01-10")) == ["AN-0001", "AN-0002"])
    }

    @Test("a mentor gains and loses families as assignments change")
    func reassignment() async throws {
        let f = try await CaseFixture.make()
        try await f.family("AN-0001", mentor: "aziza@example.org")
        try await f.visit("AN-0001", "2025-02-01", next: "2025-03-01", as: f.aziza, notes: "fabric bought")
        _ = try await f.families.assignMentor(family: "AN-0001", mentor: "bobur@example.org", from: "2025-04-01", as: f.core.admin)

        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-03-15")) == ["AN-0001"])
        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-04-10")) == [])
        // Bobur has not visited since his assignment began: due from its first day.
        let bobur = try await f.due(nil, asOf: "2025-04-10", as: f.bobur)
        #expect(f.codes(bobur) == ["AN-0001"])
        #expect(bobur.first?["last_visit_on"] as? String == "2025-02-01")
        #expect(bobur.first?["next_visit_on"] is NSNull)
        #expect(bobur.first?["days_overdue"] as? Int == 9)

        // The family is no longer Aziza's: she neither reads nor records anything of it, not even
        // a visit dated in her time (a coordinator records that); to her it does not exist.
        for date in ["2025-03-20", "2025-04-05"] {
            await #expect(throws: RavnaqError.notFound("family AN-0001")) {
                try await f.visit("AN-0001", date, next: "2025-05-05", as: f.aziza)
            }
        }
        await #expect(throws: RavnaqError.notFound("family AN-0001")) {
            try await f.cases.visits(family: "AN-0001", page: Page(), as: f.aziza)
        }
        // Bobur records only what is dated within his assignment (from 2025-04-01).
        await #expect(throws: RavnaqError.forbidden(
            "a mentor can record visits only for the days a family is assigned to them; family AN-0001 was not assigned to you on 2025-03-20"
        )) {
            try await f.visit("AN-0001", "2025-03-20", next: "2025-04-20", as: f.bobur)
        }
        try await f.visit("AN-0001", "2025-03-20", next: "2025-04-20")
        let visits = try await f.cases.visits(family: "AN-0001", page: Page(), as: f.bobur)
        #expect(try visits.items.map { try f.core.object($0)["date"] as? String } == ["2025-02-01", "2025-03-20"])

        try await f.visit("AN-0001", "2025-04-10", next: "2025-05-10", as: f.bobur)
        #expect(f.codes(try await f.due(nil, asOf: "2025-04-10", as: f.bobur)) == [])
        #expect(f.codes(try await f.due(nil, asOf: "2025-05-10", as: f.bobur)) == ["AN-0001"])
        // Visits record who made them.
        let all = try await f.cases.visits(family: "AN-0001", page: Page(), as: f.core.admin)
        #expect(try all.items.map { try f.core.object($0)["mentor"] as? String } == ["aziza@example.org", nil, "bobur@example.org"])
    }

    @Test("roles: grant officers never write and never see notes; a mentor sees only their own due list")
    func roles() async throws {
        let f = try await CaseFixture.make()
        let officer = try await f.core.user("officer@undp.example", .grantOfficer)
        let coordinator = try await f.core.user("malika@example.org", .coordinator)
        try await f.family("AN-0001", mentor: "aziza@example.org")
        try await f.family("AN-0002", mentor: "bobur@example.org")
        try await f.visit("AN-0001", "2025-02-01", next: "2025-03-01", as: coordinator, notes: "the husband drinks")

        await #expect(throws: RavnaqError.forbidden("only admins, coordinators and mentors can record visits")) {
            try await f.visit("AN-0001", "2025-02-02", next: "2025-03-01", as: officer)
        }
        await #expect(throws: RavnaqError.self) {
            try await f.cases.addGoal(family: "AN-0001", GoalInput(text: "Savings"), as: officer)
        }
        await #expect(throws: RavnaqError.self) {
            try await f.cases.addReferral(family: "AN-0001", ReferralInput(specialist: "lawyer", reason: "land"), as: officer)
        }
        let seen = try await f.cases.visits(family: "AN-0001", page: Page(), as: officer)
        let visit = try f.core.object(try #require(seen.items.first))
        #expect(visit["notes"] == nil)
        #expect(!(seen.items.first?.text.contains("drinks") ?? true))
        #expect(visit["kind"] as? String == "home")
        let forAdmin = try f.core.object(try #require(try await f.cases.visits(family: "AN-0001", page: Page(), as: f.core.admin).items.first))
        #expect(forAdmin["notes"] as? String == "the husband drinks")

        // Due lists: a mentor only their own, a coordinator anyone's, a grant officer none.
        await #expect(throws: RavnaqError.forbidden("a mentor can list only their own due visits")) {
            try await f.cases.due(mentor: "bobur@example.org", asOf: "2025-03-01", as: f.aziza)
        }
        #expect(f.codes(try await f.due("aziza@example.org", asOf: "2025-03-01", as: f.aziza)) == ["AN-0001"])
        #expect(f.codes(try await f.due("bobur@example.org", asOf: "2025-03-01", as: coordinator)) == ["AN-0002"])
        await #expect(throws: RavnaqError.self) { try await f.cases.due(mentor: "bobur@example.org", asOf: nil, as: officer) }
        await #expect(throws: RavnaqError.invalid("/mentor", "malika@example.org is not a mentor")) {
            try await f.cases.due(mentor: "malika@example.org", asOf: nil, as: coordinator)
        }
        await #expect(throws: RavnaqError.invalid("/mentor", "is required")) { try await f.cases.due(mentor: nil, asOf: nil, as: coordinator) }

        // A mentor on a family not assigned to them: not found, for writes and reads.
        let notFound = RavnaqError.notFound("family AN-0002")
        await #expect(throws: notFound) { try await f.visit("AN-0002", "2025-02-01", next: "2025-03-01", as: f.aziza) }
        await #expect(throws: notFound) { try await f.cases.addGoal(family: "AN-0002", GoalInput(text: "Savings"), as: f.aziza) }
        await #expect(throws: notFound) { try await f.cases.goals(family: "AN-0002", page: Page(), as: f.aziza) }
        #expect(try await f.count("visits") == 1)
        #expect(try await f.count("plan_goals") == 0)
    }

    @Test("bad input names every bad field and writes nothing")
    func badInput() async throws {
        let f = try await CaseFixture.make()
        try await f.family("AN-0001", mentor: "aziza@example.org")
        func pointers(_ body: () async throws -> Any) async -> [String] {
            do {
                _ = try await body()
                Issue.record("expected invalid input")
            } catch RavnaqError.invalid(let fields) {
                return fields.map(\.pointer)
            } catch {
                Issue.record("unexpected \(error)")
            }
            return []
        }
        let fields1 = await pointers {
            try await f.cases.recordVisit(family: "AN-0001", VisitInput(date: "2025-02-30", kind: "garden", next_visit_on: "01.03.2025"), as: f.aziza)
        }
        #expect(fields1 == ["/date", "/kind", "/next_visit_on"])
        let fields2 = await pointers {
            try await f.cases.recordVisit(family: "AN-0001", VisitInput(date: "2099-01-10", kind: "home", next_visit_on: "2099-01-09"), as: f.aziza)
        }
        #expect(fields2 == ["/date", "/next_visit_on"])
        let fields3 = await pointers {
            try await f.cases.recordVisit(family: "AN-0001", VisitInput(date: "2025-03-01", kind: "phone", next_visit_on: "2025-03-01"), as: f.aziza)
        }
        #expect(fields3 == ["/next_visit_on"])
        let fields4 = await pointers { try await f.cases.recordVisit(family: "AN-0001", VisitInput(), as: f.aziza) }
        #expect(fields4 == ["/date", "/kind", "/next_visit_on"])
        let fields5 = await pointers {
            try await f.cases.addReferral(family: "AN-0001", ReferralInput(specialist: "imam", reason: "  ", date: "tomorrow"), as: f.aziza)
        }
        #expect(fields5 == ["/specialist", "/reason", "/date"])
        let fields6 = await pointers {
            try await f.cases.addGoal(family: "AN-0001", GoalInput(text: "Savings", target_on: "2025-01-01", date: "2025-02-01"), as: f.aziza)
        }
        #expect(fields6 == ["/target_on"])
        #expect(try await f.count("visits") == 0)
        #expect(try await f.count("referrals") == 0)
        #expect(try await f.count("plan_goals") == 0)
        let audited = try await f.core.database.pool.withConnection {
            try $0.query("SELECT count(*) FROM audit_log WHERE entity IN ('visits', 'referrals', 'plan_goals')").first!.decode(0, as: Int.self)
        }
        #expect(audited == 0)
        // The database holds the rule too.
        await #expect(throws: PostgresError.self) {
            try await f.core.database.pool.withConnection { connection in
                try connection.query(
                    """
                    INSERT INTO visits (organization_id, family_id, visited_on, kind, next_visit_on)
                    SELECT organization_id, id, '2025-03-01', 'home', '2025-02-01' FROM families
                    """).affectedRows
            }
        }
    }

    @Test("goals and referrals: created open, status changes with a date, listed oldest first, audited")
    func goalsAndReferrals() async throws {
        let f = try await CaseFixture.make()
        try await f.family("AN-0001", mentor: "aziza@example.org")
        try await f.family("AN-0002")
        let goal = try f.core.object(try await f.cases.addGoal(
            family: "AN-0001", GoalInput(text: "Open a bank account", target_on: "2025-06-30", date: "2025-02-01"), as: f.aziza))
        #expect(goal["status"] as? String == "open")
        #expect(goal["status_on"] as? String == "2025-02-01")
        let goalID = try #require(goal["id"] as? String)
        _ = try await f.cases.addGoal(family: "AN-0001", GoalInput(text: "Children back at school"), as: f.aziza)

        let achieved = try f.core.object(try await f.cases.changeGoalStatus(
            family: "AN-0001", goal: goalID, CaseStatusInput(status: "achieved", date: "2025-05-20"), as: f.aziza))
        #expect(achieved["status"] as? String == "achieved")
        #expect(achieved["status_on"] as? String == "2025-05-20")
        await #expect(throws: RavnaqError.rule(.goalStatusUnchanged, message: "the goal is already achieved")) {
            try await f.cases.changeGoalStatus(family: "AN-0001", goal: goalID, CaseStatusInput(status: "achieved"), as: f.aziza)
        }
        await #expect(throws: RavnaqError.invalid([.init(pointer: "/status", detail: "\"done\" is not one of: open, achieved, dropped"),
                                                   .init(pointer: "/date", detail: "is before the goal began, 2025-02-01")])) {
            try await f.cases.changeGoalStatus(family: "AN-0001", goal: goalID, CaseStatusInput(status: "done", date: "2025-01-01"), as: f.aziza)
        }
        // A goal is found only under its own family.
        await #expect(throws: RavnaqError.self) {
            try await f.cases.changeGoalStatus(family: "AN-0002", goal: goalID, CaseStatusInput(status: "dropped"), as: f.core.admin)
        }
        let goals = try await f.cases.goals(family: "AN-0001", page: Page(limit: 1), as: f.aziza)
        #expect(try goals.items.map { try f.core.object($0)["text"] as? String } == ["Open a bank account"])
        let rest = try await f.cases.goals(family: "AN-0001", page: try Page(limit: "1", cursor: goals.nextCursor), as: f.aziza)
        #expect(try rest.items.map { try f.core.object($0)["text"] as? String } == ["Children back at school"])
        #expect(rest.nextCursor == nil)

        let referral = try f.core.object(try await f.cases.addReferral(
            family: "AN-0001", ReferralInput(specialist: "employment_service", reason: "the husband looks for work", date: "2025-03-01"), as: f.aziza))
        #expect(referral["status"] as? String == "open")
        #expect(referral["referred_on"] as? String == "2025-03-01")
        let done = try f.core.object(try await f.cases.changeReferralStatus(
            family: "AN-0001", referral: try #require(referral["id"] as? String), CaseStatusInput(status: "done", date: "2025-03-20"), as: f.core.admin))
        #expect(done["status"] as? String == "done")
        let referrals = try await f.cases.referrals(family: "AN-0001", page: Page(), as: f.aziza)
        #expect(try referrals.items.map { try f.core.object($0)["specialist"] as? String } == ["employment_service"])

        let audited = try await f.core.database.pool.withConnection {
            try $0.query("SELECT entity || ':' || action || ':' || actor FROM audit_log WHERE entity IN ('plan_goals', 'referrals') ORDER BY id")
                .rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(audited == ["plan_goals:insert:aziza@example.org", "plan_goals:insert:aziza@example.org", "plan_goals:update:aziza@example.org",
                            "referrals:insert:aziza@example.org", "referrals:update:cli:test"])
    }
}
