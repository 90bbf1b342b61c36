import Dates
import Foundation
import Postgres
import RavnaqMoney

/// A loan as stored, with what its money math needs: terms, schedule, repayments, late fee.
struct LoanRecord: Sendable {
    let id: UUID
    let organizationID: UUID
    let number: String
    let programmeID: UUID
    let projectID: UUID
    let currency: Currency
    let terms: LoanTerms
    let status: String
    let plannedDisbursementOn: LocalDate
    let disbursedOn: LocalDate?
    let writtenOffOn: LocalDate?
    let writtenOffPrincipal: Amount?
    /// The interest and fees due and unpaid when the loan was written off, which a recovery may
    /// bring in after its principal (zero for loans written off before issue 16).
    let writtenOffInterest: Amount
    let writtenOffFees: Amount
    /// The latest restructuring's day and the schedule version in force since (1: none).
    let restructuredOn: LocalDate?
    let scheduleVersion: Int
    let writeOffReason: String?
    let lateFee: LateFeeRule?
    /// An installment short by at most this counts as paid for days past due and PAR.
    let arrearsTolerance: Amount
    /// How paying it off early is charged interest (its programme's rule when it was opened).
    let earlyPayoff: EarlyPayoff

    /// Whether a payoff of this loan waives the interest not accrued by its day.
    var payoffWaivesInterest: Bool { earlyPayoff.waivesInterest(for: terms.method) }

    struct Repayment {
        let id: UUID
        let date: LocalDate
        let amount: Amount
        let kind: String
        let allocation: Allocation
        let reversedOn: LocalDate?
        let transactionID: UUID
        /// What it waived as an early payoff with interest to date (zero for any other).
        let interestWaived: Amount

        var input: RepaymentInput {
            RepaymentInput(id: id.idString, date: date, amount: amount, waivesInterest: interestWaived.isPositive)
        }

        /// From the columns id, paid_on, amount, kind, principal, interest, fees, reversed_on,
        /// transaction_id, interest_waived (amounts as text), in that order.
        init(row: PostgresRow, currency: Currency) throws {
            id = try row.decode(0)
            date = try row.decode(1)
            amount = currency.parse(try row.decode(2))!
            kind = try row.decode(3)
            allocation = Allocation(principal: currency.parse(try row.decode(4))!, interest: currency.parse(try row.decode(5))!,
                                    fees: currency.parse(try row.decode(6))!)
            reversedOn = try row.decode(7, as: LocalDate?.self)
            transactionID = try row.decode(8)
            interestWaived = currency.parse(try row.decode(9))!
        }
    }

    /// Loads the loan by id or readable number; `lock` takes the row lock that serializes money
    /// movements on one loan (concurrent repayments never lose an update).
    static func load(_ connection: PostgresConnection, key: String, organizationID: UUID, lock: Bool = false) throws -> LoanRecord? {
        let byID = UUID(uuidString: key)
        let sql = """
            SELECT l.id, l.number, l.programme_id, l.project_id, l.currency, l.principal::text, l.annual_rate::text, l.method,
                   l.installments, l.frequency, l.grace_periods, l.planned_disbursement_on, l.first_due_on, l.status,
                   l.disbursed_on, l.written_off_on, l.written_off_principal::text, l.write_off_reason,
                   l.late_fee::text, l.late_fee_after_days, l.late_fee_percent, l.late_fee_repeat, l.arrears_tolerance::text,
                   l.installment_multiple::text, coalesce(l.written_off_interest, 0)::text, coalesce(l.written_off_fees, 0)::text,
                   l.restructured_on, l.schedule_version, l.early_payoff
            FROM loans l
            WHERE l.organization_id = $1
              AND ravnaq_may_see_family((SELECT family_id FROM projects WHERE id = l.project_id)) AND \(byID == nil ? "l.number = $2" : "l.id = $2::uuid")
            """ + (lock ? " FOR UPDATE OF l" : "")
        guard let row = try connection.query(sql, [organizationID, byID?.postgresText ?? key]).first else { return nil }
        let currency = Currency.named(try row.decode(4))!
        let planned: LocalDate = try row.decode(11)
        let disbursedOn: LocalDate? = try row.decode(14, as: LocalDate?.self)
        let lateFeeAmount = currency.parse(try row.decode(18))!
        let lateFeePercent: Decimal = try row.decode(20)
        let lateFeeSize: LateFeeRule.Size? = lateFeeAmount.isPositive ? .fixed(lateFeeAmount)
            : lateFeePercent > 0 ? .percentOfUnpaid(lateFeePercent) : nil
        let terms = LoanTerms(
            principal: currency.parse(try row.decode(5))!,
            annualRatePercent: try row.decode(6, as: Decimal.self),
            method: RepaymentMethod(rawValue: try row.decode(7))!,
            installments: try row.decode(8),
            frequency: Frequency(rawValue: try row.decode(9))!,
            gracePeriods: try row.decode(10),
            disbursedOn: disbursedOn ?? planned,
            firstDueOn: try row.decode(12, as: LocalDate?.self),
            minorDigits: currency.minorDigits,
            installmentMultiple: try row.decode(23, as: String?.self).flatMap(currency.parse))
        return LoanRecord(
            id: try row.decode(0), organizationID: organizationID, number: try row.decode(1), programmeID: try row.decode(2), projectID: try row.decode(3),
            currency: currency, terms: terms, status: try row.decode(13), plannedDisbursementOn: planned,
            disbursedOn: disbursedOn, writtenOffOn: try row.decode(15, as: LocalDate?.self),
            writtenOffPrincipal: try row.decode(16, as: String?.self).flatMap(currency.parse),
            writtenOffInterest: currency.parse(try row.decode(24))!, writtenOffFees: currency.parse(try row.decode(25))!,
            restructuredOn: try row.decode(26, as: LocalDate?.self), scheduleVersion: try row.decode(27),
            writeOffReason: try row.decode(17, as: String?.self),
            lateFee: try lateFeeSize.map {
                LateFeeRule(size: $0, afterDays: try row.decode(19), repeats: LateFeeRule.Repeat(rawValue: try row.decode(21)) ?? .once)
            },
            arrearsTolerance: currency.parse(try row.decode(22))!,
            earlyPayoff: EarlyPayoff(rawValue: try row.decode(28))!)
    }

    /// The terms with the organization's working days, which fix the due dates of a schedule
    /// made now (a projection, or the one stored at disbursement).
    func termsOnWorkingDays(_ connection: PostgresConnection) throws -> LoanTerms {
        var terms = terms
        terms.calendar = try Calendars.load(connection, organizationID: organizationID)
        return terms
    }

    /// The stored schedule once disbursed; before that, the projection from the planned date.
    func schedule(_ connection: PostgresConnection) throws -> [ScheduledInstallment] {
        guard disbursedOn != nil else { return LoanSchedule.compute(try termsOnWorkingDays(connection)) }
        // Every version in turn (issue 16), each with the day a restructuring replaced it, and
        // each installment with the start of its period: the due date before it in its version,
        // or the day the version began (the disbursement, or its restructuring).
        return try connection.query(
            """
            SELECT i.n, i.due_on, i.principal::text, i.interest::text, i.version, r.on_date,
                   coalesce(lag(i.due_on) OVER (PARTITION BY i.version ORDER BY i.due_on, i.n), b.on_date, $2)
            FROM loan_installments i
            LEFT JOIN loan_restructurings r ON r.loan_id = i.loan_id AND r.version = i.version + 1
            LEFT JOIN loan_restructurings b ON b.loan_id = i.loan_id AND b.version = i.version
            WHERE i.loan_id = $1 ORDER BY i.version, i.due_on, i.n
            """, [id, disbursedOn]
        ).rows.map {
            ScheduledInstallment(n: try $0.decode(0), dueOn: try $0.decode(1), principal: currency.parse(try $0.decode(2))!,
                                 interest: currency.parse(try $0.decode(3))!, version: try $0.decode(4),
                                 replacedOn: try $0.decode(5, as: LocalDate?.self), startsOn: try $0.decode(6))
        }
    }

    /// The loan's restructurings, oldest first, as the replay needs them.
    /// A loan on its first schedule version has none: its row, already read, says so, and a
    /// repayment (the hot path) asks no more.
    func restructurings(_ connection: PostgresConnection) throws -> [Restructuring] {
        guard scheduleVersion > 1 else { return [] }
        return try connection.query(
            "SELECT on_date, capitalize_overdue FROM loan_restructurings WHERE loan_id = $1 ORDER BY version", [id]
        ).rows.map { Restructuring(on: try $0.decode(0), capitalizesFees: try $0.decode(1)) }
    }

    /// Every repayment and recovery, reversed ones included, in the order they were recorded.
    func repayments(_ connection: PostgresConnection) throws -> [Repayment] {
        try connection.query(
            """
            SELECT id, paid_on, amount::text, kind, principal::text, interest::text, fees::text, reversed_on, transaction_id,
                   interest_waived::text
            FROM repayments WHERE loan_id = $1 ORDER BY recorded_at, id
            """, [id]
        ).rows.map { try Repayment(row: $0, currency: currency) }
    }

    /// The repayments that count for the schedule: not reversed, not recoveries.
    static func live(_ repayments: [Repayment]) -> [Repayment] {
        repayments.filter { $0.kind == "repayment" && $0.reversedOn == nil }
    }

    func state(_ connection: PostgresConnection, asOf: LocalDate) throws -> (LoanState, [Repayment]) {
        let repayments = try repayments(connection)
        let state = LoanReplay.state(
            schedule: try schedule(connection), repayments: Self.live(repayments).map(\.input), lateFee: lateFee,
            arrearsTolerance: arrearsTolerance, restructurings: try restructurings(connection), asOf: asOf)
        return (state, repayments)
    }
}
