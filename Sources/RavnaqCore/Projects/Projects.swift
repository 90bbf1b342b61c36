import Dates
import Foundation
import Postgres

public enum ProjectType: String, CaseIterable, Sendable {
    case sewing, crafts, baking, livestock, greenhouse, retail, services, other
}

public enum ProjectStatus: String, CaseIterable, Sendable {
    case planned, active, suspended, closed, failed
}

public struct ProjectInput: Decodable, Sendable {
    public var family_id: String?
    public var type: String?
    public var title: String?
    public var description: String?
    public var started_on: String?
    public var expected_monthly_revenue: AmountInput?
    public var expected_monthly_costs: AmountInput?

    public init(family_id: String? = nil, type: String? = nil, title: String? = nil, description: String? = nil,
                started_on: String? = nil, expected_monthly_revenue: AmountInput? = nil, expected_monthly_costs: AmountInput? = nil) {
        self.family_id = family_id
        self.type = type
        self.title = title
        self.description = description
        self.started_on = started_on
        self.expected_monthly_revenue = expected_monthly_revenue
        self.expected_monthly_costs = expected_monthly_costs
    }
}

public struct StatusInput: Decodable, Sendable {
    public var status: String?
    public var date: String?
    public var reason: String?
    public init(status: String? = nil, date: String? = nil, reason: String? = nil) {
        self.status = status
        self.date = date
        self.reason = reason
    }
}

/// Projects and their lifecycle (planned → active → (suspended ↔ active) → closed | failed,
/// enforced by a trigger).
public struct Projects: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func create(_ input: ProjectInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "log projects")
        return try await database.transaction(as: actor) { connection in
            try Self.create(connection, input, externalRef: nil, actor: actor)
        }
    }

    /// Logs a project (a request, or a row of an import, which names it by the register's own
    /// number, `externalRef`).
    static func create(_ connection: PostgresConnection, _ input: ProjectInput, externalRef: String?, actor: Actor) throws -> JSONText {
        var errors = FieldErrors()
        let familyKey = errors.text(input.family_id, "/family_id")
        let type = errors.choice(input.type, "/type", as: ProjectType.self)
        let title = errors.text(input.title, "/title")
        let startedOn = errors.date(input.started_on, "/started_on", required: false)
        // Plan figures are in the organization's working currency, UZS.
        let revenue = errors.amount(input.expected_monthly_revenue, "/expected_monthly_revenue", currency: .uzs, required: false, allowZero: true)
        let costs = errors.amount(input.expected_monthly_costs, "/expected_monthly_costs", currency: .uzs, required: false, allowZero: true)
        try errors.check()
        // The family's id or its code.
        guard let familyID = try References.family(familyKey!, connection, organizationID: actor.organizationID)
        else { throw RavnaqError.invalid("/family_id", "no family \(familyKey!) in this organization") }
        let id: UUID = try connection.query(
            """
            INSERT INTO projects (organization_id, family_id, type, title, description, started_on,
                                  expected_monthly_revenue, expected_monthly_costs, external_ref)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """,
            [actor.organizationID, familyID, type!.rawValue, title!, input.description, startedOn,
             (revenue ?? .zero).formatted(minorDigits: 2), (costs ?? .zero).formatted(minorDigits: 2), externalRef]
        ).first!.decode(0)
        return try Self.find(connection, id: id, organizationID: actor.organizationID)!
    }

    public func get(_ id: String, as actor: Actor) async throws -> JSONText {
        try await database.transaction(as: actor) { connection in
            try Self.find(connection, id: References.existingProject(id, connection, organizationID: actor.organizationID),
                          organizationID: actor.organizationID)
        }.orThrow("project \(id)")
    }

    public func list(familyID: String?, page: Page, as actor: Actor) async throws -> ListPage {
        var errors = FieldErrors()
        let family = errors.id(familyID, "/family_id", required: false)
        try errors.check()
        let list = ListKey("/projects", of: actor, filters: [family?.idString ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try ListPage(
                result: connection.query(
                    Self.selectSQL + """
                         , p.created_at::text, p.id FROM projects p
                        WHERE p.organization_id = $1 AND ($2::uuid IS NULL OR p.family_id = $2) AND ravnaq_may_see_family(p.family_id)
                          AND ($3::timestamptz IS NULL OR (p.created_at, p.id) > ($3, $4::uuid))
                        ORDER BY p.created_at, p.id LIMIT $5
                        """,
                    [actor.organizationID, family, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    /// Moves the project along its lifecycle; an impossible step is refused by PostgreSQL.
    public func changeStatus(project id: String, _ input: StatusInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "change a project's status")
        var errors = FieldErrors()
        let status = errors.choice(input.status, "/status", as: ProjectStatus.self)
        let date = errors.date(input.date, "/date")
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let uuid = try References.existingProject(id, connection, organizationID: actor.organizationID)
            guard let current = try connection.query(
                "SELECT status FROM projects WHERE id = $1 AND organization_id = $2 FOR UPDATE", [uuid, actor.organizationID]
            ).first else { throw RavnaqError.notFound("project \(id)") }
            let from: String = try current.decode(0)
            guard from != status!.rawValue else {
                throw RavnaqError.rule(.projectStatusTransition, message: "the project is already \(from)")
            }
            try connection.query(
                "UPDATE projects SET status = $2, started_on = coalesce(started_on, CASE WHEN $2 = 'active' THEN $3::date END) WHERE id = $1",
                [uuid, status!.rawValue, date!])
            try connection.query(
                """
                INSERT INTO project_status_changes (organization_id, project_id, from_status, to_status, changed_on, reason)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [actor.organizationID, uuid, from, status!.rawValue, date!, input.reason])
            return try Self.find(connection, id: uuid, organizationID: actor.organizationID)!
        }
    }

    /// Makes the grant condition `business_plan_approved` hold.
    public func approveBusinessPlan(project id: String, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "approve business plans")
        return try await database.transaction(as: actor) { connection in
            let uuid = try References.existingProject(id, connection, organizationID: actor.organizationID)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            guard try connection.query(
                "UPDATE projects SET business_plan_approved_on = coalesce(business_plan_approved_on, $3) WHERE id = $1 AND organization_id = $2",
                [uuid, actor.organizationID, today]
            ).affectedRows == 1 else { throw RavnaqError.notFound("project \(id)") }
            return try Self.find(connection, id: uuid, organizationID: actor.organizationID)!
        }
    }

    static let selectSQL = """
        SELECT json_build_object('id', p.id, 'family_id', p.family_id, 'type', p.type, 'title', p.title,
                                 'description', p.description, 'started_on', p.started_on, 'status', p.status,
                                 'expected_monthly_revenue', p.expected_monthly_revenue::text,
                                 'expected_monthly_costs', p.expected_monthly_costs::text,
                                 'business_plan_approved_on', p.business_plan_approved_on)::text
        """

    static func find(_ connection: PostgresConnection, id: UUID, organizationID: UUID) throws -> JSONText? {
        try connection.query(selectSQL + " FROM projects p WHERE p.id = $1 AND p.organization_id = $2 AND ravnaq_may_see_family(p.family_id)",
                             [id, organizationID])
            .first.map { JSONText(try $0.decode(0)) }
    }
}
