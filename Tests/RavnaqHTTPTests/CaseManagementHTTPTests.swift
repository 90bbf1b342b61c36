import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// A test app with two mentors, a coordinator and a grant officer, and two families assigned
/// to the first mentor from 2025-01-01.
private struct CaseSetup {
    let app: TestApp
    let aziza: String
    let bobur: String
    let coordinator: String
    let officer: String

    static func make() async throws -> CaseSetup {
        let app = try await TestApp.make()
        return CaseSetup(
            app: app,
            aziza: try await app.token(for: "aziza@example.org", role: .mentor),
            bobur: try await app.token(for: "bobur@example.org", role: .mentor),
            coordinator: try await app.token(for: "malika@example.org", role: .coordinator),
            officer: try await app.token(for: "officer@undp.example", role: .grantOfficer))
    }

    /// Registers AN-0001 and AN-0002 and assigns both to Aziza; returns AN-0001's id.
    func families(_ api: API) async throws -> String {
        let (_, first) = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0001","region":"Andijon","district":"Asaka"}"#)
        try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Farg‘ona","district":"Quva"}"#)
        for code in ["AN-0001", "AN-0002"] {
            let (status, _) = try await api.call(.put, "/api/v1/families/\(code)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            #expect(status == .ok)
        }
        return try #require(first["id"] as? String)
    }

    func count(_ table: String) async throws -> Int {
        try await app.database.pool.withConnection { try $0.query("SELECT count(*) FROM \(table)").first!.decode(0, as: Int.self) }
    }
}

@Suite("Case management through the API (SPEC §7, §9)")
struct CaseManagementHTTPTests {
    @Test("visits by id or code, the due list at its edges, and a mentor gaining and losing families with PUT …/mentor")
    func visitsAndDue() async throws {
        let setup = try await CaseSetup.make()
        let (token, aziza, bobur) = (setup.app.adminToken, setup.aziza, setup.bobur)
        try await setup.app.test { client in
            let admin = API(client: client, token: token)
            let (azizaAPI, boburAPI) = (API(client: client, token: aziza), API(client: client, token: bobur))
            let id = try await setup.families(admin)

            let (created, visit) = try await azizaAPI.call(.post, "/api/v1/families/\(id)/visits",
                                                           #"{"date":"2025-02-01","kind":"home","notes":"fabric bought","next_visit_on":"2025-03-01"}"#)
            #expect(created == .created)
            #expect(visit["kind"] as? String == "home")
            #expect(visit["date"] as? String == "2025-02-01")
            #expect(visit["mentor"] as? String == "aziza@example.org")
            #expect(visit["family_id"] as? String == id)

            func due(_ api: API, _ query: String) async throws -> (HTTPResponse.Status, [[String: Any]]) {
                let (status, body) = try await api.call(.get, "/api/v1/visits/due?\(query)")
                return (status, body["items"] as? [[String: Any]] ?? [])
            }
            // As of the planned day the family is due (0 days), the day before it is not; AN-0002 was never visited.
            let (ok, onTheDay) = try await due(azizaAPI, "mentor=aziza@example.org&as_of=2025-03-01")
            #expect(ok == .ok)
            #expect(onTheDay.map { $0["code"] as? String } == ["AN-0002", "AN-0001"])
            #expect(onTheDay.map { $0["days_overdue"] as? Int } == [59, 0])
            #expect(onTheDay[1]["last_visit_on"] as? String == "2025-02-01")
            #expect(onTheDay[1]["next_visit_on"] as? String == "2025-03-01")
            #expect(onTheDay[0]["region"] as? String == "Farg‘ona")
            #expect(onTheDay[0]["district"] as? String == "Quva")
            #expect(onTheDay[0]["last_visit_on"] is NSNull)
            #expect(try await due(azizaAPI, "mentor=aziza@example.org&as_of=2025-02-28").1.map { $0["code"] as? String } == ["AN-0002"])

            // The family moves to Bobur on 2025-04-01.
            let (moved, _) = try await admin.call(.put, "/api/v1/families/AN-0001/mentor", #"{"mentor":"bobur@example.org","from":"2025-04-01"}"#)
            #expect(moved == .ok)
            #expect(try await due(azizaAPI, "as_of=2025-04-10").1.map { $0["code"] as? String } == ["AN-0002"])
            let (_, boburs) = try await due(boburAPI, "mentor=bobur@example.org&as_of=2025-04-10")
            #expect(boburs.map { $0["code"] as? String } == ["AN-0001"])
            #expect(boburs.first?["days_overdue"] as? Int == 9)
            // After the change the family does not exist for Aziza; Bobur reads it and records visits
            // dated within his assignment.
            #expect(try await azizaAPI.call(.get, "/api/v1/families/AN-0001/visits").0 == .notFound)
            let (refused, problem) = try await azizaAPI.call(.post, "/api/v1/families/AN-0001/visits",
                                                             #"{"date":"2025-03-05","kind":"phone","next_visit_on":"2025-05-05"}"#)
            #expect(refused == .notFound)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:not-found")
            let (early, reason) = try await boburAPI.call(.post, "/api/v1/families/AN-0001/visits",
                                                          #"{"date":"2025-03-05","kind":"phone","next_visit_on":"2025-05-05"}"#)
            #expect(early == .forbidden)
            #expect((reason["detail"] as? String)?.contains("was not assigned to you on 2025-03-05") == true)
            #expect(try await boburAPI.call(.post, "/api/v1/families/AN-0001/visits",
                                            #"{"date":"2025-04-10","kind":"office","next_visit_on":"2025-05-10"}"#).0 == .created)
            #expect(try await due(boburAPI, "as_of=2025-04-10").1.isEmpty)
            let (_, visits) = try await boburAPI.call(.get, "/api/v1/families/AN-0001/visits")
            #expect((visits["items"] as? [[String: Any]])?.map { $0["date"] as? String } == ["2025-02-01", "2025-04-10"])
            #expect(visits["next_cursor"] is NSNull)

            // A mentor asking for another mentor's list, and the grant officer asking at all: 403.
            #expect(try await due(azizaAPI, "mentor=bobur@example.org").0 == .forbidden)
            #expect(try await due(API(client: client, token: setup.officer), "mentor=bobur@example.org").0 == .forbidden)
            // A coordinator names the mentor; a bad date or an unknown mentor is a 422.
            #expect(try await due(API(client: client, token: setup.coordinator), "mentor=bobur@example.org&as_of=2025-05-10").1.count == 1)
            let (bad, badProblem) = try await admin.call(.get, "/api/v1/visits/due?mentor=nobody@example.org&as_of=2025-13-01")
            #expect(bad == .unprocessableContent)
            #expect((badProblem["errors"] as? [[String: Any]])?.map { $0["pointer"] as? String } == ["/as_of"])
            #expect(try await admin.call(.get, "/api/v1/visits/due?mentor=nobody@example.org").0 == .unprocessableContent)
            #expect(try await admin.call(.get, "/api/v1/families/AN-9999/visits").0 == .notFound)
        }
    }

    @Test("grant officers: 403 on every write, visits without notes")
    func grantOfficer() async throws {
        let setup = try await CaseSetup.make()
        let (token, officerToken) = (setup.app.adminToken, setup.officer)
        try await setup.app.test { client in
            let admin = API(client: client, token: token)
            let officer = API(client: client, token: officerToken)
            _ = try await setup.families(admin)
            try await admin.call(.post, "/api/v1/families/AN-0001/visits",
                                 #"{"date":"2025-02-01","kind":"home","notes":"the husband drinks","next_visit_on":"2025-03-01"}"#)
            try await admin.call(.post, "/api/v1/families/AN-0001/goals", #"{"text":"Open a bank account","target_on":"2025-06-30","date":"2025-02-01"}"#)

            let writes: [(String, String)] = [
                ("/api/v1/families/AN-0001/visits", #"{"date":"2025-02-02","kind":"home","next_visit_on":"2025-03-01"}"#),
                ("/api/v1/families/AN-0001/goals", #"{"text":"Savings"}"#),
                ("/api/v1/families/AN-0001/referrals", #"{"specialist":"lawyer","reason":"land"}"#),
            ]
            for (path, body) in writes {
                let (status, problem) = try await officer.call(.post, path, body)
                #expect(status == .forbidden)
                #expect(problem["type"] as? String == "urn:ravnaq:problem:forbidden")
            }
            #expect(try await setup.count("visits") == 1)

            let (status, visits) = try await officer.call(.get, "/api/v1/families/AN-0001/visits")
            #expect(status == .ok)
            let items = try #require(visits["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["notes"] == nil)
            #expect(items.first?["next_visit_on"] as? String == "2025-03-01")
            let (_, forAdmin) = try await admin.call(.get, "/api/v1/families/AN-0001/visits")
            #expect((forAdmin["items"] as? [[String: Any]])?.first?["notes"] as? String == "the husband drinks")
            let (_, goals) = try await officer.call(.get, "/api/v1/families/AN-0001/goals")
            let goalID = try #require((goals["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await officer.call(.post, "/api/v1/families/AN-0001/goals/\(goalID)/status", #"{"status":"dropped"}"#).0 == .forbidden)
        }
    }

    @Test("bad input is a 422 naming every bad field, and writes nothing; a mentor on a family not theirs gets 404")
    func badInputAndStatuses() async throws {
        let setup = try await CaseSetup.make()
        let (token, aziza, bobur) = (setup.app.adminToken, setup.aziza, setup.bobur)
        try await setup.app.test { client in
            let admin = API(client: client, token: token)
            let mentor = API(client: client, token: aziza)
            _ = try await setup.families(admin)
            func pointers(_ path: String, _ body: String) async throws -> [String] {
                let (status, problem) = try await mentor.call(.post, path, body)
                #expect(status == .unprocessableContent)
                #expect(problem["type"] as? String == "urn:ravnaq:problem:invalid-input")
                return (problem["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
            }
            #expect(try await pointers("/api/v1/families/AN-0001/visits", #"{"date":"2025-02-30","kind":"garden","next_visit_on":"2025-03-01"}"#)
                    == ["/date", "/kind"])
            #expect(try await pointers("/api/v1/families/AN-0001/visits", #"{"date":"2099-01-10","kind":"home","next_visit_on":"2099-01-01"}"#)
                    == ["/date", "/next_visit_on"])
            #expect(try await pointers("/api/v1/families/AN-0001/visits", #"{"date":"2025-03-01","kind":"online","next_visit_on":"2025-02-01"}"#)
                    == ["/next_visit_on"])
            #expect(try await pointers("/api/v1/families/AN-0001/referrals", #"{"specialist":"imam","reason":""}"#)
                    == ["/specialist", "/reason"])
            #expect(try await pointers("/api/v1/families/AN-0001/goals", #"{"target_on":"30.06.2025"}"#) == ["/text", "/target_on"])
            #expect(try await setup.count("visits") == 0)
            #expect(try await setup.count("referrals") == 0)
            #expect(try await setup.count("plan_goals") == 0)
            // A body of the wrong shape is a 400.
            #expect(try await mentor.call(.post, "/api/v1/families/AN-0001/visits", #"{"date":20250201}"#).0 == .badRequest)

            // Statuses: the chosen route is POST …/{gid}/status.
            let (created, goal) = try await mentor.call(.post, "/api/v1/families/AN-0001/goals", #"{"text":"Open a bank account","date":"2025-02-01"}"#)
            #expect(created == .created)
            let goalID = try #require(goal["id"] as? String)
            let (changed, achieved) = try await mentor.call(.post, "/api/v1/families/AN-0001/goals/\(goalID)/status", #"{"status":"achieved","date":"2025-05-20"}"#)
            #expect(changed == .ok)
            #expect(achieved["status"] as? String == "achieved")
            #expect(achieved["status_on"] as? String == "2025-05-20")
            let (again, problem) = try await mentor.call(.post, "/api/v1/families/AN-0001/goals/\(goalID)/status", #"{"status":"achieved"}"#)
            #expect(again == .unprocessableContent)
            #expect(problem["type"] as? String == "urn:ravnaq:problem:goal-status-unchanged")
            #expect(try await mentor.call(.post, "/api/v1/families/AN-0002/goals/\(goalID)/status", #"{"status":"open"}"#).0 == .notFound)

            let (referred, referral) = try await mentor.call(.post, "/api/v1/families/AN-0001/referrals",
                                                             #"{"specialist":"psychologist","reason":"the son does not sleep","date":"2025-03-01"}"#)
            #expect(referred == .created)
            let referralID = try #require(referral["id"] as? String)
            #expect(try await pointers("/api/v1/families/AN-0001/referrals/\(referralID)/status", #"{"status":"achieved","date":"2025-02-01"}"#)
                    == ["/status", "/date"])
            let (declined, body) = try await mentor.call(.post, "/api/v1/families/AN-0001/referrals/\(referralID)/status", #"{"status":"declined","date":"2025-03-02"}"#)
            #expect(declined == .ok)
            #expect(body["status"] as? String == "declined")
            let (_, referrals) = try await admin.call(.get, "/api/v1/families/AN-0001/referrals")
            #expect((referrals["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["declined"])

            // Bobur has no families: every write and read on AN-0001 is a 404, as if it did not exist.
            let other = API(client: client, token: bobur)
            #expect(try await other.call(.post, "/api/v1/families/AN-0001/visits", #"{"date":"2025-02-01","kind":"home","next_visit_on":"2025-03-01"}"#).0 == .notFound)
            #expect(try await other.call(.post, "/api/v1/families/AN-0001/goals", #"{"text":"Savings"}"#).0 == .notFound)
            #expect(try await other.call(.post, "/api/v1/families/AN-0001/referrals/\(referralID)/status", #"{"status":"open"}"#).0 == .notFound)
            #expect(try await other.call(.get, "/api/v1/families/AN-0001/referrals").0 == .notFound)
        }
    }
}
