import Hummingbird
import Logging
import RavnaqCore

/// Everything the HTTP layer needs from the service layer.
public struct Services: Sendable {
    public let database: Database
    public let users: Users
    public let audit: AuditLog
    public let programmes: Programmes
    public let calendars: Calendars
    public let ledger: LedgerService
    public let families: Families
    public let projects: Projects
    public let loans: Loans
    public let approvals: Approvals
    public let alerts: Alerts
    public let grants: Grants
    public let progress: ProgressServices

    /// The services of SPEC §7.
    public struct ProgressServices: Sendable {
        public let reports: MonthlyReports
        public let incomes: HouseholdIncomes
        public let assessments: Assessments
        public let graduation: Graduation
        public let reference: ReferenceData
    }
    public let cases: CaseManagement
    public let training: Training
    public let reports: Reports
    public let imports: Imports
    public let exports: Exports

    public init(database: Database) {
        self.database = database
        self.users = Users(database: database)
        self.audit = AuditLog(database: database)
        self.programmes = Programmes(database: database)
        self.calendars = Calendars(database: database)
        self.ledger = LedgerService(database: database)
        self.families = Families(database: database)
        self.projects = Projects(database: database)
        self.loans = Loans(database: database)
        self.approvals = Approvals(database: database)
        self.alerts = Alerts(database: database)
        self.grants = Grants(database: database)
        self.progress = ProgressServices(
            reports: MonthlyReports(database: database), incomes: HouseholdIncomes(database: database),
            assessments: Assessments(database: database), graduation: Graduation(database: database),
            reference: ReferenceData(database: database))
        self.cases = CaseManagement(database: database)
        self.training = Training(database: database)
        self.reports = Reports(database: database)
        self.imports = Imports(database: database)
        self.exports = Exports(database: database)
    }
}

/// Assembles the application: the router and the server configuration.
public func buildApplication(
    services: Services, host: String, port: Int, logger: Logger, pages: ((Router<RavnaqRequestContext>) -> Void)? = nil
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services: services, pages: pages),
        server: .http1(configuration: .init(additionalChannelHandlers: [OversizedHeadersHandler()])),
        configuration: .init(address: .hostname(host, port: port), serverName: "ravnaq"),
        logger: logger
    )
}

/// Every route, with its middleware. Routes under `/api/v1` need a bearer token, except the
/// OpenAPI document. `pages` adds the web app's routes (RavnaqWeb, which builds on this module),
/// outside `/api/v1`.
public func buildRouter(services: Services, pages: ((Router<RavnaqRequestContext>) -> Void)? = nil) -> Router<RavnaqRequestContext> {
    let router = Router(context: RavnaqRequestContext.self)
    ServerMetrics.process.observe(services.database)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: ProblemMiddleware())

    HealthController(database: services.database).register(on: router)
    MetricsController(metrics: .process, database: services.database, users: services.users).register(on: router)
    OpenAPIController().register(on: router)

    let api = router.group("api/v1")
        .add(middleware: AuthenticationMiddleware(users: services.users))
        .add(middleware: ReadRoutingMiddleware())
        .add(middleware: RequestBodyMiddleware())
        .add(middleware: SpreadsheetMiddleware())
    UsersController(users: services.users).register(on: api)
    AuditController(audit: services.audit).register(on: api)
    ProgrammesController(programmes: services.programmes).register(on: api)
    CalendarController(calendars: services.calendars).register(on: api)
    LedgerController(ledger: services.ledger).register(on: api)
    FamiliesController(families: services.families).register(on: api)
    ProjectsController(projects: services.projects).register(on: api)
    LoansController(loans: services.loans).register(on: api)
    ApprovalsController(approvals: services.approvals).register(on: api)
    AlertsController(alerts: services.alerts).register(on: api)
    GrantsController(grants: services.grants).register(on: api)
    ProgressController(
        reports: services.progress.reports, incomes: services.progress.incomes, assessments: services.progress.assessments,
        graduation: services.progress.graduation, reference: services.progress.reference
    ).register(on: api)
    CaseManagementController(cases: services.cases).register(on: api)
    TrainingController(training: services.training).register(on: api)
    ReportsController(reports: services.reports).register(on: api)
    ImportsController(imports: services.imports).register(on: api)
    ExportsController(exports: services.exports).register(on: api)
    pages?(router)
    // Last, so that it knows every route: it sits inside ProblemMiddleware, which answers it.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes.map { ($0.path.description, $0.method) }))
    return router
}
