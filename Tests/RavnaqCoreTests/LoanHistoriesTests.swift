import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// Each loan's kept history (sql/definitions/55_loans.sql) that the portfolio and loan_figures() read: kept by
/// triggers through repayments, a reversal that reallocates later repayments, a back-dated
/// repayment, a write-off and a recovery, it must equal a fresh computation, and answer every
/// day as Swift's own replay of the loan's rows does.
@Suite("Loan histories kept for the reports (sql/definitions/55_loans.sql)")
struct LoanHistoriesTests {
    /// The report tests' book (four families, two programmes), with its portfolio or without.
    static func book(portfolio: Bool) async throws -> (CoreFixture, ReportBook) {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        if portfolio { try await made.addPortfolio(fixture.database, admin: fixture.admin) }
        return (fixture, made)
    }

    /// How many loans' kept histories differ from a fresh computation (or are missing).
    static func staleHistories(_ connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM loan_histories h FULL JOIN loan_history_rows(ARRAY(SELECT id FROM loans)) f USING (loan_id)
            WHERE h IS DISTINCT FROM f
            """).first!.decode(0)
    }

    @Test("kept through repayments, a reversal, a back-dated repayment, a write-off and a recovery; agrees with Swift's replay day by day")
    func keptAndAgreeing() async throws {
        let (fixture, made) = try await Self.book(portfolio: true)
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

        let (stale, ids): (Int, [UUID]) = try await owner.withConnection { connection in
            (try Self.staleHistories(connection),
             try connection.query("SELECT id FROM loans ORDER BY number").rows.map { try $0.decode(0) })
        }
        #expect(stale == 0)
        #expect(ids.count == 5)

        // Every third day from January to October 2025, each loan's outstanding principal, days
        // past due and overdue amount: from the history (loan_figures) and from Swift's replay
        // of the loan's rows.
        var compared = 0, late = 0
        var rows: [UUID: LoanReadModelTests.LoanRows] = [:]
        for id in ids { rows[id] = try await LoanReadModelTests.rows(fixture.database, loan: id.idString) }
        for day in stride(from: 0, to: 304, by: 3).map({ LocalDate("2025-01-01")!.adding(days: $0) }) {
            for id in ids {
                let expected = LoanReadModelTests.Expected(rows[id]!, asOf: day)
                let (outstanding, dpd, overdue): (String, Int, String) = try await owner.withConnection { connection in
                    let row = try connection.query(
                        "SELECT outstanding_principal::numeric(18,2)::text, days_past_due, overdue::numeric(18,2)::text FROM loan_figures($1, $2)",
                        [id, day]).first!
                    return (try row.decode(0), try row.decode(1), try row.decode(2))
                }
                #expect(outstanding == expected.outstanding, "\(id) on \(day)")
                #expect(dpd == expected.daysPastDue, "\(id) on \(day)")
                #expect(overdue == expected.overdue, "\(id) on \(day)")
                compared += 1
                if dpd > 30 { late += 1 }
            }
        }
        #expect(compared == 102 * 5)
        #expect(late > 0)
    }

    @Test("a request can read the histories of its organization but never write or refresh them")
    func readOnlyForRequests() async throws {
        let (fixture, made) = try await Self.book(portfolio: false)
        let loan = try await made.loan(fixture.database, admin: fixture.admin, "AN-1", "Ayol", installments: 3, on: "2025-01-10")
        let seen: Int = try await fixture.database.transaction(as: fixture.admin) { connection in
            try connection.query("SELECT cardinality(due_on) FROM loan_histories WHERE loan_id = $1", [UUID(uuidString: loan)!]).first!.decode(0)
        }
        #expect(seen == 3)
        for statement in ["UPDATE loan_histories SET paid_on = '{}'", "DELETE FROM loan_histories",
                          "INSERT INTO loan_histories SELECT * FROM loan_histories",
                          "SELECT refresh_loan_histories(ARRAY(SELECT id FROM loans))"] {
            await #expect(throws: RavnaqError.self, "\(statement)") {
                try await fixture.database.transaction(as: fixture.admin) { try $0.query(statement).affectedRows }
            }
        }
    }
}

extension LoanHistoriesTests {
    @Test("a mentor reads only the loan and family histories of the families assigned to them")
    func mentorsSeeTheirOwn() async throws {
        let (fixture, made) = try await Self.book(portfolio: true)
        let mentor = try await fixture.user("dilnoza@example.org", .mentor)
        _ = try await Families(database: fixture.database).assignMentor(
            family: made.families["FA-3"]!, mentor: "dilnoza@example.org", from: "2025-01-01", as: fixture.admin)
        let (loans, families): (Int, [UUID]) = try await fixture.database.transaction(as: mentor) { connection in
            (try connection.query("SELECT count(*) FROM loan_histories").first!.decode(0),
             try connection.query("SELECT family_id FROM family_histories").rows.map { try $0.decode(0) })
        }
        #expect(loans == 2)  // FA-3's two loans of the five
        #expect(families == [UUID(uuidString: made.families["FA-3"]!)!])
    }

    @Test("a project moved to another family takes its loans' histories along (graduation reads them by family)")
    func projectMoved() async throws {
        let (fixture, made) = try await Self.book(portfolio: false)
        _ = try await made.loan(fixture.database, admin: fixture.admin, "AN-1", "Ayol", installments: 3, on: "2025-01-10")
        // The services never move a project; the owner can, and the history must follow.
        let families: [UUID] = try await fixture.database.pool.withConnection { connection in
            _ = try connection.query("UPDATE projects SET family_id = $1 WHERE id = $2",
                                     [UUID(uuidString: made.families["AN-2"]!)!, UUID(uuidString: made.projects["AN-1"]!)!]).affectedRows
            return try connection.query("SELECT family_id FROM loan_histories").rows.map { try $0.decode(0) }
        }
        #expect(families == [UUID(uuidString: made.families["AN-2"]!)!])
    }
}

extension LoanHistoriesTests {
    @Test("two transactions changing one loan's repayments at once leave its history whole: the second refresh waits and reads both")
    func concurrentWriters() async throws {
        let (fixture, made) = try await Self.book(portfolio: true)
        let pool = fixture.database.pool
        // AN-1's loan: two of its repayments, each changed by its own transaction, straight in
        // SQL (without the services' lock on the loan). The first holds its transaction open
        // while the second runs; the second's refresh must then see the first's change.
        let repayments: [UUID] = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT r.id FROM repayments r JOIN loans l ON l.id = r.loan_id JOIN projects p ON p.id = l.project_id
                WHERE p.family_id = $1 ORDER BY r.paid_on DESC LIMIT 2
                """, [UUID(uuidString: made.families["AN-1"]!)!]).rows.map { try $0.decode(0) }
        }
        #expect(repayments.count == 2)
        let reverse = "UPDATE repayments SET reversed_on = '2025-08-20' WHERE id = $1"
        let first = Task {
            try await pool.transaction { connection in
                _ = try connection.query(reverse, [repayments[0]]).affectedRows
                Thread.sleep(forTimeInterval: 1)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let second = Task {
            try await pool.transaction { connection in _ = try connection.query(reverse, [repayments[1]]).affectedRows }
        }
        try await first.value
        try await second.value
        let (stale, collected): (Int, String) = try await pool.withConnection { connection in
            (try Self.staleHistories(connection),
             try connection.query(
                """
                SELECT amount_through(h.paid_on, h.collected, '2025-12-31')::text FROM loan_histories h
                JOIN loans l ON l.id = h.loan_id JOIN projects p ON p.id = l.project_id WHERE p.family_id = $1
                """, [UUID(uuidString: made.families["AN-1"]!)!]).first!.decode(0))
        }
        #expect(stale == 0)
        // 100 000 × 3 + 300 000 + 100 000 + 100 000 paid; the last two of them reversed.
        #expect(collected == "600000.00")
    }
}
