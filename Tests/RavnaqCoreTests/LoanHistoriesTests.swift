import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// Each loan's kept history (sql/019) that the portfolio reads: kept by triggers through
/// repayments, a reversal that reallocates later repayments, a back-dated repayment, a
/// write-off and a recovery, it must equal a fresh computation, and answer every day as the
/// per-loan reference `loan_figures()` does.
@Suite("Loan histories kept for the reports (sql/019)")
struct LoanHistoriesTests {
    @Test("kept through repayments, a reversal, a back-dated repayment, a write-off and a recovery; agrees with loan_figures on every day")
    func keptAndAgreeing() async throws {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        try await made.addPortfolio(fixture.database, admin: fixture.admin)
        let loans = Loans(database: fixture.database)
        // AN-2's loan paid Feb and Mar; its March payment is reversed (Feb's stays), and a
        // back-dated payment arrives for 2025-03-01, before the reversed one's day.
        let owner = fixture.database.pool
        let (loan, march): (String, String) = try await owner.withConnection { connection in
            let row = try connection.query(
                """
                SELECT l.id::text, r.id::text FROM loans l JOIN projects p ON p.id = l.project_id JOIN repayments r ON r.loan_id = l.id
                WHERE p.family_id = $1 AND r.paid_on = '2025-03-10'
                """, [UUID(uuidString: made.families["AN-2"]!)!]).first!
            return (try row.decode(0), try row.decode(1))
        }
        _ = try await loans.reverse(loan, repayment: march, DateInput(date: "2025-03-20"), as: fixture.admin, idempotency: nil)
        _ = try await loans.repay(loan, RepaymentRequest(amount: AmountInput("150000"), date: "2025-03-01"), as: fixture.admin, idempotency: nil)

        let (stale, disagreeing, days): (Int, Int, Int) = try await owner.withConnection { connection in
            let stale: Int = try connection.query(
                """
                SELECT count(*) FROM loan_histories h FULL JOIN loan_history_rows(ARRAY(SELECT id FROM loans)) f USING (loan_id)
                WHERE h IS DISTINCT FROM f
                """).first!.decode(0)
            // Outstanding principal and days past due of every disbursed, live loan on every day
            // from January to October 2025, from the history and from loan_figures().
            let compared = try connection.query(
                """
                WITH days AS (SELECT d::date AS day FROM generate_series(date '2025-01-01', date '2025-10-31', interval '1 day') d),
                answers AS (
                    SELECT d.day, l.id,
                           l.principal - amount_through(h.paid_on, h.principal_paid, d.day) AS outstanding,
                           coalesce(greatest(d.day - first_unpaid_due_on(h.due_on, h.scheduled, amount_through(h.paid_on, h.paid, d.day)), 0), 0) AS dpd,
                           (loan_figures(l.id, d.day)).*
                    FROM days d JOIN loans l ON l.disbursed_on <= d.day AND (l.written_off_on IS NULL OR l.written_off_on > d.day)
                    JOIN loan_histories h ON h.loan_id = l.id
                )
                SELECT count(*) FILTER (WHERE outstanding <> outstanding_principal OR dpd <> days_past_due), count(DISTINCT day)
                FROM answers
                """).first!
            return (stale, try compared.decode(0), try compared.decode(1))
        }
        #expect(stale == 0)
        #expect(disagreeing == 0)
        #expect(days == 296)  // from the first disbursement, 2025-01-09
    }

    @Test("a request can read the histories of its organization but never write them")
    func readOnlyForRequests() async throws {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        let loan = try await made.loan(fixture.database, admin: fixture.admin, "AN-1", "Ayol", installments: 3, on: "2025-01-10")
        let seen: Int = try await fixture.database.transaction(as: fixture.admin) { connection in
            try connection.query("SELECT cardinality(due_on) FROM loan_histories WHERE loan_id = $1", [UUID(uuidString: loan)!]).first!.decode(0)
        }
        #expect(seen == 3)
        for statement in ["UPDATE loan_histories SET paid_on = '{}'", "DELETE FROM loan_histories",
                          "INSERT INTO loan_histories SELECT * FROM loan_histories"] {
            await #expect(throws: RavnaqError.self, "\(statement)") {
                try await fixture.database.transaction(as: fixture.admin) { try $0.query(statement).affectedRows }
            }
        }
    }
}
