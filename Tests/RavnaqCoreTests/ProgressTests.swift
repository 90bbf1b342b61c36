import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Monthly reports, household income, poverty line and assessments (SPEC §7)")
struct ProgressTests {
    /// A family of five with a project, assigned to a mentor from 2025-01-01.
    static func family(_ fixture: CoreFixture) async throws -> (family: String, project: String, mentor: Actor) {
        let mentor = try await fixture.user("aziza@example.org", .mentor)
        let (family, _) = try await Families(database: fixture.database).create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", relation: "head")]), as: fixture.admin)
        let familyID = try #require(try fixture.object(family)["id"] as? String)
        _ = try await Families(database: fixture.database).assignMentor(family: familyID, mentor: "aziza@example.org", from: "2025-01-01", as: fixture.admin)
        let project = try await Projects(database: fixture.database).create(
            ProjectInput(family_id: familyID, type: "sewing", title: "Home sewing workshop"), as: fixture.admin)
        return (familyID, try #require(try fixture.object(project)["id"] as? String), mentor)
    }

    static func income(_ total: String, size: Int, period: String) -> IncomeInput {
        IncomeInput(period: period, household_size: size, sources: ["project": AmountInput(total)])
    }

    @Test("the SPEC's income example: 3 450 000 for five people in 2025-03 is 690 000 a head, near_poor against 669 000")
    func specIncome() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _, mentor) = try await Self.family(fixture)
        let recorded = try fixture.object(try await HouseholdIncomes(database: fixture.database).record(
            family: family,
            IncomeInput(period: "2025-03", household_size: 5, sources: ["project": "2100000", "wages": "0", "pension": "900000",
                                                                         "benefits": "450000", "remittances": "0", "other": "0"]),
            as: mentor))
        #expect(recorded["per_capita"] as? String == "690000.00")
        #expect(recorded["poverty_line"] as? String == "669000.00")
        #expect(recorded["band"] as? String == "near_poor")
        #expect(recorded["total"] as? String == "3450000.00")
    }

    @Test("bands at the edges: exactly 1.0 and 1.5 × the line, and the line changing on its effective date")
    func bands() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _, _) = try await Self.family(fixture)
        let incomes = HouseholdIncomes(database: fixture.database)
        // 2025-01 uses 648 000 (in force since 2024-05-01); 2025-02 uses 669 000 from its first day.
        let cases: [(String, String, Int, String)] = [
            ("2024-11", "647999.99", 1, "poor"), ("2024-12", "648000", 1, "near_poor"),
            ("2025-01", "971999.99", 1, "near_poor"), ("2025-02", "1003500", 1, "above"),
            ("2025-03", "1003499.99", 1, "near_poor"), ("2025-04", "3345000", 5, "near_poor"), ("2025-05", "3344999.99", 5, "poor"),
        ]
        for (period, total, size, band) in cases {
            let recorded = try fixture.object(try await incomes.record(family: family, Self.income(total, size: size, period: period), as: fixture.admin))
            #expect(recorded["band"] as? String == band, "\(period) \(total)/\(size)")
        }
        let january = try fixture.object(try await incomes.list(family: family, as: fixture.admin).items[2])
        #expect(january["poverty_line"] as? String == "648000.00")
    }

    @Test("a month not begun, a second record for a month, and bad figures are refused and change nothing; PUT corrects; a lock freezes")
    func refusalsAndCorrections() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project, mentor) = try await Self.family(fixture)
        let reports = MonthlyReports(database: fixture.database)
        let today = try await fixture.database.transaction { try $0.query("SELECT (now() AT TIME ZONE 'Asia/Tashkent')::date").first!.decode(0, as: LocalDate.self) }
        let nextMonth = String(today.adding(months: 1).description.prefix(7))

        let future = await #expect(throws: RavnaqError.self) {
            try await reports.record(project: project, MonthlyReportInput(period: nextMonth, revenue: "1", costs: "1"), as: mentor)
        }
        #expect(future?.message.contains("has not begun yet") == true)
        _ = try await reports.record(project: project, MonthlyReportInput(period: "2025-03", revenue: "3200000", costs: "1100000", units_sold: 40), as: mentor)
        let duplicate = await #expect(throws: RavnaqError.self) {
            try await reports.record(project: project, MonthlyReportInput(period: "2025-03", revenue: "1", costs: "1"), as: mentor)
        }
        guard case .conflict? = duplicate else { Issue.record("expected a 409 conflict"); return }
        let invalid = await #expect(throws: RavnaqError.self) {
            try await reports.record(project: project, MonthlyReportInput(period: "2025-13", revenue: "-5", costs: "x", units_sold: -1), as: mentor)
        }
        guard case .invalid(let fields)? = invalid else { Issue.record("expected invalid input"); return }
        #expect(fields.map(\.pointer) == ["/period", "/revenue", "/costs", "/units_sold"])

        let corrected = try fixture.object(try await reports.record(
            project: project, MonthlyReportInput(revenue: "3300000", costs: "1100000"), correcting: "2025-03", as: mentor))
        #expect(corrected["net_income"] as? String == "2200000.00")
        #expect(try await reports.list(project: project, as: mentor).items.count == 1)

        _ = try await ReferenceData(database: fixture.database).lock(period: "2025-03", as: fixture.admin)
        let locked = await #expect(throws: RavnaqError.self) {
            try await reports.record(project: project, MonthlyReportInput(revenue: "1", costs: "1"), correcting: "2025-03", as: fixture.admin)
        }
        #expect(locked?.message.contains("locked") == true)
        await #expect(throws: RavnaqError.self) {
            try await HouseholdIncomes(database: fixture.database).record(family: family, Self.income("1", size: 1, period: "2025-03"), as: fixture.admin)
        }
        // Locking is the admin's.
        await #expect(throws: RavnaqError.forbidden("only admins can lock periods")) {
            try await ReferenceData(database: fixture.database).lock(period: "2025-04", as: mentor)
        }
    }

    @Test("a mentor records progress only for families assigned to them; a grant officer only reads")
    func access() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _, _) = try await Self.family(fixture)
        let other = try await fixture.user("bobur@example.org", .mentor)
        let officer = try await fixture.user("officer@example.org", .grantOfficer)
        let incomes = HouseholdIncomes(database: fixture.database)
        await #expect(throws: RavnaqError.notFound("family \(family)")) {
            try await incomes.record(family: family, Self.income("1000000", size: 2, period: "2025-03"), as: other)
        }
        await #expect(throws: RavnaqError.self) {
            try await incomes.record(family: family, Self.income("1000000", size: 2, period: "2025-03"), as: officer)
        }
        #expect(try await incomes.list(family: family, as: officer).items.isEmpty)
        // Reassigned: the other mentor gains the family.
        let today = try await fixture.database.transaction { try $0.query("SELECT (now() AT TIME ZONE 'Asia/Tashkent')::date").first!.decode(0, as: LocalDate.self) }
        _ = try await Families(database: fixture.database).assignMentor(family: family, mentor: "bobur@example.org", from: today.description, as: fixture.admin)
        _ = try await incomes.record(family: family, Self.income("1000000", size: 2, period: "2025-03"), as: other)
    }

    @Test("assessments: scores in range, every domain required, change since intake, one intake")
    func assessments() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _, mentor) = try await Self.family(fixture)
        let assessments = Assessments(database: fixture.database)
        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 2) })
        scores["childcare"] = 0
        _ = try await assessments.record(family: family, AssessmentInput(assessed_on: "2025-01-15", kind: "intake", scores: scores), as: mentor)
        scores["income"] = 4
        scores["food"] = 3
        let periodic = try fixture.object(try await assessments.record(
            family: family, AssessmentInput(assessed_on: "2025-07-15", kind: "periodic", scores: scores), as: mentor))
        let change = try #require(periodic["change_since_intake"] as? [String: Any])
        #expect(change["income"] as? Int == 2)
        #expect(change["food"] as? Int == 1)
        #expect(change["housing"] as? Int == 0)
        #expect(change["childcare"] is NSNull)
        #expect((periodic["derived_index"] as? NSNumber)?.stringValue == "2.21")

        var bad = scores
        bad["income"] = 6
        bad["childcare"] = -1
        bad["happiness"] = 3
        bad["credit"] = nil
        let error = await #expect(throws: RavnaqError.self) {
            try await assessments.record(family: family, AssessmentInput(assessed_on: "2025-08-01", kind: "periodic", scores: bad), as: mentor)
        }
        guard case .invalid(let fields)? = error else { Issue.record("expected invalid input"); return }
        #expect(Set(fields.map(\.pointer)) == ["/scores/happiness", "/scores/income", "/scores/childcare", "/scores/credit"])
        await #expect(throws: RavnaqError.self) {
            try await assessments.record(family: family, AssessmentInput(assessed_on: "2025-08-01", kind: "intake", scores: scores), as: mentor)
        }
        #expect(try await assessments.list(family: family, as: mentor).items.count == 2)
    }
}
