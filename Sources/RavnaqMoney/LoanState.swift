import Dates
import Foundation

/// A loan's optional late fee (SPEC §4, issue 16), copied from its programme when it was opened:
/// a fixed amount or a percentage of what is unpaid of the installment's principal and interest
/// on the day it falls, charged once or again every month while the installment stays unpaid.
public struct LateFeeRule: Sendable, Equatable {
    public enum Size: Sendable, Equatable {
        case fixed(Amount)
        /// Percent with at most 6 decimals: 2.5 means 2.5 %.
        case percentOfUnpaid(Decimal)
    }

    public enum Repeat: String, Sendable, CaseIterable {
        case once, monthly
    }

    public var size: Size
    /// N: an installment still not fully paid on due date + N + 1 days is charged on that day.
    public var afterDays: Int
    public var repeats: Repeat

    /// How many times a monthly fee falls on one installment at most: a year of them. A loan's
    /// history is worked out for every day ahead (`late_fee_charges()` in SQL), so it must end.
    public static let monthlyLimit = 12

    public init(amount: Amount, afterDays: Int, repeats: Repeat = .once) {
        self.init(size: .fixed(amount), afterDays: afterDays, repeats: repeats)
    }

    public init(size: Size, afterDays: Int, repeats: Repeat = .once) {
        self.size = size
        self.afterDays = afterDays
        self.repeats = repeats
    }

    /// A rule that can charge something: a positive amount or percentage, N ≥ 0.
    var charges: Bool {
        guard afterDays >= 0 else { return false }
        switch size {
        case .fixed(let amount): return amount.isPositive
        case .percentOfUnpaid(let percent): return percent > 0
        }
    }

    /// The days the fee may fall on an installment due on `dueOn` (if it is still unpaid then):
    /// due date + N + 1, and with `monthly` the same day of each of the following months.
    public func chargeDates(dueOn: LocalDate) -> [LocalDate] {
        let first = dueOn.adding(days: afterDays + 1)
        let count = repeats == .monthly ? LateFeeRule.monthlyLimit : 1
        return (0..<count).map { first.adding(months: $0) }
    }

    /// The fee on an installment of which `unpaid` principal and interest is unpaid: the fixed
    /// amount, or the percentage of it rounded half-up to the minor unit, exactly.
    func fee(unpaid: Amount) -> Amount {
        switch size {
        case .fixed(let amount):
            return amount
        case .percentOfUnpaid(let percent):
            return Amount(minorUnits: PeriodicRate(percent: percent).interest(on: unpaid.minorUnits))
        }
    }
}

/// A repayment as recorded: the caller's id (a UUID or row id as text), its business date, amount.
public struct RepaymentInput: Sendable, Equatable {
    public var id: String
    public var date: LocalDate
    public var amount: Amount
    /// An early payoff under `interest_to_date` (issue 16): before it is allocated, the interest
    /// not accrued by its day is waived (see `EarlyPayoff`).
    public var waivesInterest: Bool

    public init(id: String, date: LocalDate, amount: Amount, waivesInterest: Bool = false) {
        self.id = id
        self.date = date
        self.amount = amount
        self.waivesInterest = waivesInterest
    }
}

/// How one repayment splits — the credit side of its ledger transaction (`loans_receivable`,
/// `interest_income`, `fee_income`).
public struct Allocation: Sendable, Equatable {
    public var principal: Amount
    public var interest: Amount
    public var fees: Amount

    public init(principal: Amount = .zero, interest: Amount = .zero, fees: Amount = .zero) {
        self.principal = principal
        self.interest = interest
        self.fees = fees
    }

    public static let zero = Allocation()

    public var total: Amount { principal + interest + fees }

    public static func + (lhs: Allocation, rhs: Allocation) -> Allocation {
        Allocation(principal: lhs.principal + rhs.principal, interest: lhs.interest + rhs.interest, fees: lhs.fees + rhs.fees)
    }
}

/// An installment's status as of a date (SPEC §9 names the four values).
///
/// Exactly one applies, checked in this order:
/// - `paid`: everything charged on it so far (principal, interest and any fee) is paid;
/// - `late`: not fully paid and its due date is before the as-of date — the installments that
///   make days past due positive (on the due date itself it is not late yet);
/// - `partial`: something is paid but not all, and it is not late;
/// - `pending`: nothing paid yet and not late.
public enum InstallmentStatus: String, Sendable, CaseIterable {
    case pending, partial, paid, late
}

/// One installment of the schedule with what has been charged and paid on it as of a date.
public struct InstallmentState: Sendable, Equatable {
    public var n: Int
    public var dueOn: LocalDate
    public var principal: Amount
    public var interest: Amount
    /// The late fees charged on this installment so far (zero if none).
    public var fees: Amount
    /// The day its first late fee was charged, if one was.
    public var feeChargedOn: LocalDate?
    public var principalPaid: Amount
    public var interestPaid: Amount
    public var feesPaid: Amount
    /// What a restructuring settled of it: the version it replaced no longer owes it as such
    /// (the new version's principal took it). Not money: never part of `paid`.
    public var principalSettled: Amount = .zero
    public var interestSettled: Amount = .zero
    public var feesSettled: Amount = .zero
    /// Interest an early payoff under `interest_to_date` waived: never owed, never paid.
    public var interestWaived: Amount = .zero
    /// The schedule version it belongs to, and the day a restructuring replaced that version.
    public var version: Int = 1
    public var replacedOn: LocalDate?
    /// The start of its period (`ScheduledInstallment.startsOn`).
    public var startsOn: LocalDate?
    /// The date of the repayment that completed this installment; nil while it is not fully paid,
    /// and nil for an installment with nothing due at all (a grace installment at 0 %).
    public var fullyPaidOn: LocalDate?
    public var status: InstallmentStatus

    /// Principal + interest + fees charged.
    public var total: Amount { principal + interest + fees }
    public var paid: Amount { principalPaid + interestPaid + feesPaid }
    public var settled: Amount { principalSettled + interestSettled + feesSettled }
    /// What is still owed on this installment.
    public var remaining: Amount { total - paid - settled - interestWaived }
    /// Its interest not paid, settled nor waived.
    public var unpaidInterest: Amount { interest - interestPaid - interestSettled - interestWaived }
    /// Its principal and interest not paid, settled nor waived.
    public var unpaidPrincipalAndInterest: Amount { principal - principalPaid - principalSettled + unpaidInterest }
    public var isFullyPaid: Bool { remaining.isZero }
    /// Fully paid no later than its due date (the numerator of the on-time repayment rate).
    public var wasPaidOnTime: Bool { isFullyPaid && (fullyPaidOn ?? dueOn) <= dueOn }
}

/// A loan as of a date, derived by replaying its schedule and repayments (see `LoanReplay`).
public struct LoanState: Sendable, Equatable {
    public var asOf: LocalDate
    public var installments: [InstallmentState]
    /// The split of every repayment dated on or before `asOf`, keyed by `RepaymentInput.id`.
    public var allocations: [String: Allocation]
    /// Principal not yet repaid (due or not).
    public var outstandingPrincipal: Amount
    /// Everything still owed: remaining principal and interest of every installment plus late fees
    /// charged so far.
    public var totalOwed: Amount
    /// What is still owed on installments whose due date is before `asOf`.
    public var overdueAmount: Amount
    /// Days since the due date of the oldest installment not fully paid whose due date is before
    /// `asOf`; 0 if none. Due on 15 March: 0 on the 15th, 1 on the 16th.
    public var daysPastDue: Int
    /// Sum of all allocations: what was collected, split for the ledger.
    public var totalPaid: Allocation
    /// Money that found nothing left to pay. Always zero for repayments admitted by
    /// `LoanReplay.check`; kept so that a replay over inconsistent records loses nothing silently.
    public var unallocated: Amount

    /// The whole schedule and every fee charged are paid: the loan becomes `repaid`.
    public var isFullyPaid: Bool { installments.allSatisfy(\.isFullyPaid) }
}
