import Dates
import Foundation

/// How principal and interest are spread over the installments (SPEC §4).
public enum RepaymentMethod: String, Sendable, CaseIterable {
    /// Declining balance, equal installments.
    case annuity
    /// Declining balance, equal principal parts.
    case equalPrincipal = "equal_principal"
    /// Interest on the original principal in every installment.
    case flat
}

/// How far apart installments fall due.
public enum Frequency: String, Sendable, CaseIterable {
    case monthly, biweekly, weekly

    /// Periods per year, which divide the annual rate into the periodic rate r.
    public var periodsPerYear: Int {
        switch self {
        case .monthly: 12
        case .biweekly: 26
        case .weekly: 52
        }
    }

    /// The date `count` periods after `anchor`. Months are always counted from the anchor (not
    /// from the previous due date), so a loan anchored on 31 January falls due on 28 February,
    /// 31 March, 30 April — never drifting to the 28th for good.
    public func date(_ count: Int, periodsAfter anchor: LocalDate) -> LocalDate {
        switch self {
        case .monthly: anchor.adding(months: count)
        case .biweekly: anchor.adding(days: 14 * count)
        case .weekly: anchor.adding(days: 7 * count)
        }
    }
}

/// Everything that fixes a loan's schedule: what the coordinator enters when opening the loan,
/// plus the disbursement date (planned before disbursement, actual after — SPEC §9).
public struct LoanTerms: Sendable, Equatable {
    public var principal: Amount
    /// A decimal percentage: 24 means 24 % a year; 0 is allowed.
    public var annualRatePercent: Decimal
    public var method: RepaymentMethod
    /// n, the number of installments including the grace ones.
    public var installments: Int
    public var frequency: Frequency
    /// g, the leading installments in which only interest is due.
    public var gracePeriods: Int
    public var disbursedOn: LocalDate
    /// When set, installment 1 falls due on it and the rest count from it.
    public var firstDueOn: LocalDate?
    /// The currency's minor digits; every figure is rounded to this unit.
    public var minorDigits: Int
    /// The organization's working days: a due date on a day off moves to the next working day.
    public var calendar: WorkingCalendar
    /// When set, every regular installment (not a grace one, not the last) is rounded up to a
    /// multiple of it (the programme's `installment_multiple`).
    public var installmentMultiple: Amount?

    public init(
        principal: Amount,
        annualRatePercent: Decimal,
        method: RepaymentMethod,
        installments: Int,
        frequency: Frequency,
        gracePeriods: Int = 0,
        disbursedOn: LocalDate,
        firstDueOn: LocalDate? = nil,
        minorDigits: Int,
        calendar: WorkingCalendar = .everyDay,
        installmentMultiple: Amount? = nil
    ) {
        self.principal = principal
        self.annualRatePercent = annualRatePercent
        self.method = method
        self.installments = installments
        self.frequency = frequency
        self.gracePeriods = gracePeriods
        self.disbursedOn = disbursedOn
        self.firstDueOn = firstDueOn
        self.minorDigits = minorDigits
        self.calendar = calendar
        self.installmentMultiple = installmentMultiple
    }

    /// The largest principal accepted, in minor units (10 trillion so'm in UZS). Bounded so that
    /// every sum over a schedule — even 600 flat installments at 1000 % — stays inside `Int64`.
    public static let maximumPrincipalMinorUnits: Int64 = 1_000_000_000_000_000

    /// Decimal places the annual rate may have, so that the periodic rate is an exact fraction of
    /// 64-bit integers (see `PeriodicRate`).
    public static let maximumRateFractionDigits = 6

    /// See `LoanSchedule.validate`.
    func problems() -> [String: String] {
        var problems: [String: String] = [:]
        if !principal.isPositive {
            problems["principal"] = "must be greater than zero"
        } else if principal.minorUnits > LoanTerms.maximumPrincipalMinorUnits {
            problems["principal"] = "must be at most \(Amount(minorUnits: LoanTerms.maximumPrincipalMinorUnits).formatted(minorDigits: minorDigits))"
        }
        if annualRatePercent.isNaN || annualRatePercent < 0 || annualRatePercent > 1000 {
            problems["annual_rate"] = "must be between 0 and 1000 (percent a year)"
        } else if !LoanTerms.hasAtMostRateFractionDigits(annualRatePercent) {
            problems["annual_rate"] = "may have at most \(LoanTerms.maximumRateFractionDigits) decimal places"
        }
        if !(1...600).contains(installments) {
            problems["installments"] = "must be between 1 and 600"
        }
        if gracePeriods < 0 || (gracePeriods >= installments && installments >= 1) {
            problems["grace_periods"] = "must be at least 0 and fewer than the installments"
        }
        if let firstDueOn, firstDueOn <= disbursedOn {
            problems["first_due_on"] = "must be after the disbursement date \(disbursedOn)"
        }
        if let installmentMultiple, !installmentMultiple.isPositive {
            problems["installment_multiple"] = "must be greater than zero"
        }
        if !(0...4).contains(minorDigits) {
            problems["currency"] = "must have between 0 and 4 minor digits"
        }
        return problems
    }

    private static func hasAtMostRateFractionDigits(_ rate: Decimal) -> Bool {
        var input = rate
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, maximumRateFractionDigits, .plain)
        return rounded == rate
    }
}
