import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Sends JSON with a token and returns status and parsed body.
struct API {
    let client: any TestClientProtocol
    let token: String

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, key: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return (response.status, object)
        }
    }

    /// Creates the SPEC §9 family, project, programme and the 10 000 000 UZS loan; returns ids.
    func openSpecLoan(disburse: Bool = true) async throws -> (family: String, project: String, programme: String, loan: String) {
        let (_, programme) = try await call(.post, "/api/v1/programmes", #"{"name":"Family Business 2025","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}"#)
        let (_, family) = try await call(.post, "/api/v1/families", #"{"code":"AN-0001","region":"Andijon","district":"Asaka","mahalla":"Navbahor","categories":["low_income","many_children"],"consent_on":"2025-01-10","members":[{"full_name":"Dilnoza Karimova","sex":"female","birth_date":"1988-04-02","relation":"head","pinfl":null,"disability":false,"works":false}]}"#)
        let familyID = try #require(family["id"] as? String)
        let (_, project) = try await call(.post, "/api/v1/projects", #"{"family_id":"\#(familyID)","type":"sewing","title":"Home sewing workshop","started_on":"2025-01-20","expected_monthly_revenue":"3000000","expected_monthly_costs":"1200000"}"#)
        let projectID = try #require(project["id"] as? String)
        let programmeID = try #require(programme["id"] as? String)
        let (status, loan) = try await call(.post, "/api/v1/loans", #"{"programme_id":"\#(programmeID)","project_id":"\#(projectID)","principal":"10000000","currency":"UZS","annual_rate":"24","method":"annuity","installments":12,"frequency":"monthly","grace_periods":0,"planned_disbursement_on":"2025-01-15","first_due_on":null}"#)
        #expect(status == .created)
        let loanID = try #require(loan["id"] as? String)
        if disburse {
            let (disbursed, _) = try await call(.post, "/api/v1/loans/\(loanID)/disbursements", #"{"date":"2025-01-15"}"#)
            #expect(disbursed == .created)
        }
        return (familyID, projectID, programmeID, loanID)
    }

    func trialBalance(asOf: String? = nil) async throws -> [String: Any] {
        try await call(.get, "/api/v1/ledger/trial-balance" + (asOf.map { "?as_of=\($0)" } ?? "")).1
    }
}

@Suite("Loans through the API (SPEC §4, §9)")
struct LoanFlowTests {
    @Test("the SPEC's loan: schedule, repayment, arrears, write-off, and the books balance after every step")
    func specScenario() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (familyID, _, _, loanID) = try await api.openSpecLoan()

            let (_, schedule) = try await api.call(.get, "/api/v1/loans/\(loanID)/schedule")
            let installments = try #require(schedule["installments"] as? [[String: Any]])
            #expect(installments.count == 12)
            #expect(installments[0]["due_on"] as? String == "2025-02-15")
            #expect(installments[0]["principal"] as? String == "745595.97")
            #expect(installments[0]["interest"] as? String == "200000.00")
            #expect(installments[0]["total"] as? String == "945595.97")
            #expect(installments[0]["fees"] as? String == "0.00")

            let (repaid, repayment) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"945595.97","date":"2025-02-15"}"#)
            #expect(repaid == .created)
            let allocation = try #require(repayment["allocation"] as? [String: Any])
            #expect(allocation["principal"] as? String == "745595.97")
            #expect(allocation["interest"] as? String == "200000.00")
            #expect(allocation["fees"] as? String == "0.00")

            let (_, loan) = try await api.call(.get, "/api/v1/loans/\(loanID)?as_of=2025-04-20")
            #expect(loan["status"] as? String == "active")
            #expect(loan["days_past_due"] as? Int == 36)
            #expect(loan["outstanding_principal"] as? String == "9254404.03")

            // The case file shows the loan with the same figures (as of that date), computed by PostgreSQL.
            let (_, caseFile) = try await api.call(.get, "/api/v1/families/\(familyID)?as_of=2025-04-20")
            let projects = try #require(caseFile["projects"] as? [[String: Any]])
            let loans = try #require(projects.first?["loans"] as? [[String: Any]])
            #expect(loans.first?["days_past_due"] as? Int == 36)
            #expect(loans.first?["outstanding_principal"] as? String == "9254404.03")
            #expect((loans.first?["number"] as? String)?.hasPrefix("L-") == true)

            // The collection list.
            let (_, late) = try await api.call(.get, "/api/v1/loans?overdue=true&as_of=2025-04-20")
            let lateItems = try #require(late["items"] as? [[String: Any]])
            #expect(lateItems.count == 1)
            #expect(lateItems.first?["family_code"] as? String == "AN-0001")
            #expect(lateItems.first?["overdue"] as? String == "1891191.94")

            let (writtenOff, afterWriteOff) = try await api.call(.post, "/api/v1/loans/\(loanID)/write-off", #"{"date":"2025-06-30","reason":"the family moved away"}"#)
            #expect(writtenOff == .created)
            #expect(afterWriteOff["status"] as? String == "written_off")
            #expect(afterWriteOff["written_off_principal"] as? String == "9254404.03")
            // As of a date before the write-off the loan is still active.
            let (_, before) = try await api.call(.get, "/api/v1/loans/\(loanID)?as_of=2025-06-29")
            #expect(before["status"] as? String == "active")

            // A recovery after the write-off: debit cash, credit recovery_income (issue 16).
            let (recovered, recovery) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"100000","date":"2025-07-10"}"#)
            #expect(recovered == .created)
            #expect(recovery["kind"] as? String == "recovery")

            let balance = try await api.trialBalance()
            #expect(balance["total_debit"] as? String == balance["total_credit"] as? String)
            let accounts = try #require(balance["accounts"] as? [[String: Any]])
            func line(_ code: String) -> [String: Any]? { accounts.first { $0["account"] as? String == code } }
            #expect(line("loans_receivable")?["balance"] as? String == "0.00")
            #expect(line("interest_income")?["credit"] as? String == "200000.00")
            #expect(line("loan_loss_expense")?["balance"] as? String == "9254404.03")
            #expect(line("recovery_income")?["credit"] as? String == "100000.00")
            #expect(line("cash")?["balance"] as? String == "-8954404.03")
        }
    }

    @Test("portfolio at risk: the whole outstanding of a loan over 30 days late counts")
    func portfolioAtRisk() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, _, _, loanID) = try await api.openSpecLoan()
            try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"945595.97","date":"2025-02-15"}"#)
            // PAR as of 2025-04-20: the one active loan is 36 days late, so all of it is at risk over 30, none over 90.
            let (_, par) = try await api.call(.get, "/api/v1/loans/portfolio-at-risk?as_of=2025-04-20")
            let line = try #require((par["currencies"] as? [[String: Any]])?.first)
            let par30 = (line["par30"] as? NSNumber)?.stringValue
            let par90 = (line["par90"] as? NSNumber)?.stringValue
            #expect(par30 == "1")
            #expect(par90 == "0")
            #expect(line["at_risk_30"] as? String == "9254404.03")
            let (_, early) = try await api.call(.get, "/api/v1/loans/portfolio-at-risk?as_of=2025-03-20")
            let earlyLine = try #require((early["currencies"] as? [[String: Any]])?.first)
            let earlyPar30 = (earlyLine["par30"] as? NSNumber)?.stringValue
            #expect(earlyPar30 == "0")

        }
    }

    @Test("a loan repaid in full becomes repaid; a reversal brings it back and reallocates")
    func repaidAndReversed() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            _ = try await api.openSpecLoan(disburse: false)
            let (_, loans) = try await api.call(.get, "/api/v1/loans")
            let loanID = try #require((loans["items"] as? [[String: Any]])?.first?["id"] as? String)
            try await api.call(.post, "/api/v1/loans/\(loanID)/disbursements", #"{"date":"2025-01-15"}"#)
            let (_, schedule) = try await api.call(.get, "/api/v1/loans/\(loanID)/schedule")
            let totals = try #require(schedule["installments"] as? [[String: Any]]).compactMap { $0["total"] as? String }
            // Pay the first installment, then everything else in one go.
            let (_, first) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"\#(totals[0])","date":"2025-02-15"}"#)
            let (_, owing) = try await api.call(.get, "/api/v1/loans/\(loanID)?as_of=2025-03-01")
            let rest = try #require(owing["total_owed"] as? String)
            let (status, last) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"\#(rest)","date":"2025-03-01"}"#)
            #expect(status == .created)
            #expect(last["loan_status"] as? String == "repaid")
            // Nothing more can be paid.
            let (over, problem) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"1","date":"2025-03-02"}"#)
            #expect(over == .unprocessableContent)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:overpayment")

            // Reverse the first repayment: the second is reallocated, the loan is active again.
            let firstID = try #require(first["id"] as? String)
            let (reversed, reversal) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments/\(firstID)/reversal", #"{"date":"2025-03-05"}"#)
            #expect(reversed == .created)
            #expect(reversal["loan_status"] as? String == "active")
            let (_, loan) = try await api.call(.get, "/api/v1/loans/\(loanID)")
            #expect(loan["status"] as? String == "active")
            #expect(loan["total_owed"] as? String == totals[0])
            let balance = try await api.trialBalance()
            #expect(balance["total_debit"] as? String == balance["total_credit"] as? String)
            let accounts = try #require(balance["accounts"] as? [[String: Any]])
            let receivable = accounts.first { $0["account"] as? String == "loans_receivable" }
            #expect(receivable?["balance"] as? String == loan["outstanding_principal"] as? String)
        }
    }
}

@Suite("Partial updates (PATCH)")
struct PartialUpdateTests {
    @Test("only the fields sent change; what may not change is refused by name")
    func patch() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (familyID, projectID, programmeID, _) = try await api.openSpecLoan(disburse: false)
            let (status, family) = try await api.call(.patch, "/api/v1/families/\(familyID)", #"{"district":"Marhamat","categories":["low_income","disability"]}"#)
            #expect(status == .ok)
            #expect(family["district"] as? String == "Marhamat")
            #expect(family["region"] as? String == "Andijon")
            #expect(family["categories"] as? [String] == ["low_income", "disability"])
            let (refused, problem) = try await api.call(.patch, "/api/v1/families/\(familyID)", #"{"code":"X-1","region":""}"#)
            #expect(refused == .unprocessableContent)
            #expect(Set((problem["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []) == ["/code", "/region"])

            let (_, project) = try await api.call(.patch, "/api/v1/projects/\(projectID)", #"{"title":"Atlas tailoring","expected_monthly_costs":"1300000"}"#)
            #expect(project["title"] as? String == "Atlas tailoring")
            #expect(project["expected_monthly_costs"] as? String == "1300000.00")
            #expect(project["expected_monthly_revenue"] as? String == "3000000.00")

            let (_, programme) = try await api.call(.patch, "/api/v1/programmes/\(programmeID)", #"{"late_fee":"25000","late_fee_after_days":10,"graduation":{"income_months":6}}"#)
            #expect(programme["late_fee"] as? String == "25000.00")
            #expect(programme["donor"] as? String == "UNDP")
            let (currency, _) = try await api.call(.patch, "/api/v1/programmes/\(programmeID)", #"{"currency":"USD"}"#)
            #expect(currency == .unprocessableContent)
        }
    }
}
