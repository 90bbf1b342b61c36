import Foundation
import Postgres
import RavnaqMoney

/// A programme's loan-servicing settings (issue 16) as a request gives them, each checked
/// against its rule. nil leaves a setting as it is (a change) or at its default (a new
/// programme). A loan keeps the settings of its programme on the day it was opened.
struct ServicingSettings {
    var lateFee: Amount?
    var lateFeePercent: Decimal?
    var lateFeeAfterDays: Int?
    var lateFeeRepeat: LateFeeRule.Repeat?
    var arrearsTolerance: Amount?
    /// Zero clears the multiple.
    var installmentMultiple: Amount?
    /// Four eyes: write-offs, and disbursements above the amount (zero clears it), need a second person.
    var writeOffApproval: Bool?
    var disbursementApprovalAbove: Amount?
    var earlyPayoff: EarlyPayoff?

    init(_ input: ProgrammeInput, currency: Currency, errors: inout FieldErrors) {
        lateFee = errors.amount(input.late_fee, "/late_fee", currency: currency, required: false, allowZero: true)
        if let given = input.late_fee_percent {
            if let percent = given.decimalValue, percent <= 100 {
                lateFeePercent = percent
            } else {
                errors.add("/late_fee_percent", "\"\(given.text)\" is not a percentage from 0 to 100 (at most 6 decimals, such as \"2.5\")")
            }
        }
        if let days = input.late_fee_after_days, !(0...365).contains(days) {
            errors.add("/late_fee_after_days", "must be between 0 and 365")
        }
        lateFeeAfterDays = input.late_fee_after_days
        lateFeeRepeat = errors.choice(input.late_fee_repeat, "/late_fee_repeat", as: LateFeeRule.Repeat.self, required: false)
        arrearsTolerance = errors.amount(input.arrears_tolerance, "/arrears_tolerance", currency: currency, required: false,
                                         allowZero: true)
        installmentMultiple = errors.amount(input.installment_multiple, "/installment_multiple", currency: currency,
                                            required: false, allowZero: true)
        writeOffApproval = input.write_off_approval
        earlyPayoff = errors.choice(input.early_payoff, "/early_payoff", as: EarlyPayoff.self, required: false)
        disbursementApprovalAbove = errors.amount(input.disbursement_approval_above, "/disbursement_approval_above", currency: currency,
                                                  required: false, allowZero: true)
        // A fee is a fixed amount or a percentage: naming one sets the other to zero.
        if let lateFee, lateFee.isPositive, let lateFeePercent, lateFeePercent > 0 {
            errors.add("/late_fee_percent", "a late fee is a fixed amount or a percentage, not both: send late_fee \"0\" with a percentage")
        } else if let lateFee, lateFee.isPositive, lateFeePercent == nil {
            lateFeePercent = 0
        } else if let lateFeePercent, lateFeePercent > 0, lateFee == nil {
            lateFee = .zero
        }
    }

    /// The columns' values for SQL, nil where unchanged: late_fee, late_fee_percent,
    /// late_fee_after_days, late_fee_repeat, arrears_tolerance, installment_multiple ("0" clears),
    /// write_off_approval, disbursement_approval_above ("0" clears), early_payoff.
    func values(_ currency: Currency) -> PostgresBindings {
        [lateFee.map(currency.format), lateFeePercent.map { "\($0)" }, lateFeeAfterDays, lateFeeRepeat?.rawValue,
         arrearsTolerance.map(currency.format), installmentMultiple.map(currency.format), writeOffApproval,
         disbursementApprovalAbove.map(currency.format), earlyPayoff?.rawValue]
    }
}
