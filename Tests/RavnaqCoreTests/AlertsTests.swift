import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// Smart monitoring (issue 17): families built to show one signal each (and one with two), the
/// score, the order, the reasons in words, the mentors' walls and acknowledgement.
@Suite("Smart monitoring: signals, score and alerts")
struct AlertsTests {
    /// The day the 2025 families are looked at: after the 10th, so May's records are due.
    static let asOf = "2025-06-15"

    /// A family with a head who works, its mentor from 2025-01-01 and an active sewing project
    /// started 2025-01-15; a visit on 2025-06-10 (next 2025-07-10) and May's income (three people,
    /// above the line) and project report, so that it shows no signal unless a test adds one.
    static func family(_ fixture: CoreFixture, _ code: String, mentor: String, visit: Bool = true, may: Bool = true,
                       net: String = "1000000", active: Bool = true) async throws -> (id: String, project: String) {
        let (family, _) = try await Families(database: fixture.database).create(
            FamilyInput(code: code, region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", relation: "head", works: true)]), as: fixture.admin)
        let id = try #require(try fixture.object(family)["id"] as? String)
        _ = try await Families(database: fixture.database).assignMentor(family: id, mentor: mentor, from: "2025-01-01", as: fixture.admin)
        let projects = Projects(database: fixture.database)
        let project = try #require(try fixture.object(try await projects.create(
            ProjectInput(family_id: id, type: "sewing", title: "Home sewing workshop", started_on: "2025-01-15"), as: fixture.admin))["id"] as? String)
        if active { _ = try await projects.changeStatus(project: project, StatusInput(status: "active", date: "2025-01-15"), as: fixture.admin) }
        if visit { try await Self.visit(fixture, id, on: "2025-06-10", next: "2025-07-10") }
        if may { try await month(fixture, id, project, "2025-05", income: "2400000", net: net) }
        return (id, project)
    }

    static func visit(_ fixture: CoreFixture, _ family: String, on date: String, next: String) async throws {
        _ = try await CaseManagement(database: fixture.database).recordVisit(
            family: family, VisitInput(date: date, kind: "home", next_visit_on: next), as: fixture.admin)
    }

    /// A month's household income for three people and its project report of that net income.
    static func month(_ fixture: CoreFixture, _ family: String, _ project: String, _ period: String, income: String, net: String) async throws {
        _ = try await HouseholdIncomes(database: fixture.database).record(
            family: family, IncomeInput(period: period, household_size: 3, sources: ["project": AmountInput(income)]), as: fixture.admin)
        _ = try await MonthlyReports(database: fixture.database).record(
            project: project, MonthlyReportInput(period: period, revenue: AmountInput(net), costs: "0"), as: fixture.admin)
    }

    static func assess(_ fixture: CoreFixture, _ family: String, on date: String, income: Int, food: Int, kind: String = "periodic") async throws {
        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 3) })
        scores["childcare"] = 0
        scores["income"] = income
        scores["food"] = food
        _ = try await Assessments(database: fixture.database).record(
            family: family, AssessmentInput(assessed_on: date, kind: kind, scores: scores), as: fixture.admin)
    }

    static func alerts(_ fixture: CoreFixture, asOf: String? = AlertsTests.asOf, mentor: String? = nil, as actor: Actor? = nil) async throws -> [AlertView] {
        try await Paged.all { try await Alerts(database: fixture.database).list(asOf: asOf, mentor: mentor, page: $0, as: actor ?? fixture.admin) }.items
    }

    @Test("each signal from its own family: the score, the order by score, the reasons in words with their figures; a family with none is not listed")
    func signals() async throws {
        let fixture = try await CoreFixture.make()
        let aziza = try await fixture.user("aziza@example.org", .mentor)
        let bobur = try await fixture.user("bobur@example.org", .mentor)
        let programme = try await LoanServicingCoreTests.programme(fixture, "Oila biznesi")

        _ = try await Self.family(fixture, "CALM", mentor: aziza.name)

        let falling = try await Self.family(fixture, "FALL", mentor: aziza.name, may: false)
        for (period, net) in [("2025-03", "1200000"), ("2025-04", "950000"), ("2025-05", "610000")] {
            try await Self.month(fixture, falling.id, falling.project, period, income: "2400000", net: net)
        }

        let missing = try await Self.family(fixture, "MISS", mentor: aziza.name, may: false)
        try await Self.month(fixture, missing.id, missing.project, "2025-04", income: "2400000", net: "1000000")

        // Two loans disbursed 2025-03-10; nothing repaid. LATE is looked at 14 days after its first due date,
        // ARREARS 45 days after; LATE's mentor has not visited since April either.
        let late = try await Self.family(fixture, "LATE", mentor: aziza.name, visit: false)
        try await Self.visit(fixture, late.id, on: "2025-04-01", next: "2025-05-01")
        let lateLoan = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: late.project, firstDueOn: "2025-06-02",
                                                             on: "2025-03-10")
        let arrears = try await Self.family(fixture, "ARRE", mentor: bobur.name)
        let arrearsLoan = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: arrears.project,
                                                                firstDueOn: "2025-05-01", on: "2025-03-10")
        let lateDue = try #require(try await LoanServicingCoreTests.dueDates(fixture, lateLoan.id).first.flatMap(LocalDate.init))
        let arrearsDue = try #require(try await LoanServicingCoreTests.dueDates(fixture, arrearsLoan.id).first.flatMap(LocalDate.init))
        let day = LocalDate(Self.asOf)!

        let visit = try await Self.family(fixture, "VISI", mentor: bobur.name, visit: false)
        try await Self.visit(fixture, visit.id, on: "2025-04-01", next: "2025-05-01")

        let ssm = try await Self.family(fixture, "SSMD", mentor: bobur.name)
        try await Self.assess(fixture, ssm.id, on: "2025-01-20", income: 3, food: 4, kind: "intake")
        try await Self.assess(fixture, ssm.id, on: "2025-06-01", income: 2, food: 3)

        // 2 100 000 for three people is 700 000 a head (line 669 000); 1 800 000 is 600 000.
        let poor = try await Self.family(fixture, "POOR", mentor: bobur.name, may: false)
        try await Self.month(fixture, poor.id, poor.project, "2025-04", income: "2100000", net: "1000000")
        try await Self.month(fixture, poor.id, poor.project, "2025-05", income: "1800000", net: "1000000")

        // 4 000 000 disbursed on 2025-03-01, 1 000 000 accounted for.
        let grant = try await Self.family(fixture, "GRNT", mentor: bobur.name)
        let grants = Grants(database: fixture.database)
        let opened = try await grants.create(GrantInput(programme_id: programme.id, project_id: grant.project, currency: "UZS", total: "4000000",
                                                        tranches: [TrancheInput(amount: "4000000", planned_on: "2025-03-01")]), as: fixture.admin)
        _ = try await grants.disburse(grant: opened.id, tranche: 1, DisbursementInput(date: "2025-03-01"), as: fixture.admin, key: nil)
        _ = try await grants.recordExpense(grant: opened.id, ExpenseInput(date: "2025-03-20", category: "equipment", amount: "1000000", receipt: "R-1"),
                                           as: fixture.admin, key: nil)

        let alerts = try await Self.alerts(fixture)
        #expect(alerts.map(\.family_code) == ["ARRE", "LATE", "FALL", "POOR", "GRNT", "SSMD", "VISI", "MISS"])
        #expect(alerts.map(\.score) == [50, 45, 25, 25, 20, 15, 15, 10])
        #expect(alerts.map(\.level) == ["high", "medium", "medium", "medium", "low", "low", "low", "low"])
        let byCode = Dictionary(uniqueKeysWithValues: alerts.map { ($0.family_code, $0) })
        func reasons(_ code: String) -> [String] { byCode[code]?.reasons.map(\.text) ?? [] }

        #expect(byCode["ARRE"]?.reasons.map(\.code) == ["loan_in_arrears"])
        #expect(reasons("ARRE").first?.hasPrefix("loan \(arrearsLoan.number) is \(arrearsDue.days(until: day)) days past due, in arrears: ") == true)
        #expect(byCode["ARRE"]?.reasons.first?.figures["days_past_due"].integer == arrearsDue.days(until: day))
        #expect(byCode["LATE"]?.reasons.map(\.code) == ["repayment_late", "visit_overdue"])
        #expect(byCode["LATE"]?.reasons.first?.figures["days_past_due"].integer == lateDue.days(until: day))
        #expect(reasons("LATE").last == "a visit was due on 2025-05-01, 45 days ago (last visit 2025-04-01)")
        #expect(reasons("FALL") == ["net income fell 3 months in a row: 1 200 000 → 950 000 → 610 000 (2025-03 to 2025-05)"])
        #expect(reasons("POOR") == ["per-capita income fell below the poverty line in 2025-05: 600 000 against 669 000 (2025-04: 700 000 against 669 000)"])
        #expect(reasons("GRNT") == ["grant \(opened.number): 1 000 000 of 4 000 000 UZS disbursed 60 or more days ago accounted for (25 %)"])
        #expect(reasons("SSMD") == ["self-sufficiency scores fell from 2025-01-20 to 2025-06-01: income 3 → 2, food 4 → 3"])
        #expect(reasons("VISI") == ["a visit was due on 2025-05-01, 45 days ago (last visit 2025-04-01)"])
        #expect(reasons("MISS") == ["no project report and no household income recorded for 2025-05, due by the 10th"])
        #expect(byCode["VISI"]?.mentor == "bobur@example.org")

        // Before the 11th nothing is missing yet; 59 days after the tranche it is not yet due to be accounted for.
        func codes(_ family: String, asOf: String) async throws -> [String] {
            try await Self.alerts(fixture, asOf: asOf).first { $0.family_code == family }?.reasons.map(\.code) ?? []
        }
        #expect(try await !codes("GRNT", asOf: "2025-04-29").contains("grant_unaccounted"))
        #expect(try await codes("GRNT", asOf: "2025-04-30").contains("grant_unaccounted"))
        #expect(try await !codes("MISS", asOf: "2025-06-10").contains("records_missing"))

        // A mentor sees only their own families' alerts, and may not ask for another's.
        #expect(try await Self.alerts(fixture, as: aziza).map(\.family_code) == ["LATE", "FALL", "MISS"])
        #expect(try await Self.alerts(fixture, mentor: "bobur@example.org").map(\.family_code) == ["ARRE", "POOR", "GRNT", "SSMD", "VISI"])
        await #expect(throws: RavnaqError.forbidden("a mentor sees only the alerts of their own families")) {
            try await Self.alerts(fixture, mentor: "bobur@example.org", as: aziza)
        }
        await #expect(throws: RavnaqError.self) { try await Self.alerts(fixture, mentor: "nobody@example.org") }
        let officer = try await fixture.user("officer@example.org", .grantOfficer)
        await #expect(throws: RavnaqError.self) { try await Self.alerts(fixture, as: officer) }

        // A programme's weights: loans and grants of it now weigh differently, a weight of 0 turns a signal off.
        _ = try await Programmes(database: fixture.database).update(
            programme: programme.id, ProgrammeInput(alert_weights: ["loan_in_arrears": 80, "grant_unaccounted": 0]), as: fixture.admin)
        let weighted = try await Self.alerts(fixture)
        #expect(weighted.first?.family_code == "ARRE" && weighted.first?.score == 80)
        #expect(!weighted.map(\.family_code).contains("GRNT"))
        let view = try await Programmes(database: fixture.database).get(programme.id, as: fixture.admin)
        #expect(view.alert_weights["loan_in_arrears"] == 80 && view.alert_weights["visit_overdue"] == 15)
        #expect(Set(view.alert_weights.keys) == Set(AlertSignal.allCases.map(\.rawValue)))
    }

    @Test("a weight that is not a whole number from 0 to 100, or a code that is no signal, is a 422 naming it")
    func badWeights() async throws {
        let fixture = try await CoreFixture.make()
        let programme = try await LoanServicingCoreTests.programme(fixture, "Oila biznesi")
        let error = await #expect(throws: RavnaqError.self) {
            try await Programmes(database: fixture.database).update(
                programme: programme.id, ProgrammeInput(alert_weights: ["visit_overdue": .invalid, "repayment_late": 101, "rain": 5]),
                as: fixture.admin)
        }
        guard case .invalid(let errors)? = error else { Issue.record("not a 422: \(String(describing: error))"); return }
        #expect(errors.map(\.pointer) == ["/alert_weights/rain", "/alert_weights/repayment_late", "/alert_weights/visit_overdue"])
        #expect(errors.last?.detail == "must be a whole number from 0 to 100")
    }

    @Test("a member who stops working is a signal from that day; acknowledging hides the alert until its score rises")
    func stoppedWorkingAndAcknowledgement() async throws {
        let fixture = try await CoreFixture.make()
        let aziza = try await fixture.user("aziza@example.org", .mentor)
        let today = try await GraduationTests.today(fixture)
        // Its project is not active: after the 10th no records are due of it (whatever day the test runs).
        let family = try await Self.family(fixture, "WORK", mentor: aziza.name, visit: false, may: false, active: false)
        // Today the family's only signal is its visit: due since the assignment, never made.
        try await Self.visit(fixture, family.id, on: today.description, next: today.adding(days: 30).description)
        #expect(try await Self.alerts(fixture, asOf: nil).isEmpty)
        // A member added who does not work has not stopped working.
        _ = try await Families(database: fixture.database).addMember(
            family: "WORK", MemberInput(full_name: "Madina Karimova", sex: "female", birth_date: "2015-03-02", relation: "daughter", works: false), as: fixture.admin)
        #expect(try await Self.alerts(fixture, asOf: nil).isEmpty)

        let member: UUID = try await fixture.database.pool.withConnection {
            try $0.query("SELECT id FROM members WHERE family_id = $1 AND relation = 'head'", [UUID(uuidString: family.id)!]).first!.decode(0)
        }
        _ = try await Families(database: fixture.database).changeMember(
            family: "WORK", member: member.uuidString, MemberChangeInput(works: false), as: aziza)
        let stopped = try await Self.alerts(fixture, asOf: nil)
        #expect(stopped.map(\.score) == [15])
        #expect(stopped.first?.reasons.map(\.text) == ["Dilnoza Karimova (head) stopped working on \(today)"])
        // As of yesterday the member still worked (the visit of today was not made yet).
        #expect(try await Self.alerts(fixture, asOf: today.adding(days: -1).description).flatMap(\.reasons).map(\.code) == ["visit_overdue"])

        let alerts = Alerts(database: fixture.database)
        let acknowledged = try await alerts.acknowledge("WORK", AcknowledgementInput(note: "she looks after her mother this month"), as: aziza)
        #expect(acknowledged.acknowledged?.score == 15 && acknowledged.acknowledged?.by == "aziza@example.org")
        #expect(try await Self.alerts(fixture, asOf: nil).isEmpty)

        // Another signal raises the score above the one acknowledged: the alert is back, saying so.
        try await Self.assess(fixture, family.id, on: today.adding(days: -30).description, income: 3, food: 3, kind: "intake")
        try await Self.assess(fixture, family.id, on: today.description, income: 2, food: 3)
        let back = try await Self.alerts(fixture, asOf: nil)
        #expect(back.map(\.score) == [30])
        #expect(back.first?.acknowledged?.score == 15 && back.first?.acknowledged?.note == "she looks after her mother this month")

        // Working again ends that signal: 15, not above the 30 acknowledged now, stays away.
        let withoutNote = try await alerts.acknowledge(family.id, AcknowledgementInput(), as: fixture.admin)
        // Every key of the acknowledgement is in the answer, a missing note as null (the OpenAPI document requires it).
        let encoded = try #require(try JSONSerialization.jsonObject(with: RavnaqJSON.encode(withoutNote)) as? [String: Any])
        #expect(Set((encoded["acknowledged"] as? [String: Any])?.keys.map { $0 } ?? []) == ["as_of", "score", "note", "by", "at"])
        _ = try await Families(database: fixture.database).changeMember(
            family: "WORK", member: member.uuidString, MemberChangeInput(works: true), as: aziza)
        #expect(try await Self.alerts(fixture, asOf: nil).isEmpty)

        // Nothing to acknowledge for a family without an alert; another mentor's family is not found.
        let calm = try await Self.family(fixture, "CALM", mentor: aziza.name, visit: false, may: false, active: false)
        try await Self.visit(fixture, calm.id, on: today.description, next: today.adding(days: 30).description)
        await #expect(throws: RavnaqError.rule(.noAlert, message: "the family has no alert today: nothing to acknowledge")) {
            try await alerts.acknowledge("CALM", AcknowledgementInput(), as: aziza)
        }
        let bobur = try await fixture.user("bobur@example.org", .mentor)
        await #expect(throws: RavnaqError.notFound("family WORK")) { try await alerts.acknowledge("WORK", AcknowledgementInput(), as: bobur) }

        // A note is personal data, like a visit's notes: withdrawing consent erases it; the acknowledgement stays.
        _ = try await Families(database: fixture.database).withdrawConsent(family: "WORK", date: today.description, as: fixture.admin)
        let notes: [String?] = try await fixture.database.pool.withConnection {
            try $0.query("SELECT note FROM alert_acknowledgements ORDER BY acknowledged_at").rows.map { try $0.decode(0, as: String?.self) }
        }
        #expect(notes == [nil, nil])
    }

    @Test("the signal codes Swift words are exactly those PostgreSQL weighs")
    func codes() async throws {
        let fixture = try await CoreFixture.make()
        let keys: [String] = try await fixture.database.pool.withConnection {
            try $0.query("SELECT jsonb_object_keys(alert_default_weights()) ORDER BY 1").rows.map { try $0.decode(0) }
        }
        #expect(keys == AlertSignal.allCases.map(\.rawValue).sorted())
        #expect(AlertSignal.grouped("1200000.00") == "1 200 000" && AlertSignal.grouped("950000.50") == "950 000.50"
            && AlertSignal.grouped("-610.00") == "-610" && AlertSignal.grouped("12") == "12")
    }
}
