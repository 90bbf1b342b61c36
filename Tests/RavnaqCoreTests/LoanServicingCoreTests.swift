import Dates
import Foundation
import Postgres
import RavnaqCore
import RavnaqMoney
import Testing
import TestSupport

/// Issue 16 in the service layer: the organization's calendar, a programme's servicing settings
/// and what its loans keep of them, and the arrears tolerance in days past due and PAR.
@Suite("Loan servicing in the service layer")
struct LoanServicingCoreTests {
    static func programme(_ fixture: CoreFixture, _ name: String, _ input: ProgrammeInput = ProgrammeInput()) async throws -> ProgrammeView {
        var input = input
        input.name = name
        input.donor = "UNDP"
        input.currency = "UZS"
        input.starts_on = "2025-01-01"
        input.ends_on = "2026-12-31"
        input.budget = "500000000"
        return try await Programmes(database: fixture.database).create(input, as: fixture.admin)
    }

    static func loan(_ fixture: CoreFixture, programme: String, project: String, principal: String = "1200000", installments: Int = 12,
                     firstDueOn: String? = nil, on date: String = "2025-02-21", disburse: Bool = true) async throws -> LoanView {
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: AmountInput(principal), currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: installments, frequency: "monthly", planned_disbursement_on: date,
                      first_due_on: firstDueOn), as: fixture.admin)
        if disburse { _ = try await loans.disburse(loan.id, DateInput(date: date), as: fixture.admin, idempotency: nil) }
        return loan
    }

    static func dueDates(_ fixture: CoreFixture, _ loan: String) async throws -> [String] {
        try await Loans(database: fixture.database).schedule(loan, asOf: "2025-02-21", as: fixture.admin).installments.map(\.due_on)
    }

    @Test("an organization starts with Sunday off and the fixed holidays; due dates move off them, stored ones stay")
    func calendarMovesDueDates() async throws {
        let fixture = try await CoreFixture.make()
        let calendars = Calendars(database: fixture.database)
        let calendar = try await calendars.get(as: fixture.admin)
        #expect(calendar.days_off == ["sunday"])
        // What the database seeds is Swift's list.
        #expect(calendar.holidays.map(\.month_day) == WorkingCalendar.uzbekistanFixedHolidays.map { String(format: "%02d-%02d", $0.0.month, $0.0.day) })
        #expect(calendar.holidays.map(\.name) == WorkingCalendar.uzbekistanFixedHolidays.map(\.1))
        #expect(calendar.holidays.allSatisfy { $0.every_year && $0.date == nil })

        let (programme, project) = try await LoansCoreTests.setUp(fixture)
        let first = try await Self.loan(fixture, programme: programme, project: project, installments: 3)
        // The first installment would fall due on 21 March, Navruz: it moves to the 22nd.
        #expect(try await Self.dueDates(fixture, first.id) == ["2025-03-22", "2025-04-21", "2025-05-21"])
        let waiting = try await Self.loan(fixture, programme: programme, project: project, installments: 3, disburse: false)
        // Before its disbursement, its schedule is the projection from the planned date, nothing paid.
        let projected = try await Loans(database: fixture.database).schedule(waiting.id, asOf: "2025-02-21", as: fixture.admin)
        #expect(projected.basis == "planned" && projected.versions == 1)
        #expect(projected.installments.map(\.due_on) == ["2025-03-22", "2025-04-21", "2025-05-21"])
        #expect(projected.installments.allSatisfy { $0.status == "pending" && $0.paid == "0.00" })
        #expect(projected.installments.reduce(Amount.zero) { $0 + Amount.parse($1.principal, minorDigits: 2)! } == Amount.parse("1200000", minorDigits: 2)!)

        // A movable holiday added after: the stored schedule keeps its dates, a new one moves.
        let added = try await calendars.addHoliday(HolidayInput(date: "2025-04-21", name: "Test day"), as: fixture.admin)
        #expect(added.holidays.contains { $0.date == "2025-04-21" && !$0.every_year && $0.name == "Test day" })
        #expect(try await Self.dueDates(fixture, first.id) == ["2025-03-22", "2025-04-21", "2025-05-21"])
        // A loan approved before and disbursed after: its schedule is made at disbursement.
        _ = try await Loans(database: fixture.database).disburse(waiting.id, DateInput(date: "2025-02-21"), as: fixture.admin, idempotency: nil)
        #expect(try await Self.dueDates(fixture, waiting.id) == ["2025-03-22", "2025-04-22", "2025-05-21"])
        let second = try await Self.loan(fixture, programme: programme, project: project, installments: 3)
        #expect(try await Self.dueDates(fixture, second.id) == ["2025-03-22", "2025-04-22", "2025-05-21"])

        // Saturdays off as well: 22 March 2025 is a Saturday → Monday the 24th.
        let weekend = try await calendars.update(CalendarInput(days_off: ["Saturday", "sunday"]), as: fixture.admin)
        #expect(weekend.days_off == ["saturday", "sunday"])
        let third = try await Self.loan(fixture, programme: programme, project: project, installments: 3)
        #expect(try await Self.dueDates(fixture, third.id) == ["2025-03-24", "2025-04-22", "2025-05-21"])
    }

    @Test("a holiday dated twice, every day off, a weekday that is none, or a coordinator: refused, nothing changed")
    func calendarRefusals() async throws {
        let fixture = try await CoreFixture.make()
        let calendars = Calendars(database: fixture.database)
        func refusal(_ body: () async throws -> CalendarView) async -> RavnaqError? {
            await #expect(throws: RavnaqError.self) { _ = try await body() }
        }
        let navruz = await refusal { try await calendars.addHoliday(HolidayInput(date: "2026-03-21", name: "Navruz again"), as: fixture.admin) }
        #expect(navruz?.fieldErrors.map(\.pointer) == ["/date"])
        #expect(navruz?.fieldErrors.first?.detail == "21.03 is already a holiday every year: Navruz")
        _ = try await calendars.addHoliday(HolidayInput(date: "2026-03-20", name: "Ramazon hayit"), as: fixture.admin)
        let twice = await refusal { try await calendars.addHoliday(HolidayInput(date: "2026-03-20", name: "Hayit"), as: fixture.admin) }
        #expect(twice?.fieldErrors.first?.detail == "20.03 is already a holiday: Ramazon hayit")
        let yearly = await refusal { try await calendars.addHoliday(HolidayInput(date: "2027-03-20", name: "Hayit", every_year: true), as: fixture.admin) }
        #expect(yearly?.fieldErrors.first?.detail == "20.03 is already a holiday: Ramazon hayit")
        // Another year's 20 March is a day of its own.
        _ = try await calendars.addHoliday(HolidayInput(date: "2027-03-20", name: "Hayit 2027"), as: fixture.admin)
        let bad = await refusal { try await calendars.addHoliday(HolidayInput(date: "2026-02-30", name: ""), as: fixture.admin) }
        #expect(bad?.fieldErrors.map(\.pointer) == ["/date", "/name"])

        let all = await refusal {
            try await calendars.update(CalendarInput(days_off: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]),
                                       as: fixture.admin)
        }
        #expect(all?.fieldErrors.first?.detail == "at least one day of the week must be a working day")
        let odd = await refusal { try await calendars.update(CalendarInput(days_off: ["sunday", "juma"]), as: fixture.admin) }
        #expect(odd?.fieldErrors.map(\.pointer) == ["/days_off/1"])
        let coordinator = try await fixture.user("coordinator@example.org", .coordinator)
        let forbidden = await refusal { try await calendars.addHoliday(HolidayInput(date: "2026-06-01", name: "Children's Day"), as: coordinator) }
        guard case .forbidden? = forbidden else { Issue.record("expected forbidden, got \(String(describing: forbidden))"); return }
        // The coordinator reads the calendar; nothing refused was written.
        let calendar = try await calendars.get(as: coordinator)
        #expect(calendar.days_off == ["sunday"])
        #expect(calendar.holidays.count == 10)
    }

    @Test("installments in multiples of 1 000 from the programme, and the settings' rules")
    func installmentMultiples() async throws {
        let fixture = try await CoreFixture.make()
        let (_, project) = try await LoansCoreTests.setUp(fixture)
        let round = try await Self.programme(fixture, "Round", ProgrammeInput(installment_multiple: "1000"))
        #expect(round.installment_multiple == "1000.00")
        let loan = try await Self.loan(fixture, programme: round.id, project: project)
        let rows = try await Loans(database: fixture.database).schedule(loan.id, asOf: "2025-02-21", as: fixture.admin).installments
        let totals = rows.map { Amount.parse($0.total, minorDigits: 2)! }
        // The annuity of 1 200 000 at 24 % over 12 is 113 471.51: rounded up, 114 000.00.
        #expect(totals.dropLast().allSatisfy { $0 == Amount.parse("114000", minorDigits: 2)! })
        #expect(rows.reduce(Amount.zero) { $0 + Amount.parse($1.principal, minorDigits: 2)! } == Amount.parse("1200000", minorDigits: 2)!)
        #expect(totals.last! < Amount.parse("114000", minorDigits: 2)!)

        let programmes = Programmes(database: fixture.database)
        func refusal(_ input: ProgrammeInput) async -> RavnaqError? {
            await #expect(throws: RavnaqError.self) { _ = try await Self.programme(fixture, "Bad", input) }
        }
        let tiny = await refusal(ProgrammeInput(installment_multiple: "0.001"))
        #expect(tiny?.fieldErrors.map(\.pointer) == ["/installment_multiple"])
        #expect(tiny?.fieldErrors.first?.detail.contains("more than 2 decimal places") == true)
        let both = await refusal(ProgrammeInput(late_fee: "25000", late_fee_percent: "2"))
        #expect(both?.fieldErrors.map(\.pointer) == ["/late_fee_percent"])
        let percent = await refusal(ProgrammeInput(late_fee_percent: "101"))
        #expect(percent?.fieldErrors.map(\.pointer) == ["/late_fee_percent"])
        let repeats = await refusal(ProgrammeInput(late_fee_repeat: "weekly"))
        #expect(repeats?.fieldErrors.first?.detail == "\"weekly\" is not one of: once, monthly")
        let tolerance = await refusal(ProgrammeInput(arrears_tolerance: "-1"))
        #expect(tolerance?.fieldErrors.map(\.pointer) == ["/arrears_tolerance"])
        // A change to a percentage sets the fixed fee to zero; "0" clears the multiple.
        let changed = try await programmes.update(programme: round.id, ProgrammeInput(late_fee_percent: "2.5", installment_multiple: "0"),
                                                  as: fixture.admin)
        #expect(changed.late_fee_percent == "2.5" && changed.late_fee == "0.00" && changed.installment_multiple == nil)
        let fixed = try await programmes.update(programme: round.id, ProgrammeInput(late_fee: "10000"), as: fixture.admin)
        #expect(fixed.late_fee_percent == "0" && fixed.late_fee == "10000.00")
    }

    @Test("a loan keeps the servicing terms it was opened under when its programme changes")
    func loansKeepTheirTerms() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let before = try await Self.loan(fixture, programme: programme, project: project, installments: 3)
        _ = try await Programmes(database: fixture.database).update(
            programme: programme, ProgrammeInput(late_fee_after_days: 0, late_fee_percent: "10", arrears_tolerance: "500"), as: fixture.admin)
        let after = try await Self.loan(fixture, programme: programme, project: project, installments: 3)
        let loans = Loans(database: fixture.database)
        // Nothing paid: as of 1 April the first installment (due 22 March) has its fee.
        let old = try await loans.schedule(before.id, asOf: "2025-04-01", as: fixture.admin).installments[0]
        #expect(old.fees == "25000.00")
        let new = try await loans.schedule(after.id, asOf: "2025-04-01", as: fixture.admin).installments[0]
        let total = Amount.parse(new.principal, minorDigits: 2)! + Amount.parse(new.interest, minorDigits: 2)!
        #expect(new.fees == Amount(minorUnits: (total.minorUnits + 5) / 10).formatted(minorDigits: 2))
    }

    @Test("a tolerance of 500 keeps a loan 300 short off the overdue list and PAR; without it, it is on both")
    func toleranceOffPAR() async throws {
        let fixture = try await CoreFixture.make()
        let (strict, project) = try await LoansCoreTests.setUp(fixture)
        let tolerant = try await Self.programme(fixture, "Tolerant", ProgrammeInput(arrears_tolerance: "500"))
        let loans = Loans(database: fixture.database)
        // One installment each, due on 21 March 2025 — Navruz, so on the 22nd — paid 300 short that day.
        var ids: [String] = []
        for programme in [strict, tolerant.id] {
            let loan = try await Self.loan(fixture, programme: programme, project: project, principal: "1000000", installments: 1,
                                           firstDueOn: "2025-03-21")
            let owed = try await loans.schedule(loan.id, asOf: "2025-03-01", as: fixture.admin).installments[0].total
            let amount = Amount.parse(owed, minorDigits: 2)! - Amount(minorUnits: 30_000)
            _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(amount.formatted(minorDigits: 2)), date: "2025-03-22"),
                                      as: fixture.admin, idempotency: nil)
            ids.append(loan.id)
        }
        let late = try await loans.late(asOf: "2025-05-01", page: Page(limit: 10), as: fixture.admin).items
        #expect(late.map(\.id) == [ids[0]])
        #expect(late.first?.days_past_due == 40 && late.first?.overdue == "300.00")
        #expect(try await loans.get(ids[1], asOf: "2025-05-01", as: fixture.admin).days_past_due == 0)
        #expect(try await loans.get(ids[1], asOf: "2025-05-01", as: fixture.admin).overdue == "300.00")
        let par = try await loans.portfolioAtRisk(asOf: "2025-05-01", as: fixture.admin)
        let line = try #require(par.currencies.first)
        #expect(line.loans_active == 2)
        // Only the strict loan's 300.00 outstanding principal is at risk, out of 600.00.
        #expect(line.at_risk_30 == "300.00" && line.outstanding_principal == "600.00" && line.par30 == Decimal(string: "0.5")!)
    }

    @Test("a recovery beyond the written-off principal goes to the interest and then the fees owed then, all to recovery_income")
    func recoveries() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let loans = Loans(database: fixture.database)
        let loan = try await Self.loan(fixture, programme: programme, project: project)
        let schedule = try await loans.schedule(loan.id, asOf: "2025-02-21", as: fixture.admin).installments
        func uzs(_ text: String) -> Amount { Amount.parse(text, minorDigits: 2)! }
        func pay(_ amount: Amount, on date: String) async throws -> [String: Any] {
            let answer = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(amount.formatted(minorDigits: 2)), date: date),
                                               as: fixture.admin, idempotency: nil)
            return try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        }
        _ = try await pay(uzs(schedule[0].total), on: "2025-03-22")
        // Nothing after March: 21 April, 21 May and 21 June fall due unpaid, each charged 25 000.
        let principal = uzs(try await loans.get(loan.id, asOf: "2025-06-30", as: fixture.admin).outstanding_principal)
        _ = try await loans.writeOff(loan.id, DateInput(date: "2025-06-30", reason: "the greenhouse froze"), as: fixture.admin, idempotency: nil)
        let interest = schedule[1...3].reduce(Amount.zero) { $0 + uzs($1.interest) }
        let fees = uzs("75000")

        let first = try await pay(principal + uzs("10000"), on: "2025-07-15")
        let split = try #require(first["allocation"] as? [String: Any])
        #expect(first["kind"] as? String == "recovery")
        #expect(split["principal"] as? String == principal.formatted(minorDigits: 2))
        #expect(split["interest"] as? String == "10000.00" && split["fees"] as? String == "0.00")
        // One tiyin more than the rest of what was owed is refused; the rest itself is taken.
        let rest = interest - uzs("10000") + fees
        let refused = await #expect(throws: RavnaqError.self) { _ = try await pay(rest + Amount(minorUnits: 1), on: "2025-08-01") }
        #expect(refused?.message.contains("more than the \(rest.formatted(minorDigits: 2)) that was owed") == true)
        let second = try await pay(rest, on: "2025-08-01")
        let secondSplit = try #require(second["allocation"] as? [String: Any])
        #expect(secondSplit["principal"] as? String == "0.00")
        #expect(secondSplit["interest"] as? String == (interest - uzs("10000")).formatted(minorDigits: 2))
        #expect(secondSplit["fees"] as? String == "75000.00")

        // The books: the write-off's expense stays; everything recovered is recovery_income.
        let books = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-08-31", as: fixture.admin)
        let lines = Dictionary(uniqueKeysWithValues: books.accounts.map { ($0.account, $0) })
        #expect(lines["loan_loss_expense"]?.debit == principal.formatted(minorDigits: 2))
        #expect(lines["recovery_income"]?.credit == (principal + interest + fees).formatted(minorDigits: 2))
        #expect(books.total_debit == books.total_credit)
    }
}

extension RavnaqError {
    /// The field errors of an invalid request; none for any other error.
    fileprivate var fieldErrors: [FieldError] {
        guard case .invalid(let errors) = self else { return [] }
        return errors
    }
}

@Suite("Four eyes on write-offs and large disbursements")
struct FourEyesTests {
    static func books(_ fixture: CoreFixture) async throws -> [String: String] {
        let balance = try await LedgerService(database: fixture.database).trialBalance(asOf: "2026-12-31", as: fixture.admin)
        return Dictionary(uniqueKeysWithValues: balance.accounts.map { ($0.account, $0.balance) })
    }

    @Test("a write-off waits for a second person: no money moves on the request, the requester cannot approve, another can")
    func writeOff() async throws {
        let fixture = try await CoreFixture.make()
        let (_, project) = try await LoansCoreTests.setUp(fixture)
        let programme = try await LoanServicingCoreTests.programme(fixture, "Careful", ProgrammeInput(write_off_approval: true))
        #expect(programme.write_off_approval)
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: project)
        let first = try await fixture.user("first@example.org", .coordinator)
        let second = try await fixture.user("second@example.org", .coordinator)
        let loans = Loans(database: fixture.database)
        let approvals = Approvals(database: fixture.database)
        let before = try await Self.books(fixture)

        // A request the rules refuse is refused at once, and nothing waits.
        await #expect(throws: RavnaqError.self) {
            _ = try await loans.writeOff(loan.id, DateInput(date: "2025-01-01", reason: "the cows died"), as: first, idempotency: nil)
        }
        #expect(try await approvals.list(status: nil, page: Page(), as: second).items.isEmpty)

        let answer = try await loans.writeOff(loan.id, DateInput(date: "2025-08-20", reason: "the cows died"), as: first, idempotency: nil)
        let request = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(request["kind"] as? String == "write_off" && request["status"] as? String == "pending")
        #expect(request["requested_by"] as? String == "first@example.org")
        let id = try #require(request["id"] as? String)
        #expect(try await loans.get(loan.id, asOf: nil, as: fixture.admin).status == "active")
        #expect(try await Self.books(fixture) == before)
        let waiting = try await approvals.list(status: nil, page: Page(), as: second).items
        #expect(waiting.map(\.id) == [id])
        #expect(waiting.first?.amount == "1200000.00")
        // One request waits at a time.
        let again = await #expect(throws: RavnaqError.self) {
            _ = try await loans.writeOff(loan.id, DateInput(date: "2025-08-21", reason: "still dead"), as: second, idempotency: nil)
        }
        guard case .conflict(.approvalPending, _)? = again else { Issue.record("expected approval-pending, got \(String(describing: again))"); return }

        let own = await #expect(throws: RavnaqError.self) { _ = try await approvals.approve(id, DecisionInput(), as: first) }
        guard case .rule(.ownRequest, _)? = own else { Issue.record("expected own-request, got \(String(describing: own))"); return }
        #expect(try await Self.books(fixture) == before)

        let approved = try await approvals.approve(id, DecisionInput(note: "seen the vet's letter"), as: second)
        #expect(approved.status == "approved" && approved.decided_by == "second@example.org" && approved.amount == "1200000.00")
        let written = try await loans.get(loan.id, asOf: nil, as: fixture.admin)
        #expect(written.status == "written_off")
        #expect(try await Self.books(fixture)["loan_loss_expense"] == "1200000.00")
        // Decided once.
        let twice = await #expect(throws: RavnaqError.self) { _ = try await approvals.refuse(id, DecisionInput(), as: fixture.admin) }
        guard case .rule(.approvalDecided, _)? = twice else { Issue.record("expected approval-decided, got \(String(describing: twice))"); return }

        // Both steps are in the audit log, each with its actor.
        let audit = try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT actor, action FROM audit_log WHERE entity = 'approvals' ORDER BY id").rows.map {
                [try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)]
            }
        }
        #expect(audit == [["first@example.org", "insert"], ["second@example.org", "update"]])
    }

    @Test("a disbursement above the programme's limit waits; a refused one moves nothing; below the limit it goes straight through")
    func disbursement() async throws {
        let fixture = try await CoreFixture.make()
        let (_, project) = try await LoansCoreTests.setUp(fixture)
        let programme = try await LoanServicingCoreTests.programme(fixture, "Large", ProgrammeInput(disbursement_approval_above: "5000000"))
        #expect(programme.disbursement_approval_above == "5000000.00")
        let first = try await fixture.user("first@example.org", .coordinator)
        let second = try await fixture.user("second@example.org", .admin)
        let loans = Loans(database: fixture.database)
        let approvals = Approvals(database: fixture.database)
        let small = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: project, principal: "5000000", disburse: false)
        _ = try await loans.disburse(small.id, DateInput(date: "2025-02-21"), as: first, idempotency: nil)
        #expect(try await loans.get(small.id, asOf: nil, as: first).status == "active")

        let large = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: project, principal: "10000000", disburse: false)
        let answer = try await loans.disburse(large.id, DateInput(date: "2025-02-21"), as: first, idempotency: nil)
        let request = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(request["kind"] as? String == "disbursement" && request["amount"] as? String == "10000000.00")
        #expect(try await loans.get(large.id, asOf: nil, as: first).status == "approved")
        let refused = try await approvals.refuse(try #require(request["id"] as? String), DecisionInput(note: "not this season"), as: second)
        #expect(refused.status == "refused" && refused.note == "not this season")
        #expect(try await loans.get(large.id, asOf: nil, as: first).status == "approved")
        #expect(try await Self.books(fixture)["loans_receivable"] == "5000000.00")

        let retry = try await loans.disburse(large.id, DateInput(date: "2025-02-21"), as: first, idempotency: nil)
        let id = try #require((try JSONSerialization.jsonObject(with: retry.body) as? [String: Any])?["id"] as? String)
        _ = try await approvals.approve(id, DecisionInput(), as: second)
        #expect(try await loans.get(large.id, asOf: nil, as: first).status == "active")
        #expect(try await Self.books(fixture)["loans_receivable"] == "15000000.00")
        #expect(try await approvals.list(status: "refused", page: Page(), as: first).items.count == 1)
        #expect(try await approvals.list(status: "approved", page: Page(), as: first).items.count == 1)
    }
}

@Suite("Payoff quotes")
struct PayoffTests {
    @Test("paying exactly the quote on its day closes the loan with an allocation equal to the quote; bad days are refused")
    func payoffClosesTheLoan() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let loans = Loans(database: fixture.database)
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme, project: project)
        let schedule = try await loans.schedule(loan.id, asOf: "2025-02-21", as: fixture.admin).installments
        func uzs(_ text: String) -> Amount { Amount.parse(text, minorDigits: 2)! }
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(schedule[0].total), date: "2025-03-22"),
                                  as: fixture.admin, idempotency: nil)
        // April's installment (due 21 April) unpaid: its fee falls on 27 April.
        let quote = try await loans.payoff(loan.id, on: "2025-05-10", as: fixture.admin)
        let remaining = schedule.dropFirst()
        #expect(quote.principal == remaining.reduce(Amount.zero) { $0 + uzs($1.principal) }.formatted(minorDigits: 2))
        #expect(quote.interest == remaining.reduce(Amount.zero) { $0 + uzs($1.interest) }.formatted(minorDigits: 2))
        #expect(quote.fees == "25000.00" && quote.rule == "full_interest")
        #expect(uzs(quote.total) == uzs(quote.principal) + uzs(quote.interest) + uzs(quote.fees))
        // A day before the latest repayment, after today, or before the disbursement.
        for day in ["2025-03-21", "2099-01-01", "2025-01-01"] {
            let refused = await #expect(throws: RavnaqError.self) { _ = try await loans.payoff(loan.id, on: day, as: fixture.admin) }
            guard case .invalid(let errors)? = refused else { Issue.record("expected invalid for \(day)"); continue }
            #expect(errors.map(\.pointer) == ["/on"], "\(day)")
        }

        let answer = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(quote.total), date: "2025-05-10"),
                                           as: fixture.admin, idempotency: nil)
        let paid = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        let allocation = try #require(paid["allocation"] as? [String: Any])
        #expect(allocation["principal"] as? String == quote.principal)
        #expect(allocation["interest"] as? String == quote.interest)
        #expect(allocation["fees"] as? String == quote.fees)
        #expect(paid["loan_status"] as? String == "repaid")
        let closed = try await loans.get(loan.id, asOf: "2025-05-10", as: fixture.admin)
        #expect(closed.status == "repaid" && closed.total_owed == "0.00")
        // A repaid loan has no payoff.
        await #expect(throws: RavnaqError.self) { _ = try await loans.payoff(loan.id, on: "2025-05-10", as: fixture.admin) }
    }

    @Test("interest_to_date: the quote charges interest only to the day, paying it closes the loan and the schedule shows the waiver")
    func interestToDate() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture)
        let programmes = Programmes(database: fixture.database)
        let bad = await #expect(throws: RavnaqError.self) {
            _ = try await programmes.update(programme: programme, ProgrammeInput(early_payoff: "when_convenient"), as: fixture.admin)
        }
        #expect(bad?.fieldErrors.map(\.pointer) == ["/early_payoff"])
        let changed = try await programmes.update(programme: programme, ProgrammeInput(early_payoff: "interest_to_date"), as: fixture.admin)
        #expect(changed.early_payoff == "interest_to_date")
        let loans = Loans(database: fixture.database)
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme, project: project)
        #expect(try await loans.get(loan.id, asOf: nil, as: fixture.admin).early_payoff == "interest_to_date")
        let schedule = try await loans.schedule(loan.id, asOf: "2025-02-21", as: fixture.admin).installments
        func uzs(_ text: String) -> Amount { Amount.parse(text, minorDigits: 2)! }
        let first = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(schedule[0].total), date: schedule[0].due_on),
                                          as: fixture.admin, idempotency: nil)
        let firstID = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])["id"] as? String

        // Ten days into the second installment's period: its interest for those days only, none of the later ones'.
        let start = LocalDate(schedule[0].due_on)!, due = LocalDate(schedule[1].due_on)!
        let on = start.adding(days: 10)
        let quote = try await loans.payoff(loan.id, on: on.description, as: fixture.admin)
        let interest = uzs(schedule[1].interest).minorUnits
        let accrued = Amount(minorUnits: (2 * interest * 10 + Int64(start.days(until: due))) / (2 * Int64(start.days(until: due))))
        let remaining = schedule.dropFirst()
        #expect(quote.rule == "interest_to_date")
        #expect(uzs(quote.interest) == accrued && quote.fees == "0.00")
        #expect(uzs(quote.principal) == remaining.reduce(Amount.zero) { $0 + uzs($1.principal) })
        #expect(uzs(quote.waived) == remaining.reduce(Amount.zero) { $0 + uzs($1.interest) } - accrued)
        #expect(uzs(quote.total) == uzs(quote.principal) + accrued)

        let answer = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(quote.total), date: on.description),
                                           as: fixture.admin, idempotency: nil)
        let paid = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        let allocation = try #require(paid["allocation"] as? [String: Any])
        #expect(allocation["principal"] as? String == quote.principal && allocation["interest"] as? String == quote.interest)
        #expect(paid["interest_waived"] as? String == quote.waived && paid["loan_status"] as? String == "repaid")
        let closed = try await loans.get(loan.id, asOf: on.description, as: fixture.admin)
        #expect(closed.status == "repaid" && closed.total_owed == "0.00" && closed.outstanding_principal == "0.00")
        #expect(closed.paid.interest == (uzs(schedule[0].interest) + accrued).formatted(minorDigits: 2))
        // The schedule: every installment paid, the waiver on the second's remaining interest and all of the later ones'.
        let shown = try await loans.schedule(loan.id, asOf: on.description, as: fixture.admin).installments
        #expect(shown.allSatisfy { $0.status == "paid" })
        #expect(shown.map(\.waived) == ["0.00", (uzs(schedule[1].interest) - accrued).formatted(minorDigits: 2)] + schedule.dropFirst(2).map(\.interest))
        #expect(shown.reduce(Amount.zero) { $0 + uzs($1.waived) } == uzs(quote.waived))
        let rows = try await LoanReadModelTests.rows(fixture.database, loan: loan.id)
        #expect(rows.repayments.map(\.waivesInterest) == [false, true])
        _ = try await LoanReadModelTests.expectEveryDayAgrees(fixture, loan: loan.id, rows: rows)
        let (differences, compared) = try await DailyBooks.differences(fixture.database, organization: fixture.admin.organizationID,
                                                                       from: LocalDate("2025-02-21")!)
        #expect(compared > 300 && differences.isEmpty, "\(differences.prefix(3))")

        // A repayment before the payoff cannot be reversed while the payoff stands; the payoff can, and its waiver goes with it.
        let refused = await #expect(throws: RavnaqError.self) {
            _ = try await loans.reverse(loan.id, repayment: firstID!, DateInput(), as: fixture.admin, idempotency: nil)
        }
        #expect(refused?.message.contains("reverse that payoff first") == true)
        _ = try await loans.reverse(loan.id, repayment: try #require(paid["id"] as? String), DateInput(), as: fixture.admin, idempotency: nil)
        let reopened = try await loans.get(loan.id, asOf: on.description, as: fixture.admin)
        #expect(reopened.status == "active" && uzs(reopened.total_owed) == uzs(quote.total) + uzs(quote.waived))
        #expect(try await loans.schedule(loan.id, asOf: on.description, as: fixture.admin).installments.allSatisfy { $0.waived == "0.00" })
    }
}

@Suite("Restructuring refusals")
struct RestructuringRefusalTests {
    @Test("a repaid or written-off loan, a day before the latest repayment or after today, bad terms: refused, nothing written")
    func refusals() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture)
        let loans = Loans(database: fixture.database)
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme, project: project, installments: 3)
        let schedule = try await loans.schedule(loan.id, asOf: "2025-02-21", as: fixture.admin).installments
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(schedule[0].total), date: "2025-03-22"),
                                  as: fixture.admin, idempotency: nil)
        func refusal(_ input: RestructureInput, _ key: String? = nil) async -> RavnaqError? {
            await #expect(throws: RavnaqError.self) {
                _ = try await loans.restructure(key ?? loan.id, input, as: fixture.admin, idempotency: nil)
            }
        }
        let early = await refusal(RestructureInput(on: "2025-03-21", installments: 6, capitalize_overdue: true, reason: "x"))
        #expect(early?.fieldErrors.map(\.pointer) == ["/on"])
        #expect(early?.fieldErrors.first?.detail == "must not be before the latest repayment on 2025-03-22")
        let future = await refusal(RestructureInput(on: "2999-01-01", installments: 6, capitalize_overdue: true, reason: "x"))
        #expect(future?.fieldErrors.map(\.pointer) == ["/on"])
        let terms = await refusal(RestructureInput(on: "2025-05-01", installments: 0, annual_rate: "2000", capitalize_overdue: true, reason: "x"))
        #expect(terms?.fieldErrors.map(\.pointer) == ["/annual_rate", "/installments"])
        let missing = await refusal(RestructureInput(on: "2025-05-01", installments: 6))
        #expect(missing?.fieldErrors.map(\.pointer) == ["/reason", "/capitalize_overdue"])
        #expect(try await loans.schedule(loan.id, asOf: nil, as: fixture.admin).versions == 1)

        let writtenOff = try await LoanServicingCoreTests.loan(fixture, programme: programme, project: project, installments: 3)
        _ = try await loans.writeOff(writtenOff.id, DateInput(date: "2025-06-30", reason: "moved away"), as: fixture.admin, idempotency: nil)
        let gone = await refusal(RestructureInput(on: "2025-07-01", installments: 6, capitalize_overdue: false, reason: "x"), writtenOff.id)
        guard case .rule(.loanNotActive, let message)? = gone else { Issue.record("expected loan-not-active, got \(String(describing: gone))"); return }
        #expect(message.contains("is written_off"))
        let version = await #expect(throws: RavnaqError.self) { _ = try await loans.schedule(loan.id, asOf: nil, version: "2", as: fixture.admin) }
        #expect(version?.fieldErrors.map(\.pointer) == ["/version"])
    }
}
