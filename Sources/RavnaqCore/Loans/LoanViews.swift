import Dates
import Foundation
import Postgres
import RavnaqMoney

/// A loan as the API shows it, as of a date.
public struct LoanView: Encodable, Sendable {
    public let id: String
    public let number: String
    public let programme_id: String
    public let project_id: String
    public let status: String
    public let currency: String
    public let principal: String
    public let annual_rate: String
    public let method: String
    public let installments: Int
    public let frequency: String
    public let grace_periods: Int
    public let planned_disbursement_on: String
    public let first_due_on: String?
    public let disbursed_on: String?
    public let as_of: String
    public let outstanding_principal: String
    public let days_past_due: Int
    public let overdue: String
    public let total_owed: String
    public let paid: AllocationView
    public let written_off_on: String?
    public let written_off_principal: String?
    public let write_off_reason: String?
    /// The day of its latest restructuring (null: never restructured), and how paying it off
    /// early is charged interest (issue 16).
    public let restructured_on: String?
    public let early_payoff: String
    /// How many items `/loans/{id}/repayments` lists (repayments and recoveries, reversed ones
    /// included, whatever `as_of`), and the last of them in its order (null when there is none).
    public let repayments_count: Int
    public let latest_repayment: OrNull<RepaymentItem>
}

/// A value that is `null` in JSON when absent, where the synthesized encoding would leave the key out.
public struct OrNull<Value: Encodable & Sendable>: Encodable, Sendable {
    public let value: Value?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// An item of a loan's repayment list (`GET /loans/{id}/repayments`): a repayment or a recovery
/// with its current allocation, and the day it was reversed (null unless it was).
public struct RepaymentItem: Encodable, Sendable, ListItem {
    public let id: String
    public let kind: String
    public let date: String
    public let amount: String
    public let currency: String
    public let allocation: AllocationView
    /// Interest it waived as an early payoff with interest to date ("0.00" for any other).
    public let interest_waived: String
    public let reversed_on: OrNull<String>

    init(_ repayment: LoanRecord.Repayment, currency: Currency) {
        id = repayment.id.idString
        kind = repayment.kind
        date = repayment.date.description
        amount = currency.format(repayment.amount)
        self.currency = currency.code
        allocation = AllocationView(repayment.allocation, currency)
        interest_waived = currency.format(repayment.interestWaived)
        reversed_on = OrNull(value: repayment.reversedOn?.description)
    }
}

public struct AllocationView: Encodable, Sendable, Equatable {
    public let principal: String
    public let interest: String
    public let fees: String

    init(_ allocation: Allocation, _ currency: Currency) {
        principal = currency.format(allocation.principal)
        interest = currency.format(allocation.interest)
        fees = currency.format(allocation.fees)
    }
}

public struct ScheduleView: Encodable, Sendable {
    public struct Installment: Encodable, Sendable {
        public let n: Int
        public let due_on: String
        public let principal: String
        public let interest: String
        public let fees: String
        public let total: String
        public let paid: String
        /// Interest an early payoff with interest to date waived on it (issue 16): owed no more,
        /// never paid. "0.00" on every other installment.
        public let waived: String
        public let status: String
    }

    public let loan_id: String
    public let number: String
    public let currency: String
    /// `planned` before disbursement (projected from planned_disbursement_on), `fixed` after.
    public let basis: String
    public let as_of: String
    /// The schedule version shown (1: the one made at disbursement), and how many there are.
    /// A version replaced by a restructuring is shown as it stood the day before.
    public let version: Int
    public let versions: Int
    public let installments: [Installment]
}

public struct RepaymentView: Encodable, Sendable {
    public let id: String
    public let loan_id: String
    public let kind: String
    public let date: String
    public let amount: String
    public let currency: String
    public let allocation: AllocationView
    /// Interest it waived as an early payoff with interest to date ("0.00" for any other).
    public let interest_waived: String
    public let reversed_on: String?
    public let loan_status: String
    public let outstanding_principal: String
}

extension LoanRecord {
    /// The loan's page as of a day: its terms, and its figures from the read model.
    func view(figures: LoanFigures, repayments: [Repayment], asOf: LocalDate) -> LoanView {
        let format = currency.format
        return LoanView(
            id: id.idString, number: number, programme_id: programmeID.idString, project_id: projectID.idString,
            status: figures.status, currency: currency.code, principal: format(terms.principal),
            annual_rate: "\(terms.annualRatePercent)", method: terms.method.rawValue, installments: terms.installments,
            frequency: terms.frequency.rawValue, grace_periods: terms.gracePeriods,
            planned_disbursement_on: plannedDisbursementOn.description, first_due_on: terms.firstDueOn?.description,
            disbursed_on: disbursedOn?.description, as_of: asOf.description,
            outstanding_principal: format(figures.outstandingPrincipal), days_past_due: figures.daysPastDue,
            overdue: format(figures.overdue), total_owed: format(figures.totalOwed),
            paid: AllocationView(figures.paid, currency),
            written_off_on: writtenOffOn?.description, written_off_principal: writtenOffPrincipal.map(format),
            write_off_reason: writeOffReason, restructured_on: restructuredOn?.description, early_payoff: earlyPayoff.rawValue,
            repayments_count: repayments.count,
            latest_repayment: OrNull(value: Self.latest(repayments).map { RepaymentItem($0, currency: currency) }))
    }

    /// The last repayment in the list's order: by date, then id (PostgreSQL orders uuids as
    /// their lower-case hex spelling does).
    static func latest(_ repayments: [Repayment]) -> Repayment? {
        repayments.max { ($0.date, $0.id.idString) < ($1.date, $1.id.idString) }
    }

    /// The schedule version asked for, or the one in force on `asOf`; a version a restructuring
    /// replaced is read as of the day before it was (its figures as they then stood).
    func scheduleView(_ connection: PostgresConnection, asOf: LocalDate, version: Int?) throws -> ScheduleView {
        let replaced: [LocalDate] = try connection.query(
            "SELECT on_date FROM loan_restructurings WHERE loan_id = $1 ORDER BY version", [id]
        ).rows.map { try $0.decode(0) }  // replaced[v - 1]: the day version v was replaced
        if let version, !(1...replaced.count + 1).contains(version) {
            throw RavnaqError.invalid("/version", "loan \(number) has \(replaced.count + 1) schedule version\(replaced.isEmpty ? "" : "s"); \(version) is none")
        }
        // Before disbursement nothing is stored: the schedule is the projection from the planned
        // date, with the calendar of today, and nothing is paid on it yet.
        guard disbursedOn != nil else {
            let format = currency.format
            return ScheduleView(
                loan_id: id.idString, number: number, currency: currency.code, basis: "planned", as_of: asOf.description,
                version: 1, versions: 1,
                installments: try schedule(connection).map { row in
                    ScheduleView.Installment(
                        n: row.n, due_on: row.dueOn.description, principal: format(row.principal), interest: format(row.interest),
                        fees: format(.zero), total: format(row.total), paid: format(.zero), waived: format(.zero), status: "pending")
                })
        }
        let shown = version ?? (replaced.filter { $0 <= asOf }.count + 1)
        let day = shown <= replaced.count ? min(asOf, replaced[shown - 1].adding(days: -1)) : asOf
        return ScheduleView(
            loan_id: id.idString, number: number, currency: currency.code, basis: "fixed",
            as_of: day.description, version: shown, versions: replaced.count + 1,
            installments: try ScheduleView.Installment.read(connection, loan: self, asOf: day, version: shown))
    }
}
