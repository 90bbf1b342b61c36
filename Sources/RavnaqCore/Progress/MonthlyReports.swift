import Dates
import Foundation
import Postgres
import RavnaqMoney

public struct MonthlyReportInput: Decodable, Sendable {
    public var period: String?
    public var revenue: AmountInput?
    public var costs: AmountInput?
    public var units_sold: Int?
    public var members_working: Int?
    public var hired_workers: Int?

    public init(period: String? = nil, revenue: AmountInput? = nil, costs: AmountInput? = nil, units_sold: Int? = nil,
                members_working: Int? = nil, hired_workers: Int? = nil) {
        self.period = period
        self.revenue = revenue
        self.costs = costs
        self.units_sold = units_sold
        self.members_working = members_working
        self.hired_workers = hired_workers
    }
}

/// A project's results for a month (one per project and month, correctable until the month is
/// locked). Net income = revenue − costs.
public struct MonthlyReports: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Records a month (`correcting` nil) or corrects a recorded one (`correcting` = its period).
    public func record(project key: String, _ input: MonthlyReportInput, correcting: String? = nil, as actor: Actor,
                       idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try await database.record(as: actor, once: idempotency, operation: .monthlyReport, resource: (correcting.map { "\($0)/" } ?? "") + key) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let (project, _) = try FamilyAccess.project(connection, key, actor: actor, intent: .write, on: today)
            var errors = FieldErrors()
            let period = errors.period(correcting ?? input.period, correcting == nil ? "/period" : "/period", today: today)
            if let correcting, let given = input.period, given != correcting {
                errors.add("/period", "the body's period \(given) is not the corrected month \(correcting)")
            }
            let revenue = errors.amount(input.revenue, "/revenue", currency: .uzs, allowZero: true)
            let costs = errors.amount(input.costs, "/costs", currency: .uzs, allowZero: true)
            for (value, pointer) in [(input.units_sold, "/units_sold"), (input.members_working, "/members_working"), (input.hired_workers, "/hired_workers")] {
                if let value, value < 0 { errors.add(pointer, "must not be negative") }
                // The columns are PostgreSQL integers: a larger count would be refused there as a fault.
                if let value, value > Int(Int32.max) { errors.add(pointer, "must be at most \(Int32.max)") }
            }
            try errors.check()
            let values: PostgresBindings = [actor.organizationID, project, period!.firstDay, revenue!.formatted(minorDigits: 2),
                                            costs!.formatted(minorDigits: 2), input.units_sold ?? 0, input.members_working ?? 0, input.hired_workers ?? 0]
            if correcting == nil {
                let inserted = try connection.query(
                    """
                    INSERT INTO project_reports (organization_id, project_id, period, revenue, costs, units_sold, members_working, hired_workers)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project_id, period) DO NOTHING
                    """, values).affectedRows
                guard inserted == 1 else {
                    throw RavnaqError.conflict(.duplicateMonth,
                                               message: "the project already has a report for \(period!); correct it with PUT …/reports/\(period!)")
                }
            } else {
                let updated = try connection.query(
                    """
                    UPDATE project_reports SET revenue = $4, costs = $5, units_sold = $6, members_working = $7, hired_workers = $8
                    WHERE organization_id = $1 AND project_id = $2 AND period = $3
                    """, values).affectedRows
                guard updated == 1 else { throw RavnaqError.notFound("report \(period!) of project \(key)") }
            }
            return try Self.items(connection, project: project, period: period!.firstDay).first!
        }
    }

    /// The project's months, oldest first; the cursor carries the last month shown.
    public func list(project key: String, page: Page = Page(), as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let (project, _) = try FamilyAccess.project(connection, key, actor: actor, intent: .read, on: today)
            let list = ListKey("/projects/{id}/reports", of: actor, filters: [project.idString], keys: 1)
            let after = try page.after(in: list)
            return try ListPage(result: Self.rows(connection, project: project, after: after?[0], limit: page.limit + 1), page: page, list: list)
        }
    }

    /// One month's report (or none).
    static func items(_ connection: PostgresConnection, project: UUID, period: LocalDate) throws -> [JSONText] {
        try rows(connection, project: project, period: period).rows.map { JSONText(try $0.decode(0)) }
    }

    /// The reports as JSON with their month (`YYYY-MM-DD`) last: one month, or those after a month.
    static func rows(_ connection: PostgresConnection, project: UUID, period: LocalDate? = nil, after: String? = nil,
                     limit: Int? = nil) throws -> PostgresResult {
        try connection.query(
            """
            SELECT json_build_object('id', id, 'project_id', project_id, 'period', to_char(period, 'YYYY-MM'),
                                     'revenue', revenue::text, 'costs', costs::text, 'net_income', (revenue - costs)::text,
                                     'units_sold', units_sold, 'members_working', members_working, 'hired_workers', hired_workers,
                                     'locked', EXISTS (SELECT 1 FROM period_locks l WHERE l.organization_id = r.organization_id AND l.period = r.period))::text,
                   r.period::text
            FROM project_reports r
            WHERE r.project_id = $1 AND ($2::date IS NULL OR r.period = $2) AND ($3::date IS NULL OR r.period > $3)
            ORDER BY r.period LIMIT $4
            """, [project, period, after, limit]
        )
    }
}
