import Dates
import Foundation
import Postgres
import RavnaqCore
import RavnaqMoney
import Testing
import TestSupport

/// The one read model of a loan (issue 13): the loan's page, its schedule, the overdue list, the
/// case file and the portfolio all take a loan's figures from `loan_state()`, and on every day
/// of a year they equal what Swift's replay of the loan's rows says — with late fees charged,
/// paid and skipped by the same-day rule, a reversal that reallocates, a back-dated repayment,
/// a write-off and a recovery.
@Suite("One read model of a loan, with late fees")
struct LoanReadModelTests {
    @Test("on every day of 2025 the loan's page, schedule, overdue list, case file and portfolio equal Swift's replay")
    func everyViewAgreesEveryDay() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let loans = Loans(database: fixture.database)
        let admin = fixture.admin
        // 24 % a year, declining balance: installments with interest, due the 10th from February.
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-10"),
            as: admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: admin, idempotency: nil)
        let installment = try #require(Amount.parse(try await loans.schedule(loan.id, asOf: "2025-01-10", as: admin).installments[0].total, minorDigits: 2))
        func pay(_ amount: Amount, on date: String) async throws -> String {
            let answer = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(amount.formatted(minorDigits: 2)), date: date),
                                               as: admin, idempotency: nil)
            return try #require((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["id"] as? String)
        }
        let half = Amount(minorUnits: installment.minorUnits / 2)
        _ = try await pay(installment, on: "2025-02-10")              // February on its day
        _ = try await pay(half, on: "2025-03-12")                     // March half paid: its fee falls on 03-16
        _ = try await pay(installment, on: "2025-04-02")              // the fee, March's rest, part of April
        _ = try await pay(installment, on: "2025-04-16")              // April paid on its fee's day: no fee (same-day rule)
        let may = try await pay(installment, on: "2025-05-10")        // reversed below: May's fee falls after all
        _ = try await loans.reverse(loan.id, repayment: may, DateInput(date: "2025-05-25"), as: admin, idempotency: nil)
        _ = try await pay(half, on: "2025-05-20")                     // back-dated: booked after the reversal
        // Nothing from June: fees on May, June and July; more than 30 days late from 06-10.
        _ = try await loans.writeOff(loan.id, DateInput(date: "2025-08-20", reason: "the cows died"), as: admin, idempotency: nil)
        _ = try await pay(Amount(minorUnits: 10_000_000), on: "2025-09-15")  // a recovery

        let rows = try await Self.rows(fixture.database, loan: loan.id)
        #expect(rows.lateFee == LateFeeRule(amount: Amount(minorUnits: 2_500_000), afterDays: 5))
        let (days, feeDays, lateDays) = try await Self.expectEveryDayAgrees(fixture, loan: loan.id, rows: rows)
        #expect(days == 365)
        // The year saw fees charged, a loan more than 30 days late, and the write-off's zeros.
        #expect(feeDays > 100)
        #expect(lateDays > 30)
        // The same-day rule: April's installment, paid on the day its fee would fall, has none.
        let april = try await loans.schedule(loan.id, asOf: "2025-06-01", as: admin).installments[2]
        #expect(april.fees == "0.00" && april.status == "paid")
        let march = try await loans.schedule(loan.id, asOf: "2025-06-01", as: admin).installments[1]
        #expect(march.fees == "25000.00" && march.status == "paid")
    }

    @Test("a percentage fee charged every month and an arrears tolerance: every view equals Swift's replay on every day")
    func percentageFeesAndToleranceAgreeEveryDay() async throws {
        let fixture = try await CoreFixture.make()
        let (_, project) = try await LoansCoreTests.setUp(fixture)
        let programme = try await Programmes(database: fixture.database).create(
            ProgrammeInput(name: "Monthly fees", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "500000000", late_fee_after_days: 5, late_fee_percent: "2", late_fee_repeat: "monthly",
                           arrears_tolerance: "500"),
            as: fixture.admin)
        let loans = Loans(database: fixture.database)
        let admin = fixture.admin
        let loan = try await loans.open(
            LoanInput(programme_id: programme.id, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-10"),
            as: admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: admin, idempotency: nil)
        let installment = try #require(Amount.parse(try await loans.schedule(loan.id, asOf: "2025-01-10", as: admin).installments[0].total, minorDigits: 2))
        func pay(_ amount: Amount, on date: String) async throws {
            _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(amount.formatted(minorDigits: 2)), date: date),
                                      as: admin, idempotency: nil)
        }
        let short = Amount(minorUnits: 30_000)  // 300 so'm, inside the tolerance of 500
        try await pay(installment - short, on: "2025-02-10")   // 300 short: not late for DPD, yet fees of 2 % of 300 fall
        try await pay(installment, on: "2025-03-10")           // February's fee and rest first, March then short again
        try await pay(installment, on: "2025-04-25")           // late: April's fee falls on 04-16
        try await pay(installment + installment, on: "2025-08-01")  // after months of nothing: fees every month on each
        // Nothing more: fees again every month on every installment left unpaid.

        let rows = try await Self.rows(fixture.database, loan: loan.id)
        #expect(rows.lateFee == LateFeeRule(size: .percentOfUnpaid(2), afterDays: 5, repeats: .monthly))
        #expect(rows.arrearsTolerance == Amount(minorUnits: 50_000))
        let (days, feeDays, lateDays) = try await Self.expectEveryDayAgrees(fixture, loan: loan.id, rows: rows)
        #expect(days == 365)
        #expect(feeDays > 100)
        #expect(lateDays > 30)
        // 300 short on February's installment: days past due 0, while the installment is still owed.
        let february = try await loans.get(loan.id, asOf: "2025-02-20", as: admin)
        #expect(february.days_past_due == 0)
        let first = try await loans.schedule(loan.id, asOf: "2025-02-20", as: admin).installments[0]
        #expect(first.status == "late" && first.fees == "6.00")
        // May's installment (due 05-10), untouched until 08-01, is charged 2 % of all of it on 05-16,
        // 06-16 and 07-16: three fees by the end of July, each rounded half-up to the tiyin.
        let monthlyFee = (installment.minorUnits * 2 + 50) / 100
        let may = try await loans.schedule(loan.id, asOf: "2025-07-31", as: admin).installments[3]
        #expect(may.fees == Amount(minorUnits: 3 * monthlyFee).formatted(minorDigits: 2))
    }

    @Test("a loan 40 days late restructured into 12 more installments: DPD 0 from that day, version 1 kept, every view equals the replay",
          arguments: [true, false])
    func restructuredAgreesEveryDay(capitalize: Bool) async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let loans = Loans(database: fixture.database)
        let admin = fixture.admin
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-10"),
            as: admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: admin, idempotency: nil)
        let first = try await loans.schedule(loan.id, asOf: "2025-01-10", as: admin).installments
        func uzs(_ text: String) -> Amount { Amount.parse(text, minorDigits: 2)! }
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(first[0].total), date: "2025-02-10"), as: admin, idempotency: nil)
        // March (10 March) and April unpaid: 40 days late on 19 April, two fees charged.
        #expect(try await loans.get(loan.id, asOf: "2025-04-19", as: admin).days_past_due == 40)
        let outstanding = uzs(try await loans.get(loan.id, asOf: "2025-04-19", as: admin).outstanding_principal)
        let overdueInterest = uzs(first[1].interest) + uzs(first[2].interest)
        let before = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-04-19", as: admin)

        _ = try await loans.restructure(loan.id, RestructureInput(on: "2025-04-19", installments: 12, capitalize_overdue: capitalize,
                                                                  reason: "the cow died"), as: admin, idempotency: nil)
        // From that day the new schedule counts: nothing late yet.
        let page = try await loans.get(loan.id, asOf: "2025-04-19", as: admin)
        #expect(page.days_past_due == 0)
        #expect(try await loans.get(loan.id, asOf: "2025-04-18", as: admin).days_past_due == 39)
        let version2 = try await loans.schedule(loan.id, asOf: "2025-04-19", as: admin)
        #expect(version2.version == 2 && version2.versions == 2 && version2.installments.count == 12)
        let capitalised = capitalize ? overdueInterest + uzs("50000") : .zero
        #expect(version2.installments.reduce(Amount.zero) { $0 + uzs($1.principal) } == outstanding + capitalised)
        #expect(uzs(page.outstanding_principal) == outstanding + capitalised)
        // Without capitalising, the overdue interest is due with the new first installment.
        let plain = LoanSchedule.compute(LoanTerms(principal: outstanding + capitalised, annualRatePercent: 24, method: .annuity,
                                                   installments: 12, frequency: .monthly, disbursedOn: LocalDate("2025-04-19")!,
                                                   minorDigits: 2, calendar: .uzbekistan))
        #expect(uzs(version2.installments[0].interest) == plain[0].interest + (capitalize ? .zero : overdueInterest))
        #expect(version2.installments.map(\.due_on) == plain.map(\.dueOn.description))
        // Version 1 stays readable, as it stood the day before.
        let version1 = try await loans.schedule(loan.id, asOf: nil, version: "1", as: admin)
        #expect(version1.version == 1 && version1.as_of == "2025-04-18" && version1.installments.count == 12)
        #expect(version1.installments.prefix(3).map(\.status) == ["paid", "late", "late"])
        // The books: capitalising moved interest and fees into the receivable and kept the balance.
        let after = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-04-19", as: admin)
        #expect(after.total_debit == after.total_credit)
        let line = { (books: TrialBalance, code: String) in books.accounts.first { $0.account == code }?.balance ?? "0.00" }
        #expect(uzs(line(after, "loans_receivable")) - uzs(line(before, "loans_receivable")) == capitalised)

        // Then: the new first installment paid on its day, nothing after.
        let newFirst = version2.installments[0]
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(capitalize ? newFirst.total
                                                                                 : (uzs(newFirst.total) + uzs("50000")).formatted(minorDigits: 2)),
                                                            date: newFirst.due_on), as: admin, idempotency: nil)
        // A repayment dated on or before the restructuring, and a second one on its day, are refused.
        await #expect(throws: RavnaqError.self) {
            _ = try await loans.repay(loan.id, RepaymentRequest(amount: "1000", date: "2025-04-19"), as: admin, idempotency: nil)
        }
        await #expect(throws: RavnaqError.self) {
            _ = try await loans.restructure(loan.id, RestructureInput(on: "2025-04-19", installments: 6, capitalize_overdue: true,
                                                                      reason: "again"), as: admin, idempotency: nil)
        }

        let rows = try await Self.rows(fixture.database, loan: loan.id)
        #expect(rows.restructurings == [Restructuring(on: LocalDate("2025-04-19")!, capitalizesFees: capitalize)])
        let (days, _, lateDays) = try await Self.expectEveryDayAgrees(fixture, loan: loan.id, rows: rows)
        #expect(days == 365 && lateDays > 30)
        let (differences, compared) = try await DailyBooks.differences(fixture.database, organization: admin.organizationID,
                                                                       from: LocalDate("2025-01-10")!)
        #expect(compared > 300)
        #expect(differences.isEmpty, "\(differences.prefix(3))")
    }

    /// On every day of 2025, the loan's page, schedule, overdue list, case file and portfolio
    /// equal Swift's replay of its rows. Returns the days compared, the days with a fee charged
    /// while live, and the days more than 30 days late.
    static func expectEveryDayAgrees(_ fixture: CoreFixture, loan: String, rows: LoanRows) async throws -> (Int, Int, Int) {
        let loans = Loans(database: fixture.database)
        let admin = fixture.admin
        let families = Families(database: fixture.database)
        let reports = Reports(database: fixture.database)
        var days = 0, feeDays = 0, lateDays = 0
        for offset in 0..<365 {
            let day = LocalDate("2025-01-01")!.adding(days: offset)
            let expected = Expected(rows, asOf: day)
            let context = "on \(day)"

            let page = try await loans.get(loan, asOf: day.description, as: admin)
            #expect(page.status == expected.status, "\(context)")
            #expect(page.outstanding_principal == expected.outstanding, "\(context)")
            #expect(page.days_past_due == expected.daysPastDue, "\(context)")
            #expect(page.overdue == expected.overdue, "\(context)")
            #expect(page.total_owed == expected.totalOwed, "\(context)")
            #expect([page.paid.principal, page.paid.interest, page.paid.fees] == expected.paid, "\(context)")

            // The schedule version in force on the day (the replay holds every version's rows).
            let shown = try await loans.schedule(loan, asOf: day.description, as: admin)
            let installments = shown.installments
            let rowsShown = expected.state.installments.filter { $0.version == shown.version }
            #expect(installments.map(\.fees) == rowsShown.map { $0.fees.formatted(minorDigits: 2) }, "\(context)")
            #expect(installments.map(\.paid) == rowsShown.map { $0.paid.formatted(minorDigits: 2) }, "\(context)")
            #expect(installments.map(\.waived) == rowsShown.map { $0.interestWaived.formatted(minorDigits: 2) }, "\(context)")
            #expect(installments.map(\.status) == rowsShown.map(\.status.rawValue), "\(context)")

            let late = try await loans.late(asOf: day.description, page: Page(limit: 100), as: admin).items
            #expect(late.map(\.days_past_due) == (expected.daysPastDue > 0 ? [expected.daysPastDue] : []), "\(context)")
            #expect(late.map(\.overdue) == (expected.daysPastDue > 0 ? [expected.overdue] : []), "\(context)")
            #expect(late.map(\.outstanding_principal) == (expected.daysPastDue > 0 ? [expected.outstanding] : []), "\(context)")

            let caseFile = try fixture.object(try await families.get(rows.familyID, asOf: day.description, as: admin))
            let caseLoan = try #require(((caseFile["projects"] as? [[String: Any]])?.first?["loans"] as? [[String: Any]])?.first)
            #expect(caseLoan["status"] as? String == expected.status, "\(context)")
            #expect(caseLoan["outstanding_principal"] as? String == expected.outstanding, "\(context)")
            #expect(caseLoan["days_past_due"] as? Int == expected.daysPastDue, "\(context)")

            let portfolio = try fixture.object(try await reports.run(ReportQuery(report: .portfolio, asOf: day), as: admin))
            let total = try #require(portfolio["total"] as? [String: Any])
            if let disbursedOn = rows.disbursedOn, day >= disbursedOn {
                #expect(total["outstanding_principal"] as? String == expected.outstanding, "\(context)")
                #expect(total["loans_active"] as? Int == (expected.state.outstandingPrincipal.isPositive && expected.live ? 1 : 0), "\(context)")
                let par30 = (total["par30"] as? NSNumber)?.intValue
                // PAR is null when nothing is outstanding (before the disbursement, after the last repayment).
                let carried = expected.live && expected.state.outstandingPrincipal.isPositive
                #expect(par30 == (carried ? (expected.daysPastDue > 30 ? 1 : 0) : nil), "\(context)")
            }

            days += 1
            if expected.state.installments.contains(where: \.fees.isPositive) && expected.live { feeDays += 1 }
            if expected.daysPastDue > 30 { lateDays += 1 }
        }
        return (days, feeDays, lateDays)
    }

    /// What Swift's replay needs of a loan, as stored: its installments, its live repayments in
    /// recorded order, its programme's late fee, when it was disbursed and written off.
    struct LoanRows {
        let schedule: [ScheduledInstallment]
        let repayments: [RepaymentInput]
        let lateFee: LateFeeRule?
        let arrearsTolerance: Amount
        let restructurings: [Restructuring]
        let disbursedOn: LocalDate?
        let writtenOffOn: LocalDate?
        let familyID: String
    }

    static func rows(_ database: Database, loan: String) async throws -> LoanRows {
        try await database.pool.withConnection { connection in
            let id = UUID(uuidString: loan)!
            let schedule = try connection.query(
                """
                SELECT i.n, i.due_on, i.principal::text, i.interest::text, i.version, r.on_date,
                       coalesce(lag(i.due_on) OVER (PARTITION BY i.version ORDER BY i.due_on, i.n), b.on_date, l.disbursed_on)
                FROM loan_installments i JOIN loans l ON l.id = i.loan_id
                LEFT JOIN loan_restructurings r ON r.loan_id = i.loan_id AND r.version = i.version + 1
                LEFT JOIN loan_restructurings b ON b.loan_id = i.loan_id AND b.version = i.version
                WHERE i.loan_id = $1 ORDER BY i.version, i.due_on, i.n
                """, [id]
            ).rows.map {
                ScheduledInstallment(n: try $0.decode(0), dueOn: try $0.decode(1), principal: Amount.parse(try $0.decode(2), minorDigits: 2)!,
                                     interest: Amount.parse(try $0.decode(3), minorDigits: 2)!, version: try $0.decode(4),
                                     replacedOn: try $0.decode(5, as: LocalDate?.self), startsOn: try $0.decode(6, as: LocalDate?.self))
            }
            let restructurings = try connection.query(
                "SELECT on_date, capitalize_overdue FROM loan_restructurings WHERE loan_id = $1 ORDER BY version", [id]
            ).rows.map { Restructuring(on: try $0.decode(0), capitalizesFees: try $0.decode(1)) }
            let repayments = try connection.query(
                """
                SELECT id::text, paid_on, amount::text, interest_waived > 0 FROM repayments
                WHERE loan_id = $1 AND kind = 'repayment' AND reversed_on IS NULL ORDER BY recorded_at, id
                """, [id]
            ).rows.map {
                RepaymentInput(id: try $0.decode(0), date: try $0.decode(1), amount: Amount.parse(try $0.decode(2), minorDigits: 2)!,
                               waivesInterest: try $0.decode(3))
            }
            let loan = try connection.query(
                """
                SELECT p.family_id, l.disbursed_on, l.written_off_on, l.late_fee::text, l.late_fee_after_days, l.late_fee_percent::text,
                       l.late_fee_repeat, l.arrears_tolerance::text
                FROM loans l JOIN projects p ON p.id = l.project_id WHERE l.id = $1
                """, [id]).first!
            let fee = Amount.parse(try loan.decode(3), minorDigits: 2)!
            let percent = Decimal(string: try loan.decode(5))!
            let size: LateFeeRule.Size? = fee.isPositive ? .fixed(fee) : percent > 0 ? .percentOfUnpaid(percent) : nil
            return LoanRows(
                schedule: schedule, repayments: repayments,
                lateFee: try size.map {
                    LateFeeRule(size: $0, afterDays: try loan.decode(4), repeats: LateFeeRule.Repeat(rawValue: try loan.decode(6))!)
                },
                arrearsTolerance: Amount.parse(try loan.decode(7), minorDigits: 2)!, restructurings: restructurings,
                disbursedOn: try loan.decode(1, as: LocalDate?.self), writtenOffOn: try loan.decode(2, as: LocalDate?.self),
                familyID: try loan.decode(0, as: UUID.self).uuidString.lowercased())
        }
    }

    /// What Swift's replay says of the loan on a day, in the API's spelling: the loan is carried
    /// (its figures are not zero) only from its disbursement until its write-off.
    struct Expected {
        let state: LoanState
        let live: Bool
        let status: String
        let outstanding: String
        let daysPastDue: Int
        let overdue: String
        let totalOwed: String
        /// The split of the repayments through the day: principal, interest, fees.
        let paid: [String]

        init(_ loan: LoanRows, asOf: LocalDate) {
            state = LoanReplay.state(schedule: loan.schedule, repayments: loan.repayments, lateFee: loan.lateFee,
                                     arrearsTolerance: loan.arrearsTolerance, restructurings: loan.restructurings, asOf: asOf)
            let disbursed = loan.disbursedOn.map { $0 <= asOf } ?? false
            let writtenOff = loan.writtenOffOn.map { $0 <= asOf } ?? false
            let live = disbursed && !writtenOff
            self.live = live
            status = !disbursed ? "approved" : writtenOff ? "written_off" : state.isFullyPaid ? "repaid" : "active"
            let text = { (amount: Amount) in (live ? amount : .zero).formatted(minorDigits: 2) }
            outstanding = text(state.outstandingPrincipal)
            daysPastDue = live ? state.daysPastDue : 0
            overdue = text(state.overdueAmount)
            totalOwed = text(state.totalOwed)
            paid = [state.totalPaid.principal, state.totalPaid.interest, state.totalPaid.fees].map { $0.formatted(minorDigits: 2) }
        }
    }
}
