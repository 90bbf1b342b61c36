import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Graduation readiness (SPEC §7)")
struct GraduationTests {
    /// Records three months above the line with a profitable project, a good assessment and a
    /// completed course: every criterion holds.
    static func readyFamily(_ fixture: CoreFixture) async throws -> (family: String, project: String) {
        let (family, project, _) = try await ProgressTests.family(fixture)
        for period in ["2025-03", "2025-04", "2025-05"] {
            // 669 000 × 3 people = 2 007 000 exactly: per-capita equal to the line counts as at least the line.
            _ = try await HouseholdIncomes(database: fixture.database).record(
                family: family, ProgressTests.income("2007000", size: 3, period: period), as: fixture.admin)
            _ = try await MonthlyReports(database: fixture.database).record(
                project: project, MonthlyReportInput(period: period, revenue: "3000000", costs: "2999999.99"), as: fixture.admin)
        }
        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 3) })
        scores["childcare"] = 0
        _ = try await Assessments(database: fixture.database).record(
            family: family, AssessmentInput(assessed_on: "2025-05-20", kind: "periodic", scores: scores), as: fixture.admin)
        try await completeCourse(fixture, family: family, on: "2025-04-30")
        return (family, project)
    }

    static func completeCourse(_ fixture: CoreFixture, family: String, on date: String) async throws {
        try await fixture.database.pool.withConnection { connection in
            let member: UUID = try connection.query("SELECT id FROM members WHERE family_id = $1 LIMIT 1", [UUID(uuidString: family)!]).first!.decode(0)
            let course: UUID = try connection.query(
                "INSERT INTO courses (organization_id, code, title, skill, hours) VALUES ($1, 'SEW-1', 'Sewing basics', 'sewing', 40) RETURNING id",
                [fixture.admin.organizationID]).first!.decode(0)
            try connection.query(
                """
                INSERT INTO enrollments (organization_id, course_id, member_id, completed, completed_on, certificate_no)
                VALUES ($1, $2, $3, true, $4, 'SEW-1-2025-0001')
                """, [fixture.admin.organizationID, course, member, LocalDate(date)!])
        }
    }

    func criteria(_ evaluation: Graduation.Evaluation) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: evaluation.criteria.map { ($0.name, $0.met) })
    }

    @Test("every criterion met makes a family ready; the coordinator confirms and it is graduated")
    func ready() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _) = try await Self.readyFamily(fixture)
        let graduation = Graduation(database: fixture.database)
        let evaluation = try await graduation.evaluate(family: family, asOf: "2025-05-31", as: fixture.admin)
        #expect(evaluation.criteria.map(\.name) == ["income_above_line", "project_profitable", "no_loan_over_30_dpd", "ssm_core_domains", "course_completed"])
        #expect(criteria(evaluation).values.allSatisfy { $0 })
        #expect(evaluation.status == "ready")
        #expect(evaluation.criteria[0].detail.contains("2025-05: 669000.00 per person vs line 669000.00"))

        // Before the course was completed: on track, not ready.
        let april = try await graduation.evaluate(family: family, asOf: "2025-04-29", as: fixture.admin)
        #expect(criteria(april)["course_completed"] == false)

        let confirmed = try await graduation.confirm(family: family, as: fixture.admin)
        #expect(confirmed.family_status == "graduated")
        await #expect(throws: RavnaqError.self) { try await graduation.confirm(family: family, as: fixture.admin) }
    }

    @Test("each criterion on its own: income below the line, a loss-making month, a low score, a missing month")
    func eachCriterion() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project) = try await Self.readyFamily(fixture)
        let graduation = Graduation(database: fixture.database)

        // A fourth month a tiyin below the line: the last three months now include it.
        _ = try await HouseholdIncomes(database: fixture.database).record(
            family: family, ProgressTests.income("2006999.99", size: 3, period: "2025-06"), as: fixture.admin)
        _ = try await MonthlyReports(database: fixture.database).record(
            project: project, MonthlyReportInput(period: "2025-06", revenue: "1000", costs: "1000"), as: fixture.admin)
        let june = try await graduation.evaluate(family: family, asOf: "2025-06-30", as: fixture.admin)
        #expect(criteria(june)["income_above_line"] == false)
        #expect(criteria(june)["project_profitable"] == false)  // net 0 is not positive
        // Both were met at the end of May: the family is at risk, which outranks everything else.
        #expect(june.status == "at_risk")
        #expect(june.risks.count == 2)

        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 4) })
        scores["food"] = 2
        _ = try await Assessments(database: fixture.database).record(
            family: family, AssessmentInput(assessed_on: "2025-06-15", kind: "periodic", scores: scores), as: fixture.admin)
        #expect(criteria(try await graduation.evaluate(family: family, asOf: "2025-06-30", as: fixture.admin))["ssm_core_domains"] == false)
        #expect(criteria(try await graduation.evaluate(family: family, asOf: "2025-06-14", as: fixture.admin))["ssm_core_domains"] == true)

        // Only two months reported as of April: not enough.
        let april = try await graduation.evaluate(family: family, asOf: "2025-04-30", as: fixture.admin)
        #expect(criteria(april)["income_above_line"] == false)
        #expect(april.criteria[0].detail.contains("2 of 3 months reported"))
        #expect(april.status == "on_track")
    }

    @Test("a loan late by more than 30 days breaks no_loan_over_30_dpd; any arrears put the family at risk")
    func loanArrears() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project) = try await Self.readyFamily(fixture)
        let programme = try await Programmes(database: fixture.database).create(
            ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31", budget: "1000000000",
                           graduation: ["max_dpd": 30]), as: fixture.admin)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme.id, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "0",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-04-10"), as: fixture.admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-04-10"), as: fixture.admin, idempotency: nil)
        let graduation = Graduation(database: fixture.database)
        // First due 2025-05-10: on 2025-05-31 it is 21 days late, on 2025-06-10 31 days.
        let may = try await graduation.evaluate(family: family, asOf: "2025-05-31", as: fixture.admin)
        #expect(criteria(may)["no_loan_over_30_dpd"] == true)
        #expect(may.status == "at_risk")
        #expect(may.risks == ["a loan is 21 days past due"])
        let june = try await graduation.evaluate(family: family, asOf: "2025-06-10", as: fixture.admin)
        #expect(criteria(june)["no_loan_over_30_dpd"] == false)
        await #expect(throws: RavnaqError.self) { try await graduation.confirm(family: family, as: fixture.admin) }
    }

    @Test("graduation settings: count_benefits a boolean, the others whole numbers in range; anything else names /graduation/<key>")
    func settingsChecked() async throws {
        let fixture = try await CoreFixture.make()
        func pointers(_ graduation: [String: GraduationSetting]) async -> [String] {
            do {
                _ = try await Programmes(database: fixture.database).create(
                    ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                                   budget: "1000", graduation: graduation), as: fixture.admin)
                return []
            } catch RavnaqError.invalid(let fields) {
                return fields.map(\.pointer)
            } catch {
                return ["\(error)"]
            }
        }
        #expect(await pointers(["count_benefits": 1, "income_months": true, "min_ssm": .invalid, "max_dpd": 366, "colour": 3])
            == ["/graduation/colour", "/graduation/count_benefits", "/graduation/income_months", "/graduation/max_dpd", "/graduation/min_ssm"])
        // Read from JSON: a string, a fraction and null are refused like the rest, not unreadable.
        let decoded = try JSONDecoder().decode([String: GraduationSetting].self,
                                               from: Data(#"{"count_benefits":"yes","courses":2.5,"min_ssm":null,"income_months":6}"#.utf8))
        #expect(decoded == ["count_benefits": .invalid, "courses": .invalid, "min_ssm": .invalid, "income_months": 6])
        #expect(await pointers(["count_benefits": false, "income_months": 6, "min_ssm": 4, "max_dpd": 0, "courses": 2]) == [])
    }
}
