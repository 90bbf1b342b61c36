import Foundation
import Postgres
import RavnaqCore
import RavnaqMoney
import Testing
import TestSupport

/// A new repayment of a loan with one schedule version is put into the loan's history in place
/// instead of recomputing the history (keep_loan_histories(), sql/definitions/55_loans.sql).
/// Either way the row must be exactly what loan_history_rows() computes from the loan's rows; and
/// each repayment must take the way the trigger promises, or the comparison would only ever
/// test the refresh.
@Suite("Loan histories: a new repayment put in place, the rest refreshed (sql/definitions/55_loans.sql)")
struct LoanHistoryInPlaceTests {
    enum Way: Equatable { case inPlace, refreshed }

    let fixture: CoreFixture
    let loans: Loans

    init() async throws {
        fixture = try await CoreFixture.make()
        loans = Loans(database: fixture.database)
    }

    /// Runs `change`, says which way the loan's history was kept, then checks that every loan's
    /// history equals a fresh computation. The way is seen through a marker: a date no loan has,
    /// added to the history's `counted_due_on` first. Putting a repayment in place leaves that
    /// column alone; a refresh writes it afresh and the marker is gone.
    func kept(_ loan: String, _ what: String, by change: () async throws -> Void) async throws -> Way {
        try await kept([loan], what, by: change)[0]
    }

    /// The same for several loans changed at once: the way each one's history was kept.
    func kept(_ loans: [String], _ what: String, by change: () async throws -> Void) async throws -> [Way] {
        let ids = "{\(loans.joined(separator: ","))}"
        let marker = "0001-01-01"
        try await fixture.database.pool.withConnection { connection in
            _ = try connection.query(
                "UPDATE loan_histories SET counted_due_on = counted_due_on || $2::date WHERE loan_id = ANY ($1::text[]::uuid[])",
                [ids, marker]).affectedRows
        }
        try await change()
        return try await fixture.database.pool.withConnection { connection in
            var ways: [Way] = []
            for loan in loans {
                let marked: Bool = try connection.query(
                    "SELECT $2::date = ANY (counted_due_on) FROM loan_histories WHERE loan_id = $1::uuid", [loan, marker]).first!.decode(0)
                ways.append(marked ? .inPlace : .refreshed)
            }
            _ = try connection.query(
                "UPDATE loan_histories SET counted_due_on = array_remove(counted_due_on, $2::date) WHERE loan_id = ANY ($1::text[]::uuid[])",
                [ids, marker]).affectedRows
            #expect(try LoanHistoriesTests.staleHistories(connection) == 0, "after \(what)")
            return ways
        }
    }

    /// A repayment through the service, as a coordinator records it.
    func pay(_ loan: String, _ amount: String, on date: String) async throws -> Way {
        try await kept(loan, "\(amount) on \(date)") {
            _ = try await loans.repay(loan, RepaymentRequest(amount: AmountInput(amount), date: date), as: fixture.admin, idempotency: nil)
        }
    }

    /// Repayment rows written straight in SQL (the owner), with the ids given, so that their
    /// place among the rows of a day is known: the service refuses a repayment dated before
    /// the loan's latest, which the history must still take in.
    func insert(_ loan: String, _ rows: [(id: String, on: String)]) async throws -> Way {
        try await kept(loan, "\(rows)") {
            try await fixture.database.pool.withConnection { connection in
                _ = try connection.query(
                    """
                    INSERT INTO repayments (id, organization_id, loan_id, paid_on, amount, principal, interest, fees, transaction_id)
                    SELECT n.id, r.organization_id, r.loan_id, n.day, 4000, 3000, 1000, 0, r.transaction_id
                    FROM unnest($2::text[]::uuid[], $3::text[]::date[]) n (id, day)
                    CROSS JOIN (SELECT * FROM repayments WHERE loan_id = $1 LIMIT 1) r
                    """, [UUID(uuidString: loan)!, "{\(rows.map { $0.id }.joined(separator: ","))}",
                        "{\(rows.map { $0.on }.joined(separator: ","))}"]).affectedRows
            }
        }
    }

    func openLoan(programme: String, project: String) async throws -> (id: String, installments: [ScheduleView.Installment]) {
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme, project: project, on: "2025-01-10")
        return (loan.id, try await loans.schedule(loan.id, asOf: "2025-01-10", as: fixture.admin).installments)
    }

    @Test("with a fixed late fee: the first repayment, a part, one paying a fee, a second of a day, one dated before a reversed one; a reversal refreshed")
    func fixedFee() async throws {
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let (loan, schedule) = try await openLoan(programme: programme, project: project)
        let total = schedule[0].total
        #expect(try await pay(loan, total, on: "2025-02-10") == .inPlace)        // the first: an empty history
        #expect(try await pay(loan, "30000", on: "2025-03-12") == .inPlace)      // March short: its fee falls on 03-16
        #expect(try await pay(loan, total, on: "2025-04-02") == .inPlace)        // the fee, March's rest, part of April
        #expect(try await pay(loan, "1000", on: "2025-04-02") == .inPlace)       // the same day, before or after by its id
        #expect(try await pay(loan, total, on: "2025-04-16") == .inPlace)
        let latest = try await loans.repayments(loan, page: Page(), as: fixture.admin).items.first { $0.date == "2025-04-16" }
        let reversal = try await kept(loan, "the reversal") {
            _ = try await loans.reverse(loan, repayment: try #require(latest).id, DateInput(date: "2025-04-20"), as: fixture.admin,
                                        idempotency: nil)
        }
        #expect(reversal == .refreshed)
        #expect(try await pay(loan, "2000", on: "2025-04-10") == .inPlace)       // before the reversed one, after the rest
        #expect(try await pay(loan, total, on: "2025-07-01") == .inPlace)        // months late: fees on May and June
        let fees = try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT cardinality(fee_on) FROM loan_histories WHERE loan_id = $1::uuid", [loan]).first!.decode(0, as: Int.self)
        }
        #expect(fees >= 3)

        // Rows the service would refuse, each put where the refresh orders it: before every
        // other (its day the earliest), first of a day that has others (the smallest id), last of
        // it (the greatest); two rows of the loan in one statement are refreshed.
        #expect(try await insert(loan, [("ffffffff-ffff-4fff-bfff-ffffffffffff", "2025-01-20")]) == .inPlace)
        #expect(try await insert(loan, [("00000000-0000-4000-8000-000000000000", "2025-04-02")]) == .inPlace)
        #expect(try await insert(loan, [("ffffffff-ffff-4fff-bfff-fffffffffffe", "2025-04-02")]) == .inPlace)
        // The day of the reversed repayment: its row, not counted, has a greater id.
        #expect(try await insert(loan, [("00000000-0000-4000-8000-000000000003", "2025-04-16")]) == .inPlace)
        #expect(try await insert(loan, [("00000000-0000-4000-8000-000000000001", "2025-03-01"),
                                        ("00000000-0000-4000-8000-000000000002", "2025-05-01")]) == .refreshed)
    }

    @Test("with a percentage fee every month and a tolerance, with interest waived by an early payoff: in place and exact")
    func percentFeeAndPayoff() async throws {
        let (_, project) = try await LoansCoreTests.setUp(fixture)
        let programmes = Programmes(database: fixture.database)
        let monthly = try await programmes.create(
            ProgrammeInput(name: "Monthly fees", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "500000000", late_fee_after_days: 5, late_fee_percent: "2", late_fee_repeat: "monthly",
                           arrears_tolerance: "500"),
            as: fixture.admin)
        _ = try await programmes.update(programme: monthly.id, ProgrammeInput(early_payoff: "interest_to_date"), as: fixture.admin)
        let (loan, schedule) = try await openLoan(programme: monthly.id, project: project)
        let short = Amount.parse(schedule[0].total, minorDigits: 2)! - Amount(minorUnits: 30_000)
        #expect(try await pay(loan, short.formatted(minorDigits: 2), on: "2025-02-10") == .inPlace)  // inside the tolerance
        #expect(try await pay(loan, schedule[0].total, on: "2025-03-25") == .inPlace)               // late: fees on both
        #expect(try await pay(loan, "5000", on: "2025-06-20") == .inPlace)                          // after monthly fees
        let quote = try await loans.payoff(loan, on: "2025-06-30", as: fixture.admin)
        #expect(quote.rule == "interest_to_date" && quote.waived != "0.00")
        #expect(try await pay(loan, quote.total, on: "2025-06-30") == .inPlace)                     // closes it, waiving interest
        #expect(try await loans.get(loan, asOf: "2025-06-30", as: fixture.admin).status == "repaid")
    }

    @Test("a recovery after a write-off is put in place; a repayment of a restructured loan is refreshed")
    func recoveryAndRestructuring() async throws {
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let (written, schedule) = try await openLoan(programme: programme, project: project)
        #expect(try await pay(written, schedule[0].total, on: "2025-02-10") == .inPlace)
        _ = try await loans.writeOff(written, DateInput(date: "2025-05-20", reason: "the cows died"), as: fixture.admin, idempotency: nil)
        #expect(try await pay(written, "100000", on: "2025-06-15") == .inPlace)

        let (restructured, _) = try await openLoan(programme: programme, project: project)
        #expect(try await pay(restructured, schedule[0].total, on: "2025-02-10") == .inPlace)
        _ = try await loans.restructure(restructured, RestructureInput(on: "2025-04-19", installments: 12, capitalize_overdue: false,
                                                                        reason: "the cow died"), as: fixture.admin, idempotency: nil)
        #expect(try await pay(restructured, "50000", on: "2025-05-10") == .refreshed)
    }

    @Test("one statement with one row for one loan and two of a day for another: the first in place, the second refreshed (putting them one by one would misplace them)")
    func mixedStatement() async throws {
        let (programme, project) = try await LoansCoreTests.setUp(fixture, lateFee: "25000", afterDays: 5)
        let (first, schedule) = try await openLoan(programme: programme, project: project)
        let (second, _) = try await openLoan(programme: programme, project: project)
        for loan in [first, second] { #expect(try await pay(loan, schedule[0].total, on: "2025-02-10") == .inPlace) }
        let ways = try await kept([first, second], "one statement for two loans") {
            try await fixture.database.pool.withConnection { connection in
                _ = try connection.query(
                    """
                    INSERT INTO repayments (organization_id, loan_id, paid_on, amount, principal, interest, fees, transaction_id)
                    SELECT r.organization_id, r.loan_id, n.day, 4000, 3000, 1000, 0, r.transaction_id
                    FROM (VALUES ($1::uuid, date '2025-03-10'), ($2::uuid, date '2025-04-10'), ($2::uuid, date '2025-04-10')) n (loan, day)
                    JOIN repayments r ON r.loan_id = n.loan
                    """, [UUID(uuidString: first)!, UUID(uuidString: second)!]).affectedRows
            }
        }
        #expect(ways == [.inPlace, .refreshed])
    }
}
