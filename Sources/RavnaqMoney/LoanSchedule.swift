import Dates

/// One row of a loan's repayment schedule: what falls due on `dueOn`.
public struct ScheduledInstallment: Sendable, Equatable {
    /// 1-based position in the schedule.
    public var n: Int
    public var dueOn: LocalDate
    public var principal: Amount
    public var interest: Amount
    /// The version of the schedule it belongs to (1: made at disbursement; later ones by
    /// restructurings), and the day a restructuring replaced that version, if one did.
    public var version: Int
    public var replacedOn: LocalDate?
    /// The start of its period: the previous installment's due date, or the day its version
    /// began (the disbursement, a restructuring). Interest to date accrues from it (`EarlyPayoff`).
    public var startsOn: LocalDate?

    public init(n: Int, dueOn: LocalDate, principal: Amount, interest: Amount, version: Int = 1, replacedOn: LocalDate? = nil,
                startsOn: LocalDate? = nil) {
        self.n = n
        self.dueOn = dueOn
        self.principal = principal
        self.interest = interest
        self.version = version
        self.replacedOn = replacedOn
        self.startsOn = startsOn
    }

    /// Principal plus interest (late fees are not part of the schedule; see `LoanReplay`).
    public var total: Amount { principal + interest }
}

/// The repayment schedule of SPEC §4, computed from the loan's terms alone.
///
/// The schedule is never stored as the truth: it is a pure function of the terms, so the same
/// terms always give the same rows, and a changed disbursement date simply gives new rows.
public enum LoanSchedule {
    /// What is wrong with `terms`, keyed by the JSON field of `POST /api/v1/loans` the caller should
    /// fix (`principal`, `annual_rate`, `installments`, `grace_periods`, `first_due_on`,
    /// `currency`), each with a human sentence; empty when the terms make a schedule.
    ///
    /// Rules: principal > 0 (and at most `LoanTerms.maximumPrincipalMinorUnits`),
    /// 0 ≤ rate ≤ 1000 with at most 6 decimals, 1 ≤ installments ≤ 600,
    /// 0 ≤ grace < installments, first due date after disbursement.
    public static func validate(_ terms: LoanTerms) -> [String: String] {
        terms.problems()
    }

    /// The installments k = 1…n, or `[]` when `validate(terms)` finds a problem.
    ///
    /// - Grace installments 1…g: interest only, round(P·r), for every method.
    /// - The m = n − g others follow the method; with r = 0 every method is equal principal
    ///   with no interest.
    /// - round() is half-up to the minor unit, computed in exact integer arithmetic (see
    ///   `PeriodicRate`): no figure depends on where a decimal expansion was cut off.
    /// - A principal part is never more than what is still outstanding (this matters only for tiny
    ///   loans spread over many installments, where round(P ÷ m)·(m − 1) could exceed P), and the
    ///   last installment's principal is whatever is still outstanding, so the principal column
    ///   sums to P exactly. With an annuity the last total may therefore differ from A by a little.
    /// - With an installment multiple M, each amortizing installment but the last has its total
    ///   (principal + interest) rounded up to a multiple of M by taking more principal; interest
    ///   is then computed on what is left, and the last installment takes whatever remains. Grace
    ///   installments stay interest only.
    public static func compute(_ terms: LoanTerms) -> [ScheduledInstallment] {
        guard validate(terms).isEmpty else { return [] }
        let rate = PeriodicRate(annualPercent: terms.annualRatePercent, frequency: terms.frequency)
        let principal = terms.principal.minorUnits
        let amortizing = terms.installments - terms.gracePeriods
        let interestOnPrincipal = rate.interest(on: principal)
        let equalPart = roundedQuotient(principal, amortizing)
        let annuity = terms.method == .annuity && !rate.isZero
            ? rate.annuityPayment(principal: principal, periods: amortizing)
            : 0

        var rows: [ScheduledInstallment] = []
        rows.reserveCapacity(terms.installments)
        var outstanding = principal
        for k in 1...terms.installments {
            var principalPart: Int64 = 0
            let interestPart: Int64
            if k <= terms.gracePeriods {
                interestPart = interestOnPrincipal
            } else {
                switch (terms.method, rate.isZero) {
                case (_, true):
                    interestPart = 0
                    principalPart = equalPart
                case (.annuity, false):
                    interestPart = rate.interest(on: outstanding)
                    principalPart = max(annuity - interestPart, 0)
                case (.equalPrincipal, false):
                    interestPart = rate.interest(on: outstanding)
                    principalPart = equalPart
                case (.flat, false):
                    interestPart = interestOnPrincipal
                    principalPart = equalPart
                }
                if let multiple = terms.installmentMultiple?.minorUnits, multiple > 0, k < terms.installments {
                    principalPart = roundedUp(principalPart + interestPart, to: multiple) - interestPart
                }
                principalPart = k == terms.installments ? outstanding : min(principalPart, outstanding)
            }
            outstanding -= principalPart
            rows.append(ScheduledInstallment(
                n: k,
                dueOn: dueDate(of: k, terms),
                principal: Amount(minorUnits: principalPart),
                interest: Amount(minorUnits: interestPart),
                startsOn: rows.last?.dueOn ?? terms.disbursedOn
            ))
        }
        return rows
    }

    /// Installment k falls due k periods after disbursement, or k − 1 periods after the first due
    /// date when one is given, moved to the next working day when that is a day off. Periods are
    /// counted from the anchor, not from a moved date, so a holiday moves one due date only.
    public static func dueDate(of k: Int, _ terms: LoanTerms) -> LocalDate {
        let plain = if let first = terms.firstDueOn {
            terms.frequency.date(k - 1, periodsAfter: first)
        } else {
            terms.frequency.date(k, periodsAfter: terms.disbursedOn)
        }
        return terms.calendar.nextWorkingDay(onOrAfter: plain)
    }

    /// The smallest multiple of `multiple` that is at least `amount` (both ≥ 0, multiple > 0).
    static func roundedUp(_ amount: Int64, to multiple: Int64) -> Int64 {
        (amount + multiple - 1) / multiple * multiple
    }

    /// round(a ÷ b) half-up for a ≥ 0, b > 0, in exact integer arithmetic.
    static func roundedQuotient(_ a: Int64, _ b: Int) -> Int64 {
        let divisor = Int64(b)
        return (2 * a + divisor) / (2 * divisor)
    }
}
