import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// A test application on its own database, with one organization and an admin's token.
struct TestApp {
    let database: Database
    let organization: Organization
    let adminToken: String

    static func make() async throws -> TestApp {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let (_, token) = try await Users(database: database).add(
            email: "admin@example.org", role: .admin, organizationID: organization.id, actorName: "cli:test")
        return TestApp(database: database, organization: organization, adminToken: token)
    }

    func token(for email: String, role: Role) async throws -> String {
        try await Users(database: database).add(email: email, role: role, organizationID: organization.id, actorName: "cli:test").1
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = buildApplication(services: Services(database: database), host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.router, body)
    }
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
}

@Suite("HTTP foundation")
struct HTTPFoundationTests {
    @Test("GET /healthz answers 200 without a token when the database is up")
    func health() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["database"] as? String == "ok")
            }
        }
    }

    @Test("a user's token is accepted; a missing or wrong one is a 401 problem+json")
    func bearerTokens() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["email"] as? String == "admin@example.org")
                #expect(body["role"] as? String == "admin")
            }
            for header in [nil, "Bearer rvq_wrong", "Basic YWRtaW46YWRtaW4=", "Bearer " + token.dropLast() + "x"] as [String?] {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/api/v1/users", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try json(response.body)
                    #expect(problem["type"] as? String == "urn:ravnaq:problem:unauthenticated")
                    #expect(problem["status"] as? Int == 401)
                }
            }
        }
    }

    @Test("a revoked token stops working at once, on every route")
    func revoked() async throws {
        let app = try await TestApp.make()
        let token = try await app.token(for: "mentor@example.org", role: .mentor)
        try await Users(database: app.database).revoke(email: "mentor@example.org", actorName: "cli:test")
        try await app.test { client in
            for (method, path) in apiRoutes(app.database) {
                let answer = try await call(client, method, path, token: token, body: method == .get ? nil : "{}")
                #expect(answer.status == .unauthorized, "\(method) \(path)")
                #expect(answer.problemType == "urn:ravnaq:problem:unauthenticated", "\(method) \(path)")
            }
        }
    }

    @Test("a token revoked by another process while the server remembers it stops working at once, on every route")
    func revokedElsewhere() async throws {
        let app = try await TestApp.make()
        _ = try await app.token(for: "mentor@example.org", role: .mentor)
        let users = Users(database: app.database)
        try await app.test { client in
            // Each route gets a token the server has just seen, so the answer cannot depend on
            // an earlier route having made the server forget it.
            for (method, path) in apiRoutes(app.database) {
                let token = try await users.newToken(email: "mentor@example.org", actorName: "cli:test")
                let seen = try await call(client, .get, "/api/v1/families", token: token, body: nil)
                #expect(seen.status == .ok)
                // What `ravnaq user revoke` does from another process: nothing reaches this server's memory.
                try await app.database.pool.withConnection { connection in
                    _ = try connection.query("UPDATE api_tokens SET revoked_at = now() WHERE revoked_at IS NULL")
                }
                let answer = try await call(client, method, path, token: token, body: method == .get ? nil : "{}")
                #expect(answer.status == .unauthorized, "\(method) \(path)")
            }
        }
    }

    @Test("a role that may not list users gets 403 problem+json with the reason")
    func forbidden() async throws {
        let app = try await TestApp.make()
        let mentor = try await app.token(for: "mentor@example.org", role: .mentor)
        let admin = app.adminToken
        try await app.test { client in
            try await client.execute(uri: "/api/v1/users", method: .get, headers: [.authorization: "Bearer \(mentor)"]) { response in
                #expect(response.status == .forbidden)
                let problem = try json(response.body)
                #expect(problem["detail"] as? String == "only admins and coordinators can list the organization's users")
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .ok)
                let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                #expect(items.compactMap { $0["email"] as? String } == ["admin@example.org", "mentor@example.org"])
            }
        }
    }

    @Test("an unknown path is a 404 problem+json")
    func unknownPath() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("a known path asked with another method is a 405 problem+json with Allow; an unknown one stays a 404")
    func methodNotAllowed() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            for (method, path, allow) in [(HTTPRequest.Method.get, "/api/v1/loans/L-000001/write-off", "POST"),
                                          (.put, "/api/v1/loans/L-000001/repayments", "GET, POST"),
                                          (.delete, "/api/v1/families/AN-0001", "GET, PATCH"), (.put, "/api/v1/loans", "GET, POST")] {
                try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allow, "\(method) \(path)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try json(response.body)
                    #expect(problem["type"] as? String == "urn:ravnaq:problem:method-not-allowed")
                }
            }
            try await client.execute(uri: "/api/v1/loans/L-000001/nothing", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test("the OpenAPI document is served without a token and lists exactly the router's routes")
    func openAPIMatchesRoutes() async throws {
        let app = try await TestApp.make()
        let router = buildRouter(services: Services(database: app.database))
        let routes = Set(router.routes.map { route in
            "\(route.method.rawValue.lowercased()) /" + route.path.description
                .split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        })
        try await app.test { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try json(response.body)
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
                #expect(documented == routes)
            }
        }
    }
}

@Suite("The audit log through the API")
struct AuditHTTPTests {
    @Test("admins read it page by page; other roles get 403")
    func readAudit() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let coordinator = try await app.token(for: "malika@example.org", role: .coordinator)
        try await app.test { client in
            let api = API(client: client, token: admin)
            _ = try await api.openSpecLoan()
            let (status, first) = try await api.call(.get, "/api/v1/audit?entity=loans&limit=1")
            #expect(status == .ok)
            let items = try #require(first["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items[0]["action"] as? String == "insert")
            #expect(items[0]["actor"] as? String == "admin@example.org")
            let cursor = try #require(first["next_cursor"] as? String)
            let (_, second) = try await api.call(.get, "/api/v1/audit?entity=loans&limit=1&cursor=\(cursor)")
            let next = try #require(second["items"] as? [[String: Any]])
            #expect(next.first?["action"] as? String == "update")
            #expect((next.first?["after"] as? [String: Any])?["status"] as? String == "active")
            let (mismatch, _) = try await api.call(.get, "/api/v1/audit?entity=families&limit=1&cursor=\(cursor)")
            #expect(mismatch == .badRequest)
            let (tooMany, _) = try await api.call(.get, "/api/v1/audit?limit=501")
            #expect(tooMany == .badRequest)

            let (forbidden, problem) = try await API(client: client, token: coordinator).call(.get, "/api/v1/audit")
            #expect(forbidden == .forbidden)
            #expect(problem["detail"] as? String == "only admins can read the audit log")
        }
    }
}
