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
        context.actor = try await users.authenticate(token: String(header.dropFirst("Bearer ".count)))
        return try await next(request, context)
    }
}
