import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Synchronization
import Testing
import TestSupport

/// The import fixtures (Tests/Fixtures/imports).
private func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/imports/\(name)"))
}

private func post(_ client: any TestClientProtocol, _ uri: String, token: String, body: Data,
                  contentType: String = "text/csv") async throws -> (HTTPResponse.Status, [String: Any]) {
    try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: contentType],
                             body: ByteBuffer(data: body)) { response in
        (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
    }
}

@Suite("POST /api/v1/imports/{kind} (issue 15)")
struct ImportsHTTPTests {
    @Test("a CSV body is 201 with what was created, the same file again 200 with nothing written; a dry run writes nothing")
    func rawBody() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let file = try fixture("families-uz-semicolon.csv")
            let (dryStatus, dry) = try await post(client, "/api/v1/imports/families?dry_run=true", token: token, body: file)
            #expect(dryStatus == .ok)
            #expect(dry["dry_run"] as? Bool == true && dry["created"] as? Int == 3)
            let (status, first) = try await post(client, "/api/v1/imports/families", token: token, body: file)
            #expect(status == .created)
            #expect(first["created"] as? Int == 3 && first["members_created"] as? Int == 5)
            #expect(first["previously_imported_at"] is NSNull)
            let (again, second) = try await post(client, "/api/v1/imports/families", token: token, body: file)
            #expect(again == .ok)
            #expect(second["created"] as? Int == 0 && second["unchanged"] as? Int == 3)
            #expect(second["previously_imported_at"] is String)
            let (_, families) = try await API(client: client, token: token).call(.get, "/api/v1/families")
            #expect((families["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["AN-0001", "AN-0002", "AN-0003"])
        }
    }

    @Test("an XLSX file as the file part of a multipart form, with a map part")
    func multipart() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let boundary = "----ravnaq7MA4YWxkTrZu0gW"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"mahalla\": \"mahalla\"}\r\n".utf8)
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"oilalar.xlsx\"\r\n".utf8))
            body.append(Data("Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".utf8))
            body.append(try fixture("families-openpyxl.xlsx"))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let (status, answer) = try await post(client, "/api/v1/imports/families", token: token, body: body,
                                                  contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(status == .created)
            #expect(answer["created"] as? Int == 3)
            let sha = try await app.database.pool.withConnection { connection in
                try connection.query("SELECT file_name FROM imports").first!.decode(0, as: String.self)
            }
            #expect(sha == "oilalar.xlsx")
        }
    }

    @Test("five bad rows are one 422 naming each row and column; 403 for a mentor, 404 for an unknown kind")
    func refusals() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let mentor = try await app.token(for: "nodira@example.org", role: .mentor)
        try await app.test { client in
            let (status, problem) = try await post(client, "/api/v1/imports/families", token: token, body: try fixture("families-5-bad.csv"))
            #expect(status == .unprocessableContent)
            let errors = try #require(problem["errors"] as? [[String: Any]])
            #expect(errors.compactMap { $0["pointer"] as? String }
                    == ["/rows/3/birth_date", "/rows/5/sex", "/rows/6/region", "/rows/8/family_code", "/rows/9/birth_date"])
            #expect(errors.compactMap { $0["column"] as? String } == ["birth_date", "sex", "region", "family_code", "birth_date"])
            let (_, families) = try await API(client: client, token: token).call(.get, "/api/v1/families")
            #expect((families["items"] as? [Any])?.isEmpty == true)
            #expect(try await post(client, "/api/v1/imports/families", token: mentor, body: try fixture("families-uz-semicolon.csv")).0 == .forbidden)
            #expect(try await post(client, "/api/v1/imports/budgets", token: token, body: Data("a\n1\n".utf8)).0 == .notFound)
            #expect(try await post(client, "/api/v1/imports/families?dry_run=maybe", token: token, body: Data("a\n1\n".utf8)).0 == .badRequest)
            let (empty, emptyProblem) = try await post(client, "/api/v1/imports/families", token: token, body: Data())
            #expect(empty == .unprocessableContent)
            #expect((emptyProblem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/file")
        }
    }
}

@Suite("GET /api/v1/exports/{kind} (issue 15)")
struct ExportsHTTPTests {
    @Test("an export imported into an empty organization gives back the same data, CSV and XLSX alike")
    func roundTrip() async throws {
        let source = try await TestApp.make()
        let sourceToken = source.adminToken
        // Org B: the same programme (programmes are not exported), nothing else.
        let target = try await TestApp.make()
        let targetToken = target.adminToken
        try await source.test { client in
            let api = API(client: client, token: sourceToken)
            let ids = try await api.openSpecLoan()
            #expect(try await api.call(.post, "/api/v1/loans/\(ids.loan)/repayments", #"{"date":"2025-02-15","amount":"945595.97"}"#).0 == .created)
            #expect(try await api.call(.post, "/api/v1/loans/\(ids.loan)/repayments", #"{"date":"2025-03-15","amount":"500000.05"}"#).0 == .created)
            #expect(try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Andijon","district":"Shahrixon","consent_on":"2025-01-11","categories":["disability"],"members":[{"full_name":"Каримов Бахтиёр","sex":"male","relation":"head","disability":true,"works":false},{"full_name":"Gʻulomova Oʻgʻiloy","relation":"spouse","birth_date":"1990-02-03","pinfl":"41503851234567"}]}"#).0 == .created)
            let (_, grant) = try await api.call(.post, "/api/v1/grants", #"{"programme_id":"\#(ids.programme)","project_id":"\#(ids.project)","currency":"UZS","total":"6000000","tranches":[{"amount":"4000000","planned_on":"2025-02-01"},{"amount":"2000000","planned_on":"2025-05-01","condition":"previous_tranche_accounted"}]}"#)
            let grantID = try #require(grant["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/grants/\(grantID)/tranches/1/disburse", #"{"date":"2025-02-03"}"#).0 == .created)
        }
        try await target.test { client in
            _ = try await API(client: client, token: targetToken).call(.post, "/api/v1/programmes", #"{"name":"Family Business 2025","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}"#)
        }
        for format in ["csv", "xlsx"] {
            let box = Mutex<[ImportKind: Data]>([:])
            try await source.test { client in
                for kind in ImportKind.allCases {
                    let data = try await client.execute(uri: "/api/v1/exports/\(kind.rawValue)?format=\(format)", method: .get,
                                                              headers: [.authorization: "Bearer \(sourceToken)"]) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentDisposition]?.contains("\(kind.rawValue)-") == true)
                        return Data(buffer: response.body)
                    }
                    box.withLock { $0[kind] = data }
                }
            }
            let files = box.withLock { $0 }
            let fresh = try await TestApp.make()
            let freshToken = fresh.adminToken
            try await fresh.test { client in
                _ = try await API(client: client, token: freshToken).call(.post, "/api/v1/programmes", #"{"name":"Family Business 2025","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}"#)
                for kind in ImportKind.allCases {
                    let (status, answer) = try await post(client, "/api/v1/imports/\(kind.rawValue)", token: freshToken, body: files[kind]!,
                                                          contentType: "application/octet-stream")
                    #expect(status == .created, "\(kind) \(format): \(answer)")
                }
                // Exported again, the new organization's data is the same file, byte for byte.
                for kind in ImportKind.allCases {
                    let again = try await client.execute(uri: "/api/v1/exports/\(kind.rawValue)?format=\(format)", method: .get,
                                                         headers: [.authorization: "Bearer \(freshToken)"]) { Data(buffer: $0.body) }
                    #expect(again == files[kind], "\(kind) \(format)")
                }
            }
            // And the books agree: the same allocation, the same sums on every account.
            let books = { (app: TestApp) async throws -> [[String?]] in
                try await app.database.pool.withConnection { connection in
                    let result = try connection.query("""
                        SELECT a.code, sum(p.amount)::text FROM postings p JOIN accounts a ON a.id = p.account_id GROUP BY a.code ORDER BY a.code
                        """)
                    return try result.rows.map { [try $0.decode(0, as: String?.self), try $0.decode(1, as: String?.self)] }
                }
            }
            #expect(try await books(fresh) == books(source), "\(format)")
        }
    }

    @Test("exports are for coordinators and admins; an unknown format is a 400")
    func refusals() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let officer = try await app.token(for: "officer@undp.example", role: .grantOfficer)
        try await app.test { client in
            let admin = API(client: client, token: token)
            let (forbidden, _) = try await API(client: client, token: officer).call(.get, "/api/v1/exports/families")
            #expect(forbidden == .forbidden)
            let (badFormat, problem) = try await admin.call(.get, "/api/v1/exports/families?format=pdf")
            #expect(badFormat == .badRequest)
            #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/format")
            let (unknown, _) = try await admin.call(.get, "/api/v1/exports/budgets")
            #expect(unknown == .notFound)
        }
    }
}
