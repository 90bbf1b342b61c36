import Dates
import Foundation
import Postgres
import RavnaqMoney

/// The exact amount that settles a loan on a day (issue 16): what a repayment of it on that day
/// would be allocated to, so that paying the quote closes the loan with an allocation equal to
/// it. Under `full_interest` every remaining installment's interest counts, due or not; under
/// `interest_to_date` (declining-balance loans) only what accrued by the day, and `waived` is the
/// rest, which a repayment of exactly the quote on that day waives (`RepaymentView.interest_waived`).
public struct PayoffQuote: Encodable, Sendable {
    public let loan_id: String
    public let number: String
    public let on: String
    public let currency: String
    public let rule: String
    public let principal: String
    public let interest: String
    public let fees: String
    public let total: String
    /// The scheduled interest not charged ("0.00" under full_interest).
    public let waived: String
}

extension Loans {
    public func payoff(_ key: String, on: String?, as actor: Actor) async throws -> PayoffQuote {
        var errors = FieldErrors()
        let date = errors.date(on, "/on", required: false)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let loan = try Self.load(connection, key, actor)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let on = date ?? today
            guard loan.status == "active", let disbursedOn = loan.disbursedOn else {
                throw RavnaqError.rule(.loanNotActive, message: "only an active loan has a payoff; loan \(loan.number) is \(loan.status)")
            }
            let live = LoanRecord.live(try loan.repayments(connection))
            var problems = FieldErrors()
            if on > today {
                problems.add("/on", "a payoff cannot be quoted for a day after today (\(today)): the repayments to come are not known")
            } else if on < disbursedOn {
                problems.add("/on", "must not be before the disbursement on \(disbursedOn)")
            } else if let latest = live.map(\.date).max(), on < latest {
                problems.add("/on", "must not be before the latest repayment on \(latest): a repayment cannot be dated before it")
            }
            try problems.check()
            let restructurings = try loan.restructurings(connection)
            if let latest = restructurings.map(\.on).max(), on <= latest {
                throw RavnaqError.invalid("/on", "must be after the loan's restructuring on \(latest)")
            }
            let (owed, waived) = LoanReplay.payoff(on: on, schedule: try loan.schedule(connection), existing: live.map(\.input),
                                                   lateFee: loan.lateFee, restructurings: restructurings,
                                                   waivingInterest: loan.payoffWaivesInterest)
            let format = loan.currency.format
            // A flat loan of an interest_to_date programme pays full interest (EarlyPayoff), and says so.
            let rule = loan.payoffWaivesInterest ? EarlyPayoff.interestToDate : .fullInterest
            return PayoffQuote(
                loan_id: loan.id.idString, number: loan.number, on: on.description, currency: loan.currency.code, rule: rule.rawValue,
                principal: format(owed.principal), interest: format(owed.interest), fees: format(owed.fees), total: format(owed.total),
                waived: format(waived))
        }
    }
}
