import Dates
import Foundation
import Postgres

/// Every account's debit and credit totals as of a date, per currency (SPEC §3).
public struct TrialBalance: Encodable, Sendable {
    public struct Line: Encodable, Sendable {
        public let account: String
        public let currency: String
        public let debit: String
        public let credit: String
        public let balance: String
    }

    public struct Total: Encodable, Sendable {
        public let currency: String
        public let debit: String
        public let credit: String
    }

    public let as_of: String
    public let accounts: [Line]
    /// One total per currency: UZS is never added to USD.
    public let totals: [Total]
    /// Present when the organization keeps books in one currency only (the usual case).
    public let total_debit: String?
    public let total_credit: String?
}

extension Ledger {
    /// Every account of organization $1 as of $2 with its debits, credits and balance, and
    /// (GROUPING SETS) one total row per currency with a NULL code, from the sums by value date
    /// (sql/004_ledger_day_totals.sql; `ledger_sum_noted_days` brings them up to date first).
    static let trialBalanceStatement = """
        SELECT a.code, a.currency,
               coalesce(sum(d.debit), 0)::numeric(18,2)::text,
               coalesce(sum(d.credit), 0)::numeric(18,2)::text,
               coalesce(sum(d.debit) - sum(d.credit), 0)::numeric(18,2)::text
        FROM accounts a
        LEFT JOIN ledger_day_totals d ON d.organization_id = $1 AND d.account_id = a.id AND d.occurred_on <= $2
        WHERE a.organization_id = $1
        GROUP BY GROUPING SETS ((a.currency, a.code), (a.currency))
        ORDER BY a.currency, a.code NULLS LAST
        """

    public static func trialBalance(_ connection: PostgresConnection, organizationID: UUID, asOf: LocalDate) throws -> TrialBalance {
        try connection.query("SELECT ledger_sum_noted_days($1)", [organizationID])
        let rows = try connection.query(trialBalanceStatement, [organizationID, asOf]).rows
        var lines: [TrialBalance.Line] = []
        var totals: [TrialBalance.Total] = []
        for row in rows {
            if let code = row.text(0) {
                lines.append(.init(account: code, currency: try row.decode(1), debit: try row.decode(2),
                                   credit: try row.decode(3), balance: try row.decode(4)))
            } else {
                totals.append(.init(currency: try row.decode(1), debit: try row.decode(2), credit: try row.decode(3)))
            }
        }
        return TrialBalance(
            as_of: asOf.description, accounts: lines, totals: totals,
            total_debit: totals.count == 1 ? totals[0].debit : nil,
            total_credit: totals.count == 1 ? totals[0].credit : nil)
    }
}
