import Dates
import Foundation
import RavnaqMoney
import Testing

/// Test shorthand: a date from `YYYY-MM-DD`, an amount from a UZS string. Both crash on a typo in
/// the test itself, which is what a typo in a test should do.
func day(_ text: String) -> LocalDate {
    guard let date = LocalDate(text) else { fatalError("bad test date \(text)") }
    return date
}

func uzs(_ text: String) -> Amount {
    amount(text, digits: 2)
}

func amount(_ text: String, digits: Int) -> Amount {
    guard let value = Amount.parse(text, minorDigits: digits) else { fatalError("bad test amount \(text)") }
    return value
}

/// A schedule as "due_on principal interest" lines, the format of ScheduleReferenceData.
func lines(_ rows: [ScheduledInstallment], digits: Int) -> [String] {
    rows.map { "\($0.dueOn) \($0.principal.formatted(minorDigits: digits)) \($0.interest.formatted(minorDigits: digits))" }
}

/// Loan terms written the way the reference generator prints them.
protocol ReferenceTerms {
    var principal: String { get }
    var rate: String { get }
    var method: RepaymentMethod { get }
    var installments: Int { get }
    var frequency: Frequency { get }
    var grace: Int { get }
    var disbursed: String { get }
    var firstDue: String? { get }
    var digits: Int { get }
}

extension ReferenceTerms {
    var terms: LoanTerms {
        LoanTerms(
            principal: amount(principal, digits: digits),
            annualRatePercent: Decimal(string: rate)!,
            method: method,
            installments: installments,
            frequency: frequency,
            gracePeriods: grace,
            disbursedOn: day(disbursed),
            firstDueOn: firstDue.map(day),
            minorDigits: digits
        )
    }
}

/// A schedule checked row by row.
struct FullCase: ReferenceTerms, Sendable, CustomTestStringConvertible {
    let name: String
    let principal: String
    let rate: String
    let method: RepaymentMethod
    let installments: Int
    let frequency: Frequency
    let grace: Int
    let disbursed: String
    let firstDue: String?
    let digits: Int
    let rows: [String]
    var testDescription: String { name }
}

/// A long schedule checked at its first, middle (row (n − 1) / 2, 0-based) and last rows and by
/// its interest total.
struct SummaryCase: ReferenceTerms, Sendable, CustomTestStringConvertible {
    let name: String
    let principal: String
    let rate: String
    let method: RepaymentMethod
    let installments: Int
    let frequency: Frequency
    let grace: Int
    let disbursed: String
    let firstDue: String?
    let digits: Int
    let first: String
    let middle: String
    let last: String
    let interestTotal: String
    var testDescription: String { name }
}
