import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("db backup and restore")
struct BackupTests {
    static func counts(_ database: Database) async throws -> [Int] {
        try await database.pool.withConnection { connection in
            try ["families", "loans", "repayments", "postings", "audit_log", "schema_migrations"].map {
                try connection.query("SELECT count(*) FROM \($0)").first!.decode(0, as: Int.self)
            }
        }
    }

    @Test("a backup restores to the same rows, and a restore undoes what came after the backup")
    func roundTrip() async throws {
        let fixture = try await CoreFixture.make()
        let (programme, project) = try await LoansCoreTests.setUp(fixture)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "1000000", currency: "UZS", annual_rate: "12",
                      method: "flat", installments: 4, frequency: "monthly", planned_disbursement_on: "2025-01-10"), as: fixture.admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-10"), as: fixture.admin, idempotency: nil)
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: "260000", date: "2025-02-10"), as: fixture.admin, idempotency: nil)
        let before = try await Self.counts(fixture.database)

        let file = try TestDatabase.temporaryDirectory("backup").appending(path: "ravnaq.dump").path
        try fixture.database.backup(to: file)

        // More work after the backup, then the restore takes it back.
        _ = try await loans.repay(loan.id, RepaymentRequest(amount: "260000", date: "2025-03-10"), as: fixture.admin, idempotency: nil)
        #expect(try await Self.counts(fixture.database) != before)
        fixture.database.pool.close()
        try fixture.database.restore(from: file)
        #expect(try await Self.counts(fixture.database) == before)

        // Into another database: the same rows, the same books, and the service works on them.
        let copy = try await TestDatabase.make()
        try copy.restore(from: file)
        #expect(try await Self.counts(copy) == before)
        let view = try await Loans(database: copy).get(loan.id, asOf: "2025-02-10", as: fixture.admin)
        #expect(view.paid.principal == "250000.00")
        let balance = try await LedgerService(database: copy).trialBalance(asOf: nil, as: fixture.admin)
        #expect(balance.total_debit == balance.total_credit)

        #expect(throws: RavnaqError.self) { try copy.restore(from: "/nonexistent/ravnaq.dump") }
    }
}
