import Foundation
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// The web app (issue 14): pages for mentors, coordinators, grant officers and admins, served by
/// the same `ravnaq serve` on the same services — and so the same rules and row-level security —
/// as the JSON API. Pages are rendered on the server (web/templates), with a little plain
/// JavaScript (web/assets) that keeps a mentor's forms on the phone while it is offline.
public struct WebApp: Sendable {
    let services: Services
    let signIn: SignIn

    public init(services: Services) {
        self.services = services
        self.signIn = SignIn(database: services.database)
    }

    /// Adds the pages to the router (outside `/api/v1`).
    public func register(on router: Router<RavnaqRequestContext>) {
        let open = router.group().add(middleware: WebErrorMiddleware())
        AssetsController().register(on: open)
        SignInPages(signIn: signIn, users: services.users).register(on: open)

        let pages = router.group()
            .add(middleware: WebErrorMiddleware())
            .add(middleware: SessionMiddleware(signIn: signIn))
        SignInPages(signIn: signIn, users: services.users).registerSignedIn(on: pages)
        MentorPages(services: services).register(on: pages)
        RecordForms(services: services).register(on: pages)
        CoordinatorPages(services: services).register(on: pages)
        DashboardPages(services: services).register(on: pages)
        AdminPages(services: services, signIn: signIn).register(on: pages)
    }
}
