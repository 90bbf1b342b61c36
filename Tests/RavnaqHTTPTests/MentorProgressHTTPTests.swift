import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

@Suite("A mentor's month through the API (SPEC §7)")
struct MentorProgressHTTPTests {
    @Test("a mentor records a visit, a monthly report, income and an assessment, and sees the graduation criteria change")
    func mentorMonth() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let mentorToken = try await app.token(for: "aziza@example.org", role: .mentor)
        try await app.test { client in
            let coordinator = API(client: client, token: admin)
            let (familyID, projectID, programmeID, _) = try await coordinator.openSpecLoan(disburse: false)
            try await coordinator.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            let mentor = API(client: client, token: mentorToken)

            let (visit, _) = try await mentor.call(.post, "/api/v1/families/\(familyID)/visits", #"{"date":"2025-03-10","kind":"home","notes":"machine repaired","next_visit_on":"2025-04-10"}"#)
            #expect(visit == .created)

            func graduation() async throws -> [String: Bool] {
                try await criteria().mapValues(\.met)
            }
            func criteria() async throws -> [String: (met: Bool, detail: String)] {
                let (_, body) = try await mentor.call(.get, "/api/v1/families/\(familyID)/graduation?as_of=2025-05-31")
                let criteria = try #require(body["criteria"] as? [[String: Any]])
                return Dictionary(uniqueKeysWithValues: criteria.map { ($0["name"] as! String, ($0["met"] as! Bool, $0["detail"] as! String)) })
            }
            #expect(try await graduation()["income_above_line"] == false)

            for period in ["2025-03", "2025-04", "2025-05"] {
                let (report, reportBody) = try await mentor.call(.post, "/api/v1/projects/\(projectID)/reports", #"{"period":"\#(period)","revenue":"3200000","costs":"1100000","units_sold":40,"members_working":2,"hired_workers":0}"#)
                #expect(report == .created)
                #expect(reportBody["net_income"] as? String == "2100000.00")
                let (income, incomeBody) = try await mentor.call(.post, "/api/v1/families/\(familyID)/income", #"{"period":"\#(period)","household_size":5,"sources":{"project":"2100000","wages":"0","pension":"900000","benefits":"450000","remittances":"0","other":"0"}}"#)
                #expect(income == .created)
                #expect(incomeBody["band"] as? String == "near_poor")
            }
            // 3 450 000 for five is 690 000 a head, but 600 000 without the 450 000 of benefits,
            // which count toward the line only when the programme says so.
            let after = try await criteria()
            #expect(after["income_above_line"]?.met == false)
            #expect(after["income_above_line"]?.detail.hasPrefix("2025-05: 600000.00 per person without benefits of 450000.00 vs line 669000.00 (below)") == true)
            #expect(after["project_profitable"]?.met == true)
            #expect(after["ssm_core_domains"]?.met == false)
            // Settings of the wrong type are a 422 naming each; then the programme counts benefits.
            let (refused, refusal) = try await coordinator.call(.patch, "/api/v1/programmes/\(programmeID)",
                                                                #"{"graduation":{"count_benefits":"yes","min_ssm":2.5,"courses":1}}"#)
            #expect(refused == .unprocessableContent)
            #expect((refusal["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } == ["/graduation/count_benefits", "/graduation/min_ssm"])
            let (changed, _) = try await coordinator.call(.patch, "/api/v1/programmes/\(programmeID)", #"{"graduation":{"count_benefits":true}}"#)
            #expect(changed == .ok)
            #expect(try await graduation()["income_above_line"] == true)

            let scores = Assessments.domains.map { "\"\($0)\":\($0 == "childcare" ? 0 : 3)" }.joined(separator: ",")
            let (assessed, _) = try await mentor.call(.post, "/api/v1/families/\(familyID)/assessments", #"{"assessed_on":"2025-05-20","kind":"intake","scores":{\#(scores)}}"#)
            #expect(assessed == .created)
            #expect(try await graduation()["ssm_core_domains"] == true)

            // A second report for a month is a 409; a month not begun a 422; the grant officer reads but never writes.
            let (duplicate, problem) = try await mentor.call(.post, "/api/v1/projects/\(projectID)/reports", #"{"period":"2025-03","revenue":"1","costs":"1"}"#)
            #expect(duplicate == .conflict)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:duplicate-month")
            let (future, _) = try await mentor.call(.post, "/api/v1/families/\(familyID)/income", #"{"period":"2999-01","household_size":5,"sources":{"project":"1"}}"#)
            #expect(future == .unprocessableContent)
        }
        let officerToken = try await app.token(for: "officer@example.org", role: .grantOfficer)
        try await app.test { client in
            let officer = API(client: client, token: officerToken)
            let (_, families) = try await officer.call(.get, "/api/v1/families")
            let familyID = try #require((families["items"] as? [[String: Any]])?.first?["id"] as? String)
            let (read, _) = try await officer.call(.get, "/api/v1/families/\(familyID)/income")
            #expect(read == .ok)
            let (write, problem) = try await officer.call(.post, "/api/v1/families/\(familyID)/income", #"{"period":"2025-06","household_size":5,"sources":{"project":"1"}}"#)
            #expect(write == .forbidden)
            #expect((problem["detail"] as? String)?.contains("grant officers") == true)
        }
    }
}

@Suite("A mentor's view: only the families assigned to them")
struct MentorScopeHTTPTests {
    @Test("a mentor lists and reads only assigned families and their loans, and gains and loses them with assignments")
    func scope() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let mentorToken = try await app.token(for: "aziza@example.org", role: .mentor)
        _ = try await app.token(for: "bobur@example.org", role: .mentor)
        try await app.test { client in
            let coordinator = API(client: client, token: admin)
            let (familyID, projectID, _, loanID) = try await coordinator.openSpecLoan()
            let (_, other) = try await coordinator.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Andijon","district":"Asaka"}"#)
            let otherID = try #require(other["id"] as? String)
            let mentor = API(client: client, token: mentorToken)

            func visibleCodes() async throws -> [String] {
                let (_, list) = try await mentor.call(.get, "/api/v1/families")
                return (list["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
            }
            #expect(try await visibleCodes() == [])
            #expect(try await mentor.call(.get, "/api/v1/families/\(familyID)").0 == .notFound)
            #expect(try await mentor.call(.get, "/api/v1/loans/\(loanID)").0 == .notFound)

            try await coordinator.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            #expect(try await visibleCodes() == ["AN-0001"])
            #expect(try await mentor.call(.get, "/api/v1/families/\(familyID)").0 == .ok)
            #expect(try await mentor.call(.get, "/api/v1/projects/\(projectID)").0 == .ok)
            #expect(try await mentor.call(.get, "/api/v1/loans/\(loanID)/schedule").0 == .ok)
            #expect(try await mentor.call(.get, "/api/v1/families/\(otherID)").0 == .notFound)
            let (_, loans) = try await mentor.call(.get, "/api/v1/loans")
            #expect((loans["items"] as? [[String: Any]])?.count == 1)

            // Reassigned to another mentor today: the family is gone from this mentor's view.
            let today = try await app.database.transaction { try $0.query("SELECT (now() AT TIME ZONE 'Asia/Tashkent')::date::text").first!.decode(0, as: String.self) }
            try await coordinator.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"bobur@example.org","from":"\#(today)"}"#)
            #expect(try await visibleCodes() == [])
            #expect(try await mentor.call(.get, "/api/v1/loans/\(loanID)").0 == .notFound)
        }
    }
}
