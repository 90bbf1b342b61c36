import Foundation
import Hummingbird
import Logging
import RavnaqCore
import RavnaqHTTP

/// The web app (issue 14): pages for mentors, coordinators, grant officers and admins, served by
/// the same `ravnaq serve` on the same services — and so the same rules and row-level security —
/// as the JSON API. Pages are rendered on the server (web/templates), with a little plain
/// JavaScript (web/assets) that keeps a mentor's forms on the phone while it is offline.
public struct WebApp: Sendable {
    let services: Services
    let signIn: SignIn
    /// The dashboard's reports, kept ten minutes (`ReportCache`).
    let reports = ReportCache()

    public init(services: Services) {
        self.services = services
        self.signIn = SignIn(database: services.database)
    }

    /// Works out each organization's dashboard as it opens, and as each programme, each region
    /// and (while there are at most 40 of them) each programme in each region filters it, up to
    /// today, so that grant officers get them from the cache too. `ravnaq serve` calls this every
    /// nine minutes (the cache keeps ten); a view of another period is worked out the first time
    /// it is asked for.
    public func prepareDashboards(logger: Logger) async {
        let started = ContinuousClock.now
        var views = 0
        do {
            let pages = DashboardPages(services: services, cache: reports)
            for organization in try await Organizations(database: services.database).list() {
                let actor = Actor(userID: nil, organizationID: organization.id, role: .grantOfficer, name: "system:dashboard")
                let whole = try await pages.build(.init(), actor: actor, language: .en, oneAtATime: true)
                views += 1
                let programmes = [nil] + whole.programmes.map(Optional.some), regions = [nil] + whole.regions.map(Optional.some)
                let pairs = whole.programmes.count * whole.regions.count <= 40
                for programme in programmes {
                    for region in regions where (programme != nil || region != nil) && (pairs || programme == nil || region == nil) {
                        _ = try await pages.build(.init(programme: programme, region: region), actor: actor, language: .en, oneAtATime: true)
                        views += 1
                    }
                }
            }
            // A line bench/run waits for: the benchmark measures requests, not this work beside them.
            logger.info("the dashboards are prepared: \(views) views in \(started.duration(to: .now).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
        } catch {
            logger.warning("the dashboards could not be prepared: \(error)")
        }
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
        DashboardPages(services: services, cache: reports).register(on: pages)
        AdminPages(services: services, signIn: signIn).register(on: pages)
    }
}
