import Dates
import Foundation
import Postgres
import RavnaqMoney

/// The accounts of the chart (SPEC §3), per organization and currency.
public enum AccountCode: String, Sendable, CaseIterable, Codable {
    case cash, loansReceivable = "loans_receivable", interestIncome = "interest_income", feeIncome = "fee_income"
    case grantExpense = "grant_expense", loanLossExpense = "loan_loss_expense", donorFunds = "donor_funds"
    /// Money received after a write-off (issue 16).
    case recoveryIncome = "recovery_income"
}

public enum LedgerKind: String, Sendable {
    case donorFunds = "donor_funds", loanDisbursement = "loan_disbursement", repayment, recovery, reallocation
    case writeOff = "write_off", grantDisbursement = "grant_disbursement", reversal, restructuring
}

/// Writes balanced ledger transactions. The database checks the balance too (a statement-level
/// trigger), so a bug here cannot leave the books unbalanced; this type only makes the usual
/// entries easy to write correctly.
public enum Ledger {
    public struct Entry: Sendable {
        public let account: AccountCode
        /// Positive: debit; negative: credit.
        public let amount: Amount

        public static func debit(_ account: AccountCode, _ amount: Amount) -> Entry { Entry(account: account, amount: amount) }
        public static func credit(_ account: AccountCode, _ amount: Amount) -> Entry {
            Entry(account: account, amount: .zero - amount)
        }
    }

    /// Records one transaction; zero entries are left out. Returns its id.
    @discardableResult
    public static func post(
        _ connection: PostgresConnection, organizationID: UUID, currency: Currency, on date: LocalDate,
        kind: LedgerKind, memo: String, entries: [Entry], reverses: UUID? = nil
    ) throws -> UUID {
        let nonZero = entries.filter { !$0.amount.isZero }
        // The accounts exist: they are made with the programme whose currency this is (the trigger `accounts`, sql/definitions/30_ledger.sql).
        let id: UUID = try connection.query(
            """
            INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind, memo, reverses)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """,
            [organizationID, date, currency.code, kind.rawValue, memo, reverses]
        ).first!.decode(0)
        // All postings in one statement: the balance trigger checks them together.
        let posted = try connection.query(
            """
            INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
            SELECT $1, $2, a.id, $3, e.amount
            FROM unnest($4::text[], $5::numeric[]) AS e (code, amount)
            JOIN accounts a ON a.organization_id = $1 AND a.currency = $3 AND a.code = e.code
            """,
            [organizationID, id, currency.code, postgresArray(nonZero.map(\.account.rawValue)),
             postgresArray(nonZero.map { currency.format($0.amount) })]
        ).affectedRows
        guard posted == nonZero.count else {
            throw RavnaqError.rule(.noAccounts, message: "the organization has no programme in \(currency.code), so no accounts in it")
        }
        return id
    }

    /// Records the exact opposite of a transaction.
    @discardableResult
    public static func reverse(
        _ connection: PostgresConnection, transaction: UUID, organizationID: UUID, on date: LocalDate, memo: String
    ) throws -> UUID {
        let header = try connection.query(
            "SELECT currency FROM ledger_transactions WHERE id = $1 AND organization_id = $2", [transaction, organizationID]
        ).first!
        let currency: String = try header.decode(0)
        let id: UUID = try connection.query(
            """
            INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind, memo, reverses)
            VALUES ($1, $2, $3, 'reversal', $4, $5) RETURNING id
            """,
            [organizationID, date, currency, memo, transaction]
        ).first!.decode(0)
        try connection.query(
            """
            INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
            SELECT organization_id, $2, account_id, currency, -amount FROM postings WHERE transaction_id = $1
            """,
            [transaction, id])
        return id
    }

    /// What a repayment's transaction credited to principal, interest and fees.
    static func allocation(_ connection: PostgresConnection, transaction: UUID, currency: Currency) throws -> Allocation {
        let row = try connection.query(
            """
            SELECT coalesce(-sum(p.amount) FILTER (WHERE a.code = 'loans_receivable'), 0)::numeric(18,2)::text,
                   coalesce(-sum(p.amount) FILTER (WHERE a.code = 'interest_income'), 0)::numeric(18,2)::text,
                   coalesce(-sum(p.amount) FILTER (WHERE a.code = 'fee_income'), 0)::numeric(18,2)::text
            FROM postings p JOIN accounts a ON a.id = p.account_id
            WHERE p.transaction_id = $1
            """, [transaction]
        ).first!
        return Allocation(principal: currency.parse(try row.decode(0))!, interest: currency.parse(try row.decode(1))!,
                          fees: currency.parse(try row.decode(2))!)
    }
}

/// `{a,b,c}`: an array parameter in PostgreSQL's text form, each element quoted and escaped.
func postgresArray(_ values: [String]) -> String {
    "{" + values.map { value in
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }.joined(separator: ",") + "}"
}
