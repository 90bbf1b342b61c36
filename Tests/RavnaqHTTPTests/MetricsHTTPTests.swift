import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// `GET /metrics` (issue 18). The metrics are the process's, shared by the tests running beside
/// this one: each check looks for what this test did, never for totals.
@Suite("Metrics in Prometheus' text format")
struct MetricsHTTPTests {
    static func scrape(_ client: any TestClientProtocol, token: String?) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: "/metrics", method: .get, headers: headers) { response in
            (response.status, String(buffer: response.body))
        }
    }

    @Test("an admin's token reads requests by route and status with latency buckets, the pool and PostgreSQL's errors; no token is a 401, another role a 403")
    func adminReads() async throws {
        let app = try await TestApp.make()
        let coordinator = try await app.token(for: "malika@example.org", role: .coordinator)
        try await app.test { client in
            let created = try await client.execute(
                uri: "/api/v1/families", method: .post, headers: [.authorization: "Bearer \(coordinator)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"code": "MET-1", "region": "Andijon", "district": "Asaka"}"#)) { $0.status }
            #expect(created == .created)
            // The same code again: a 409.
            let again = try await client.execute(
                uri: "/api/v1/families", method: .post, headers: [.authorization: "Bearer \(coordinator)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"code": "MET-1", "region": "Andijon", "district": "Asaka"}"#)) { $0.status }
            #expect(again == .conflict)
            // A failure from PostgreSQL, as every service's transaction turns it into an answer.
            do {
                _ = try await app.database.pool.withConnection { try $0.query("SELECT 1 / 0").rowCount }
            } catch let error as PostgresError {
                guard case .fault = RavnaqError(error) else { Issue.record("\(error) is not a fault of ours"); return }
            }

            #expect(try await Self.scrape(client, token: nil).0 == .unauthorized)
            #expect(try await Self.scrape(client, token: coordinator).0 == .forbidden)
            let (status, text) = try await Self.scrape(client, token: app.adminToken)
            #expect(status == .ok)
            let lines = text.split(separator: "\n")
            func has(_ parts: String...) -> Bool { lines.contains { line in parts.allSatisfy { line.contains($0) } } }
            #expect(has("hb_requests", #"http_route="/api/v1/families""#, #"http_request_method="POST""#, #"http_response_status_code="201""#))
            #expect(has("hb_requests", #"http_route="/api/v1/families""#, #"http_response_status_code="409""#))
            #expect(has("http_server_request_duration_bucket", #"http_route="/api/v1/families""#, #"le="0.1""#))
            #expect(has("ravnaq_postgres_errors_total", #"kind="server""#, #"sqlstate="22012""#))
            #expect(has("ravnaq_pool_connections ") && has("ravnaq_pool_connections_in_use") && has("# TYPE ravnaq_pool_wait_seconds histogram"))
            #expect(has("ravnaq_notifications", #"status="pending""#))
        }
    }

    @Test("the metrics port's router answers /metrics without a token, and nothing else")
    func metricsPort() async throws {
        let app = try await TestApp.make()
        let metricsApp = Application(router: buildMetricsRouter(services: Services(database: app.database)))
        try await metricsApp.test(.router) { client in
            let (status, text) = try await Self.scrape(client, token: nil)
            #expect(status == .ok && text.contains("# TYPE ravnaq_pool_connections gauge"))
            #expect(try await client.execute(uri: "/api/v1/families", method: .get) { $0.status } == .notFound)
        }
    }
}
