import Dates

/// How a loan settled before its end is charged interest (issue 16): a programme's
/// `early_payoff`, which each loan keeps from the day it was opened.
public enum EarlyPayoff: String, Sendable, CaseIterable {
    /// Every remaining installment's interest, due or not.
    case fullInterest = "full_interest"
    /// Interest only up to the payoff day: the installments due by then in full, the current one
    /// for the days of its period that have passed, the later ones not at all; the rest of the
    /// scheduled interest is waived. For declining-balance loans only (`waivesInterest(for:)`).
    case interestToDate = "interest_to_date"

    /// Whether paying a loan of this method off early waives interest. A flat loan's interest is
    /// worked out on the original principal for the whole term, not on what is outstanding, so
    /// there is no interest "to date" to speak of: it pays full interest whatever the rule.
    public func waivesInterest(for method: RepaymentMethod) -> Bool {
        self == .interestToDate && method != .flat
    }

    /// The part of an installment's `interest` accrued by the end of `day`, for a period from
    /// `start` (the previous due date, or the day its schedule version began) to `due`: all of it
    /// from the due date on, none on or before the start, and in between the share of the days
    /// that have passed, rounded half-up to the minor unit in exact integer arithmetic. With no
    /// known start, the whole interest counts as accrued (nothing is waived that should not be).
    public static func interestAccrued(_ interest: Amount, start: LocalDate?, due: LocalDate, on day: LocalDate) -> Amount {
        guard day < due, let start, start < due else { return interest }
        guard day > start else { return .zero }
        let elapsed = UInt64(start.days(until: day))
        let length = UInt64(start.days(until: due))
        // (2·interest·elapsed + length) ÷ (2·length), in 128 bits: a first due date years after
        // the disbursement times a large interest passes 64. The quotient is at most the interest.
        let product = UInt64(interest.minorUnits).multipliedFullWidth(by: 2 * elapsed)
        let (low, carry) = product.low.addingReportingOverflow(length)
        let (quotient, _) = (2 * length).dividingFullWidth((high: product.high + (carry ? 1 : 0), low: low))
        return Amount(minorUnits: Int64(quotient))
    }
}
