import Hummingbird
import RavnaqCore

/// `GET /metrics`, Prometheus' text format (issue 18). On the server's own port only an
/// admin's token reads it (the token checked against the database, not only the cache); on
/// `--metrics-port`, which listens on 127.0.0.1 alone, no token is asked (`buildMetricsRouter`).
struct MetricsController {
    let metrics: ServerMetrics
    let database: Database
    let users: Users?

    func register(on router: Router<RavnaqRequestContext>) {
        if let users {
            router.group("metrics").add(middleware: AuthenticationMiddleware(users: users)).get { request, context in
                try context.requireActor().require(.admin, to: "read the server's metrics")
                // The remembered actor may be stale (revoked or another role since, by another process).
                try await users.authenticate(token: String(request.headers[.authorization]!.dropFirst("Bearer ".count)))
                    .require(.admin, to: "read the server's metrics")
                return await self.answer()
            }
        } else {
            router.get("metrics") { _, _ in await self.answer() }
        }
    }

    func answer() async -> Response {
        let text = await metrics.text(database)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The router of `--metrics-port`: `/metrics` without a token, and nothing else.
public func buildMetricsRouter(services: Services) -> Router<RavnaqRequestContext> {
    let router = Router(context: RavnaqRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    MetricsController(metrics: .process, database: services.database, users: nil).register(on: router)
    return router
}
