import Dates
import Foundation
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
        public let status: String
    }

    public let loan_id: String
    public let number: String
    public let currency: String
    /// `planned` before disbursement (projected from planned_disbursement_on), `fixed` after.
    public let basis: String
    public let as_of: String
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
    public let reversed_on: String?
    public let loan_status: String
    public let outstanding_principal: String
}

extension LoanRecord {
    func view(state: LoanState, asOf: LocalDate) -> LoanView {
        let format = currency.format
        // Nothing is owed on a loan not yet disbursed, or no longer carried after a write-off.
        let carried = !isWrittenOff(asOf: asOf) && (disbursedOn.map { $0 <= asOf } ?? false)
        return LoanView(
            id: id.idString, number: number, programme_id: programmeID.idString, project_id: projectID.idString,
            status: status(asOf: asOf, state: state), currency: currency.code, principal: format(terms.principal),
            annual_rate: "\(terms.annualRatePercent)", method: terms.method.rawValue, installments: terms.installments,
            frequency: terms.frequency.rawValue, grace_periods: terms.gracePeriods,
            planned_disbursement_on: plannedDisbursementOn.description, first_due_on: terms.firstDueOn?.description,
            disbursed_on: disbursedOn?.description, as_of: asOf.description,
            outstanding_principal: format(carried ? state.outstandingPrincipal : .zero),
            days_past_due: carried ? state.daysPastDue : 0,
            overdue: format(carried ? state.overdueAmount : .zero),
            total_owed: format(carried ? state.totalOwed : .zero),
            paid: AllocationView(state.totalPaid, currency),
            written_off_on: writtenOffOn?.description, written_off_principal: writtenOffPrincipal.map(format),
            write_off_reason: writeOffReason)
    }

    func isWrittenOff(asOf: LocalDate) -> Bool {
        writtenOffOn.map { $0 <= asOf } ?? false
    }

    func scheduleView(state: LoanState, asOf: LocalDate) -> ScheduleView {
        let format = currency.format
        return ScheduleView(
            loan_id: id.idString, number: number, currency: currency.code, basis: disbursedOn == nil ? "planned" : "fixed",
            as_of: asOf.description,
            installments: state.installments.map {
                .init(n: $0.n, due_on: $0.dueOn.description, principal: format($0.principal), interest: format($0.interest),
                      fees: format($0.fees), total: format($0.total), paid: format($0.paid), status: $0.status.rawValue)
            })
    }
}
