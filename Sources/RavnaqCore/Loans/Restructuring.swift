import Dates
import Foundation
import Postgres
import RavnaqMoney

/// `POST /api/v1/loans/{id}/restructure` (issue 16). A cow dies, a greenhouse freezes: the loan
/// gets a new schedule rather than a write-off, or looking late for ever.
public struct RestructureInput: Decodable, Sendable {
    public var on: String?
    public var installments: Int?
    /// The yearly rate of the new schedule; the loan's own when not given.
    public var annual_rate: DecimalInput?
    public var grace_periods: Int?
    public var capitalize_overdue: Bool?
    public var reason: String?

    public init(on: String? = nil, installments: Int? = nil, annual_rate: DecimalInput? = nil, grace_periods: Int? = nil,
                capitalize_overdue: Bool? = nil, reason: String? = nil) {
        self.on = on
        self.installments = installments
        self.annual_rate = annual_rate
        self.grace_periods = grace_periods
        self.capitalize_overdue = capitalize_overdue
        self.reason = reason
    }
}

extension Loans {
    /// A new schedule version from `on` for what is outstanding that day (after its repayments):
    /// the principal not yet repaid, due or not, plus — with `capitalize_overdue` — the interest
    /// due by then and the fees unpaid, made principal (posted: debit loans_receivable, credit
    /// interest_income and fee_income). Without it the overdue interest is added to the new first
    /// installment and unpaid fees stay owed as they are. The version before is kept and
    /// readable (`/schedule?version=N`), and every figure of a day before `on` stays what it was:
    /// days past due restart from the new schedule only from `on`. The method, frequency and
    /// installment multiple stay the loan's; the calendar is the organization's today.
    public func restructure(_ key: String, _ input: RestructureInput, as actor: Actor, idempotency: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "restructure loans")
        var errors = FieldErrors()
        let date = errors.date(input.on, "/on")
        let installments = errors.required(input.installments, "/installments")
        let reason = errors.text(input.reason, "/reason")
        let rate = input.annual_rate.map { ($0, $0.decimalValue) }
        if let (given, value) = rate, value == nil {
            errors.add("/annual_rate", "\"\(given.text)\" is not a yearly percentage such as \"24\" (digits, at most 6 decimals)")
        }
        let capitalize = errors.required(input.capitalize_overdue, "/capitalize_overdue")
        try errors.check()
        return try await database.once(
            as: actor, key: idempotency, operation: .restructuring, resolve: Self.locked(key, actor)
        ) { connection, loan in
            try Self.restructure(connection, loan: loan, on: date!, installments: installments!, annualRate: rate?.1,
                                 gracePeriods: input.grace_periods ?? 0, capitalize: capitalize!, reason: reason!, actor: actor)
        }
    }

    static func restructure(_ connection: PostgresConnection, loan: LoanRecord, on date: LocalDate, installments: Int,
                            annualRate: Decimal?, gracePeriods: Int, capitalize: Bool, reason: String, actor: Actor) throws -> LoanView {
        guard loan.status == "active", let disbursedOn = loan.disbursedOn else {
            throw RavnaqError.rule(.loanNotActive, message: "only an active loan can be restructured; loan \(loan.number) is \(loan.status)")
        }
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        let live = LoanRecord.live(try loan.repayments(connection))
        var problems = FieldErrors()
        if date > today || date < disbursedOn {
            problems.add("/on", "must be between the disbursement on \(disbursedOn) and today")
        } else if let latest = live.map(\.date).max(), date < latest {
            problems.add("/on", "must not be before the latest repayment on \(latest)")
        } else if let restructured = loan.restructuredOn, date <= restructured {
            problems.add("/on", "must be after the loan's restructuring on \(restructured)")
        }
        try problems.check()

        // The loan as of the day, with the version in force replaced from that day (no fee falls
        // on it from then), as the history will read it.
        let current = loan.scheduleVersion
        let schedule = try loan.schedule(connection).map { row in
            var row = row
            if row.version == current { row.replacedOn = date }
            return row
        }
        let state = LoanReplay.state(schedule: schedule, repayments: live.map(\.input), lateFee: loan.lateFee,
                                     arrearsTolerance: loan.arrearsTolerance, restructurings: try loan.restructurings(connection), asOf: date)
        let rows = state.installments.filter { $0.version == current }
        let settled = rows.reduce(Amount.zero) { $0 + $1.unpaidPrincipalAndInterest }
        let overdueInterest = rows.filter { $0.dueOn <= date }.reduce(Amount.zero) { $0 + $1.interest - $1.interestPaid }
        let unpaidFees = rows.reduce(Amount.zero) { $0 + $1.fees - $1.feesPaid }
        let capitalized = capitalize ? overdueInterest + unpaidFees : .zero
        let principal = state.outstandingPrincipal + capitalized
        guard principal.isPositive else {
            throw RavnaqError.rule(.loanNotActive, message: "loan \(loan.number) has no principal outstanding on \(date) to restructure")
        }

        var terms = try loan.termsOnWorkingDays(connection)
        terms.principal = principal
        terms.annualRatePercent = annualRate ?? loan.terms.annualRatePercent
        terms.installments = installments
        terms.gracePeriods = gracePeriods
        terms.disbursedOn = date
        terms.firstDueOn = nil
        let termErrors = LoanSchedule.validate(terms)
        if !termErrors.isEmpty {
            throw RavnaqError.invalid(termErrors.sorted { $0.key < $1.key }.map { .init(pointer: "/" + $0.key, detail: $0.value) })
        }
        var newRows = LoanSchedule.compute(terms)
        if !capitalize { newRows[0].interest += overdueInterest }

        let format = loan.currency.format
        var transaction: UUID?
        if capitalized.isPositive {
            transaction = try Ledger.post(
                connection, organizationID: actor.organizationID, currency: loan.currency, on: date, kind: .restructuring,
                memo: "restructuring of \(loan.number): overdue interest and fees capitalised",
                entries: [.debit(.loansReceivable, capitalized), .credit(.interestIncome, overdueInterest), .credit(.feeIncome, unpaidFees)])
        }
        try connection.query(
            """
            INSERT INTO loan_restructurings (organization_id, loan_id, version, on_date, installments, annual_rate, grace_periods,
                                             capitalize_overdue, principal, settled, settled_fees, capitalized, carried_interest, reason,
                                             transaction_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """,
            [actor.organizationID, loan.id, current + 1, date, installments, terms.annualRatePercent, gracePeriods, capitalize,
             format(principal), format(settled), format(capitalize ? unpaidFees : .zero), format(capitalized),
             format(capitalize ? .zero : overdueInterest), reason, transaction])
        try connection.query(
            """
            INSERT INTO loan_installments (organization_id, loan_id, version, n, due_on, principal, interest)
            SELECT $1, $2, $3, s.n, s.due_on, s.principal, s.interest
            FROM unnest($4::int[], $5::date[], $6::numeric[], $7::numeric[]) AS s (n, due_on, principal, interest)
            """,
            [actor.organizationID, loan.id, current + 1, postgresArray(newRows.map { String($0.n) }),
             postgresArray(newRows.map(\.dueOn.description)), postgresArray(newRows.map { format($0.principal) }),
             postgresArray(newRows.map { format($0.interest) })])
        try connection.query("UPDATE loans SET restructured_on = $2, schedule_version = $3 WHERE id = $1", [loan.id, date, current + 1])
        return try Self.view(connection, key: loan.id.idString, actor: actor, asOf: today)
    }
}
