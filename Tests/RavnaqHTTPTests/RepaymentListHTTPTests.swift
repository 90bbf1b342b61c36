import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Issue 20, items 2 and 4: a loan's repayments listed (and named on the loan's page), and the
/// family list naming the head to those who may see names.
@Suite("A loan's repayments and the family list's head (issue 20)")
struct RepaymentListHTTPTests {
    @Test("GET /loans/{id}/repayments: date order, allocation, a reversed one with reversed_on; limit=1 walks them all; the loan's page counts them and shows the latest")
    func listsRepayments() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, _, _, loanID) = try await api.openSpecLoan()

            // Before any repayment: an empty list and nothing on the loan's page.
            let (_, empty) = try await api.call(.get, "/api/v1/loans/\(loanID)/repayments")
            #expect((empty["items"] as? [Any])?.isEmpty == true)
            #expect(empty["next_cursor"] is NSNull)
            let (_, fresh) = try await api.call(.get, "/api/v1/loans/\(loanID)")
            #expect(fresh["repayments_count"] as? Int == 0)
            #expect(fresh["latest_repayment"] is NSNull, "\(fresh)")

            var ids: [String] = []
            for (amount, date) in [("945595.97", "2025-02-15"), ("945595.97", "2025-03-15"), ("500000", "2025-04-15")] {
                let (status, repayment) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"\#(amount)","date":"\#(date)"}"#)
                #expect(status == .created, "\(repayment)")
                ids.append(try #require(repayment["id"] as? String))
            }
            let (reversed, _) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments/\(ids[1])/reversal", #"{"date":"2025-04-20"}"#)
            #expect(reversed == .created)

            let (status, list) = try await api.call(.get, "/api/v1/loans/\(loanID)/repayments")
            #expect(status == .ok, "\(list)")
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(list["next_cursor"] is NSNull)
            #expect(items.map { $0["id"] as? String } == ids)
            #expect(items.map { $0["date"] as? String } == ["2025-02-15", "2025-03-15", "2025-04-15"])
            #expect(items.map { $0["kind"] as? String } == ["repayment", "repayment", "repayment"])
            #expect(items.map { $0["amount"] as? String } == ["945595.97", "945595.97", "500000.00"])
            #expect(items.allSatisfy { $0["currency"] as? String == "UZS" })
            let first = try #require(items[0]["allocation"] as? [String: Any])
            #expect(first["principal"] as? String == "745595.97")
            #expect(first["interest"] as? String == "200000.00")
            #expect(first["fees"] as? String == "0.00")
            // The reversed one says when; the others carry reversed_on as null, not missing.
            #expect(items[1]["reversed_on"] as? String == "2025-04-20")
            #expect(items[0]["reversed_on"] is NSNull)
            #expect(items[2]["reversed_on"] is NSNull)
            // After the reversal the third pays the second installment: its current allocation.
            let third = try #require(items[2]["allocation"] as? [String: Any])
            #expect(third["interest"] as? String == "185088.08")
            #expect(third["principal"] as? String == "314911.92")

            // By the loan's number too.
            let (_, loan) = try await api.call(.get, "/api/v1/loans/\(loanID)")
            let number = try #require(loan["number"] as? String)
            let (byNumber, numbered) = try await api.call(.get, "/api/v1/loans/\(number)/repayments")
            #expect(byNumber == .ok)
            #expect((numbered["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ids)

            // Page by page: each once, in order, the last page's cursor null.
            var walked: [String] = []
            var next: String? = nil
            repeat {
                let page = try await ListPagingHTTPTests.page(api, "/api/v1/loans/\(loanID)/repayments?limit=1" + (next.map { "&cursor=\($0)" } ?? ""))
                #expect(page.items.count == 1)
                walked += page.items.compactMap { $0["id"] as? String }
                next = page.next
            } while next != nil && walked.count <= ids.count
            #expect(walked == ids)

            // The loan's page leads to them: how many, and the latest in the list's order.
            #expect(loan["repayments_count"] as? Int == 3)
            let latest = try #require(loan["latest_repayment"] as? [String: Any], "\(loan)")
            #expect(latest["id"] as? String == ids[2])
            #expect(latest["date"] as? String == "2025-04-15")
            #expect(latest["reversed_on"] is NSNull)
            #expect((latest["allocation"] as? [String: Any])?["principal"] as? String == "314911.92")
        }
    }

    @Test("the repayment list refuses a bad limit or cursor (400), another loan's cursor, and hides another organization's loan and a family not the mentor's (404)")
    func refusals() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let mentor = try await app.token(for: "aziza@example.org", role: .mentor)
        let other = try await Organizations(database: app.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let (_, otherAdmin) = try await Users(database: app.database).add(
            email: "admin@fg.example", role: .admin, organizationID: other.id, actorName: "cli:test")
        try await app.test { client in
            let api = API(client: client, token: admin)
            let (_, project, programme, loanID) = try await api.openSpecLoan()
            for date in ["2025-02-15", "2025-03-15"] {
                let (status, _) = try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"945595.97","date":"\#(date)"}"#)
                #expect(status == .created)
            }
            let path = "/api/v1/loans/\(loanID)/repayments"
            for limit in ["0", "501", "abc"] {
                let (status, pointers) = try await ListPagingHTTPTests.problem(api, path + "?limit=\(limit)")
                #expect(status == .badRequest && pointers == ["/limit"], "limit=\(limit)")
            }
            let (garbage, garbagePointers) = try await ListPagingHTTPTests.problem(api, path + "?cursor=garbage")
            #expect(garbage == .badRequest && garbagePointers == ["/cursor"])

            // Another loan's cursor (of the same list) opens nothing here.
            let (_, second) = try await api.call(.post, "/api/v1/loans", #"{"programme_id":"\#(programme)","project_id":"\#(project)","principal":"1200000","currency":"UZS","annual_rate":"24","method":"annuity","installments":12,"frequency":"monthly","planned_disbursement_on":"2025-01-15"}"#)
            let secondID = try #require(second["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/loans/\(secondID)/disbursements", #"{"date":"2025-01-15"}"#).0 == .created)
            for date in ["2025-02-15", "2025-03-15"] {
                #expect(try await api.call(.post, "/api/v1/loans/\(secondID)/repayments", #"{"amount":"10000","date":"\#(date)"}"#).0 == .created)
            }
            let secondPage = try await ListPagingHTTPTests.page(api, "/api/v1/loans/\(secondID)/repayments?limit=1")
            let (foreign, foreignPointers) = try await ListPagingHTTPTests.problem(api, path + "?limit=1&cursor=\(try #require(secondPage.next))")
            #expect(foreign == .badRequest && foreignPointers == ["/cursor"])

            // Another organization's admin: no such loan.
            let (theirs, _) = try await API(client: client, token: otherAdmin).call(.get, path)
            #expect(theirs == .notFound)

            // A mentor of another family only: no such loan.
            let (_, family2) = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Andijon","district":"Asaka"}"#)
            let family2ID = try #require(family2["id"] as? String)
            #expect(try await api.call(.put, "/api/v1/families/\(family2ID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-10"}"#).0 == .ok)
            let mentorAPI = API(client: client, token: mentor)
            #expect(try await mentorAPI.call(.get, path).0 == .notFound)
            #expect(try await mentorAPI.call(.get, "/api/v1/loans/\(loanID)").0 == .notFound)
        }
    }

    @Test("GET /families names the head for a coordinator and a mentor (null without one), never for a grant officer; the search by name still works")
    func familyListHead() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let coordinator = try await app.token(for: "malika@example.org", role: .coordinator)
        let mentor = try await app.token(for: "aziza@example.org", role: .mentor)
        let officer = try await app.token(for: "officer@undp.example", role: .grantOfficer)
        try await app.test { client in
            let api = API(client: client, token: admin)
            let (created, family) = try await api.call(.post, "/api/v1/families", #"""
                {"code":"AN-0001","region":"Andijon","district":"Asaka","consent_on":"2025-01-10","members":[
                  {"full_name":"Aziz Karimov","sex":"male","birth_date":"2010-09-01","relation":"son"},
                  {"full_name":"G‘ulnora Karimova","sex":"female","birth_date":"1988-04-02","relation":"head"}]}
                """#)
            #expect(created == .created, "\(family)")
            let familyID = try #require(family["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Andijon","district":"Asaka"}"#).0 == .created)
            #expect(try await api.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-10"}"#).0 == .ok)

            /// Each family's head by code: its name, or "null" when the answer has null there.
            func heads(_ token: String, _ query: String = "") async throws -> [String: String] {
                let page = try await ListPagingHTTPTests.page(API(client: client, token: token), "/api/v1/families" + query)
                var heads: [String: String] = [:]
                for item in page.items {
                    let code = try #require(item["code"] as? String)
                    #expect(item.keys.contains("head"), "\(item)")
                    heads[code] = item["head"] is NSNull ? "null" : try #require(item["head"] as? String)
                }
                return heads
            }
            #expect(try await heads(coordinator) == ["AN-0001": "G‘ulnora Karimova", "AN-0002": "null"])
            #expect(try await heads(mentor) == ["AN-0001": "G‘ulnora Karimova"])
            #expect(try await heads(officer) == ["AN-0001": "null", "AN-0002": "null"])
            // The search by name (apostrophes folded) still finds the family, with its head.
            #expect(try await heads(coordinator, "?q=g%27ulnora") == ["AN-0001": "G‘ulnora Karimova"])
        }
    }
}
