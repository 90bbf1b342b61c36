import Dates
import Foundation
import Postgres
import RavnaqMoney

/// A loan's figures as of a day, as `loan_figures()` defines them (`sql/definitions/55_loans.sql`):
/// the one read model that the loan's page, its schedule, the lists, the overdue list, the case
/// file, PAR, the portfolio and graduation all take their figures from. Swift's replay only
/// allocates a repayment when it is written.
struct LoanFigures: Sendable {
    let status: String
    let outstandingPrincipal: Amount
    let daysPastDue: Int
    let overdue: Amount
    let totalOwed: Amount
    let paid: Allocation

    static func read(_ connection: PostgresConnection, loan: LoanRecord, asOf: LocalDate) throws -> LoanFigures {
        guard let row = try connection.query(
            """
            SELECT status, outstanding_principal::numeric(18,2)::text, days_past_due, overdue::numeric(18,2)::text,
                   total_owed::numeric(18,2)::text, paid_principal::numeric(18,2)::text, paid_interest::numeric(18,2)::text,
                   paid_fees::numeric(18,2)::text
            FROM loan_figures($1, $2)
            """, [loan.id, asOf]
        ).first else { throw RavnaqError.fault("loan \(loan.number) has no kept history") }
        func amount(_ column: Int) throws -> Amount { try loan.amount(row, column) }
        return LoanFigures(
            status: try row.decode(0), outstandingPrincipal: try amount(1), daysPastDue: try row.decode(2),
            overdue: try amount(3), totalOwed: try amount(4),
            paid: Allocation(principal: try amount(5), interest: try amount(6), fees: try amount(7)))
    }
}

extension ScheduleView.Installment {
    /// The loan's schedule as of a day, as `loan_schedule()` defines it.
    static func read(_ connection: PostgresConnection, loan: LoanRecord, asOf: LocalDate, version: Int) throws -> [ScheduleView.Installment] {
        try connection.query(
            """
            SELECT n, due_on::text, principal::numeric(18,2)::text, interest::numeric(18,2)::text, fees::numeric(18,2)::text,
                   total::numeric(18,2)::text, paid::numeric(18,2)::text, waived::numeric(18,2)::text, status
            FROM loan_schedule($1, $2, $3)
            """, [loan.id, asOf, version]
        ).rows.map { row in
            func amount(_ column: Int) throws -> String { loan.currency.format(try loan.amount(row, column)) }
            return ScheduleView.Installment(
                n: try row.decode(0), due_on: try row.decode(1), principal: try amount(2), interest: try amount(3),
                fees: try amount(4), total: try amount(5), paid: try amount(6), waived: try amount(7), status: try row.decode(8))
        }
    }
}

extension LoanRecord {
    /// An amount column of the loan's currency, as text from PostgreSQL; anything else is a fault.
    fileprivate func amount(_ row: PostgresRow, _ column: Int) throws -> Amount {
        let text: String = try row.decode(column)
        guard let amount = currency.parse(text) else {
            throw RavnaqError.fault("loan \(number): \(text) is not an amount in \(currency.code)")
        }
        return amount
    }
}
