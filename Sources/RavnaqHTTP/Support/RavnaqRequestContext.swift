import Hummingbird
import RavnaqCore

/// The request context of every route: Hummingbird's core storage plus the actor that the
/// authentication middleware found for the bearer token (or the web app's for its session).
public struct RavnaqRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on every route under `/api/v1` that needs a token.
    public var actor: Actor?
    /// Set by the web app's session middleware on its signed-in pages: the browser session,
    /// whose actor is `actor` too, and whose token every form must carry.
    public var session: SignIn.Session?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The authenticated actor; a route behind the middleware always has one.
    public func requireActor() throws -> Actor {
        guard let actor else { throw RavnaqError.unauthenticated }
        return actor
    }
}
