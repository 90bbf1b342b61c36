import Hummingbird
import RavnaqCore

/// `GET /healthz`: 200 when PostgreSQL answers, 503 problem+json when it does not. No token.
struct HealthController {
    let database: Database

    func register(on router: Router<RavnaqRequestContext>) {
        router.get("healthz", use: health)
    }

    struct Health: ResponseEncodable {
        let status: String
        let database: String
    }

    @Sendable func health(_ request: Request, context: RavnaqRequestContext) async throws -> Health {
        do {
            _ = try await database.pool.withConnection { try $0.query("SELECT 1").rowCount }
        } catch {
            throw RavnaqError.unavailable("\(error)")
        }
        return Health(status: "ok", database: "ok")
    }
}
