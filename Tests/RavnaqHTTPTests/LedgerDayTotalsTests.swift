import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

@Suite("The trial balance from the sums by value date")
struct LedgerDayTotalsTests {
    @Test("repayments and trial balances at the same time: every later trial balance equals the postings summed directly")
    func concurrent() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, _, _, loanID) = try await api.openSpecLoan()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<12 {
                    group.addTask {
                        let (status, _) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments",
                                                             #"{"amount":"1000.\#(n < 10 ? "0" : "")\#(n)","date":"2025-02-\#(10 + n)"}"#)
                        #expect(status == .created || status == .unprocessableContent)
                    }
                    group.addTask { _ = try await api.trialBalance() }
                }
                try await group.waitForAll()
            }
            let books = try await api.trialBalance()
            let direct = try await app.database.transaction { connection in
                try connection.query(
                    """
                    SELECT a.code, coalesce(sum(p.amount), 0)::numeric(18,2)::text FROM accounts a LEFT JOIN postings p ON p.account_id = a.id
                    GROUP BY a.code ORDER BY a.code
                    """).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }
            }
            let lines = try #require(books["accounts"] as? [[String: Any]])
            #expect(lines.map { $0["code"] as? String ?? $0["account"] as? String ?? "" }.sorted() == direct.map(\.0))
            for (code, balance) in direct {
                #expect(lines.first { ($0["account"] as? String) == code }?["balance"] as? String == balance, "\(code)")
            }
            #expect(books["total_debit"] as? String == books["total_credit"] as? String)
            // Nothing is left unsummed once a trial balance has been read.
            let notes = try await app.database.transaction { connection in
                try connection.query("SELECT count(*) FROM ledger_unsummed").first!.decode(0, as: Int.self)
            }
            #expect(notes == 0)
        }
    }
}
