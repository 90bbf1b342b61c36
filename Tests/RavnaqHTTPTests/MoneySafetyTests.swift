import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RavnaqCore
import RavnaqMoney
import RavnaqHTTP
import Testing
import TestSupport

@Suite("Money safety: idempotency, concurrency, bad input (SPEC §3, §9)")
struct MoneySafetyTests {
    /// Counts of the money tables, to prove a refused request wrote nothing.
    static func moneyRows(_ database: Database) async throws -> [Int] {
        try await database.pool.withConnection { connection in
            try ["ledger_transactions", "postings", "repayments", "idempotency_keys"].map {
                try connection.query("SELECT count(*) FROM \($0)").first!.decode(0, as: Int.self)
            }
        }
    }

    @Test("a retried POST with the same key moves money once; another body with that key is a 409")
    func idempotentRepayment() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, _, _, loanID) = try await api.openSpecLoan()
            let body = #"{"amount":"945595.97","date":"2025-02-15"}"#
            let (firstStatus, first) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", body, key: "pay-1")
            // The same JSON spelled differently is the same body.
            let (againStatus, again) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{ "date": "2025-02-15", "amount": "945595.97" }"#, key: "pay-1")
            #expect(firstStatus == .created)
            #expect(againStatus == .created)
            #expect(first["id"] as? String == again["id"] as? String)
            let (conflict, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"1000","date":"2025-02-15"}"#, key: "pay-1")
            #expect(conflict == .conflict)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:idempotency-key-reused")
        }
        let repayments = try await app.database.pool.withConnection {
            try $0.query("SELECT count(*), sum(amount)::text FROM repayments").first.map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: String.self)) }!
        }
        #expect(repayments.0 == 1)
        #expect(repayments.1 == "945595.97")
    }

    @Test("20 concurrent repayments on one loan all land exactly")
    func concurrentRepayments() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let opened = Box<String>()
        try await app.test { client in
            opened.value = try await API(client: client, token: token).openSpecLoan().loan
        }
        let loanID = try #require(opened.value)
        let loans = Loans(database: app.database)
        let actor = try await Users(database: app.database).authenticate(token: token)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask { [loanID] in
                    _ = try await loans.repay(loanID, RepaymentRequest(amount: AmountInput("10000.0\(n % 10)"), date: "2025-02-15"),
                                              as: actor, idempotency: nil)
                }
            }
            try await group.waitForAll()
        }
        let expected = (0..<20).reduce(Int64(0)) { $0 + 1_000_000 + Int64($1 % 10) }
        let view = try await loans.get(loanID, asOf: "2025-02-15", as: actor)
        let paid = try #require(Amount.parse(view.paid.principal, minorDigits: 2)) + Amount.parse(view.paid.interest, minorDigits: 2)!
        #expect(paid.minorUnits == expected)
        let (count, sum) = try await app.database.pool.withConnection { connection in
            let row = try connection.query("SELECT count(*), sum(amount)::text FROM repayments").first!
            return (try row.decode(0, as: Int.self), try row.decode(1, as: String.self))
        }
        #expect(count == 20)
        #expect(Amount.parse(sum, minorDigits: 2)?.minorUnits == expected)
        // Every repayment's allocation was computed on top of all earlier ones: interest first.
        let interest = try await app.database.pool.withConnection { try $0.query("SELECT sum(interest)::text FROM repayments").first!.decode(0, as: String.self) }
        #expect(interest == "200000.00")
    }

    @Test("bad input gets a clear 4xx naming each field and changes nothing")
    func badInput() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let database = app.database
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, _, programmeID, loanID) = try await api.openSpecLoan(disburse: false)
            let (_, loans) = try await api.call(.get, "/api/v1/loans")
            let projectID = try #require((loans["items"] as? [[String: Any]])?.first?["project_id"] as? String)
            let before = try await Self.moneyRows(database)

            // A repayment before disbursement.
            var (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"1000","date":"2025-02-15"}"#)
            #expect(status == .unprocessableContent)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:loan-not-disbursed")

            try await api.call(.post, "/api/v1/loans/\(loanID)/disbursements", #"{"date":"2025-01-15"}"#)
            let afterDisbursement = try await Self.moneyRows(database)
            #expect(afterDisbursement[0] == before[0] + 1)

            // Negative amount and malformed date together: both fields named.
            (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"-5","date":"2025-02-30"}"#)
            #expect(status == .unprocessableContent)
            let pointers = (problem["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String }
            #expect(pointers == ["/date", "/amount"])

            // Dated before the disbursement.
            (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"1000","date":"2025-01-01"}"#)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:repayment-before-disbursement")

            // An overpayment.
            (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"99999999","date":"2025-02-15"}"#)
            #expect(status == .unprocessableContent)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:overpayment")
            #expect((problem["detail"] as? String)?.contains("11347151.") == true)

            // Too many decimals, unknown currency, unknown method, missing fields: all listed.
            (status, problem) = try await api.call(.post, "/api/v1/loans", #"{"programme_id":"\#(programmeID)","project_id":"\#(projectID)","principal":"100.005","currency":"XXX","annual_rate":"abc","method":"balloon","frequency":"monthly"}"#)
            #expect(status == .unprocessableContent)
            let loanPointers = Set((problem["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? [])
            #expect(loanPointers == ["/currency", "/annual_rate", "/method", "/installments", "/planned_disbursement_on"])

            // Another currency than the programme's.
            (status, problem) = try await api.call(.post, "/api/v1/loans", #"{"programme_id":"\#(programmeID)","project_id":"\#(projectID)","principal":"1000","currency":"USD","annual_rate":"10","method":"flat","installments":6,"frequency":"weekly","planned_disbursement_on":"2025-03-01"}"#)
            #expect(status == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/currency")

            // Not JSON at all: 400.
            (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", "amount=5")
            #expect(status == .badRequest)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:malformed-request")

            // A wrong field type: 400 naming the field.
            (status, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"5","date":20250215}"#)
            #expect(status == .badRequest)
            #expect((problem["detail"] as? String)?.hasPrefix("/date") == true)

            let after = try await Self.moneyRows(database)
            #expect(after == afterDisbursement)
        }
    }

    @Test("PostgreSQL itself refuses unbalanced transactions and any change to the ledger")
    func ledgerInvariantsInTheDatabase() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            _ = try await API(client: client, token: token).openSpecLoan()
        }
        let organization = app.organization.id
        try await app.database.pool.withConnection { connection in
            // An unbalanced pair of postings.
            let unbalanced = #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    let id: UUID = try connection.query(
                        "INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind) VALUES ($1, '2025-03-01', 'UZS', 'repayment') RETURNING id",
                        [organization]).first!.decode(0)
                    try connection.query(
                        """
                        INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
                        SELECT $1, $2, id, 'UZS', CASE code WHEN 'cash' THEN 100 ELSE -99.99 END
                        FROM accounts WHERE organization_id = $1 AND code IN ('cash', 'interest_income')
                        """, [organization, id])
                }
            }
            #expect(unbalanced?.constraint == "ledger-unbalanced")
            // A single posting, even of zero sum, is not a transaction.
            #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.query(
                        "INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind) VALUES ($1, '2025-03-01', 'UZS', 'repayment')",
                        [organization])
                }
            }
            // Updates and deletes of ledger rows.
            for statement in ["UPDATE postings SET amount = amount * 2", "DELETE FROM postings", "UPDATE ledger_transactions SET memo = 'x'",
                              "DELETE FROM ledger_transactions", "TRUNCATE postings"] {
                let error = #expect(throws: PostgresError.self) { try connection.execute(statement) }
                #expect(error?.message.contains("cannot be") == true)
            }
        }
    }
}

/// A value handed out of a test client's closure.
final class Box<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
