import HTTPTypes
import Hummingbird

/// A path the router knows, asked with a method it does not take (a GET on a route that only
/// takes POST), is a 405 with `Allow` listing the methods it takes, rather than the router's 404.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path as segments (`:id` or `{id}` matches any one segment), with its method.
    private let routes: [(segments: [Substring], method: HTTPRequest.Method)]

    init(routes: [(path: String, method: HTTPRequest.Method)]) {
        self.routes = routes.map { ($0.path.split(separator: "/"), $0.method) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/")
            let allowed = routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix(":") || $0.hasPrefix("{") || $0 == $1 }
            }.map(\.method.rawValue)
            guard !allowed.isEmpty else { throw error }
            throw MethodNotAllowed(allowed: Array(Set(allowed)).sorted())
        }
    }
}

/// The methods a known path takes (405).
struct MethodNotAllowed: Error {
    let allowed: [String]
}
