import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// What schemathesis found against the running server (scripts/contract), kept as tests: each
/// was a 500 or an answer the document did not allow.
@Suite("Contract findings over HTTP")
struct ContractFindingsHTTPTests {
    @Test("a date outside 1900–2999 is invalid input, not a fault: year 0000 is not in PostgreSQL's calendar, and a month before 0001-01-01 neither")
    func yearZero() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            let (_, _) = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0001","region":"Andijon","district":"Asaka","consent_on":"2025-01-10"}"#)
            for uri in ["/api/v1/families/AN-0001?as_of=0000-01-01", "/api/v1/ledger/trial-balance?as_of=0000-01-01",
                        "/api/v1/reports/portfolio?as_of=0000-01-01", "/api/v1/families/AN-0001/graduation?as_of=0001-01-01",
                        "/api/v1/families/AN-0001?as_of=3000-01-01"] {
                let (status, problem) = try await api.call(.get, uri)
                #expect(status == .unprocessableContent, "\(uri)")
                #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/as_of", "\(uri)")
            }
            let (visit, _) = try await api.call(.post, "/api/v1/families/AN-0001/visits",
                                                #"{"date":"0000-01-01","kind":"home","next_visit_on":"0000-02-01"}"#)
            #expect(visit == .unprocessableContent)
            let (income, _) = try await api.call(.post, "/api/v1/families/AN-0001/income",
                                                 #"{"period":"0000-01","household_size":1,"sources":{}}"#)
            #expect(income == .unprocessableContent)
        }
    }

    @Test("PATCH of a family without consent refuses a mahalla as a create does (it was a 500 from the consent constraint)")
    func mahallaNeedsConsent() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            _ = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Andijon","district":"Asaka"}"#)
            let (refused, problem) = try await api.call(.patch, "/api/v1/families/AN-0002", #"{"mahalla":"Navbahor"}"#)
            #expect(refused == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/mahalla")
            let (given, family) = try await api.call(.patch, "/api/v1/families/AN-0002", #"{"mahalla":"Navbahor","consent_on":"2025-01-10"}"#)
            #expect(given == .ok)
            #expect(family["mahalla"] as? String == "Navbahor")
        }
    }

    @Test("graduation reads a month of income before the first poverty line (it was a 500 decoding the missing line)")
    func graduationWithoutALine() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            _ = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0003","region":"Andijon","district":"Asaka","consent_on":"2025-01-10"}"#)
            let (recorded, income) = try await api.call(.post, "/api/v1/families/AN-0003/income", #"{"period":"1990-01","household_size":1,"sources":{"wages":"100"}}"#)
            #expect(recorded == .created)
            #expect(income["poverty_line"] is NSNull)
            let (status, evaluation) = try await api.call(.get, "/api/v1/families/AN-0003/graduation")
            #expect(status == .ok)
            let criteria = try #require(evaluation["criteria"] as? [[String: Any]])
            #expect((criteria.first { $0["name"] as? String == "income_above_line" }?["detail"] as? String)?.contains("1990-01: 100.00 per person, no poverty line for 1990-01") == true)
        }
    }

    @Test("a monthly report's count past PostgreSQL's integer is invalid input, not a fault")
    func reportCounts() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            let (_, family) = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0004","region":"Andijon","district":"Asaka","consent_on":"2025-01-10"}"#)
            let familyID = try #require(family["id"] as? String)
            let (_, project) = try await api.call(.post, "/api/v1/projects", #"{"family_id":"\#(familyID)","type":"sewing","title":"Home sewing"}"#)
            let projectID = try #require(project["id"] as? String)
            let (status, problem) = try await api.call(.post, "/api/v1/projects/\(projectID)/reports",
                                                       #"{"period":"2025-03","revenue":"1000","costs":"0","hired_workers":57885576953}"#)
            #expect(status == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/hired_workers")
        }
    }

    @Test("the loan list refuses a bad as_of with or without overdue=true")
    func loanListAsOf() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            for uri in ["/api/v1/loans?as_of=null", "/api/v1/loans?overdue=true&as_of=null"] {
                let (status, _) = try await api.call(.get, uri)
                #expect(status == .unprocessableContent, "\(uri)")
            }
            let (fine, _) = try await api.call(.get, "/api/v1/loans?as_of=2025-01-01")
            #expect(fine == .ok)
        }
    }
}

@Suite("Contract findings over HTTP: the books' limit")
struct BooksLimitHTTPTests {
    @Test("donor funds that would take the cash received past numeric(18,2) are a 422, not a 500 from the sum")
    func fundsPastTheLimit() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let api = API(client: client, token: app.adminToken)
            let (_, programme) = try await api.call(.post, "/api/v1/programmes", #"{"name":"Family Business 2025","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}"#)
            let id = try #require(programme["id"] as? String)
            let (first, _) = try await api.call(.post, "/api/v1/programmes/\(id)/funds", #"{"date":"2025-01-02","amount":"9000000000000000"}"#)
            #expect(first == .created)
            let (second, problem) = try await api.call(.post, "/api/v1/programmes/\(id)/funds", #"{"date":"2025-01-03","amount":"1000000000000000"}"#)
            #expect(second == .unprocessableContent)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:books-limit")
            let (balance, _) = try await api.call(.get, "/api/v1/ledger/trial-balance")
            #expect(balance == .ok)
        }
    }
}
