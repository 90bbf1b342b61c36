import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// A test app with a programme and a family's project, and tokens for each role.
struct GrantsHTTPSetup {
    let app: TestApp
    let programmeID: String
    let projectID: String
    let coordinator: String
    let officer: String

    static func make(trancheApproval: Bool = false) async throws -> GrantsHTTPSetup {
        let app = try await TestApp.make()
        let admin = Actor(userID: nil, organizationID: app.organization.id, role: .admin, name: "admin@example.org")
        let programme = try await Programmes(database: app.database).create(
            ProgrammeInput(name: "Family Business 2025", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01",
                           ends_on: "2026-12-31", budget: "500000000", tranche_approval: trancheApproval),
            as: admin)
        let organizationID = app.organization.id
        let project: UUID = try await app.database.pool.withConnection { connection in
            let family: UUID = try connection.query(
                "INSERT INTO families (organization_id, code, region, district) VALUES ($1, 'AN-0001', 'Andijon', 'Asaka') RETURNING id",
                [organizationID]
            ).first!.decode(0)
            return try connection.query(
                "INSERT INTO projects (organization_id, family_id, type, title) VALUES ($1, $2, 'sewing', 'Home sewing workshop') RETURNING id",
                [organizationID, family]
            ).first!.decode(0)
        }
        return GrantsHTTPSetup(
            app: app, programmeID: programme.id, projectID: project.idString,
            coordinator: try await app.token(for: "malika@example.org", role: .coordinator),
            officer: try await app.token(for: "officer@undp.example", role: .grantOfficer))
    }

    var specGrantBody: String {
        """
        {"programme_id":"\(programmeID)","project_id":"\(projectID)","currency":"UZS","total":"6000000",
         "tranches":[{"amount":"4000000","planned_on":"2025-02-01","condition":"none"},
                     {"amount":2000000,"planned_on":"2025-05-01","condition":"previous_tranche_accounted"}]}
        """
    }

    func count(_ sql: String) async throws -> Int {
        try await app.database.pool.withConnection { try $0.query(sql).first!.decode(0, as: Int.self) }
    }
}

/// One call: its status, its body as text and as a JSON object.
struct Answer {
    let status: HTTPResponse.Status
    let text: String
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
    var problemType: String? { object["type"] as? String }
    var pointers: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String } }
}

func call(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String, body: String? = nil,
    key: String? = nil
) async throws -> Answer {
    var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
    if let key { headers[.init("Idempotency-Key")!] = key }
    let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    return Answer(status: response.status, text: String(buffer: response.body))
}

@Suite("Grants over HTTP")
struct GrantsHTTPTests {
    @Test("the SPEC §9 grant end to end: 201s, utilization 0.75 as a number, 422 condition-not-met, balanced books")
    func specExample() async throws {
        let setup = try await GrantsHTTPSetup.make()
        let coordinator = setup.coordinator
        let admin = setup.app.adminToken
        let projectID = setup.projectID
        let body = setup.specGrantBody
        try await setup.app.test { client in
            let created = try await call(client, .post, "/api/v1/grants", token: coordinator, body: body)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            let number = try #require(created.object["number"] as? String)
            #expect(created.text.contains(#""utilization":null"#))
            #expect(created.object["total"] as? String == "6000000.00")

            let first = try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/disburse", token: coordinator, body: #"{"date":"2025-02-01"}"#)
            #expect(first.status == .created)
            #expect(first.object["disbursed"] as? String == "4000000.00")
            let expense = try await call(client, .post, "/api/v1/grants/\(number)/expenses", token: coordinator,
                                         body: #"{"date":"2025-03-01","category":"equipment","amount":"3000000","receipt":"R-17"}"#)
            #expect(expense.status == .created)
            #expect(expense.object["amount"] as? String == "3000000.00")
            #expect(expense.object["receipt"] as? String == "R-17")
            #expect(expense.object["grant_id"] as? String == id)

            let shown = try await call(client, .get, "/api/v1/grants/\(id)", token: coordinator)
            #expect(shown.status == .ok)
            #expect(shown.text.contains(#""utilization":0.75"#))
            #expect(shown.object["expenses"] as? String == "3000000.00")
            let tranches = try #require(shown.object["tranches"] as? [[String: Any]])
            #expect(tranches.map { $0["status"] as? String } == ["disbursed", "pending"])
            #expect(tranches[1]["disbursed_on"] is NSNull)

            let refused = try await call(client, .post, "/api/v1/grants/\(id)/tranches/2/disburse", token: coordinator, body: #"{"date":"2025-05-01"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemType == "urn:ravnaq:problem:condition-not-met")
            let more = try await call(client, .post, "/api/v1/grants/\(id)/expenses", token: coordinator,
                                      body: #"{"date":"2025-04-01","category":"materials","amount":200000}"#)
            #expect(more.status == .created)
            #expect(more.text.contains(#""receipt":null"#))
            let second = try await call(client, .post, "/api/v1/grants/\(id)/tranches/2/disburse", token: coordinator, body: #"{"date":"2025-05-01"}"#)
            #expect(second.status == .created)

            let listed = try await call(client, .get, "/api/v1/grants?project_id=\(projectID)", token: coordinator)
            #expect(listed.status == .ok)
            #expect(listed.text.contains(#""next_cursor":null"#))
            #expect((listed.object["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let expenses = try await call(client, .get, "/api/v1/grants/\(id)/expenses", token: coordinator)
            #expect((expenses.object["items"] as? [[String: Any]])?.count == 2)

            let balance = try await call(client, .get, "/api/v1/ledger/trial-balance?as_of=2025-12-31", token: admin)
            #expect(balance.status == .ok)
            let debit = try #require(balance.object["total_debit"] as? String)
            #expect(debit == balance.object["total_credit"] as? String)
            let accounts = try #require(balance.object["accounts"] as? [[String: Any]])
            #expect(accounts.first { $0["account"] as? String == "grant_expense" }?["debit"] as? String == "6000000.00")
        }
    }

    @Test("roles: an officer approves but cannot disburse (403); a coordinator cannot approve (403); unknown grants and tranches are 404")
    func roles() async throws {
        let setup = try await GrantsHTTPSetup.make(trancheApproval: true)
        let (coordinator, officer, body) = (setup.coordinator, setup.officer, setup.specGrantBody)
        let mentor = try await setup.app.token(for: "mentor@example.org", role: .mentor)
        try await setup.app.test { client in
            #expect(try await call(client, .post, "/api/v1/grants", token: officer, body: body).status == .forbidden)
            let id = try #require(try await call(client, .post, "/api/v1/grants", token: coordinator, body: body).object["id"] as? String)
            let date = #"{"date":"2025-02-01"}"#
            let unapproved = try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/disburse", token: coordinator, body: date)
            #expect(unapproved.status == .unprocessableContent)
            #expect(unapproved.problemType == "urn:ravnaq:problem:approval-required")
            let byOfficer = try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/disburse", token: officer, body: date)
            #expect(byOfficer.status == .forbidden)
            #expect(byOfficer.object["detail"] as? String == "only admins and coordinators can disburse grant tranches")
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/approve", token: coordinator).status == .forbidden)
            let approved = try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/approve", token: officer)
            #expect(approved.status == .ok)
            #expect((approved.object["tranches"] as? [[String: Any]])?.first?["approved_by"] as? String == "officer@undp.example")
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/disburse", token: coordinator, body: date).status == .created)
            let expense = #"{"date":"2025-03-01","category":"rent","amount":"1"}"#
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/expenses", token: officer, body: expense).status == .forbidden)

            // The mentor has no family assigned: the grant does not exist for them.
            #expect(try await call(client, .get, "/api/v1/grants/\(id)", token: mentor).status == .notFound)
            #expect(try await call(client, .get, "/api/v1/grants/G-999999", token: officer).status == .notFound)
            #expect(try await call(client, .get, "/api/v1/grants/nonsense", token: officer).status == .notFound)
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/tranches/x/approve", token: officer).status == .notFound)
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/tranches/9/approve", token: officer).status == .notFound)
        }
    }

    @Test("Idempotency-Key: the same body answers the first answer again; another body is a 409; one ledger transaction")
    func idempotency() async throws {
        let setup = try await GrantsHTTPSetup.make()
        let (coordinator, body) = (setup.coordinator, setup.specGrantBody)
        try await setup.app.test { client in
            let id = try #require(try await call(client, .post, "/api/v1/grants", token: coordinator, body: body).object["id"] as? String)
            let path = "/api/v1/grants/\(id)/tranches/1/disburse"
            let first = try await call(client, .post, path, token: coordinator, body: #"{"date":"2025-02-01"}"#, key: "d-1")
            #expect(first.status == .created)
            let again = try await call(client, .post, path, token: coordinator, body: #"{ "date": "2025-02-01" }"#, key: "d-1")
            #expect(again.status == .created)
            #expect(again.text == first.text)
            let other = try await call(client, .post, path, token: coordinator, body: #"{"date":"2025-02-03"}"#, key: "d-1")
            #expect(other.status == .conflict)
            #expect(other.problemType == "urn:ravnaq:problem:idempotency-key-reused")
            // Without the key, a second disbursement is refused by the rule instead.
            let twice = try await call(client, .post, path, token: coordinator, body: #"{"date":"2025-02-01"}"#)
            #expect(twice.problemType == "urn:ravnaq:problem:tranche-already-disbursed")
        }
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 1)
    }

    @Test("bad input is a 422 listing every bad field (400 for unreadable JSON) and changes nothing")
    func badInput() async throws {
        let setup = try await GrantsHTTPSetup.make()
        let (coordinator, programmeID, projectID, body) = (setup.coordinator, setup.programmeID, setup.projectID, setup.specGrantBody)
        let auditBefore = try await setup.count("SELECT count(*) FROM audit_log")
        try await setup.app.test { client in
            let missing = try await call(client, .post, "/api/v1/grants", token: coordinator, body: "{}")
            #expect(missing.status == .unprocessableContent)
            #expect(missing.problemType == "urn:ravnaq:problem:invalid-input")
            #expect(missing.pointers == ["/programme_id", "/project_id", "/currency", "/total", "/tranches"])

            let wrong = try await call(client, .post, "/api/v1/grants", token: coordinator, body: """
                {"programme_id":"\(programmeID)","project_id":"\(projectID)","currency":"UZS","total":"-1",
                 "tranches":[{"amount":"0","planned_on":"2025-13-01","condition":"maybe"}]}
                """)
            #expect(wrong.pointers == ["/total", "/tranches/0/amount", "/tranches/0/planned_on", "/tranches/0/condition"])

            let sum = try await call(client, .post, "/api/v1/grants", token: coordinator, body: """
                {"programme_id":"\(programmeID)","project_id":"\(projectID)","currency":"UZS","total":"6000000",
                 "tranches":[{"amount":"4000000","planned_on":"2025-02-01"}]}
                """)
            #expect(sum.status == .unprocessableContent)
            #expect(sum.problemType == "urn:ravnaq:problem:grant-tranches-sum")

            let unreadable = try await call(client, .post, "/api/v1/grants", token: coordinator, body: #"{"total": true"#)
            #expect(unreadable.status == .badRequest)
        }
        #expect(try await setup.count("SELECT count(*) FROM grants") == 0)
        #expect(try await setup.count("SELECT count(*) FROM audit_log") == auditBefore)

        try await setup.app.test { client in
            let id = try #require(try await call(client, .post, "/api/v1/grants", token: coordinator, body: body).object["id"] as? String)
            #expect(try await call(client, .post, "/api/v1/grants/\(id)/tranches/1/disburse", token: coordinator, body: #"{"date":"2025-02-01"}"#).status == .created)
            let expense = try await call(client, .post, "/api/v1/grants/\(id)/expenses", token: coordinator,
                                         body: #"{"date":"2025/03/01","category":"food","amount":"-3000000"}"#)
            #expect(expense.status == .unprocessableContent)
            #expect(expense.pointers == ["/date", "/category", "/amount"])
            let disburse = try await call(client, .post, "/api/v1/grants/\(id)/tranches/2/disburse", token: coordinator, body: #"{"date":"soon"}"#)
            #expect(disburse.pointers == ["/date"])
        }
        #expect(try await setup.count("SELECT count(*) FROM grant_expenses") == 0)
        #expect(try await setup.count("SELECT count(*) FROM ledger_transactions") == 1)
    }
}
