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
        } catch let error as RavnaqError {
            // A role check may refuse before any transaction: a revoked token is a 401 even so.
            if case .forbidden = error { _ = try await users.authenticate(token: token) }
            throw error
        }
    }
}
