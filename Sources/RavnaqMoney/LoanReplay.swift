import Dates

/// The state of a loan as of any date, derived by replaying its schedule and repayments in date
/// order (SPEC §4). Nothing here is stored: a reversal simply replays without the reversed
/// repayment, and a report as of last month replays up to last month.
///
/// Rules:
/// - Repayments are applied by date; repayments with the same date keep their recorded order.
///   Repayments dated after the as-of date are ignored.
/// - Each repayment pays installments oldest first — fees, then interest, then principal inside
///   each — and whatever is left settles the following installments in order (paying ahead).
/// - Late fee: an installment still not fully paid on due date + N + 1 days is charged the fee on
///   that day — once, or again on the same day of each following month while it stays unpaid
///   (`LateFeeRule`). A repayment dated that same day is applied *before* the charge: a family
///   that pays on the day the fee would fall is treated as paying in time for it — the day's
///   money is counted before the day's penalty. Charges of one day fall in installment order.
/// - An installment is fully paid only when its fees are paid too.
/// - Arrears tolerance: an installment whose unpaid principal and interest is at most the
///   tolerance counts as paid for days past due (and so PAR); it is still owed.
/// - Early payoff with interest to date: a repayment marked `waivesInterest` first waives, on
///   each installment of the version in force, the interest beyond what had accrued by its day
///   (or beyond what was already paid, if more) — then it is allocated as any other.
public enum LoanReplay {
    /// The loan as of `asOf` (end of that day: repayments and fee charges dated `asOf` included).
    public static func state(
        schedule: [ScheduledInstallment],
        repayments: [RepaymentInput],
        lateFee: LateFeeRule? = nil,
        arrearsTolerance: Amount = .zero,
        restructurings: [Restructuring] = [],
        asOf: LocalDate
    ) -> LoanState {
        var replay = Replay(schedule: schedule, lateFee: lateFee, restructurings: restructurings)
        replay.play(repayments, through: asOf)
        replay.advance(to: asOf.adding(days: 1))
        return replay.state(asOf: asOf, arrearsTolerance: arrearsTolerance)
    }

    /// Checks a repayment before it is recorded and returns how it would be allocated.
    ///
    /// Refuses an amount ≤ 0, a date before `disbursedOn`, a date before the latest of `existing`
    /// (the same date is allowed), and an amount larger than everything owed at the moment of
    /// payment: all remaining principal and interest (due or not) plus the late fees charged
    /// before that day. A fee that would fall on the payment date itself is not yet owed (see the
    /// same-day rule above), so it is neither in the limit nor paid by this repayment.
    ///
    /// With `waivingInterest` (the loan's `interest_to_date` rule) what is owed is the payoff
    /// with interest to date: a repayment of exactly that settles the loan and waives the rest of
    /// the interest (`Admitted.input` says so, and by how much); more than it is refused.
    public static func check(
        _ new: RepaymentInput,
        schedule: [ScheduledInstallment],
        disbursedOn: LocalDate,
        existing: [RepaymentInput],
        lateFee: LateFeeRule? = nil,
        restructurings: [Restructuring] = [],
        waivingInterest: Bool = false
    ) throws(RepaymentError) -> Admitted {
        guard new.amount.isPositive else { throw .nonPositiveAmount(new.amount) }
        guard new.date >= disbursedOn else { throw .beforeDisbursement(disbursedOn: disbursedOn) }
        if let latest = existing.map(\.date).max(), new.date < latest {
            throw .beforeLatestRepayment(latest: latest)
        }
        if let latest = restructurings.map(\.on).max(), new.date <= latest {
            throw .beforeLatestRestructuring(latest: latest)
        }
        var replay = Replay(schedule: schedule, lateFee: lateFee, restructurings: restructurings)
        replay.play(existing, through: new.date)
        replay.advance(to: new.date)
        // What is owed if this repayment is a payoff (the waiver applied to a copy).
        var payoff = replay
        let waived = waivingInterest ? payoff.waiveInterestNotAccrued(on: new.date) : .zero
        let owed = payoff.totalOwed
        guard new.amount <= owed else { throw .overpayment(owed: owed) }
        var input = new
        input.waivesInterest = waived.isPositive && new.amount == owed
        return Admitted(input: input, allocation: replay.apply(input), interestWaived: input.waivesInterest ? waived : .zero)
    }

    /// A repayment `check` admitted: as it is to be recorded, its allocation, and the interest
    /// it waives (zero unless it is an early payoff with interest to date).
    public struct Admitted: Sendable, Equatable {
        public var input: RepaymentInput
        public var allocation: Allocation
        public var interestWaived: Amount
    }

    /// What settles the loan with a payment on `date` (issue 16's payoff quote): all remaining
    /// principal and the late fees charged before that day, and the remaining interest — all of
    /// it, due or not, or with `waivingInterest` only what had accrued by the day, the rest
    /// being `waived`. It is the most `check` accepts on that day, split the way `check` would
    /// allocate it. A fee falling on the day itself is not yet owed (the same-day rule), so paying
    /// the quote on its day closes the loan.
    public static func payoff(
        on date: LocalDate,
        schedule: [ScheduledInstallment],
        existing: [RepaymentInput],
        lateFee: LateFeeRule? = nil,
        restructurings: [Restructuring] = [],
        waivingInterest: Bool = false
    ) -> (owed: Allocation, waived: Amount) {
        var replay = Replay(schedule: schedule, lateFee: lateFee, restructurings: restructurings)
        replay.play(existing, through: date)
        replay.advance(to: date)
        let waived = waivingInterest ? replay.waiveInterestNotAccrued(on: date) : .zero
        let owed = replay.rows.reduce(Allocation.zero) { sum, row in
            sum + Allocation(principal: row.principal - row.principalPaid - row.principalSettled,
                             interest: row.unpaidInterest, fees: row.fees - row.feesPaid - row.feesSettled)
        }
        return (owed, waived)
    }
}

/// The mutable working copy a replay walks forward in time.
private struct Replay {
    var rows: [InstallmentState]
    let lateFee: LateFeeRule?
    /// The days a fee may fall, in the order they are decided (date, then installment), and
    /// how many have been decided.
    let feeEvents: [(day: LocalDate, row: Int)]
    var nextFeeEvent = 0
    /// The restructurings by date, and how many have settled the version they replaced.
    let restructurings: [Restructuring]
    var nextRestructuring = 0
    var allocations: [String: Allocation] = [:]
    var unallocated = Amount.zero

    init(schedule: [ScheduledInstallment], lateFee: LateFeeRule?, restructurings: [Restructuring]) {
        rows = schedule.map { row in
            InstallmentState(
                n: row.n, dueOn: row.dueOn, principal: row.principal, interest: row.interest,
                fees: .zero, feeChargedOn: nil,
                principalPaid: .zero, interestPaid: .zero, feesPaid: .zero,
                version: row.version, replacedOn: row.replacedOn, startsOn: row.startsOn,
                fullyPaidOn: nil, status: .pending
            )
        }
        self.restructurings = restructurings.sorted { $0.on < $1.on }
        // A late fee of zero is no late fee.
        let lateFee = lateFee.flatMap { $0.charges ? $0 : nil }
        self.lateFee = lateFee
        feeEvents = lateFee.map { rule in
            schedule.indices.flatMap { row in rule.chargeDates(dueOn: schedule[row].dueOn).map { (day: $0, row: row) } }
                .sorted { ($0.day, $0.row) < ($1.day, $1.row) }
        } ?? []
    }

    var totalOwed: Amount { rows.reduce(.zero) { $0 + $1.remaining } }

    /// Applies the repayments dated on or before `day`, each after what falls before its day.
    mutating func play(_ repayments: [RepaymentInput], through day: LocalDate) {
        for repayment in Self.chronological(repayments) where repayment.date <= day {
            advance(to: repayment.date)
            apply(repayment)
        }
    }

    /// Date order, recorded order within a date.
    private static func chronological(_ repayments: [RepaymentInput]) -> [RepaymentInput] {
        repayments.enumerated()
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)
    }

    /// Everything that happens before `day` other than repayments, in date order: late fees
    /// falling then, and restructurings (each after its own day's repayments, which the caller
    /// applied before advancing past that day).
    mutating func advance(to day: LocalDate) {
        while nextRestructuring < restructurings.count, restructurings[nextRestructuring].on < day {
            let restructuring = restructurings[nextRestructuring]
            chargeFees(before: restructuring.on)
            settle(restructuring)
            nextRestructuring += 1
        }
        chargeFees(before: day)
    }

    /// The version a restructuring replaces no longer owes what is left of its principal and
    /// interest (and, when capitalised, of its fees): the new version took it.
    mutating func settle(_ restructuring: Restructuring) {
        for i in rows.indices where rows[i].replacedOn == restructuring.on {
            rows[i].principalSettled = rows[i].principal - rows[i].principalPaid
            rows[i].interestSettled = rows[i].interest - rows[i].interestPaid
            if restructuring.capitalizesFees { rows[i].feesSettled = rows[i].fees - rows[i].feesPaid }
        }
    }

    /// Charges the fees falling before `day` on installments still not fully paid then, and
    /// not replaced by a restructuring by then.
    mutating func chargeFees(before day: LocalDate) {
        guard let lateFee else { return }
        while nextFeeEvent < feeEvents.count, feeEvents[nextFeeEvent].day < day {
            let (chargeDate, i) = feeEvents[nextFeeEvent]
            nextFeeEvent += 1
            guard !rows[i].isFullyPaid, rows[i].replacedOn.map({ chargeDate < $0 }) ?? true else { continue }
            let fee = lateFee.fee(unpaid: rows[i].unpaidPrincipalAndInterest)
            guard fee.isPositive else { continue }
            rows[i].fees += fee
            if rows[i].feeChargedOn == nil { rows[i].feeChargedOn = chargeDate }
        }
    }

    /// Waives, on each installment of the version in force (none replaced it), the interest
    /// beyond what had accrued by the end of `day` or was already paid, whichever is more; returns
    /// the total waived.
    @discardableResult
    mutating func waiveInterestNotAccrued(on day: LocalDate) -> Amount {
        var waived = Amount.zero
        for i in rows.indices where rows[i].replacedOn == nil {
            let accrued = EarlyPayoff.interestAccrued(rows[i].interest, start: rows[i].startsOn, due: rows[i].dueOn, on: day)
            let kept = max(accrued, rows[i].interestPaid)
            let waiver = rows[i].unpaidInterest - (kept - rows[i].interestPaid)
            guard waiver.isPositive else { continue }
            rows[i].interestWaived += waiver
            waived += waiver
        }
        return waived
    }

    /// A repayment in its turn: an early payoff's waiver first, then its money, which pays
    /// installments oldest first, fees → interest → principal inside each.
    @discardableResult
    mutating func apply(_ repayment: RepaymentInput) -> Allocation {
        if repayment.waivesInterest { waiveInterestNotAccrued(on: repayment.date) }
        var left = repayment.amount
        var allocation = Allocation.zero
        for i in rows.indices where left.isPositive && !rows[i].isFullyPaid {
            let fees = min(left, rows[i].fees - rows[i].feesPaid - rows[i].feesSettled)
            rows[i].feesPaid += fees
            left -= fees
            let interest = min(left, rows[i].unpaidInterest)
            rows[i].interestPaid += interest
            left -= interest
            let principal = min(left, rows[i].principal - rows[i].principalPaid - rows[i].principalSettled)
            rows[i].principalPaid += principal
            left -= principal
            allocation = allocation + Allocation(principal: principal, interest: interest, fees: fees)
            if rows[i].isFullyPaid { rows[i].fullyPaidOn = repayment.date }
        }
        unallocated += left
        allocations[repayment.id] = (allocations[repayment.id] ?? .zero) + allocation
        return allocation
    }

    func state(asOf: LocalDate, arrearsTolerance: Amount) -> LoanState {
        // A version made by a restructuring is the loan's only from that restructuring's day.
        var installments = rows.filter { row in
            row.version == 1 || (row.version - 2 < restructurings.count && restructurings[row.version - 2].on <= asOf)
        }
        for i in installments.indices {
            installments[i].status = Replay.status(of: installments[i], asOf: asOf)
        }
        let overdue = installments.filter { $0.dueOn < asOf }
        let oldestLate = overdue.first { row in !row.isFullyPaid && row.unpaidPrincipalAndInterest > arrearsTolerance }
        return LoanState(
            asOf: asOf,
            installments: installments,
            allocations: allocations,
            outstandingPrincipal: installments.reduce(.zero) { $0 + $1.principal - $1.principalPaid - $1.principalSettled },
            totalOwed: installments.reduce(.zero) { $0 + $1.remaining },
            overdueAmount: overdue.reduce(.zero) { $0 + $1.remaining },
            daysPastDue: oldestLate.map { $0.dueOn.days(until: asOf) } ?? 0,
            totalPaid: allocations.values.reduce(.zero, +),
            unallocated: unallocated
        )
    }

    static func status(of row: InstallmentState, asOf: LocalDate) -> InstallmentStatus {
        if row.isFullyPaid { return .paid }
        if row.dueOn < asOf { return .late }
        return row.paid.isPositive ? .partial : .pending
    }
}

/// A restructuring as the replay needs it (issue 16): on its day, after that day's repayments,
/// the installments of the version it replaces (those with `replacedOn` that day) no longer owe
/// their principal and interest, nor their fees when the overdue was capitalised; no late fee
/// falls on them from that day.
public struct Restructuring: Sendable, Equatable {
    public var on: LocalDate
    public var capitalizesFees: Bool

    public init(on: LocalDate, capitalizesFees: Bool) {
        self.on = on
        self.capitalizesFees = capitalizesFees
    }
}
