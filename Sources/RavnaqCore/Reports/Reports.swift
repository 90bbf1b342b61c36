import Dates
import Foundation
import Postgres

/// The reports for grant officers (SPEC §8), each computed by PostgreSQL in one statement:
/// a CTE `items` with one row per loan (grant, family, enrollment) carrying its group keys and
/// figures, then one aggregate per group (`rows`) and one over all items (`total`, so that it
/// counts distinct loans or families rather than adding rows up). PostgreSQL assembles the
/// JSON answer.
///
/// Statement parameters: $1 organization, $2 as_of, $3 from (NULL: the beginning), $4 the
/// period's end (the earlier of `to` and `as_of`: nothing after `as_of` counts), $5 the report's
/// name, $6 `to` as answered, $7 `by` as a JSON array.
public struct Reports: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func run(_ query: ReportQuery, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .grantOfficer, to: "read reports")
        return try await database.transaction(as: actor) { connection in
            let asOf = try query.asOf ?? Organizations.today(connection, organizationID: actor.organizationID)
            let to = query.to ?? asOf
            let end = min(to, asOf)
            let by = "[" + query.by.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
            let text: String = try connection.query(
                Self.statement(query.report, by: query.by),
                [actor.organizationID, asOf, query.from, end, query.report.rawValue, to, by]
            ).first!.decode(0)
            return JSONText(text)
        }
    }

    /// The whole statement of a report. Only fixed SQL text is assembled here: the group
    /// columns come from `ReportGroup`, never from the request.
    static func statement(_ report: ReportName, by: [ReportGroup]) -> String {
        let (ctes, metrics) = parts(report, byCourse: by.contains(.course))
        let keys = by.map { "'\($0.rawValue)', i.\($0.column)" }
        let rowObject = "json_build_object(" + (keys + [metrics]).joined(separator: ", ") + ")"
        let groupColumns = by.map { "i.\($0.column)" }
        let groupBy = groupColumns.isEmpty ? "()" : groupColumns.joined(separator: ", ")
        let order = groupColumns.isEmpty ? "" : " ORDER BY " + by.map { "g.\($0.column)" }.joined(separator: ", ")
        let selected = ([rowObject + " AS o"] + groupColumns).joined(separator: ", ")
        return """
            WITH parameters AS (SELECT $1::uuid AS organization_id, $3::date AS from_on, $4::date AS end_on), \(ctes)
            SELECT json_build_object(
                'report', $5::text, 'as_of', $2::date, 'from', $3::date, 'to', $6::date, 'by', $7::json,
                'rows', coalesce((SELECT json_agg(g.o\(order)) FROM (SELECT \(selected) FROM items i GROUP BY \(groupBy)) g), '[]'::json),
                'total', (SELECT json_build_object(\(metrics)) FROM total_items i)
            )::text
            """
    }

    /// The CTEs (ending with `items` and `total_items`) and the metrics of a report.
    static func parts(_ report: ReportName, byCourse: Bool) -> (String, String) {
        switch report {
        case .portfolio: (portfolioItems, portfolioMetrics)
        case .grants: (grantItems, grantMetrics)
        case .outcomes: (familyKeys + ", " + outcomeItems, outcomeMetrics)
        case .training: (familyKeys + ", " + trainingItems(byCourse: byCourse), trainingMetrics)
        }
    }

    /// The group keys of a loan or grant: its own programme and project's type, its family's
    /// region, district and mentor as of as_of.
    static let ownKeys = """
        p.name AS programme, f.region, f.district, pr.type AS project_type, family_mentor_email(f.id, $2::date) AS mentor
        """

    // MARK: portfolio

    /// One row per loan disbursed by as_of: its figures as of as_of (`loan_figures`), what
    /// moved in the period, and its installments due in the period and how many of them were
    /// fully paid by their due date (principal and interest paid by then cover the schedule
    /// through that installment — repayments go to the oldest installment first). Installments
    /// due on or after a write-off do not count.
    static let portfolioItems = """
        items AS (
            SELECT l.id, \(ownKeys),
                   fig.outstanding_principal AS outstanding, fig.days_past_due AS dpd,
                   CASE WHEN l.disbursed_on <= $4::date AND ($3::date IS NULL OR l.disbursed_on >= $3::date)
                        THEN l.principal ELSE 0 END AS disbursed,
                   (SELECT coalesce(sum(r.amount), 0) FROM repayments r
                    WHERE r.loan_id = l.id AND r.reversed_on IS NULL AND r.paid_on <= $4::date
                      AND ($3::date IS NULL OR r.paid_on >= $3::date)) AS collected,
                   CASE WHEN l.written_off_on <= $4::date AND ($3::date IS NULL OR l.written_off_on >= $3::date)
                        THEN l.written_off_principal ELSE 0 END AS written_off,
                   ot.due, ot.on_time
            FROM loans l
            JOIN programmes p ON p.id = l.programme_id
            JOIN projects pr ON pr.id = l.project_id
            JOIN families f ON f.id = pr.family_id
            CROSS JOIN LATERAL loan_figures(l.id, $2::date) fig
            CROSS JOIN LATERAL (
                SELECT count(*) AS due,
                       count(*) FILTER (WHERE s.cumulative <= (
                           SELECT coalesce(sum(r.principal + r.interest), 0) FROM repayments r
                           WHERE r.loan_id = l.id AND r.kind = 'repayment' AND r.reversed_on IS NULL
                             AND r.paid_on <= s.due_on)) AS on_time
                FROM (SELECT i.due_on, sum(i.principal + i.interest) OVER (ORDER BY i.n) AS cumulative
                      FROM loan_installments i WHERE i.loan_id = l.id) s
                WHERE s.due_on <= $4::date AND ($3::date IS NULL OR s.due_on >= $3::date)
                  AND (l.written_off_on IS NULL OR s.due_on < l.written_off_on)
            ) ot
            WHERE l.organization_id = $1 AND l.disbursed_on <= $2::date
        ), total_items AS (SELECT * FROM items)
        """

    static let portfolioMetrics = """
        'loans_active', count(*) FILTER (WHERE i.outstanding > 0),
        'outstanding_principal', coalesce(sum(i.outstanding), 0)::numeric(18,2)::text,
        'disbursed', coalesce(sum(i.disbursed), 0)::numeric(18,2)::text,
        'collected', coalesce(sum(i.collected), 0)::numeric(18,2)::text,
        'written_off', coalesce(sum(i.written_off), 0)::numeric(18,2)::text,
        'par30', round(coalesce(sum(i.outstanding) FILTER (WHERE i.dpd > 30), 0) / nullif(sum(i.outstanding), 0), 6),
        'par90', round(coalesce(sum(i.outstanding) FILTER (WHERE i.dpd > 90), 0) / nullif(sum(i.outstanding), 0), 6),
        'on_time_rate', round(sum(i.on_time)::numeric / nullif(sum(i.due), 0), 6)
        """

    // MARK: grants

    /// One row per grant whose first tranche was planned (or paid) by as_of: its total, the
    /// tranches paid and the expenses in the period, and its tranches not paid as of as_of.
    static let grantItems = """
        items AS (
            SELECT g.id, \(ownKeys), g.total,
                   (SELECT coalesce(sum(t.amount), 0) FROM grant_tranches t
                    WHERE t.grant_id = g.id AND t.disbursed_on <= $4::date
                      AND ($3::date IS NULL OR t.disbursed_on >= $3::date)) AS disbursed,
                   (SELECT coalesce(sum(e.amount), 0) FROM grant_expenses e
                    WHERE e.grant_id = g.id AND e.spent_on <= $4::date
                      AND ($3::date IS NULL OR e.spent_on >= $3::date)) AS expenses,
                   (SELECT count(*) FROM grant_tranches t
                    WHERE t.grant_id = g.id AND (t.disbursed_on IS NULL OR t.disbursed_on > $2::date)) AS pending
            FROM grants g
            JOIN programmes p ON p.id = g.programme_id
            JOIN projects pr ON pr.id = g.project_id
            JOIN families f ON f.id = pr.family_id
            WHERE g.organization_id = $1
              AND (SELECT min(least(t.planned_on, coalesce(t.disbursed_on, t.planned_on)))
                   FROM grant_tranches t WHERE t.grant_id = g.id) <= $2::date
        ), total_items AS (SELECT * FROM items)
        """

    static let grantMetrics = """
        'grants', count(*),
        'committed', coalesce(sum(i.total), 0)::numeric(18,2)::text,
        'disbursed', coalesce(sum(i.disbursed), 0)::numeric(18,2)::text,
        'expenses', coalesce(sum(i.expenses), 0)::numeric(18,2)::text,
        'utilization', round(sum(i.expenses) / nullif(sum(i.disbursed), 0), 6),
        'tranches_pending', coalesce(sum(i.pending), 0)
        """

    // MARK: families (outcomes, training)

    /// One row per family with its group keys: the programme of its latest loan or grant, its
    /// latest project's type, its mentor as of as_of; and its income band in the first and in
    /// the latest month reported up to as_of.
    static let familyKeys = """
        families_keyed AS (
            SELECT f.id, lp.programme, f.region, f.district, lpj.type AS project_type,
                   family_mentor_email(f.id, $2::date) AS mentor,
                   (SELECT household_income_band(h.total, h.household_size, h.period) FROM household_incomes h
                    WHERE h.family_id = f.id AND h.period <= $2::date ORDER BY h.period LIMIT 1) AS intake_band,
                   (SELECT household_income_band(h.total, h.household_size, h.period) FROM household_incomes h
                    WHERE h.family_id = f.id AND h.period <= $2::date ORDER BY h.period DESC LIMIT 1) AS now_band
            FROM families f
            LEFT JOIN LATERAL (
                SELECT pj.type FROM projects pj WHERE pj.family_id = f.id ORDER BY pj.created_at DESC, pj.id DESC LIMIT 1
            ) lpj ON true
            LEFT JOIN LATERAL (
                SELECT pg.name AS programme FROM (
                    SELECT l.programme_id, l.created_at FROM loans l JOIN projects pj ON pj.id = l.project_id WHERE pj.family_id = f.id
                    UNION ALL
                    SELECT g.programme_id, g.created_at FROM grants g JOIN projects pj ON pj.id = g.project_id WHERE pj.family_id = f.id
                ) x JOIN programmes pg ON pg.id = x.programme_id
                ORDER BY x.created_at DESC LIMIT 1
            ) lp ON true
            WHERE f.organization_id = $1
        )
        """

    static let domains = [
        "income", "employment", "housing", "food", "childcare", "children_education", "adult_education", "health",
        "life_skills", "family_relations", "community", "legal", "mobility", "safety", "credit",
    ]

    // MARK: outcomes

    /// Per family: graduated by as_of; the net income and jobs (members working + hired
    /// workers) of its projects in the latest month any of them reported up to as_of; and per
    /// SSM domain the latest assessment's score minus the intake's (the `intake` one, else the
    /// first), only when both are applicable (not 0) and there is a later assessment.
    static var outcomeItems: String {
        let changes = domains.map {
            "CASE WHEN la.id <> ia.id AND ia.\($0) > 0 AND la.\($0) > 0 THEN la.\($0) - ia.\($0) END AS ssm_\($0)"
        }.joined(separator: ",\n               ")
        return """
            items AS (
                SELECT fk.*, f.status = 'graduated' AND f.status_on <= $2::date AS graduated,
                       net.net_income, net.jobs,
                       \(changes)
                FROM families_keyed fk
                JOIN families f ON f.id = fk.id
                LEFT JOIN LATERAL (
                    SELECT sum(r.revenue - r.costs) AS net_income, sum(r.members_working + r.hired_workers) AS jobs
                    FROM project_reports r JOIN projects pj ON pj.id = r.project_id
                    WHERE pj.family_id = f.id AND r.period = (
                        SELECT max(r2.period) FROM project_reports r2 JOIN projects pj2 ON pj2.id = r2.project_id
                        WHERE pj2.family_id = f.id AND r2.period <= $2::date)
                ) net ON true
                LEFT JOIN LATERAL (
                    SELECT a.* FROM assessments a WHERE a.family_id = f.id AND a.assessed_on <= $2::date
                    ORDER BY a.kind = 'intake' DESC, a.assessed_on, a.recorded_at LIMIT 1
                ) ia ON true
                LEFT JOIN LATERAL (
                    SELECT a.* FROM assessments a WHERE a.family_id = f.id AND a.assessed_on <= $2::date
                    ORDER BY a.assessed_on DESC, a.recorded_at DESC LIMIT 1
                ) la ON true
            ), total_items AS (SELECT * FROM items)
            """
    }

    static var outcomeMetrics: String {
        let bands = ["intake", "now"].flatMap { moment in
            ["poor", "near_poor", "above"].map { "'\(moment)_\($0)', count(*) FILTER (WHERE i.\(moment)_band = '\($0)')" }
        }
        let ssm = domains.map { "'ssm_\($0)_change', round(avg(i.ssm_\($0)), 4)" }
        return (["'families', count(*)"] + bands + ssm + [
            "'graduated', count(*) FILTER (WHERE i.graduated)",
            "'median_net_income', (percentile_cont(0.5) WITHIN GROUP (ORDER BY i.net_income::float8))::numeric(18,2)::text",
            "'jobs', coalesce(sum(i.jobs), 0)",
        ]).joined(separator: ",\n")
    }

    // MARK: training

    /// Enrollment rows (kind 'e': enrollments in courses whose first session falls in the
    /// period; completed when completed by as_of) and family rows (kind 'f': trained when a
    /// member completed a course by as_of; above the line when the latest month's income is at
    /// least the poverty line per person). Grouped by course, a family has a row per course its
    /// members were enrolled in by as_of (trained: completed that course), or one without a
    /// course; the total always takes one row per family.
    static func trainingItems(byCourse: Bool) -> String {
        let familyRows = byCourse ? "families_by_course" : "families_trained"
        return """
            enrolled AS (
                SELECT e.id, m.family_id, c.code AS course, e.completed AND e.completed_on <= $2::date AS completed,
                       (SELECT min(s.held_on) FROM course_sessions s WHERE s.course_id = c.id) AS starts_on
                FROM enrollments e JOIN members m ON m.id = e.member_id JOIN courses c ON c.id = e.course_id
                WHERE e.organization_id = $1
            ), enrollment_rows AS (
                SELECT 'e'::text AS kind, e.id AS enrollment_id, fk.id AS family_id, fk.programme, fk.region, fk.district,
                       fk.project_type, fk.mentor, e.course, e.completed, NULL::boolean AS trained, NULL::text AS now_band
                FROM enrolled e JOIN families_keyed fk ON fk.id = e.family_id
                WHERE e.starts_on <= $4::date AND ($3::date IS NULL OR e.starts_on >= $3::date)
            ), families_trained AS (
                SELECT 'f'::text AS kind, NULL::uuid AS enrollment_id, fk.id AS family_id, fk.programme, fk.region, fk.district,
                       fk.project_type, fk.mentor, NULL::text AS course, NULL::boolean AS completed,
                       EXISTS (SELECT 1 FROM enrolled e WHERE e.family_id = fk.id AND e.completed) AS trained, fk.now_band
                FROM families_keyed fk
            ), families_by_course AS (
                SELECT 'f'::text AS kind, NULL::uuid AS enrollment_id, fk.id AS family_id, fk.programme, fk.region, fk.district,
                       fk.project_type, fk.mentor, c.course, NULL::boolean AS completed, coalesce(c.trained, false) AS trained, fk.now_band
                FROM families_keyed fk
                LEFT JOIN LATERAL (
                    SELECT e.course, bool_or(e.completed) AS trained FROM enrolled e
                    WHERE e.family_id = fk.id AND e.starts_on <= $2::date GROUP BY e.course
                ) c ON true
            ), items AS (
                SELECT * FROM enrollment_rows UNION ALL SELECT * FROM \(familyRows)
            ), total_items AS (
                SELECT * FROM enrollment_rows UNION ALL SELECT * FROM families_trained
            )
            """
    }

    static var trainingMetrics: String {
        let families = ["trained": "i.trained", "untrained": "NOT i.trained"].sorted { $0.key < $1.key }.flatMap { name, condition in
            [
                "'\(name)_families', count(DISTINCT i.family_id) FILTER (WHERE i.kind = 'f' AND \(condition))",
                "'\(name)_above_line', count(DISTINCT i.family_id) FILTER (WHERE i.kind = 'f' AND \(condition) AND i.now_band IN ('near_poor', 'above'))",
                "'\(name)_above_line_share', round(count(DISTINCT i.family_id) FILTER (WHERE i.kind = 'f' AND \(condition) AND i.now_band IN ('near_poor', 'above'))::numeric"
                    + " / nullif(count(DISTINCT i.family_id) FILTER (WHERE i.kind = 'f' AND \(condition) AND i.now_band IS NOT NULL), 0), 6)",
            ]
        }
        return ([
            "'enrollments', count(DISTINCT i.enrollment_id)",
            "'completions', count(DISTINCT i.enrollment_id) FILTER (WHERE i.completed)",
            "'completion_rate', round(count(DISTINCT i.enrollment_id) FILTER (WHERE i.completed)::numeric / nullif(count(DISTINCT i.enrollment_id), 0), 6)",
        ] + families).joined(separator: ",\n")
    }
}
