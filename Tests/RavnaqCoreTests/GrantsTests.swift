import Foundation
import Postgres
import RavnaqCore
import RavnaqMoney
import Testing
import TestSupport

/// An organization with a programme, a family and its project, and actors in each role.
/// Families and projects are inserted with SQL (their services are not written yet).
struct GrantSetup {
    let database: Database
    let organizationID: UUID
    let programmeID: String
    let projectID: UUID
    let grants: Grants
    let admin: Actor
    let coordinator: Actor
    let officer: Actor

    static func make(trancheApproval: Bool = false) async throws -> GrantSetup {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "admin@example.org")
        let programme = try await Programmes(database: database).create(
            ProgrammeInput(name: "Family Business 2025", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01",
                           ends_on: "2026-12-31", budget: "500000000", tranche_approval: trancheApproval),
            as: admin)
        return GrantSetup(
            database: database, organizationID: organization.id, programmeID: programme.id,
            projectID: try await insertProject(database, organizationID: organization.id, code: "AN-0001"),
            grants: Grants(database: database), admin: admin,
            coordinator: Actor(userID: nil, organizationID: organization.id, role: .coordinator, name: "malika@example.org"),
            officer: Actor(userID: nil, organizationID: organization.id, role: .grantOfficer, name: "officer@undp.example"))
    }

    static func insertProject(_ database: Database, organizationID: UUID, code: String) async throws -> UUID {
        try await database.pool.withConnection { connection in
            let family: UUID = try connection.query(
                "INSERT INTO families (organization_id, code, region, district) VALUES ($1, $2, 'Andijon', 'Asaka') RETURNING id",
                [organizationID, code]
            ).first!.decode(0)
            return try connection.query(
                "INSERT INTO projects (organization_id, family_id, type, title) VALUES ($1, $2, 'sewing', 'Home sewing workshop') RETURNING id",
                [organizationID, family]
            ).first!.decode(0)
        }
    }

    /// The SPEC §9 grant: 6 000 000 in 4 000 000 (none) + 2 000 000 (previous_tranche_accounted).
    func specGrant(second condition: String = "previous_tranche_accounted", first: String = "none") async throws -> GrantView {
        try await grants.create(
            GrantInput(programme_id: programmeID, project_id: projectID.idString, currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "4000000", planned_on: "2025-02-01", condition: first),
                                  TrancheInput(amount: "2000000", planned_on: "2025-05-01", condition: condition)]),
            as: coordinator)
    }

    @discardableResult
    func disburse(_ grant: GrantView, _ n: Int, on date: String, as actor: Actor? = nil, key: IdempotencyKey? = nil) async throws -> [String: Any] {
        let answer = try await grants.disburse(grant: grant.id, tranche: n, DisbursementInput(date: date), as: actor ?? coordinator, key: key)
        return try #require(JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
    }

    func spend(_ grant: GrantView, _ amount: String, on date: String = "2025-03-01", category: String = "equipment") async throws {
        _ = try await grants.recordExpense(
            grant: grant.id, ExpenseInput(date: date, category: category, amount: AmountInput(amount), receipt: "R-17"),
            as: coordinator, key: nil)
    }

    func count(_ sql: String) async throws -> Int {
        try await database.pool.withConnection { try $0.query(sql).first!.decode(0, as: Int.self) }
    }
}

/// The problem type of a refusal by a business rule (nil for any other outcome).
func ruleType(_ error: RavnaqError?) -> Refusal? {
    guard case .rule(let type, _)? = error else { return nil }
    return type
}

@Suite("Grants")
struct GrantsTests {
    @Test("the SPEC §9 grant: utilization 0.75; tranche 2 waits until expenses reach 80 % of tranche 1")
    func specExample() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant()
        #expect(grant.total == "6000000.00")
        #expect(grant.disbursed == "0.00")
        #expect(grant.utilization == nil)
        #expect(grant.tranches.map(\.status) == ["pending", "pending"])
        #expect(grant.tranches.map(\.amount) == ["4000000.00", "2000000.00"])

        let afterFirst = try await setup.disburse(grant, 1, on: "2025-02-01")
        #expect(afterFirst["disbursed"] as? String == "4000000.00")
        try await setup.spend(grant, "3000000")
        var view = try await setup.grants.get(grant.id, as: setup.coordinator)
        #expect(view.disbursed == "4000000.00")
        #expect(view.expenses == "3000000.00")
        #expect(view.utilization == Decimal(string: "0.75"))
        #expect(view.tranches.map(\.status) == ["disbursed", "pending"])
        #expect(view.tranches[0].disbursed_on == "2025-02-01")

        // 3 000 000 of 4 000 000 is 75 %; one tiyin short of 80 % is still refused.
        let refused = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-05-01") }
        #expect(ruleType(refused) == .conditionNotMet)
        #expect(refused?.message.contains("3200000.00") == true)
        try await setup.spend(grant, "199999.99", on: "2025-04-01", category: "materials")
        let stillRefused = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-05-01") }
        #expect(ruleType(stillRefused) == .conditionNotMet)
        try await setup.spend(grant, "0.01", on: "2025-04-02", category: "transport")
        let afterSecond = try await setup.disburse(grant, 2, on: "2025-05-01")
        #expect(afterSecond["disbursed"] as? String == "6000000.00")

        view = try await setup.grants.get(grant.number, as: setup.officer)
        #expect(view.tranches.map(\.status) == ["disbursed", "disbursed"])
        #expect(view.utilization == Decimal(string: "0.533333"))  // 3 200 000 ÷ 6 000 000, half-up to 6 places (grant_utilization)

        // The books balance, and grant_expense carries exactly what was disbursed.
        let balance = try await LedgerService(database: setup.database).trialBalance(asOf: "2025-12-31", as: setup.admin)
        #expect(balance.total_debit != nil)
        #expect(balance.total_debit == balance.total_credit)
        let grantExpense = try #require(balance.accounts.first { $0.account == "grant_expense" })
        #expect(grantExpense.debit == "6000000.00")
        #expect(grantExpense.credit == "0.00")
        let cash = try #require(balance.accounts.first { $0.account == "cash" })
        #expect(cash.credit == "6000000.00")
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions WHERE kind = 'grant_disbursement'") == 2)
    }

    @Test("a tranche out of order, or a second time, is refused with its own problem type")
    func orderAndOnce() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant(second: "none")
        let early = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-02-01") }
        #expect(ruleType(early) == .trancheOutOfOrder)
        try await setup.disburse(grant, 1, on: "2025-02-01")
        let again = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 1, on: "2025-02-02") }
        #expect(ruleType(again) == .trancheAlreadyDisbursed)
        let backdated = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-01-31") }
        #expect(ruleType(backdated) == .disbursementBeforePreviousTranche)
        await #expect(throws: RavnaqError.notFound("tranche 3 of grant \(grant.number)")) {
            try await setup.disburse(grant, 3, on: "2025-03-01")
        }
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 1)

        // The database refuses the same, whatever the Swift code does.
        let direct = await #expect(throws: PostgresError.self) {
            try await setup.database.pool.withConnection { connection in
                _ = try connection.query("UPDATE grant_tranches SET disbursed_on = '2025-03-01' WHERE n = 1")
            }
        }
        #expect(direct?.constraint == "tranche-already-disbursed")
    }

    @Test("tranches that do not add up to the total are refused, and nothing is written")
    func trancheSum() async throws {
        let setup = try await GrantSetup.make()
        let auditBefore = try await setup.count("SELECT count(*) FROM audit_log")
        let refused = await #expect(throws: RavnaqError.self) {
            try await setup.grants.create(
                GrantInput(programme_id: setup.programmeID, project_id: setup.projectID.idString, currency: "UZS", total: "6000000",
                           tranches: [TrancheInput(amount: "4000000", planned_on: "2025-02-01", condition: "none"),
                                      TrancheInput(amount: "1999999.99", planned_on: "2025-05-01", condition: "none")]),
                as: setup.coordinator)
        }
        #expect(ruleType(refused) == .grantTranchesSum)
        #expect(refused?.message == "the tranches add up to 5999999.99, not to the grant's total of 6000000.00 UZS")
        #expect(try await setup.count("SELECT count(*) FROM grants") == 0)
        #expect(try await setup.count("SELECT count(*) FROM grant_tranches") == 0)
        #expect(try await setup.count("SELECT count(*) FROM audit_log") == auditBefore)
    }

    @Test("where the programme asks, a grant officer approves; a coordinator cannot approve, an officer cannot disburse")
    func approval() async throws {
        let setup = try await GrantSetup.make(trancheApproval: true)
        let grant = try await setup.specGrant()
        let unapproved = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 1, on: "2025-02-01") }
        #expect(ruleType(unapproved) == .approvalRequired)
        await #expect(throws: RavnaqError.forbidden("only grant officers can approve grant tranches")) {
            try await setup.grants.approve(grant: grant.id, tranche: 1, as: setup.coordinator)
        }
        await #expect(throws: RavnaqError.forbidden("only admins and coordinators can disburse grant tranches")) {
            try await setup.disburse(grant, 1, on: "2025-02-01", as: setup.officer)
        }
        let approved = try await setup.grants.approve(grant: grant.number, tranche: 1, as: setup.officer)
        #expect(approved.tranches[0].status == "approved")
        #expect(approved.tranches[0].approved)
        #expect(approved.tranches[0].approved_by == "officer@undp.example")
        #expect(approved.tranches[1].status == "pending")
        // Approving again changes nothing.
        #expect(try await setup.grants.approve(grant: grant.id, tranche: 1, as: setup.officer).tranches[0].status == "approved")
        let disbursed = try await setup.disburse(grant, 1, on: "2025-02-01")
        let tranches = try #require(disbursed["tranches"] as? [[String: Any]])
        #expect(tranches[0]["status"] as? String == "disbursed")
        let late = await #expect(throws: RavnaqError.self) { try await setup.grants.approve(grant: grant.id, tranche: 1, as: setup.officer) }
        #expect(ruleType(late) == .trancheAlreadyDisbursed)

        // Without the programme asking, there is nothing to approve.
        let other = try await GrantSetup.make(trancheApproval: false)
        let plain = try await other.specGrant()
        let needless = await #expect(throws: RavnaqError.self) { try await other.grants.approve(grant: plain.id, tranche: 1, as: other.officer) }
        #expect(ruleType(needless) == .approvalNotRequired)
        try await other.disburse(plain, 1, on: "2025-02-01")
    }

    @Test("business_plan_approved holds once the plan is approved; training_completed once a member completed a course")
    func otherConditions() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant(second: "training_completed", first: "business_plan_approved")
        let noPlan = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 1, on: "2025-02-01") }
        #expect(ruleType(noPlan) == .conditionNotMet)
        #expect(noPlan?.message.contains("business plan") == true)
        try await setup.database.pool.withConnection { connection in
            _ = try connection.query("UPDATE projects SET business_plan_approved_on = '2025-01-25'")
        }
        try await setup.disburse(grant, 1, on: "2025-02-01")
        try await setup.spend(grant, "4000000")
        let noTraining = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-05-01") }
        #expect(ruleType(noTraining) == .conditionNotMet)
        #expect(noTraining?.message.contains("training_completed") == true)
        #expect(try await setup.count("SELECT count(*) FROM grant_tranches WHERE disbursed_on IS NOT NULL") == 1)

        // A member enrolled in a course who has not completed it does not count.
        let families = Families(database: setup.database)
        try await setup.database.pool.withConnection { try $0.execute("UPDATE families SET consent_on = '2025-01-10'") }
        let (member, _) = try await families.addMember(
            family: "AN-0001", MemberInput(full_name: "Dilnoza Karimova", relation: "head"), as: setup.coordinator)
        let memberID = try #require((try JSONSerialization.jsonObject(with: Data(member.text.utf8)) as? [String: Any])?["id"] as? String)
        let training = Training(database: setup.database)
        _ = try await training.createCourse(CourseInput(code: "SEW-1", title: "Sewing basics", skill: "sewing", hours: "8"), as: setup.coordinator)
        let session = try await training.addSession(
            course: "SEW-1", SessionInput(date: "2025-03-01", hours: "8", trainer: "Malika Yusupova", venue: "Mahalla centre"),
            as: setup.coordinator)
        let sessionID = try #require((try JSONSerialization.jsonObject(with: Data(session.text.utf8)) as? [String: Any])?["id"] as? String)
        _ = try await training.enroll(EnrollmentInput(course_id: "SEW-1", member_id: memberID), as: setup.coordinator)
        let notYet = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-05-01") }
        #expect(ruleType(notYet) == .conditionNotMet)

        // Once the member completes the course, the condition holds from the completion's date on.
        _ = try await training.recordAttendance(course: "SEW-1", session: sessionID, AttendanceInput(present: [memberID]), as: setup.coordinator)
        _ = try await training.complete(course: "SEW-1", as: setup.coordinator)
        let completedOn = try await setup.database.pool.withConnection {
            try $0.query("SELECT completed_on::text FROM enrollments").first!.decode(0, as: String.self)
        }
        let beforeCompletion = await #expect(throws: RavnaqError.self) { try await setup.disburse(grant, 2, on: "2025-05-01") }
        #expect(ruleType(beforeCompletion) == .conditionNotMet)
        try await setup.disburse(grant, 2, on: completedOn)
    }

    @Test("a repeated Idempotency-Key with the same body answers the first answer and moves no money; another body is a 409")
    func idempotentDisbursement() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant()
        let key = IdempotencyKey(key: "k-1", body: #"{"date":"2025-02-01"}"#)
        let first = try await setup.grants.disburse(grant: grant.id, tranche: 1, DisbursementInput(date: "2025-02-01"), as: setup.coordinator, key: key)
        try await setup.spend(grant, "100")
        let again = try await setup.grants.disburse(
            grant: grant.id, tranche: 1, DisbursementInput(date: "2025-02-01"), as: setup.coordinator,
            key: IdempotencyKey(key: "k-1", body: #"{ "date" : "2025-02-01" }"#))
        #expect(again.body == first.body)
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 1)
        let other = await #expect(throws: RavnaqError.self) {
            try await setup.grants.disburse(
                grant: grant.id, tranche: 1, DisbursementInput(date: "2025-02-02"), as: setup.coordinator,
                key: IdempotencyKey(key: "k-1", body: #"{"date":"2025-02-02"}"#))
        }
        guard case .conflict(let type, _)? = other else { Issue.record("expected a conflict"); return }
        #expect(type == .idempotencyKeyReused)
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 1)
    }

    @Test("every change to a grant is in the audit log with its actor")
    func audit() async throws {
        let setup = try await GrantSetup.make(trancheApproval: true)
        let grant = try await setup.specGrant()
        _ = try await setup.grants.approve(grant: grant.id, tranche: 1, as: setup.officer)
        try await setup.disburse(grant, 1, on: "2025-02-01")
        try await setup.spend(grant, "3000000")
        let entries = try await setup.database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT actor, action, entity FROM audit_log
                WHERE entity IN ('grants', 'grant_tranches', 'grant_expenses', 'ledger_transactions') ORDER BY id
                """
            ).rows.map { "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String.self)) \(try $0.decode(2, as: String.self))" }
        }
        #expect(entries == [
            "malika@example.org insert grants",
            "malika@example.org insert grant_tranches",
            "malika@example.org insert grant_tranches",
            "officer@undp.example update grant_tranches",
            "malika@example.org insert ledger_transactions",
            "malika@example.org update grant_tranches",
            "malika@example.org insert grant_expenses",
        ])
        let after = try await setup.database.pool.withConnection { connection in
            try connection.query(
                "SELECT after ->> 'disbursed_on' FROM audit_log WHERE entity = 'grant_tranches' AND action = 'update' ORDER BY id DESC LIMIT 1"
            ).first!.decode(0, as: String.self)
        }
        #expect(after == "2025-02-01")
    }

    @Test("bad input lists every bad field and changes nothing")
    func badInput() async throws {
        let setup = try await GrantSetup.make()
        let invalid = await #expect(throws: RavnaqError.self) {
            try await setup.grants.create(
                GrantInput(programme_id: setup.programmeID, project_id: nil, currency: "USD", total: "-6000000",
                           tranches: [TrancheInput(amount: "4000000", planned_on: "2025-02-30", condition: "none"),
                                      TrancheInput(amount: "abc", planned_on: "2025-05-01", condition: "when_ready"),
                                      TrancheInput(amount: nil, planned_on: "2025-04-01", condition: nil)]),
                as: setup.coordinator)
        }
        guard case .invalid(let fields)? = invalid else { Issue.record("expected invalid input, got \(String(describing: invalid))"); return }
        #expect(fields.map(\.pointer) == [
            "/project_id", "/currency", "/total", "/tranches/0/planned_on", "/tranches/1/amount", "/tranches/1/condition",
            "/tranches/2/amount", "/tranches/2/planned_on",
        ])
        let unknown = await #expect(throws: RavnaqError.self) {
            try await setup.grants.create(
                GrantInput(programme_id: UUID().idString, project_id: "not-an-id", currency: "UZS", total: "1", tranches: []),
                as: setup.coordinator)
        }
        guard case .invalid(let unknownFields)? = unknown else { Issue.record("expected invalid input"); return }
        #expect(unknownFields.map(\.pointer) == ["/programme_id", "/project_id", "/tranches"])

        let grant = try await setup.specGrant()
        try await setup.disburse(grant, 1, on: "2025-02-01")
        let auditBefore = try await setup.count("SELECT count(*) FROM audit_log")
        let badExpense = await #expect(throws: RavnaqError.self) {
            _ = try await setup.grants.recordExpense(
                grant: grant.id, ExpenseInput(date: "01.03.2025", category: "food", amount: "-5", receipt: nil),
                as: setup.coordinator, key: nil)
        }
        guard case .invalid(let expenseFields)? = badExpense else { Issue.record("expected invalid input"); return }
        #expect(expenseFields.map(\.pointer) == ["/date", "/category", "/amount"])
        let missing = await #expect(throws: RavnaqError.self) {
            _ = try await setup.grants.recordExpense(grant: grant.id, ExpenseInput(), as: setup.coordinator, key: nil)
        }
        guard case .invalid(let missingFields)? = missing else { Issue.record("expected invalid input"); return }
        #expect(missingFields.map(\.pointer) == ["/date", "/category", "/amount"])
        let noDate = await #expect(throws: RavnaqError.self) {
            _ = try await setup.grants.disburse(grant: grant.id, tranche: 2, DisbursementInput(), as: setup.coordinator, key: nil)
        }
        #expect(noDate == .invalid("/date", "is required"))
        // More than was disbursed cannot be accounted for.
        let tooMuch = await #expect(throws: RavnaqError.self) { try await setup.spend(grant, "4000000.01") }
        #expect(ruleType(tooMuch) == .expensesExceedDisbursed)
        #expect(try await setup.count("SELECT count(*) FROM grant_expenses") == 0)
        #expect(try await setup.count("SELECT count(*) FROM audit_log") == auditBefore)
        #expect(try await setup.count("SELECT count(*) FROM grants") == 1)
    }

    @Test("another organization's grants are not visible, and its programmes and projects cannot be used")
    func organizations() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant()
        let other = try await Organizations(database: setup.database).add(code: "FA", name: "Farg'ona", operatorName: "cli:test")
        let outsider = Actor(userID: nil, organizationID: other.id, role: .admin, name: "admin@fa.example")
        await #expect(throws: RavnaqError.notFound("grant \(grant.id)")) { try await setup.grants.get(grant.id, as: outsider) }
        await #expect(throws: RavnaqError.notFound("grant \(grant.number)")) { try await setup.grants.get(grant.number, as: outsider) }
        #expect(try await setup.grants.list(as: outsider).items.isEmpty)
        await #expect(throws: RavnaqError.notFound("grant \(grant.id)")) {
            try await setup.disburse(grant, 1, on: "2025-02-01", as: outsider)
        }
        let foreign = await #expect(throws: RavnaqError.self) {
            try await setup.grants.create(
                GrantInput(programme_id: setup.programmeID, project_id: setup.projectID.idString, currency: "UZS", total: "1",
                           tranches: [TrancheInput(amount: "1", planned_on: "2025-02-01")]),
                as: outsider)
        }
        guard case .invalid(let fields)? = foreign else { Issue.record("expected invalid input"); return }
        #expect(fields.map(\.pointer) == ["/programme_id", "/project_id"])
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 0)
    }

    @Test("a grant is found by its id or its number; lists filter by project; mentors see only their families' grants")
    func lookupAndLists() async throws {
        let setup = try await GrantSetup.make()
        let grant = try await setup.specGrant()
        #expect(grant.number.hasPrefix("G-"))
        let digits = Int(grant.number.dropFirst(2))!
        #expect(try await setup.grants.get("g-\(digits)", as: setup.coordinator).id == grant.id)
        #expect(try await setup.grants.get(grant.id.uppercased(), as: setup.coordinator).number == grant.number)
        await #expect(throws: RavnaqError.notFound("grant G-999999")) { try await setup.grants.get("G-999999", as: setup.coordinator) }
        await #expect(throws: RavnaqError.notFound("grant 45")) { try await setup.grants.get("45", as: setup.coordinator) }

        let otherProject = try await GrantSetup.insertProject(setup.database, organizationID: setup.organizationID, code: "AN-0002")
        let second = try await setup.grants.create(
            GrantInput(programme_id: setup.programmeID, project_id: otherProject.idString, currency: "UZS", total: "1000",
                       tranches: [TrancheInput(amount: "1000", planned_on: "2025-03-01")]),
            as: setup.admin)
        #expect(second.tranches.map(\.condition) == ["none"])
        #expect(try await setup.grants.list(as: setup.officer).items.map(\.id) == [grant.id, second.id])
        #expect(try await setup.grants.list(projectID: otherProject.idString, as: setup.coordinator).items.map(\.id) == [second.id])
        await #expect(throws: RavnaqError.invalid("/project_id", "\"x\" is not an id")) {
            try await setup.grants.list(projectID: "x", as: setup.coordinator)
        }

        let users = Users(database: setup.database)
        let (mentor, _) = try await users.add(email: "m@example.org", role: .mentor, organizationID: setup.organizationID, actorName: "cli:test")
        try await setup.database.pool.withConnection { connection in
            _ = try connection.query(
                """
                INSERT INTO mentor_assignments (organization_id, family_id, mentor_id, from_on)
                SELECT organization_id, family_id, $1, '2020-01-01' FROM projects WHERE id = $2
                """,
                [mentor.id, otherProject])
        }
        let mentorActor = Actor(userID: mentor.id, organizationID: setup.organizationID, role: .mentor, name: "m@example.org")
        #expect(try await setup.grants.list(as: mentorActor).items.map(\.id) == [second.id])
        await #expect(throws: RavnaqError.notFound("grant \(grant.id)")) { try await setup.grants.get(grant.id, as: mentorActor) }
    }

    @Test("the 80 % rule and the amount still needed are exact")
    func rules() {
        func uzs(_ text: String) -> Amount { Currency.uzs.parse(text)! }
        #expect(GrantRules.previousTranchesAccounted(expenses: uzs("3200000"), disbursedBefore: uzs("4000000")))
        #expect(!GrantRules.previousTranchesAccounted(expenses: uzs("3199999.99"), disbursedBefore: uzs("4000000")))
        #expect(GrantRules.previousTranchesAccounted(expenses: .zero, disbursedBefore: .zero))
        // 80 % of 0.03 is 0.024: 0.02 is short, 0.03 is enough.
        #expect(!GrantRules.previousTranchesAccounted(expenses: uzs("0.02"), disbursedBefore: uzs("0.03")))
        #expect(GrantRules.expensesNeeded(disbursedBefore: uzs("0.03")) == uzs("0.03"))
        #expect(GrantRules.expensesNeeded(disbursedBefore: uzs("4000000")) == uzs("3200000"))
        let huge = Amount(minorUnits: .max)
        #expect(GrantRules.previousTranchesAccounted(expenses: huge, disbursedBefore: huge))
        #expect(!GrantRules.previousTranchesAccounted(expenses: Amount(minorUnits: .max / 5 * 4 - 1), disbursedBefore: huge))
        #expect(GrantRules.sum([huge, uzs("0.01")]) == nil)
    }
}
