import Hummingbird
import RavnaqCore

/// Finds the actor behind `Authorization: Bearer <token>`; anything else is a 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RavnaqRequestContext
    let users: Users

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw RavnaqError.unauthenticated
        }
        var context = context
        let token = String(header.dropFirst("Bearer ".count))
        // Every service runs in `transaction(as:)`, which checks the token again, so a token
        // seen before needs no lookup here.
        context.actor = try await users.requestActor(token: token)
        do {
            return try await next(request, context)
        } catch {
            // Some answers come before any transaction — a role check, a malformed id or body —
            // and must not outlive a revocation either: on a failure the token is checked again.
            if case .unauthenticated? = error as? RavnaqError {} else { _ = try await users.authenticate(token: token) }
            throw error
        }
    }
}
