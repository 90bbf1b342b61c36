import Dates
import Foundation
import Postgres
import RavnaqCore
import RavnaqMoney
import Testing
import TestSupport

@Suite("Projects, programmes and loans in the service layer")
struct LoansCoreTests {
    /// A programme (with an optional late fee), a family and a project; returns their ids.
    static func setUp(_ fixture: CoreFixture, lateFee: String? = nil, afterDays: Int? = nil) async throws -> (programme: String, project: String) {
        let programme = try await Programmes(database: fixture.database).create(
            ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "500000000", late_fee: lateFee.map { AmountInput($0) }, late_fee_after_days: afterDays),
            as: fixture.admin)
        let (family, _) = try await Families(database: fixture.database).create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka"), as: fixture.admin)
        let project = try await Projects(database: fixture.database).create(
            ProjectInput(family_id: try fixture.object(family)["id"] as? String, type: "baking", title: "Tandir bakery"), as: fixture.admin)
        return (programme.id, try #require(try fixture.object(project)["id"] as? String))
    }

    @Test("a project moves only along its lifecycle, and every step is recorded")
    func projectLifecycle() async throws {
        let fixture = try await CoreFixture.make()
        let (_, project) = try await Self.setUp(fixture)
        let projects = Projects(database: fixture.database)
        for (status, allowed) in [("closed", false), ("active", true), ("suspended", true), ("planned", false), ("active", true), ("failed", true), ("active", false)] {
            if allowed {
                let changed = try await projects.changeStatus(project: project, StatusInput(status: status, date: "2025-03-01"), as: fixture.admin)
                #expect(try fixture.object(changed)["status"] as? String == status)
            } else {
                let error = await #expect(throws: RavnaqError.self) {
                    try await projects.changeStatus(project: project, StatusInput(status: status, date: "2025-03-01"), as: fixture.admin)
                }
                #expect(error?.message.contains("cannot go from") == true)
            }
        }
        let steps = try await fixture.database.pool.withConnection { try $0.query("SELECT count(*) FROM project_status_changes").first!.decode(0, as: Int.self) }
        #expect(steps == 4)
    }

    @Test("a programme's late fee is charged on due + N + 1 days, owed first, and credited to fee_income when paid")
    func lateFee() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await Self.setUp(fixture, lateFee: "50000", afterDays: 5)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "0",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-10"),
            as: fixture.admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: fixture.admin, idempotency: nil)
        // r = 0: equal principal of 100 000.00, first due 2025-02-10; the fee falls on 2025-02-16.
        #expect(try await loans.get(loan.id, asOf: "2025-02-15", as: fixture.admin).total_owed == "1200000.00")
        let charged = try await loans.get(loan.id, asOf: "2025-02-16", as: fixture.admin)
        #expect(charged.total_owed == "1250000.00")
        #expect(charged.overdue == "150000.00")
        let answer = try await loans.repay(loan.id, RepaymentRequest(amount: "120000", date: "2025-02-20"), as: fixture.admin, idempotency: nil)
        let repayment = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        let allocation = try #require(repayment["allocation"] as? [String: Any])
        #expect(allocation["fees"] as? String == "50000.00")
        #expect(allocation["principal"] as? String == "70000.00")
        let balance = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-12-31", as: fixture.admin)
        #expect(balance.accounts.first { $0.account == "fee_income" }?.credit == "50000.00")
        #expect(balance.total_debit == balance.total_credit)
    }

    @Test("donor funds: debit cash, credit donor_funds; the programme shows what was received")
    func donorFunds() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, _) = try await Self.setUp(fixture)
        let answer = try await Programmes(database: fixture.database).receiveFunds(
            programme: programme, FundsInput(date: "2025-01-05", amount: "200000000"), as: fixture.admin, key: nil)
        let shown = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(shown["funds_received"] as? String == "200000000.00")
        let balance = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-01-05", as: fixture.admin)
        #expect(balance.accounts.first { $0.account == "cash" }?.debit == "200000000.00")
        #expect(balance.accounts.first { $0.account == "donor_funds" }?.credit == "200000000.00")
        // As of the day before, nothing.
        let before = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-01-04", as: fixture.admin)
        #expect(before.total_debit == "0.00")
    }

    @Test("the stored schedule is the computed one, for every method and frequency, and PostgreSQL agrees on arrears")
    func storedSchedules() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await Self.setUp(fixture)
        let loans = Loans(database: fixture.database)
        for method in RepaymentMethod.allCases {
            for frequency in Frequency.allCases {
                let loan = try await loans.open(
                    LoanInput(programme_id: programme, project_id: project, principal: "7777777.77", currency: "UZS", annual_rate: "19.5",
                              method: method.rawValue, installments: 10, frequency: frequency.rawValue, grace_periods: 2,
                              planned_disbursement_on: "2025-01-31"), as: fixture.admin)
                _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-31"), as: fixture.admin, idempotency: nil)
                let schedule = try await loans.schedule(loan.id, asOf: "2025-01-31", as: fixture.admin)
                let expected = LoanSchedule.compute(LoanTerms(
                    principal: Amount(minorUnits: 777_777_777), annualRatePercent: Decimal(string: "19.5")!, method: method,
                    installments: 10, frequency: frequency, gracePeriods: 2, disbursedOn: LocalDate("2025-01-31")!, minorDigits: 2,
                    calendar: .uzbekistan))
                // The organization's calendar is Uzbekistan's: Sundays and fixed holidays move due dates.
                #expect(schedule.installments.map(\.due_on) == expected.map(\.dueOn.description))
                #expect(schedule.installments.map(\.principal) == expected.map { $0.principal.formatted(minorDigits: 2) })
                #expect(schedule.installments.map(\.interest) == expected.map { $0.interest.formatted(minorDigits: 2) })

                // Days past due by Swift's replay and by PostgreSQL's loan_figures agree.
                let asOf = "2025-06-30"
                let view = try await loans.get(loan.id, asOf: asOf, as: fixture.admin)
                let sql = try await fixture.database.pool.withConnection { connection in
                    try connection.query("SELECT days_past_due, outstanding_principal::numeric(18,2)::text FROM loan_figures($1, $2)",
                                         [UUID(uuidString: loan.id)!, LocalDate(asOf)!]).first.map {
                        (try $0.decode(0, as: Int.self), try $0.decode(1, as: String.self))
                    }!
                }
                #expect(sql.0 == view.days_past_due)
                #expect(sql.1 == view.outstanding_principal)
            }
        }
    }

    @Test("a repayment's audit entry records the actor and the row after the change")
    func audit() async throws {
        let fixture = try await CoreFixture.make()
        let coordinator = try await fixture.user("malika@example.org", .coordinator)
        let (programme, project) = try await Self.setUp(fixture)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "1000000", currency: "UZS", annual_rate: "12",
                      method: "flat", installments: 4, frequency: "monthly", planned_disbursement_on: "2025-01-10"), as: coordinator)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: coordinator, idempotency: nil)
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: "260000", date: "2025-02-10"), as: coordinator, idempotency: nil)
        let entries = try await fixture.database.pool.withConnection { connection in
            try connection.query(
                "SELECT actor, action, after ->> 'amount', before IS NULL FROM audit_log WHERE entity = 'repayments'"
            ).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self), try $0.decode(2, as: String.self), try $0.decode(3, as: Bool.self)) }
        }
        #expect(entries.count == 1)
        #expect(entries.first?.0 == "malika@example.org")
        #expect(entries.first?.1 == "insert")
        #expect(entries.first?.2 == "260000.00")
        #expect(entries.first?.3 == true)
        let loanUpdates = try await fixture.database.pool.withConnection { connection in
            try connection.query(
                "SELECT before ->> 'status', after ->> 'status' FROM audit_log WHERE entity = 'loans' AND action = 'update'"
            ).rows.map { [try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)] }
        }
        #expect(loanUpdates == [["approved", "active"]])
    }

    @Test("roles: a mentor or a grant officer cannot move money")
    func roles() async throws {
        let fixture = try await CoreFixture.make()
        let mentor = try await fixture.user("aziza@example.org", .mentor)
        let officer = try await fixture.user("officer@example.org", .grantOfficer)
        let (programme, project) = try await Self.setUp(fixture)
        let input = LoanInput(programme_id: programme, project_id: project, principal: "1000000", currency: "UZS", annual_rate: "12",
                              method: "flat", installments: 4, frequency: "monthly", planned_disbursement_on: "2025-01-10")
        for actor in [mentor, officer] {
            let error = await #expect(throws: RavnaqError.self) { try await Loans(database: fixture.database).open(input, as: actor) }
            #expect(error == .forbidden("only admins and coordinators can open loans"))
        }
    }
}
