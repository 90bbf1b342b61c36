import Hummingbird
import RavnaqCore

/// The API's GETs may read from the replica (issue 18, `ReadRouting`): their transactions go to
/// the hot standby when one is configured, keeps up, and holds the token's latest write.
struct ReadRoutingMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        return try await ReadRouting.$replicaAllowed.withValue(true) { try await next(request, context) }
    }
}
