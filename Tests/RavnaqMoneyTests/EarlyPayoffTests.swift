import Dates
import Foundation
import RavnaqMoney
import Testing

/// Issue 16's early payoff with interest to date, against figures worked out by hand and checked
/// against numpy-financial's `ipmt` (ReferenceScripts.swift, "early payoff").
@Suite("Early payoff: full interest or interest to date")
struct EarlyPayoffTests {
    /// 100 000.00 at 12 % a year (1 % a month), annuity over 3, disbursed 15 January 2025:
    /// 34 002.21 a month; interest 1 000.00, 669.98, 336.66 (numpy-financial's ipmt: 1000,
    /// 669.9779, 336.6556), due on the 15th of February, March and April.
    let schedule = LoanSchedule.compute(LoanTerms(
        principal: uzs("100000"), annualRatePercent: 12, method: .annuity, installments: 3, frequency: .monthly,
        disbursedOn: day("2025-01-15"), minorDigits: 2))
    let firstPaid = [RepaymentInput(id: "r1", date: day("2025-02-15"), amount: uzs("34002.21"))]

    @Test("the schedule is the hand-computed one, each installment's period starting at the due date before it")
    func schedulePeriods() {
        #expect(schedule.map(\.interest) == [uzs("1000.00"), uzs("669.98"), uzs("336.66")])
        #expect(schedule.map(\.startsOn) == [day("2025-01-15"), day("2025-02-15"), day("2025-03-15")])
    }

    @Test("interest accrues by the day's share of its period, half-up; none at the start, all from the due date")
    func accrual() {
        let (start, due) = (day("2025-02-15"), day("2025-03-15"))  // 28 days
        #expect(EarlyPayoff.interestAccrued(uzs("669.98"), start: start, due: due, on: day("2025-03-01")) == uzs("334.99"))
        #expect(EarlyPayoff.interestAccrued(uzs("669.98"), start: start, due: due, on: start) == .zero)
        #expect(EarlyPayoff.interestAccrued(uzs("669.98"), start: start, due: due, on: due) == uzs("669.98"))
        #expect(EarlyPayoff.interestAccrued(uzs("669.98"), start: start, due: due, on: day("2025-04-01")) == uzs("669.98"))
        // 0.01 over 28 days: 14 days is exactly half a minor unit, which rounds up; 13 days down.
        #expect(EarlyPayoff.interestAccrued(uzs("0.01"), start: start, due: due, on: day("2025-03-01")) == uzs("0.01"))
        #expect(EarlyPayoff.interestAccrued(uzs("0.01"), start: start, due: due, on: day("2025-02-28")) == .zero)
        // No known start: nothing is waived.
        #expect(EarlyPayoff.interestAccrued(uzs("669.98"), start: nil, due: due, on: day("2025-03-01")) == uzs("669.98"))
        // A period of years on a large interest: exact, no overflow (10¹⁵ minor units × 2 × 3 650 days passes 2⁶³).
        let big = Amount(minorUnits: 1_000_000_000_000_000)
        #expect(EarlyPayoff.interestAccrued(big, start: day("2025-01-01"), due: day("2035-01-01"), on: day("2030-01-01"))
                == Amount(minorUnits: 500_000_000_000_000))  // 1 826 of 3 652 days
    }

    @Test("a flat loan pays full interest whatever the rule; declining-balance loans waive")
    func methods() {
        #expect(EarlyPayoff.interestToDate.waivesInterest(for: .annuity))
        #expect(EarlyPayoff.interestToDate.waivesInterest(for: .equalPrincipal))
        #expect(!EarlyPayoff.interestToDate.waivesInterest(for: .flat))
        #expect(!EarlyPayoff.fullInterest.waivesInterest(for: .annuity))
    }

    @Test("on 1 March: full interest 68 004.43; to date 67 332.78 (half of March's 669.98), 671.65 waived")
    func quotes() {
        let full = LoanReplay.payoff(on: day("2025-03-01"), schedule: schedule, existing: firstPaid)
        #expect(full.owed == Allocation(principal: uzs("66997.79"), interest: uzs("1006.64")) && full.waived == .zero)
        #expect(full.owed.total == uzs("68004.43"))
        let toDate = LoanReplay.payoff(on: day("2025-03-01"), schedule: schedule, existing: firstPaid, waivingInterest: true)
        #expect(toDate.owed == Allocation(principal: uzs("66997.79"), interest: uzs("334.99")))
        #expect(toDate.owed.total == uzs("67332.78") && toDate.waived == uzs("671.65"))
        // On March's due date its interest is all owed and April's not at all (ipmt 2: 669.9779).
        let onDue = LoanReplay.payoff(on: day("2025-03-15"), schedule: schedule, existing: firstPaid, waivingInterest: true)
        #expect(onDue.owed.interest == uzs("669.98") && onDue.waived == uzs("336.66"))
    }

    @Test("paying exactly the quote waives the rest, allocates as quoted and closes the loan; one cent more is refused")
    func payingTheQuote() throws {
        let payoff = RepaymentInput(id: "r2", date: day("2025-03-01"), amount: uzs("67332.78"))
        let admitted = try LoanReplay.check(payoff, schedule: schedule, disbursedOn: day("2025-01-15"), existing: firstPaid,
                                            waivingInterest: true)
        #expect(admitted.input.waivesInterest && admitted.interestWaived == uzs("671.65"))
        #expect(admitted.allocation == Allocation(principal: uzs("66997.79"), interest: uzs("334.99")))

        let state = LoanReplay.state(schedule: schedule, repayments: firstPaid + [admitted.input], asOf: day("2025-03-01"))
        #expect(state.isFullyPaid && state.totalOwed == .zero && state.outstandingPrincipal == .zero)
        #expect(state.installments.map(\.interestWaived) == [.zero, uzs("334.99"), uzs("336.66")])
        #expect(state.allocations["r2"] == admitted.allocation)
        // Replayed without the flag (as a repayment of the full_interest rule) it would not close.
        var plain = admitted.input
        plain.waivesInterest = false
        #expect(!LoanReplay.state(schedule: schedule, repayments: firstPaid + [plain], asOf: day("2025-03-01")).isFullyPaid)

        #expect(throws: RepaymentError.overpayment(owed: uzs("67332.78"))) {
            try LoanReplay.check(RepaymentInput(id: "r2", date: day("2025-03-01"), amount: uzs("67332.79")), schedule: schedule,
                                 disbursedOn: day("2025-01-15"), existing: firstPaid, waivingInterest: true)
        }
        // Less than the quote is an ordinary repayment: nothing waived, March's interest first.
        let part = try LoanReplay.check(RepaymentInput(id: "r2", date: day("2025-03-01"), amount: uzs("10000")), schedule: schedule,
                                        disbursedOn: day("2025-01-15"), existing: firstPaid, waivingInterest: true)
        #expect(!part.input.waivesInterest && part.interestWaived == .zero)
        #expect(part.allocation == Allocation(principal: uzs("9330.02"), interest: uzs("669.98")))
    }

    @Test("interest already paid ahead is kept, not given back: only what is unpaid beyond the accrual is waived")
    func paidAhead() {
        // 20 000 more than February's installment: March's interest (669.98) and 19 330.02 of its principal.
        let ahead = [RepaymentInput(id: "r1", date: day("2025-02-15"), amount: uzs("54002.21"))]
        let quote = LoanReplay.payoff(on: day("2025-03-01"), schedule: schedule, existing: ahead, waivingInterest: true)
        #expect(quote.owed == Allocation(principal: uzs("47667.77")) && quote.waived == uzs("336.66"))
    }

    @Test("the SPEC's 10 000 000 at 24 %: four installments paid, payoff on 1 June with 17 of May–June's 31 days accrued")
    func specLoan() throws {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: uzs("10000000"), annualRatePercent: 24, method: .annuity, installments: 12, frequency: .monthly,
            disbursedOn: day("2025-01-15"), minorDigits: 2))
        let paid = rows.prefix(4).map { RepaymentInput(id: "r\($0.n)", date: $0.dueOn, amount: $0.total) }
        let quote = LoanReplay.payoff(on: day("2025-06-01"), schedule: rows, existing: paid, waivingInterest: true)
        // ipmt(0.02, 5, 12, 10 000 000) = 138 538.914 → 138 538.91 scheduled; × 17/31 = 75 972.95.
        #expect(rows[4].interest == uzs("138538.91"))
        #expect(quote.owed == Allocation(principal: uzs("6926945.68"), interest: uzs("75972.95")))
        #expect(quote.owed.total == uzs("7002918.63") && quote.waived == uzs("561849.08"))
        let full = LoanReplay.payoff(on: day("2025-06-01"), schedule: rows, existing: paid)
        #expect(full.owed.total == uzs("7564767.71"))
        #expect(full.owed.total - quote.owed.total == quote.waived)
    }
}
