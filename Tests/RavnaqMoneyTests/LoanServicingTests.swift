import Dates
import Foundation
import RavnaqMoney
import Testing

/// Issue 16's servicing rules on schedules and replays, against figures worked out by hand.
@Suite("Loan servicing: working days, round installments, tolerance, percentage and monthly fees")
struct LoanServicingTests {
    // MARK: Working days

    @Test("ISO weekdays: 1970-01-01 was a Thursday, 2025-03-21 (Navruz) a Friday, 2026-12-06 a Sunday")
    func weekdays() {
        #expect(day("1970-01-01").isoWeekday == 4)
        #expect(day("2025-03-21").isoWeekday == 5)
        #expect(day("2026-12-06").isoWeekday == 7)
        #expect(day("1969-12-29").isoWeekday == 1)
    }

    @Test("a due date on Navruz or a Sunday moves to the next working day; amounts do not change")
    func dueDatesMoveOffDaysOff() {
        let plain = LoanTerms(principal: uzs("1200000"), annualRatePercent: 24, method: .annuity, installments: 12,
                              frequency: .monthly, disbursedOn: day("2025-01-21"), minorDigits: 2)
        var onWorkingDays = plain
        onWorkingDays.calendar = .uzbekistan
        let before = LoanSchedule.compute(plain)
        let after = LoanSchedule.compute(onWorkingDays)
        // The 21st of each month from February 2025: 21 March is Navruz (a Friday) → Saturday the
        // 22nd; 21 September and 21 December are Sundays → the 22nd; the other 21sts stay.
        #expect(after.map(\.dueOn.description) == [
            "2025-02-21", "2025-03-22", "2025-04-21", "2025-05-21", "2025-06-21", "2025-07-21",
            "2025-08-21", "2025-09-22", "2025-10-21", "2025-11-21", "2025-12-22", "2026-01-21",
        ])
        #expect(after.map(\.principal) == before.map(\.principal))
        #expect(after.map(\.interest) == before.map(\.interest))
        // Months still count from the anchor: April is the 21st again, not the 22nd.
        #expect(before.map(\.dueOn.day).allSatisfy { $0 == 21 })
    }

    @Test("a run of days off moves a due date past all of them; a dated holiday counts in its year only")
    func runsOfHolidays() {
        var calendar = WorkingCalendar.uzbekistan
        calendar.dated.insert(day("2026-03-20"))  // Ramazon hayit 2026 (announced), a Friday
        // 31 December 2025 (Wednesday, a holiday), 1 January (holiday) → Friday 2 January.
        #expect(calendar.nextWorkingDay(onOrAfter: day("2025-12-31")) == day("2026-01-02"))
        // 20 March 2026 (hayit) → 21 (Navruz) → 22 (Sunday) → Monday 23 March.
        #expect(calendar.nextWorkingDay(onOrAfter: day("2026-03-20")) == day("2026-03-23"))
        #expect(calendar.isWorkingDay(day("2027-03-20")))
        #expect(calendar.nextWorkingDay(onOrAfter: day("2026-03-24")) == day("2026-03-24"))
        // Every day off is no calendar to move to: the date is kept rather than looping.
        let never = WorkingCalendar(weeklyDaysOff: Set(1...7))
        #expect(never.nextWorkingDay(onOrAfter: day("2026-03-24")) == day("2026-03-24"))
    }

    @Test("Uzbekistan's fixed holidays are the eight of the Labour Code")
    func fixedHolidays() {
        #expect(WorkingCalendar.uzbekistanFixedHolidays.map { "\($0.0.month)-\($0.0.day)" }
                == ["1-1", "3-8", "3-21", "5-9", "9-1", "10-1", "12-8", "12-31"])
        #expect(WorkingCalendar.uzbekistan.weeklyDaysOff == [7])
    }

    // MARK: Installments in round amounts

    @Test("multiples of 1 000: 100 000 at 1 % a month over 3 → 35 000, 35 000, and the rest")
    func roundInstallments() {
        // A = 100 000 · 0.01 / (1 − 1.01⁻³) = 34 002.21, rounded up to 35 000.00.
        // 1: interest 1 000.00, principal 34 000.00, 66 000.00 left;
        // 2: interest 660.00, principal 34 340.00, 31 660.00 left;
        // 3: interest 316.60 and the 31 660.00 left.
        let terms = LoanTerms(principal: uzs("100000"), annualRatePercent: 12, method: .annuity, installments: 3,
                              frequency: .monthly, disbursedOn: day("2025-01-15"), minorDigits: 2,
                              installmentMultiple: uzs("1000"))
        let rows = LoanSchedule.compute(terms)
        #expect(lines(rows, digits: 2) == [
            "2025-02-15 34000.00 1000.00", "2025-03-15 34340.00 660.00", "2025-04-15 31660.00 316.60",
        ])
        #expect(rows.map(\.total).dropLast().allSatisfy { $0 == uzs("35000") })
        #expect(rows.reduce(Amount.zero) { $0 + $1.principal } == uzs("100000"))
    }

    @Test("multiples at 0 %, with grace, and for equal principal: regular totals round up, the principal sums exactly")
    func roundInstallmentsEveryMethod() {
        // 1 000 000 over 3 at 0 %: 333 333.33 → 334 000.00, 334 000.00, and 332 000.00.
        let zero = LoanSchedule.compute(LoanTerms(principal: uzs("1000000"), annualRatePercent: 0, method: .equalPrincipal,
                                                  installments: 3, frequency: .monthly, disbursedOn: day("2025-01-15"),
                                                  minorDigits: 2, installmentMultiple: uzs("1000")))
        #expect(zero.map(\.principal) == [uzs("334000"), uzs("334000"), uzs("332000")])
        for method in RepaymentMethod.allCases {
            let rows = LoanSchedule.compute(LoanTerms(principal: uzs("7777777.77"), annualRatePercent: Decimal(string: "19.5")!,
                                                      method: method, installments: 10, frequency: .monthly, gracePeriods: 2,
                                                      disbursedOn: day("2025-01-31"), minorDigits: 2,
                                                      installmentMultiple: uzs("1000")))
            #expect(rows.reduce(Amount.zero) { $0 + $1.principal } == uzs("7777777.77"), "\(method)")
            // Grace installments stay interest only; the regular ones are whole thousands.
            #expect(rows.prefix(2).allSatisfy { $0.principal.isZero }, "\(method)")
            #expect(rows.dropFirst(2).dropLast().allSatisfy { $0.total.minorUnits % 100_000 == 0 }, "\(method)")
        }
    }

    @Test("a multiple that is not positive is refused")
    func badMultiple() {
        let terms = LoanTerms(principal: uzs("100000"), annualRatePercent: 12, method: .annuity, installments: 3,
                              frequency: .monthly, disbursedOn: day("2025-01-15"), minorDigits: 2, installmentMultiple: .zero)
        #expect(LoanSchedule.validate(terms)["installment_multiple"] == "must be greater than zero")
        #expect(LoanSchedule.compute(terms).isEmpty)
    }

    // MARK: Arrears tolerance

    /// 100.00 + 10.00 due the 15th of February, March and April 2025.
    static let schedule = [
        ScheduledInstallment(n: 1, dueOn: day("2025-02-15"), principal: uzs("100"), interest: uzs("10")),
        ScheduledInstallment(n: 2, dueOn: day("2025-03-15"), principal: uzs("100"), interest: uzs("10")),
        ScheduledInstallment(n: 3, dueOn: day("2025-04-15"), principal: uzs("100"), interest: uzs("10")),
    ]

    @Test("an installment short by at most the tolerance is not late for days past due; it is still owed")
    func tolerance() {
        let short = [RepaymentInput(id: "a", date: day("2025-02-15"), amount: uzs("107"))]  // 3.00 short
        let within = LoanReplay.state(schedule: Self.schedule, repayments: short, arrearsTolerance: uzs("5"), asOf: day("2025-03-01"))
        #expect(within.daysPastDue == 0)
        #expect(within.overdueAmount == uzs("3"))
        #expect(within.installments[0].status == .late)
        let beyond = LoanReplay.state(schedule: Self.schedule, repayments: short, arrearsTolerance: uzs("2.99"), asOf: day("2025-03-01"))
        #expect(beyond.daysPastDue == 14)
        // Once the next installment falls due unpaid, it is late whatever the tolerance.
        let next = LoanReplay.state(schedule: Self.schedule, repayments: short, arrearsTolerance: uzs("5"), asOf: day("2025-03-20"))
        #expect(next.daysPastDue == 5)
    }

    // MARK: Percentage and monthly fees

    @Test("a percentage fee is of what is unpaid of the installment's principal and interest, rounded half-up")
    func percentageFee() {
        // 2.5 % after 5 days: nothing paid → on 02-21, 2.5 % of 110.00 = 2.75.
        let rule = LateFeeRule(size: .percentOfUnpaid(Decimal(string: "2.5")!), afterDays: 5)
        let none = LoanReplay.state(schedule: Self.schedule, repayments: [], lateFee: rule, asOf: day("2025-02-28"))
        #expect(none.installments[0].fees == uzs("2.75"))
        #expect(none.installments[0].feeChargedOn == day("2025-02-21"))
        // 60.00 paid before → 50.00 unpaid → 1.25; the fee falls once only.
        let part = [RepaymentInput(id: "a", date: day("2025-02-16"), amount: uzs("60"))]
        let partly = LoanReplay.state(schedule: Self.schedule, repayments: part, lateFee: rule, asOf: day("2025-12-31"))
        #expect(partly.installments[0].fees == uzs("1.25"))
        // 0.45 % of 110.00 = 0.495 → 0.50 (half-up).
        let half = LateFeeRule(size: .percentOfUnpaid(Decimal(string: "0.45")!), afterDays: 0)
        let rounded = LoanReplay.state(schedule: Self.schedule, repayments: [], lateFee: half, asOf: day("2025-02-20"))
        #expect(rounded.installments[0].fees == uzs("0.50"))
    }

    @Test("a monthly fee falls again each month the installment stays unpaid, at most 12 times, fees → interest → principal")
    func monthlyFee() {
        let rule = LateFeeRule(amount: uzs("5"), afterDays: 3, repeats: .monthly)
        #expect(rule.chargeDates(dueOn: day("2025-02-15")).map(\.description).prefix(3) == ["2025-02-19", "2025-03-19", "2025-04-19"])
        #expect(rule.chargeDates(dueOn: day("2025-02-15")).count == LateFeeRule.monthlyLimit)
        // Unpaid all year: installment 1 is charged on 02-19, 03-19, … 12-19 (11 times in 2025).
        let unpaid = LoanReplay.state(schedule: Self.schedule, repayments: [], lateFee: rule, asOf: day("2025-12-31"))
        #expect(unpaid.installments.map(\.fees) == [uzs("55"), uzs("50"), uzs("45")])
        // And never more than 12 times.
        let years = LoanReplay.state(schedule: Self.schedule, repayments: [], lateFee: rule, asOf: day("2030-01-01"))
        #expect(years.installments.map(\.fees) == [uzs("60"), uzs("60"), uzs("60")])
        // Paid on 03-25 with 120.00: installment 1's two fees (10.00), its interest and principal
        // (110.00); its next fee, due 04-19, never falls. Installment 2 was charged on 03-19.
        let paid = [RepaymentInput(id: "a", date: day("2025-03-25"), amount: uzs("120"))]
        let state = LoanReplay.state(schedule: Self.schedule, repayments: paid, lateFee: rule, asOf: day("2025-04-30"))
        #expect(state.allocations["a"] == Allocation(principal: uzs("100"), interest: uzs("10"), fees: uzs("10")))
        #expect(state.installments[0].fees == uzs("10") && state.installments[0].status == .paid)
        // Installment 2: 03-19 and 04-19; installment 3: 04-19.
        #expect(state.installments[1].fees == uzs("10"))
        #expect(state.installments[2].fees == uzs("5"))
    }

    @Test("a monthly percentage fee is worked out afresh each time, on what is then unpaid")
    func monthlyPercentage() {
        let rule = LateFeeRule(size: .percentOfUnpaid(10), afterDays: 0, repeats: .monthly)
        // 02-16: 10 % of 110.00 = 11.00. Paid 71.00 on 03-01: the fee 11.00, interest 10.00,
        // principal 50.00 → 50.00 unpaid; 03-16: 10 % of 50.00 = 5.00.
        let repayments = [RepaymentInput(id: "a", date: day("2025-03-01"), amount: uzs("71"))]
        let state = LoanReplay.state(schedule: Self.schedule, repayments: repayments, lateFee: rule, asOf: day("2025-03-16"))
        #expect(state.installments[0].fees == uzs("16"))
        #expect(state.installments[0].principalPaid == uzs("50"))
    }
}
