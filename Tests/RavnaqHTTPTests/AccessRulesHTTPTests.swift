import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// One family's whole book, made through the API by an admin: a member with personal data, a
/// project that changed status, a loan disbursed and repaid, a grant on a programme that asks
/// for approval (tranche 1 approved, disbursed and partly spent, tranche 2 pending), a course
/// with a session the member attended, a visit with notes, a goal, a referral, a monthly report,
/// an income and an assessment — and the ids that fill in every route.
struct FamilyBook {
    let code: String
    private(set) var ids: [String: String] = [:]

    /// The family's personal data in its case file (names, PINFL, birth date, mahalla, registry
    /// reference) and in its case notes (a visit's notes, a goal's text, a referral's reason): no
    /// grant officer may ever see any of it.
    static let caseFileSecrets = ["Dilnoza", "Karimova", "12345678901233", "1988-04-02", "Navbahor", "IJT-778899"]
    static let caseNoteSecrets = ["the husband drinks", "Open a bank account", "a land dispute with the neighbours"]
    static let secrets = caseFileSecrets + caseNoteSecrets

    static func make(_ client: any TestClientProtocol, code: String, admin: String, officer: String) async throws -> FamilyBook {
        var book = FamilyBook(code: code)
        func make(_ name: String?, _ method: HTTPRequest.Method, _ path: String, _ body: String?, token: String = admin) async throws {
            let answer = try await call(client, method, book.uri(path), token: token, body: body)
            #expect(answer.status == .created || answer.status == .ok, "\(path): \(answer.text)")
            if let name { book.ids[name] = try #require(answer.object["id"] as? String, "\(path)") }
        }
        try await make("programme", .post, "/api/v1/programmes", #"""
            {"name":"Programme \#(code)","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31",
             "budget":"500000000","tranche_approval":true}
            """#)
        try await make("family", .post, "/api/v1/families", #"""
            {"code":"\#(code)","region":"Andijon","district":"Asaka","mahalla":"Navbahor","consent_on":"2025-01-10","registry_ref":"IJT-778899",
             "members":[{"full_name":"Dilnoza Karimova","sex":"female","birth_date":"1988-04-02","relation":"head","pinfl":"12345678901233"}]}
            """#)
        let file = try await call(client, .get, book.uri("/api/v1/families/{id}"), token: admin)
        book.ids["member"] = try #require((file.object["members"] as? [[String: Any]])?.first?["id"] as? String)
        try await make("project", .post, "/api/v1/projects", #"""
            {"family_id":"\#(book.ids["family"]!)","type":"sewing","title":"Home sewing workshop","expected_monthly_revenue":"3000000"}
            """#)
        try await make(nil, .post, "/api/v1/projects/{id}/status", #"{"status":"active","date":"2025-01-20"}"#)
        try await make("loan", .post, "/api/v1/loans", #"""
            {"programme_id":"\#(book.ids["programme"]!)","project_id":"\#(book.ids["project"]!)","principal":"10000000","currency":"UZS",
             "annual_rate":"24","method":"annuity","installments":12,"frequency":"monthly","planned_disbursement_on":"2025-01-15"}
            """#)
        try await make(nil, .post, "/api/v1/loans/{id}/disbursements", #"{"date":"2025-01-15"}"#)
        try await make("repayment", .post, "/api/v1/loans/{id}/repayments", #"{"amount":"945595.97","date":"2025-02-15"}"#)
        try await make("grant", .post, "/api/v1/grants", #"""
            {"programme_id":"\#(book.ids["programme"]!)","project_id":"\#(book.ids["project"]!)","currency":"UZS","total":"6000000",
             "tranches":[{"amount":"4000000","planned_on":"2025-02-01"},{"amount":"2000000","planned_on":"2025-05-01"}]}
            """#)
        try await make(nil, .post, "/api/v1/grants/{id}/tranches/1/approve", nil, token: officer)
        try await make(nil, .post, "/api/v1/grants/{id}/tranches/1/disburse", #"{"date":"2025-02-01"}"#)
        try await make(nil, .post, "/api/v1/grants/{id}/expenses", #"{"date":"2025-03-01","category":"equipment","amount":"3000000"}"#)
        try await make("course", .post, "/api/v1/courses", #"{"code":"C-\#(code)","title":"Sewing basics","skill":"sewing","hours":40}"#)
        try await make("session", .post, "/api/v1/courses/{id}/sessions",
                       #"{"date":"2025-02-01","hours":4,"trainer":"Malika Yusupova","venue":"Mahalla centre"}"#)
        try await make("enrollment", .post, "/api/v1/enrollments", #"{"course_id":"\#(book.ids["course"]!)","member_id":"\#(book.ids["member"]!)"}"#)
        try await make(nil, .put, "/api/v1/courses/{id}/sessions/{sid}/attendance", #"{"present":["\#(book.ids["member"]!)"]}"#)
        try await make(nil, .post, "/api/v1/families/{id}/visits",
                       #"{"date":"2025-02-01","kind":"home","notes":"the husband drinks","next_visit_on":"2025-03-01"}"#)
        try await make("goal", .post, "/api/v1/families/{id}/goals", #"{"text":"Open a bank account","date":"2025-02-01"}"#)
        try await make("referral", .post, "/api/v1/families/{id}/referrals", #"{"specialist":"lawyer","reason":"a land dispute with the neighbours","date":"2025-02-01"}"#)
        try await make(nil, .post, "/api/v1/projects/{id}/reports", #"{"period":"2025-03","revenue":"3200000","costs":"1100000"}"#)
        try await make(nil, .post, "/api/v1/families/{id}/income", #"{"period":"2025-03","household_size":5,"sources":{"project":"2100000"}}"#)
        let scores = Assessments.domains.map { "\"\($0)\":\($0 == "childcare" ? 0 : 2)" }.joined(separator: ",")
        try await make(nil, .post, "/api/v1/families/{id}/assessments", #"{"assessed_on":"2025-03-10","kind":"intake","scores":{\#(scores)}}"#)
        return book
    }

    /// A route's path (`/api/v1/families/{id}/goals/{gid}/status`) with this book's ids in it.
    func uri(_ path: String) -> String {
        var previous = ""
        var segments: [String] = []
        for segment in path.split(separator: "/").map(String.init) {
            defer { previous = segment }
            guard segment.hasPrefix("{") else { segments.append(segment); continue }
            let name = switch (segment, previous) {
            case ("{id}", "families"): "family"
            case ("{id}", "projects"): "project"
            case ("{id}", "loans"): "loan"
            case ("{id}", "grants"): "grant"
            case ("{id}", "courses"): "course"
            case ("{id}", "enrollments"): "enrollment"
            case ("{id}", "programmes"): "programme"
            case ("{gid}", _): "goal"
            case ("{rid}", "referrals"): "referral"
            case ("{rid}", "repayments"): "repayment"
            case ("{sid}", _): "session"
            case ("{member}", _): "member"
            default: segment
            }
            segments.append(ids[name] ?? ["{n}": "2", "{period}": "2025-03", "{name}": "portfolio"][segment] ?? segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Every id of the book, for looking for them in answers.
    var allIDs: [String] { Array(ids.values) }
}

/// Every route of the router as (method, path with `{parameters}`), the public ones left out.
func apiRoutes(_ database: Database) -> [(method: HTTPRequest.Method, path: String)] {
    buildRouter(services: Services(database: database)).routes
        .map { ($0.method, "/" + $0.path.description.split(separator: "/").joined(separator: "/")) }
        .filter { $0.1.hasPrefix("/api/v1/") && $0.1 != "/api/v1/openapi.json" }
        .sorted { ($0.1, $0.0.rawValue) < ($1.1, $1.0.rawValue) }
}

/// The routes that name one family's row: the family itself, or its project, loan, grant or
/// enrollment.
func isFamilyScoped(_ path: String) -> Bool {
    ["/api/v1/families/{id}", "/api/v1/projects/{id}", "/api/v1/loans/{id}", "/api/v1/grants/{id}", "/api/v1/enrollments/{id}"]
        .contains { path == $0 || path.hasPrefix($0 + "/") }
}

@Suite("Access rules through the API (SPEC §1): organizations, mentors' families, grant officers")
struct AccessRulesHTTPTests {
    @Test("a grant officer gets 403 with the reason on every write route but a tranche's approval, and nothing is written")
    func grantOfficerWrites() async throws {
        let app = try await TestApp.make()
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        try await app.test { client in
            let book = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            let audited = try await app.database.pool.withConnection { try $0.query("SELECT count(*) FROM audit_log").first!.decode(0, as: Int.self) }
            for (method, path) in apiRoutes(app.database) where method != .get && !path.hasSuffix("/approve") {
                let answer = try await call(client, method, book.uri(path), token: officer, body: "{}")
                #expect(answer.status == .forbidden, "\(method) \(path): \(answer.text)")
                #expect(answer.problemType == "urn:ravnaq:problem:forbidden", "\(method) \(path)")
                #expect((answer.object["detail"] as? String)?.isEmpty == false, "\(method) \(path)")
            }
            #expect(try await app.database.pool.withConnection { try $0.query("SELECT count(*) FROM audit_log").first!.decode(0, as: Int.self) }
                    == audited)
            let approved = try await call(client, .post, book.uri("/api/v1/grants/{id}/tranches/2/approve"), token: officer)
            #expect(approved.status == .ok)
            #expect((approved.object["tranches"] as? [[String: Any]])?.last?["approved_by"] as? String == "officer@undp.example")
        }
    }

    @Test("no personal field reaches a grant officer by any read route or search, and no read trips over a column they may not read")
    func grantOfficerReads() async throws {
        let app = try await TestApp.make()
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        try await app.test { client in
            let book = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            // The admin sees the family's personal data, so the test below is not empty.
            let file = try await call(client, .get, book.uri("/api/v1/families/{id}"), token: admin)
            #expect(FamilyBook.caseFileSecrets.filter { !file.text.contains($0) }.isEmpty)
            for (path, secret) in [("visits", "the husband drinks"), ("goals", "Open a bank account"), ("referrals", "a land dispute with the neighbours")] {
                #expect(try await call(client, .get, book.uri("/api/v1/families/{id}/\(path)"), token: admin).text.contains(secret), "\(path)")
            }
            var refused: [String] = []
            for (method, path) in apiRoutes(app.database) where method == .get {
                let answer = try await call(client, .get, book.uri(path), token: officer)
                #expect(answer.status == .ok || answer.status == .forbidden, "\(path): \(answer.text)")
                #expect(!answer.text.contains("permission denied"), "\(path): \(answer.text)")
                for secret in FamilyBook.secrets { #expect(!answer.text.contains(secret), "\(path) shows \(secret)") }
                if answer.status == .forbidden { refused.append(path) }
            }
            // Every read but the ones the role may not make at all.
            #expect(refused == ["/api/v1/alerts", "/api/v1/approvals", "/api/v1/audit", "/api/v1/exports/{kind}", "/api/v1/users", "/api/v1/visits/due"])
            for query in ["Dilnoza", "karimova", "AN-0001"] {
                let found = try await call(client, .get, "/api/v1/families?q=\(query)", token: officer)
                #expect((found.object["items"] as? [[String: Any]])?.count == (query == "AN-0001" ? 1 : 0), "\(query)")
            }
        }
    }

    @Test("a mentor gets 404 for a family not assigned to them on every family-scoped route their own family answers, and filters find nothing of it")
    func mentorOtherFamily() async throws {
        let app = try await TestApp.make()
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        let mentor = try await app.token(for: "aziza@example.org", role: .mentor)
        try await app.test { client in
            let mine = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            let other = try await FamilyBook.make(client, code: "AN-0002", admin: admin, officer: officer)
            let assigned = try await call(client, .put, mine.uri("/api/v1/families/{id}/mentor"), token: admin,
                                          body: #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            #expect(assigned.status == .ok)
            var compared = 0
            for (method, path) in apiRoutes(app.database) where isFamilyScoped(path) {
                let own = try await call(client, method, mine.uri(path), token: mentor, body: method == .get ? nil : "{}")
                let foreign = try await call(client, method, other.uri(path), token: mentor, body: method == .get ? nil : "{}")
                if own.status == .forbidden {
                    // A route the mentor's role never may use: the same 403 with the reason for both.
                    #expect(foreign.status == .forbidden && foreign.object["detail"] as? String == own.object["detail"] as? String,
                            "\(method) \(path): \(foreign.text)")
                } else {
                    #expect(own.status != .notFound, "\(method) \(path): \(own.text)")
                    #expect(foreign.status == .notFound, "\(method) \(path): \(foreign.text)")
                    #expect(foreign.problemType == "urn:ravnaq:problem:not-found", "\(method) \(path)")
                    compared += 1
                }
            }
            #expect(compared > 20)
            for path in ["/api/v1/projects?family_id=\(other.ids["family"]!)", "/api/v1/loans?project_id=\(other.ids["project"]!)",
                         "/api/v1/grants?project_id=\(other.ids["project"]!)", "/api/v1/families?q=AN-0002",
                         "/api/v1/courses/\(other.ids["course"]!)/enrollments", "/api/v1/courses/\(mine.ids["course"]!)/enrollments"] {
                let answer = try await call(client, .get, path, token: mentor)
                #expect(answer.status == .ok, "\(path)")
                #expect((answer.object["items"] as? [[String: Any]])?.isEmpty == !path.hasSuffix("\(mine.ids["course"]!)/enrollments"), "\(path)")
                for id in other.allIDs where !path.contains(id) { #expect(!answer.text.contains(id), "\(path)") }
            }
            // The lists across families hold the mentor's family only.
            for path in ["/api/v1/families", "/api/v1/projects", "/api/v1/loans", "/api/v1/loans?overdue=true", "/api/v1/grants"] {
                let answer = try await call(client, .get, path, token: mentor)
                for id in other.allIDs { #expect(!answer.text.contains(id), "\(path)") }
            }
        }
    }

    @Test("organization A's token sees none of B's rows by any route or filter, and acts on none of them")
    func otherOrganization() async throws {
        let app = try await TestApp.make()
        let other = try await Organizations(database: app.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let users = Users(database: app.database)
        let (_, otherAdmin) = try await users.add(email: "admin@fg.example", role: .admin, organizationID: other.id, actorName: "cli:test")
        let (_, otherOfficer) = try await users.add(email: "officer@fg.example", role: .grantOfficer, organizationID: other.id, actorName: "cli:test")
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        try await app.test { client in
            _ = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            let balance = try await call(client, .get, "/api/v1/ledger/trial-balance", token: admin).text
            let theirs = try await FamilyBook.make(client, code: "FG-0001", admin: otherAdmin, officer: otherOfficer)
            #expect(try await call(client, .get, "/api/v1/ledger/trial-balance", token: admin).text == balance)
            let audited = try await app.database.pool.withConnection {
                try $0.query("SELECT count(*) FROM audit_log WHERE organization_id = $1", [other.id]).first!.decode(0, as: Int.self)
            }
            for (method, path) in apiRoutes(app.database) {
                let uri = theirs.uri(path)
                let answer = try await call(client, method, uri, token: admin, body: method == .get ? nil : "{}")
                // (A 404 names the id it was asked for; any other of B's ids in an answer would be a leak.)
                for id in theirs.allIDs + ["FG-0001"] where !uri.contains(id) {
                    #expect(!answer.text.contains(id), "\(method) \(path) shows \(id)")
                }
                if path.contains(":") && !path.hasSuffix(":name") && !path.hasPrefix("/api/v1/periods/") {
                    // A route naming one of B's rows: not found (or the body refused before anything was looked up).
                    #expect(answer.status == .notFound || answer.status == .unprocessableContent, "\(method) \(path): \(answer.text)")
                }
            }
            #expect(try await app.database.pool.withConnection {
                try $0.query("SELECT count(*) FROM audit_log WHERE organization_id = $1", [other.id]).first!.decode(0, as: Int.self)
            } == audited)
            for path in ["/api/v1/families?q=FG", "/api/v1/families?q=Dilnoza", "/api/v1/projects?family_id=\(theirs.ids["family"]!)",
                         "/api/v1/loans?project_id=\(theirs.ids["project"]!)", "/api/v1/grants?project_id=\(theirs.ids["project"]!)",
                         "/api/v1/audit?entity=families&entity_id=\(theirs.ids["family"]!)"] {
                let answer = try await call(client, .get, path, token: admin)
                #expect(answer.status == .ok, "\(path)")
                for id in theirs.allIDs where !path.contains(id) { #expect(!answer.text.contains(id), "\(path)") }
            }
            let project = try await call(client, .post, "/api/v1/projects", token: admin,
                                         body: #"{"family_id":"\#(theirs.ids["family"]!)","type":"sewing","title":"x"}"#)
            #expect(project.status == .unprocessableContent)
            #expect(project.pointers == ["/family_id"])
        }
    }
}
