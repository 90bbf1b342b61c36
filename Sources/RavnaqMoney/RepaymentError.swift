import Dates

/// Why a new repayment is refused (422 in the API), with the figures the answer should show.
public enum RepaymentError: Error, Equatable, Sendable {
    /// The amount is zero or negative.
    case nonPositiveAmount(Amount)
    /// Dated before the loan was disbursed.
    case beforeDisbursement(disbursedOn: LocalDate)
    /// Dated before the loan's latest recorded repayment (repayments are replayed in date order,
    /// so a back-dated one would rewrite allocations already posted to the ledger).
    case beforeLatestRepayment(latest: LocalDate)
    /// Dated on or before the loan's latest restructuring, which settled what was owed on its day.
    case beforeLatestRestructuring(latest: LocalDate)
    /// More than everything still owed on the payment date, late fees charged by then included.
    case overpayment(owed: Amount)

    /// A sentence for the problem's `detail`.
    public func detail(minorDigits: Int) -> String {
        switch self {
        case .nonPositiveAmount(let amount):
            "the amount \(amount.formatted(minorDigits: minorDigits)) must be greater than zero"
        case .beforeDisbursement(let disbursedOn):
            "the repayment date is before the disbursement on \(disbursedOn)"
        case .beforeLatestRepayment(let latest):
            "the repayment date is before the loan's latest repayment on \(latest)"
        case .beforeLatestRestructuring(let latest):
            "the repayment date must be after the loan's restructuring on \(latest), which took what was owed that day into its new schedule"
        case .overpayment(let owed):
            "the amount is more than the \(owed.formatted(minorDigits: minorDigits)) still owed on the loan"
        }
    }
}
