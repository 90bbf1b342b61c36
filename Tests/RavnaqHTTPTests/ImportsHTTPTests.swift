import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
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
