import Dates
import Foundation
import Postgres
@testable import RavnaqCore

/// The books against the portfolio on every day of a span, in one statement: the trial
/// balance's own statement (`Ledger.trialBalanceStatement`) and the portfolio report's own
/// statement (`Reports.statement(.portfolio, by: [])`), each wrapped in a session's temporary
/// SQL function and called for every day of `generate_series`, so that what is compared is
/// exactly what `GET /ledger/trial-balance` and `GET /reports/portfolio` answer on that day.
public enum DailyBooks {
    /// One day and currency where the two disagree, with both sides' figures.
    public struct Difference: Sendable, CustomStringConvertible {
        public let day: LocalDate
        public let currency: String
        /// `loans_receivable` in the trial balance, and the portfolio's outstanding principal.
        public let receivable: String
        public let outstanding: String
        /// The cash that came in by the day other than by disbursements and donor funds
        /// (repayments and recoveries less their reversals), and the portfolio's `collected`
        /// from the beginning through the day.
        public let collectedCash: String
        public let collected: String
        /// `loan_loss_expense` in the trial balance, and what the portfolio wrote off by the day.
        public let lossExpense: String
        public let writtenOff: String
        /// `recovery_income` in the trial balance (a credit: shown as a positive amount), and the
        /// recoveries not reversed dated by the day.
        public let recoveryIncome: String
        public let recovered: String

        public var description: String {
            "\(day) \(currency): loans_receivable \(receivable) / outstanding \(outstanding), "
                + "cash collected \(collectedCash) / collected \(collected), "
                + "loan_loss_expense \(lossExpense) / written off \(writtenOff), recovery_income \(recoveryIncome) / recovered \(recovered)"
        }
    }

    /// Each day from `from` through `through` and each currency on which the trial balance and
    /// the portfolio disagree: `loans_receivable` against `outstanding_principal`, the cash
    /// movements of repayments and recoveries against `collected`, `loan_loss_expense` against
    /// `written_off`, and `recovery_income` against the recoveries (issue 16: a recovery is income
    /// of its own, the write-off's expense stays). `through` is by default five days after the
    /// organization's today. Returns the differences and the number of days compared.
    public static func differences(_ database: Database, organization: UUID, from: LocalDate, through: LocalDate? = nil) async throws
        -> (differences: [Difference], days: Int) {
        try await database.pool.withConnection { connection in
            let through = try through ?? connection.query(
                "SELECT (now() AT TIME ZONE time_zone)::date + 5 FROM organizations WHERE id = $1", [organization]
            ).first!.decode(0, as: LocalDate.self)
            try connection.execute("""
                CREATE OR REPLACE FUNCTION pg_temp.trial_balance(uuid, date)
                RETURNS TABLE (code text, currency text, debit text, credit text, balance text)
                LANGUAGE sql STABLE AS $trial_balance$ \(Ledger.trialBalanceStatement) $trial_balance$;
                CREATE OR REPLACE FUNCTION pg_temp.portfolio(uuid, date, date, date, text, date, json) RETURNS text
                LANGUAGE sql STABLE AS $portfolio$ \(Reports.statement(.portfolio, by: [])) $portfolio$;
                """)
            // The trial balance reads the sums by value date, brought up to date first, as the service does.
            try connection.query("SELECT ledger_sum_noted_days($1)", [organization])
            let rows = try connection.query(
                """
                WITH days AS (
                    SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') d
                ), books AS (
                    SELECT d.day, b.currency,
                           sum(b.balance::numeric) FILTER (WHERE b.code = 'loans_receivable') AS receivable,
                           sum(b.balance::numeric) FILTER (WHERE b.code = 'loan_loss_expense') AS loss_expense,
                           -sum(b.balance::numeric) FILTER (WHERE b.code = 'recovery_income') AS recovery_income
                    FROM days d CROSS JOIN LATERAL pg_temp.trial_balance($1, d.day) b
                    WHERE b.code IS NOT NULL
                    GROUP BY d.day, b.currency
                ), portfolio AS (
                    SELECT d.day, t ->> 'currency' AS currency, (t ->> 'outstanding_principal')::numeric AS outstanding,
                           (t ->> 'collected')::numeric AS collected, (t ->> 'written_off')::numeric AS written_off
                    FROM days d
                    CROSS JOIN LATERAL json_array_elements(
                        pg_temp.portfolio($1, d.day, NULL, d.day, 'portfolio', d.day, '[]')::json -> 'totals') t
                ), cash AS (
                    -- Cash moved by anything but disbursements and donor funds: repayments,
                    -- recoveries, their reversals (and the moves of older reversals to value dates, made during development).
                    SELECT d.day, t.currency, sum(p.amount) AS collected
                    FROM days d
                    JOIN ledger_transactions t ON t.organization_id = $1 AND t.occurred_on <= d.day
                    JOIN postings p ON p.transaction_id = t.id
                    JOIN accounts a ON a.id = p.account_id AND a.code = 'cash'
                    WHERE t.kind NOT IN ('loan_disbursement', 'grant_disbursement', 'donor_funds')
                    GROUP BY d.day, t.currency
                ), recovered AS (
                    SELECT d.day, l.currency, sum(r.amount) AS recovered
                    FROM days d
                    JOIN repayments r ON r.organization_id = $1 AND r.kind = 'recovery' AND r.reversed_on IS NULL AND r.paid_on <= d.day
                    JOIN loans l ON l.id = r.loan_id
                    GROUP BY d.day, l.currency
                ), compared AS (
                    SELECT b.day, b.currency, b.receivable, coalesce(p.outstanding, 0) AS outstanding,
                           coalesce(c.collected, 0) AS collected_cash, coalesce(p.collected, 0) AS collected,
                           coalesce(b.loss_expense, 0) AS loss_expense, coalesce(p.written_off, 0) AS written_off,
                           coalesce(b.recovery_income, 0) AS recovery_income, coalesce(r.recovered, 0) AS recovered
                    FROM books b
                    LEFT JOIN portfolio p USING (day, currency)
                    LEFT JOIN cash c USING (day, currency)
                    LEFT JOIN recovered r USING (day, currency)
                )
                SELECT day, currency, receivable::numeric(18,2)::text, outstanding::numeric(18,2)::text,
                       collected_cash::numeric(18,2)::text, collected::numeric(18,2)::text,
                       loss_expense::numeric(18,2)::text, written_off::numeric(18,2)::text,
                       recovery_income::numeric(18,2)::text, recovered::numeric(18,2)::text
                FROM compared
                WHERE receivable <> outstanding OR collected_cash <> collected OR loss_expense <> written_off
                   OR recovery_income <> recovered
                ORDER BY day, currency
                """,
                [organization, from, through]
            ).rows
            let days = try connection.query("SELECT ($2::date - $1::date) + 1", [from, through]).first!.decode(0, as: Int.self)
            return (try rows.map {
                Difference(day: try $0.decode(0), currency: try $0.decode(1), receivable: try $0.decode(2), outstanding: try $0.decode(3),
                           collectedCash: try $0.decode(4), collected: try $0.decode(5), lossExpense: try $0.decode(6),
                           writtenOff: try $0.decode(7), recoveryIncome: try $0.decode(8), recovered: try $0.decode(9))
            }, days)
        }
    }
}
