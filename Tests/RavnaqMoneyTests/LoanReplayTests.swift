import Dates
import RavnaqMoney
import Testing

/// Three installments of 100.00 principal + 10.00 interest, due the 15th of February, March and
/// April 2025, disbursed 15 January: small enough to compute every expectation by hand.
private let disbursed = day("2025-01-15")
private let schedule = [
    ScheduledInstallment(n: 1, dueOn: day("2025-02-15"), principal: uzs("100"), interest: uzs("10")),
    ScheduledInstallment(n: 2, dueOn: day("2025-03-15"), principal: uzs("100"), interest: uzs("10")),
    ScheduledInstallment(n: 3, dueOn: day("2025-04-15"), principal: uzs("100"), interest: uzs("10")),
]
/// 5.00 charged on an installment still unpaid 3 days after its due date, i.e. on day 4.
private let fee = LateFeeRule(amount: uzs("5"), afterDays: 3)

private func pay(_ id: String, _ date: String, _ amount: String) -> RepaymentInput {
    RepaymentInput(id: id, date: day(date), amount: uzs(amount))
}

private func state(_ repayments: [RepaymentInput], lateFee: LateFeeRule? = nil, asOf: String) -> LoanState {
    LoanReplay.state(schedule: schedule, repayments: repayments, lateFee: lateFee, asOf: day(asOf))
}

private func split(principal: String = "0", interest: String = "0", fees: String = "0") -> Allocation {
    Allocation(principal: uzs(principal), interest: uzs(interest), fees: uzs(fees))
}

@Suite("Loan replay: allocation, arrears and late fees (SPEC §4)")
struct LoanReplayTests {
    @Test("nothing paid, nothing due yet")
    func untouched() {
        let loan = state([], asOf: "2025-02-01")
        #expect(loan.installments.map(\.status) == [.pending, .pending, .pending])
        #expect(loan.outstandingPrincipal == uzs("300"))
        #expect(loan.totalOwed == uzs("330"))
        #expect(loan.overdueAmount == .zero)
        #expect(loan.daysPastDue == 0)
        #expect(loan.allocations.isEmpty)
        #expect(!loan.isFullyPaid)
    }

    @Test("days past due: 0 on the due date, 1 the day after, counted from the oldest unpaid")
    func daysPastDueEdges() {
        let onDueDate = state([], asOf: "2025-02-15")
        #expect(onDueDate.daysPastDue == 0)
        #expect(onDueDate.installments[0].status == .pending)
        #expect(onDueDate.overdueAmount == .zero)

        let dayAfter = state([], asOf: "2025-02-16")
        #expect(dayAfter.daysPastDue == 1)
        #expect(dayAfter.installments[0].status == .late)
        #expect(dayAfter.overdueAmount == uzs("110"))

        let monthLater = state([], asOf: "2025-03-16")
        #expect(monthLater.daysPastDue == 29)
        #expect(monthLater.installments.map(\.status) == [.late, .late, .pending])
        #expect(monthLater.overdueAmount == uzs("220"))
    }

    @Test("the SPEC's example: first installment paid on time, 36 days past due on 20 April")
    func specExample() throws {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: uzs("10000000"), annualRatePercent: 24, method: .annuity, installments: 12,
            frequency: .monthly, disbursedOn: day("2025-01-15"), minorDigits: 2
        ))
        let first = pay("r1", "2025-02-15", "945595.97")
        let allocation = try LoanReplay.check(first, schedule: rows, disbursedOn: day("2025-01-15"), existing: []).allocation
        #expect(allocation == split(principal: "745595.97", interest: "200000.00"))

        let loan = LoanReplay.state(schedule: rows, repayments: [first], asOf: day("2025-04-20"))
        #expect(loan.daysPastDue == 36)
        #expect(Array(loan.installments.map(\.status).prefix(4)) == [.paid, .late, .late, .pending])
        #expect(loan.overdueAmount == uzs("1891191.94"))
        #expect(loan.outstandingPrincipal == uzs("9254404.03"))
        #expect(loan.allocations["r1"] == allocation)
    }

    @Test("a partial payment covers interest before principal and leaves the installment partial, then late")
    func partial() {
        let repayments = [pay("r1", "2025-02-10", "50")]
        let early = state(repayments, asOf: "2025-02-10")
        #expect(early.allocations["r1"] == split(principal: "40", interest: "10"))
        #expect(early.installments[0].status == .partial)
        #expect(early.installments[0].remaining == uzs("60"))
        #expect(early.installments[0].interestPaid == uzs("10"))
        #expect(early.installments[0].principalPaid == uzs("40"))
        #expect(early.outstandingPrincipal == uzs("260"))
        #expect(early.totalOwed == uzs("280"))

        let later = state(repayments, asOf: "2025-02-20")
        #expect(later.installments[0].status == .late)
        #expect(later.daysPastDue == 5)
        #expect(later.overdueAmount == uzs("60"))
    }

    @Test("paying ahead settles the following installments in order")
    func payingAhead() {
        let repayments = [pay("r1", "2025-02-10", "250")]
        let loan = state(repayments, asOf: "2025-02-10")
        #expect(loan.allocations["r1"] == split(principal: "220", interest: "30"))
        #expect(loan.installments.map(\.status) == [.paid, .paid, .partial])
        #expect(loan.installments.map(\.fullyPaidOn) == [day("2025-02-10"), day("2025-02-10"), nil])
        #expect(loan.installments[2].interestPaid == uzs("10"))
        #expect(loan.installments[2].principalPaid == uzs("20"))
        #expect(loan.outstandingPrincipal == uzs("80"))
        #expect(loan.totalOwed == uzs("80"))

        let afterLastDue = state(repayments, asOf: "2025-05-01")
        #expect(afterLastDue.daysPastDue == 16)
        #expect(afterLastDue.installments.map(\.status) == [.paid, .paid, .late])
    }

    @Test("the late fee falls on due date + N + 1 days and only on unpaid installments")
    func feeDay() {
        let dayBefore = state([], lateFee: fee, asOf: "2025-02-18")
        #expect(dayBefore.installments[0].fees == .zero)
        #expect(dayBefore.totalOwed == uzs("330"))

        let chargeDay = state([], lateFee: fee, asOf: "2025-02-19")
        #expect(chargeDay.installments[0].fees == uzs("5"))
        #expect(chargeDay.installments[0].feeChargedOn == day("2025-02-19"))
        #expect(chargeDay.installments[1].fees == .zero)
        #expect(chargeDay.totalOwed == uzs("335"))
        #expect(chargeDay.overdueAmount == uzs("115"))

        // N = 0: charged the day after the due date.
        let prompt = state([], lateFee: LateFeeRule(amount: uzs("5"), afterDays: 0), asOf: "2025-02-16")
        #expect(prompt.installments[0].feeChargedOn == day("2025-02-16"))

        // A zero fee is no fee.
        let free = state([], lateFee: LateFeeRule(amount: .zero, afterDays: 0), asOf: "2025-12-31")
        #expect(free.installments.allSatisfy { $0.fees.isZero && $0.feeChargedOn == nil })

        // Paid in time: never charged, while later installments are.
        let onTime = state([pay("r1", "2025-02-15", "110")], lateFee: fee, asOf: "2025-12-31")
        #expect(onTime.installments.map(\.fees) == [.zero, uzs("5"), uzs("5")])
        #expect(onTime.totalOwed == uzs("230"))
        #expect(onTime.installments[0].wasPaidOnTime)
    }

    @Test("a payment dated on the fee's day counts before the charge")
    func sameDayPaymentBeatsFee() {
        let loan = state([pay("r1", "2025-02-19", "110")], lateFee: fee, asOf: "2025-02-25")
        #expect(loan.installments[0].fees == .zero)
        #expect(loan.installments[0].status == .paid)
        #expect(loan.installments[0].fullyPaidOn == day("2025-02-19"))
        #expect(!loan.installments[0].wasPaidOnTime)
        #expect(loan.allocations["r1"] == split(principal: "100", interest: "10"))
    }

    @Test("fees are paid first, and an installment is fully paid only with its fee")
    func feesFirst() {
        let late = [pay("r1", "2025-02-20", "110")]
        let loan = state(late, lateFee: fee, asOf: "2025-02-20")
        #expect(loan.allocations["r1"] == split(principal: "95", interest: "10", fees: "5"))
        #expect(loan.installments[0].status == .late)
        #expect(loan.installments[0].remaining == uzs("5"))
        #expect(loan.daysPastDue == 5)

        let settled = state(late + [pay("r2", "2025-02-21", "5")], lateFee: fee, asOf: "2025-02-21")
        #expect(settled.installments[0].status == .paid)
        #expect(settled.allocations["r2"] == split(principal: "5"))
        #expect(settled.daysPastDue == 0)
        #expect(settled.totalPaid == split(principal: "100", interest: "10", fees: "5"))
    }

    @Test("one payment runs fees → interest → principal through each installment in turn")
    func orderAcrossInstallments() {
        let loan = state([pay("r1", "2025-03-20", "120")], lateFee: fee, asOf: "2025-03-20")
        #expect(loan.installments.map(\.fees) == [uzs("5"), uzs("5"), .zero])
        #expect(loan.installments.map(\.feeChargedOn) == [day("2025-02-19"), day("2025-03-19"), nil])
        // Installment 1: fee 5, interest 10, principal 100; installment 2: its fee 5.
        #expect(loan.allocations["r1"] == split(principal: "100", interest: "10", fees: "10"))
        #expect(loan.installments[1].feesPaid == uzs("5"))
        #expect(loan.installments[1].interestPaid == .zero)
        #expect(loan.installments.map(\.status) == [.paid, .late, .pending])
        #expect(loan.totalOwed == uzs("220"))
    }

    @Test("repayments are replayed by date, same-date ones in recorded order; later ones are ignored")
    func chronology() {
        let recorded = [
            pay("c", "2025-03-01", "20"),
            pay("a", "2025-02-01", "15"),
            pay("b", "2025-02-01", "100"),
            pay("future", "2025-03-10", "50"),
        ]
        let loan = state(recorded, asOf: "2025-03-05")
        #expect(loan.allocations["a"] == split(principal: "5", interest: "10"))
        #expect(loan.allocations["b"] == split(principal: "95", interest: "5"))
        #expect(loan.allocations["c"] == split(principal: "15", interest: "5"))
        #expect(loan.allocations["future"] == nil)
        #expect(loan.installments[1].principalPaid == uzs("15"))
        #expect(loan.totalPaid.total == uzs("135"))

        let swapped = state([recorded[2], recorded[1]], asOf: "2025-03-05")
        #expect(swapped.allocations["b"] == split(principal: "90", interest: "10"))
        #expect(swapped.allocations["a"] == split(principal: "10", interest: "5"))
    }

    @Test("a fully paid loan")
    func fullyPaid() {
        let loan = state([pay("r1", "2025-02-01", "300"), pay("r2", "2025-04-15", "30")], asOf: "2025-06-01")
        #expect(loan.isFullyPaid)
        #expect(loan.installments.map(\.status) == [.paid, .paid, .paid])
        #expect(loan.installments.map(\.fullyPaidOn) == [day("2025-02-01"), day("2025-02-01"), day("2025-04-15")])
        #expect(loan.installments.allSatisfy { $0.wasPaidOnTime })
        #expect(loan.totalOwed == .zero && loan.outstandingPrincipal == .zero && loan.daysPastDue == 0)
        #expect(loan.totalPaid == split(principal: "300", interest: "30"))
        #expect(loan.unallocated == .zero)

        let notQuite = state([pay("r1", "2025-02-01", "329.99")], asOf: "2025-02-01")
        #expect(!notQuite.isFullyPaid)
        #expect(notQuite.installments.map(\.status) == [.paid, .paid, .partial])
    }

    @Test("money beyond what is owed is reported, not lost, when records are inconsistent")
    func unallocated() {
        let loan = state([pay("r1", "2025-02-01", "400")], asOf: "2025-02-01")
        #expect(loan.unallocated == uzs("70"))
        #expect(loan.allocations["r1"]?.total == uzs("330"))
    }

    @Test("status raw values are the API's")
    func statusNames() {
        #expect(InstallmentStatus.allCases.map(\.rawValue) == ["pending", "partial", "paid", "late"])
    }
}

@Suite("Checking a new repayment before it is recorded")
struct RepaymentCheckTests {
    private func check(_ new: RepaymentInput, existing: [RepaymentInput] = [], lateFee: LateFeeRule? = nil) throws(RepaymentError) -> Allocation {
        try LoanReplay.check(new, schedule: schedule, disbursedOn: disbursed, existing: existing, lateFee: lateFee).allocation
    }

    @Test("refuses zero and negative amounts")
    func nonPositive() {
        #expect(throws: RepaymentError.nonPositiveAmount(.zero)) { try check(pay("n", "2025-02-01", "0")) }
        #expect(throws: RepaymentError.nonPositiveAmount(uzs("-1"))) { try check(pay("n", "2025-02-01", "-1")) }
    }

    @Test("refuses a date before disbursement; the disbursement day itself is fine")
    func beforeDisbursement() throws {
        #expect(throws: RepaymentError.beforeDisbursement(disbursedOn: disbursed)) {
            try check(pay("n", "2025-01-14", "10"))
        }
        #expect(try check(pay("n", "2025-01-15", "10")) == split(interest: "10"))
    }

    @Test("refuses a date before the latest repayment; the same date is fine")
    func beforeLatest() throws {
        let existing = [pay("a", "2025-03-01", "10"), pay("b", "2025-02-01", "10")]
        #expect(throws: RepaymentError.beforeLatestRepayment(latest: day("2025-03-01"))) {
            try check(pay("n", "2025-02-28", "10"), existing: existing)
        }
        #expect(try check(pay("n", "2025-03-01", "10"), existing: existing) == split(principal: "10"))
    }

    @Test("refuses more than everything owed, and accepts exactly that")
    func overpayment() throws {
        #expect(throws: RepaymentError.overpayment(owed: uzs("330"))) { try check(pay("n", "2025-02-01", "330.01")) }
        #expect(try check(pay("n", "2025-02-01", "330")) == split(principal: "300", interest: "30"))

        let existing = [pay("a", "2025-02-01", "330")]
        #expect(throws: RepaymentError.overpayment(owed: .zero)) {
            try check(pay("n", "2025-05-01", "0.01"), existing: existing)
        }
    }

    @Test("the overpayment limit includes the fees charged before the payment date")
    func overpaymentWithFees() throws {
        #expect(throws: RepaymentError.overpayment(owed: uzs("335"))) {
            try check(pay("n", "2025-02-20", "335.01"), lateFee: fee)
        }
        #expect(try check(pay("n", "2025-02-20", "335"), lateFee: fee) == split(principal: "300", interest: "30", fees: "5"))
        // On the fee's own day the payment comes first, so that fee is not owed yet.
        #expect(throws: RepaymentError.overpayment(owed: uzs("330"))) {
            try check(pay("n", "2025-02-19", "330.01"), lateFee: fee)
        }
    }

    @Test("the allocation it returns is the one the replay then shows")
    func agreesWithReplay() throws {
        let existing = [pay("a", "2025-02-10", "50")]
        let new = pay("n", "2025-03-20", "120")
        let allocation = try check(new, existing: existing, lateFee: fee)
        let loan = state(existing + [new], lateFee: fee, asOf: "2025-03-20")
        #expect(loan.allocations["n"] == allocation)
        // Installment 1 (60 left + fee 5) then installment 2 (fee 5, interest 10, principal 40).
        #expect(allocation == split(principal: "100", interest: "10", fees: "10"))
    }

    @Test("errors explain themselves with the figures")
    func details() {
        #expect(RepaymentError.overpayment(owed: uzs("335")).detail(minorDigits: 2).contains("335.00"))
        #expect(RepaymentError.beforeLatestRepayment(latest: day("2025-03-01")).detail(minorDigits: 2).contains("2025-03-01"))
    }
}
