import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Graduation readiness (SPEC §7)")
struct GraduationTests {
    /// Records three months above the line with a profitable project (2025-03 to 05), a good
    /// assessment on `assessedOn` and a completed course: as of 2025-05-31 every criterion holds
    /// (with the default sources).
    static func readyFamily(_ fixture: CoreFixture, sources: [String: AmountInput] = ["project": "2007000"],
                            assessedOn: String = "2025-05-20") async throws -> (family: String, project: String) {
        let (family, project, _) = try await ProgressTests.family(fixture)
        for period in ["2025-03", "2025-04", "2025-05"] {
            // 669 000 × 3 people = 2 007 000 exactly: per-capita equal to the line counts as at least the line.
            try await recordMonth(fixture, family: family, project: project, period, sources: sources)
        }
        try await assess(fixture, family: family, on: assessedOn)
        try await completeCourse(fixture, family: family, on: "2025-04-30")
        return (family, project)
    }

    /// A month's household income (three people) and a profitable project report.
    static func recordMonth(_ fixture: CoreFixture, family: String, project: String, _ period: String,
                            sources: [String: AmountInput] = ["project": "2007000"]) async throws {
        _ = try await HouseholdIncomes(database: fixture.database).record(
            family: family, IncomeInput(period: period, household_size: 3, sources: sources), as: fixture.admin)
        _ = try await MonthlyReports(database: fixture.database).record(
            project: project, MonthlyReportInput(period: period, revenue: "3000000", costs: "2999999.99"), as: fixture.admin)
    }

    /// A periodic assessment scoring 3 everywhere (childcare not applicable).
    static func assess(_ fixture: CoreFixture, family: String, on date: String) async throws {
        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 3) })
        scores["childcare"] = 0
        _ = try await Assessments(database: fixture.database).record(
            family: family, AssessmentInput(assessed_on: date, kind: "periodic", scores: scores), as: fixture.admin)
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

    func detail(_ evaluation: Graduation.Evaluation, _ name: String) -> String {
        evaluation.criteria.first { $0.name == name }?.detail ?? "no criterion \(name)"
    }

    /// The family's evaluation as of the date, checked against the outcomes report (the
    /// fixture's organization holds this one family): the report counts it ready exactly when
    /// the evaluation says `ready`.
    func evaluate(_ fixture: CoreFixture, _ family: String, asOf: String,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> Graduation.Evaluation {
        let evaluation = try await Graduation(database: fixture.database).evaluate(family: family, asOf: asOf, as: fixture.admin)
        let answer = try await Reports(database: fixture.database).run(
            try ReportQuery.parse(report: "outcomes", asOf: asOf, from: nil, to: nil, by: nil), as: fixture.admin)
        let ready = ((try fixture.object(answer)["total"] as? [String: Any])?["ready"] as? NSNumber)?.intValue
        #expect(ready == (evaluation.status == "ready" && evaluation.family_status == "active" ? 1 : 0),
                "as of \(asOf) the report counts \(ready.map(String.init) ?? "none") ready; the family is \(evaluation.status)",
                sourceLocation: sourceLocation)
        return evaluation
    }

    /// The organization's today, as the services take it.
    static func today(_ fixture: CoreFixture) async throws -> LocalDate {
        try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT (now() AT TIME ZONE time_zone)::date FROM organizations WHERE id = $1",
                                 [fixture.admin.organizationID]).first!.decode(0)
        }
    }

    @Test("every criterion met makes a family ready; the coordinator confirms and it is graduated")
    func ready() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project) = try await Self.readyFamily(fixture)
        let graduation = Graduation(database: fixture.database)
        let evaluation = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(evaluation.criteria.map(\.name) == ["income_above_line", "project_profitable", "no_loan_over_30_dpd", "ssm_core_domains",
                                                     "course_completed", "no_recent_write_off"])
        #expect(criteria(evaluation).values.allSatisfy { $0 })
        #expect(evaluation.status == "ready")
        #expect(detail(evaluation, "income_above_line") == "2025-05: 669000.00 per person vs line 669000.00; "
            + "2025-04: 669000.00 per person vs line 669000.00; 2025-03: 669000.00 per person vs line 669000.00")
        #expect(detail(evaluation, "no_recent_write_off") == "no loan written off")

        // Before the course was completed: on track, not ready.
        let april = try await evaluate(fixture, family, asOf: "2025-04-29")
        #expect(criteria(april)["course_completed"] == false)

        // Confirmation is as of today, when May 2025 is long past: not ready without recent figures.
        await #expect(throws: RavnaqError.self) { try await graduation.confirm(family: family, as: fixture.admin) }
        // The three months before this one (1 000 000 a person is above any line yet), and an assessment today.
        let today = try await Self.today(fixture)
        for back in [3, 2, 1] {
            try await Self.recordMonth(fixture, family: family, project: project, Self.month(today.startOfMonth.adding(months: -back)),
                                       sources: ["wages": "3000000"])
        }
        try await Self.assess(fixture, family: family, on: today.description)
        #expect(try await evaluate(fixture, family, asOf: today.description).status == "ready")
        let confirmed = try await graduation.confirm(family: family, as: fixture.admin)
        #expect(confirmed.family_status == "graduated")
        await #expect(throws: RavnaqError.self) { try await graduation.confirm(family: family, as: fixture.admin) }
    }

    static func month(_ date: LocalDate) -> String { String(date.description.prefix(7)) }

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

    @Test("the income months must be consecutive: a gap fails income_above_line and project_profitable, naming the missing months")
    func gapInMonths() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project) = try await Self.readyFamily(fixture)
        // August without June and July: the last three recorded are 04, 05 and 08.
        try await Self.recordMonth(fixture, family: family, project: project, "2025-08")
        let august = try await evaluate(fixture, family, asOf: "2025-08-31")
        #expect(criteria(august)["income_above_line"] == false)
        #expect(criteria(august)["project_profitable"] == false)
        #expect(criteria(august)["ssm_core_domains"] == true)
        #expect(detail(august, "income_above_line") == "2025-08: 669000.00 per person vs line 669000.00; "
            + "2025-05: 669000.00 per person vs line 669000.00; 2025-04: 669000.00 per person vs line 669000.00 "
            + "(no income recorded for 2025-06 to 2025-07: the months must be consecutive)")
        #expect(detail(august, "project_profitable").hasSuffix("(no income recorded for 2025-06 to 2025-07: the months must be consecutive)"))
        // June recorded: still a gap, of one month (05, 06, 08).
        try await Self.recordMonth(fixture, family: family, project: project, "2025-06")
        let stillGap = try await evaluate(fixture, family, asOf: "2025-08-31")
        #expect(criteria(stillGap)["income_above_line"] == false)
        #expect(detail(stillGap, "income_above_line").hasSuffix("(no income recorded for 2025-07: the months must be consecutive)"))
        // July too: 06, 07, 08 are consecutive and the family is ready.
        try await Self.recordMonth(fixture, family: family, project: project, "2025-07")
        let whole = try await evaluate(fixture, family, asOf: "2025-08-31")
        #expect(whole.status == "ready")
        #expect(!detail(whole, "income_above_line").contains("consecutive"))
    }

    @Test("the latest income month must be as_of's month or the one before; an older one fails, saying so")
    func staleLatestMonth() async throws {
        let fixture = try await CoreFixture.make()
        let (family, _) = try await Self.readyFamily(fixture)
        // On the last day of June, May is the month before: ready.
        #expect(try await evaluate(fixture, family, asOf: "2025-06-30").status == "ready")
        // From 1 July, May is two months back: both month criteria fail, and since they held at
        // the end of June the family is at risk.
        let july = try await evaluate(fixture, family, asOf: "2025-07-01")
        #expect(criteria(july)["income_above_line"] == false)
        #expect(criteria(july)["project_profitable"] == false)
        #expect(criteria(july)["ssm_core_domains"] == true && criteria(july)["course_completed"] == true)
        #expect(detail(july, "income_above_line").hasSuffix("(the latest month reported, 2025-05, is older than 2025-06, the month before as_of)"))
        #expect(detail(july, "project_profitable").contains("the latest month reported, 2025-05, is older than 2025-06"))
        #expect(july.status == "at_risk")
        #expect(july.risks == ["income_above_line was met at the end of the previous month and is not now",
                               "project_profitable was met at the end of the previous month and is not now"])
    }

    @Test("benefits count toward the line only when the programme says count_benefits: true")
    func benefits() async throws {
        let fixture = try await CoreFixture.make()
        // 1 500 000 + 600 000 benefits for three: 700 000 a person with benefits, 500 000 without, against 669 000.
        let (family, project) = try await Self.readyFamily(fixture, sources: ["project": "1500000", "benefits": "600000"])
        let byDefault = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(criteria(byDefault)["income_above_line"] == false)
        #expect(byDefault.status == "on_track")
        #expect(detail(byDefault, "income_above_line").hasPrefix("2025-05: 500000.00 per person without benefits of 600000.00 vs line 669000.00 (below); "))

        // A programme that counts them: its (approved, not disbursed) loan makes it the family's programme.
        let programmes = Programmes(database: fixture.database)
        let programme = try await programmes.create(
            ProgrammeInput(name: "Counts benefits", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "1000000000", graduation: ["count_benefits": true]), as: fixture.admin)
        _ = try await Loans(database: fixture.database).open(
            LoanInput(programme_id: programme.id, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "0",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-06-10"), as: fixture.admin)
        let counted = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(counted.status == "ready")
        #expect(detail(counted, "income_above_line").hasPrefix("2025-05: 700000.00 per person vs line 669000.00; "))

        // Changed back (a partial update of the settings): not ready again.
        _ = try await programmes.update(programme: programme.id, ProgrammeInput(graduation: ["count_benefits": false]), as: fixture.admin)
        #expect(criteria(try await evaluate(fixture, family, asOf: "2025-05-31"))["income_above_line"] == false)
    }

    @Test("graduation settings: count_benefits a boolean, the others whole numbers in range; anything else names /graduation/<key>")
    func settingsChecked() async throws {
        let fixture = try await CoreFixture.make()
        func pointers(_ graduation: [String: SettingValue]) async -> [String] {
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
        let decoded = try JSONDecoder().decode([String: SettingValue].self,
                                               from: Data(#"{"count_benefits":"yes","courses":2.5,"min_ssm":null,"income_months":6}"#.utf8))
        #expect(decoded == ["count_benefits": .invalid, "courses": .invalid, "min_ssm": .invalid, "income_months": 6])
        #expect(await pointers(["count_benefits": false, "income_months": 6, "min_ssm": 4, "max_dpd": 0, "courses": 2]) == [])
    }

    @Test("the latest assessment must be at most 7 months old: an older one fails ssm_core_domains, saying how old")
    func staleAssessment() async throws {
        let fixture = try await CoreFixture.make()
        // Assessed 2024-09-20: on 2025-05-31 that is 8 months 11 days ago.
        let (family, _) = try await Self.readyFamily(fixture, assessedOn: "2024-09-20")
        let old = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(criteria(old)["ssm_core_domains"] == false)
        #expect(criteria(old)["income_above_line"] == true)
        #expect(detail(old, "ssm_core_domains") == "on 2024-09-20: income 3, employment 3, food 3 (at least 3 needed); "
            + "it is 8 months 11 days old, older than 7 months: a newer assessment is needed")
        #expect(old.status == "on_track")
        // Assessed again 2024-10-31: exactly 7 months before as_of still counts.
        try await Self.assess(fixture, family: family, on: "2024-10-31")
        let fresh = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(fresh.status == "ready")
        #expect(detail(fresh, "ssm_core_domains") == "on 2024-10-31: income 3, employment 3, food 3 (at least 3 needed)")
        // A day later it is too old.
        #expect(criteria(try await evaluate(fixture, family, asOf: "2025-06-01"))["ssm_core_domains"] == false)
    }

    @Test("a loan written off in the last 12 months blocks graduation (no_recent_write_off); one written off 13 months ago does not")
    func recentWriteOff() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project) = try await Self.readyFamily(fixture)
        let programme = try await Programmes(database: fixture.database).create(
            ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2024-01-01", ends_on: "2026-12-31", budget: "1000000000"),
            as: fixture.admin)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme.id, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "0",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2024-05-01"), as: fixture.admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2024-05-01"), as: fixture.admin, idempotency: nil)
        _ = try await loans.writeOff(loan.id, DateInput(date: "2024-06-20", reason: "the family moved away"), as: fixture.admin, idempotency: nil)
        let number = loan.number

        // On 2025-05-31 the write-off is 11 months old: not ready, though every other criterion holds.
        let may = try await evaluate(fixture, family, asOf: "2025-05-31")
        #expect(criteria(may)["no_recent_write_off"] == false)
        #expect(criteria(may).filter { !$0.value }.map(\.key) == ["no_recent_write_off"])
        #expect(may.status == "on_track")
        #expect(detail(may, "no_recent_write_off") == "loan \(number) was written off on 2024-06-20, within the 12 months to as_of (after 2024-05-31)")
        // The window is (as_of − 12 months, as_of]: blocked on 2025-06-19, not on 2025-06-20.
        #expect(criteria(try await evaluate(fixture, family, asOf: "2025-06-19"))["no_recent_write_off"] == false)
        let june = try await evaluate(fixture, family, asOf: "2025-06-20")
        #expect(criteria(june)["no_recent_write_off"] == true)
        #expect(june.status == "ready")
        // With June and July recorded, on 2025-07-31 (13 months after) the family is ready.
        for period in ["2025-06", "2025-07"] { try await Self.recordMonth(fixture, family: family, project: project, period) }
        let july = try await evaluate(fixture, family, asOf: "2025-07-31")
        #expect(july.status == "ready")
        #expect(detail(july, "no_recent_write_off") == "the latest write-off, of loan \(number) on 2024-06-20, is older than 12 months (on or before 2024-07-31)")
    }

    @Test("a month with no poverty line in force fails income_above_line and says \"no poverty line for YYYY-MM\"")
    func noPovertyLine() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project, _) = try await ProgressTests.family(fixture)
        // The first line took effect on 2023-07-01: May and June 2023 have none.
        for period in ["2023-05", "2023-06", "2023-07"] {
            try await Self.recordMonth(fixture, family: family, project: project, period, sources: ["wages": "3000000"])
        }
        try await Self.assess(fixture, family: family, on: "2023-07-20")
        try await Self.completeCourse(fixture, family: family, on: "2023-07-25")
        let july = try await evaluate(fixture, family, asOf: "2023-07-31")
        #expect(criteria(july)["income_above_line"] == false)
        #expect(criteria(july).filter { !$0.value }.map(\.key) == ["income_above_line"])
        #expect(detail(july, "income_above_line") == "2023-07: 1000000.00 per person vs line 568000.00; "
            + "2023-06: 1000000.00 per person, no poverty line for 2023-06; 2023-05: 1000000.00 per person, no poverty line for 2023-05")
        #expect(july.status == "on_track")
        // From August the months are 06, 07, 08: June still has none.
        try await Self.recordMonth(fixture, family: family, project: project, "2023-08", sources: ["wages": "3000000"])
        let august = try await evaluate(fixture, family, asOf: "2023-08-31")
        #expect(criteria(august)["income_above_line"] == false)
        #expect(detail(august, "income_above_line").hasSuffix("2023-06: 1000000.00 per person, no poverty line for 2023-06"))
        // September: 07, 08, 09 all have a line, and the family is ready.
        try await Self.recordMonth(fixture, family: family, project: project, "2023-09", sources: ["wages": "3000000"])
        #expect(try await evaluate(fixture, family, asOf: "2023-09-30").status == "ready")
    }
}
