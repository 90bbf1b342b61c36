import Foundation
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

@Suite("GET /api/v1/reports/{name} (SPEC §8)")
struct ReportsHTTPTests {
    @Test("the portfolio by region, 404 for an unknown report, 422 naming /by, 403 for a mentor")
    func reports() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let mentorToken = try await app.token(for: "nodira@example.org", role: .mentor)
        try await app.test { client in
            let api = API(client: client, token: token)
            // The SPEC loan of 10 000 000 disbursed on 2025-01-15, nothing repaid: as of
            // 2025-02-10 nothing is due yet.
            _ = try await api.openSpecLoan()
            let (status, answer) = try await api.call(.get, "/api/v1/reports/portfolio?as_of=2025-02-10&by=region,programme")
            #expect(status == .ok)
            #expect(answer["by"] as? [String] == ["region", "programme"])
            let rows = try #require(answer["rows"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["region"] as? String == "Andijon")
            #expect(rows.first?["programme"] as? String == "Family Business 2025")
            #expect(rows.first?["currency"] as? String == "UZS")
            #expect((answer["totals"] as? [[String: Any]])?.map { $0["currency"] as? String } == ["UZS"])
            #expect(rows.first?["outstanding_principal"] as? String == "10000000.00")
            #expect(rows.first?["on_time_rate"] is NSNull)
            let total = try #require(answer["total"] as? [String: Any])
            #expect((total["loans_active"] as? NSNumber)?.intValue == 1)
            #expect((total["par30"] as? NSNumber)?.doubleValue == 0)
            #expect(total["currency"] as? String == "UZS")

            let (unknown, problem) = try await api.call(.get, "/api/v1/reports/loans")
            #expect(unknown == .notFound)
            #expect(problem["title"] != nil)
            let (invalid, errors) = try await api.call(.get, "/api/v1/reports/grants?by=course&as_of=2025-13-01")
            #expect(invalid == .unprocessableContent)
            #expect(((errors["errors"] as? [[String: Any]]) ?? []).compactMap { $0["pointer"] as? String } == ["/as_of", "/by"])
            for name in ["grants", "outcomes", "training"] {
                #expect(try await api.call(.get, "/api/v1/reports/\(name)?by=mentor").0 == .ok)
            }
            #expect(try await API(client: client, token: mentorToken).call(.get, "/api/v1/reports/portfolio").0 == .forbidden)
        }
    }
}
