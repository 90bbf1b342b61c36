import Dates
import Foundation
import Postgres

/// The reports for grant officers (SPEC §8), each computed by PostgreSQL in one statement:
/// a CTE `items` with one row per loan (grant, family, enrollment) carrying its group keys and
/// figures, then one aggregation per group (`rows`) and over all items (`total`, so that it
/// counts distinct loans or families rather than adding rows up). PostgreSQL assembles the
/// JSON answer. The items are read from each loan's and family's kept history
/// (sql/definitions/55_loans.sql, 75_family_histories.sql: one row each, searched for any as_of) and,
/// for grants, from their own few rows —
/// never replayed from the organization's whole history, nor asked of a function per loan.
///
/// Money never adds two currencies (SPEC §3): the rows of `portfolio` and `grants` are also
/// grouped by `currency`; `totals` has one object per currency; `total` carries the currency
/// when there is one, and when there are several its amounts and money ratios are null (its
/// counts and `on_time_rate` still cover every loan or grant).
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
            // The statement sorts and hashes a row per loan or family (100 000 at the largest
            // organizations measured): in memory, and without JIT, whose compiling took longer
            // than these statements save by it. No nested loops: every join here meets whole
            // tables, and a misestimated group count once made the planner join 70 000 loans to
            // 70 000 aggregates row by row (135 s instead of 3 s for the portfolio then).
            try connection.query(
                "SELECT set_config('work_mem', '128MB', true), set_config('jit', 'off', true), set_config('enable_nestloop', 'off', true)")
            let text: String = try connection.query(
                Self.statement(query.report, by: query.by),
                [actor.organizationID, asOf, query.from, end, query.report.rawValue, to, by]
            ).first!.decode(0)
            return JSONText(text)
        }
    }

    /// A figure of a report: its name, its aggregate over `items i`, and whether it is an amount
    /// or a ratio of amounts (never added across currencies).
    struct Metric {
        let name: String
        let sql: String
        var money = false
    }

    /// The whole statement of a report. Only fixed SQL text is assembled here: the group
    /// columns come from `ReportGroup`, never from the request.
    ///
    /// The groups, the per-currency totals and the total come from one aggregation of `items`
    /// over grouping sets (one sort serves them all), each told apart by `GROUPING()`. Only
    /// training by course takes its total from `total_items`, since there a family has a row
    /// per course.
    static func statement(_ report: ReportName, by: [ReportGroup]) -> String {
        let (ctes, metrics) = parts(report, by: by)
        let perCurrency = report == .portfolio || report == .grants
        // By course or category a loan or family may have several rows: the totals are then
        // taken from `total_items`, one row each.
        let ownTotal = by.contains(.course) || by.contains(.category)
        let columns = by.map(\.column) + (perCurrency ? ["currency"] : [])
        let pairs = metrics.map { "'\($0.name)', \($0.sql)" }.joined(separator: ", ")
        let rowObject = "json_build_object(" + (columns.map { "'\($0)', i.\($0)" } + [pairs]).joined(separator: ", ") + ")"
        var totalObject = "json_build_object(\(pairs))"
        if perCurrency {
            let guarded = metrics.map { "'\($0.name)', " + ($0.money ? "CASE WHEN count(DISTINCT i.currency) > 1 THEN NULL ELSE \($0.sql) END" : $0.sql) }
            totalObject = "json_build_object('currency', CASE WHEN count(DISTINCT i.currency) = 1 THEN min(i.currency) END, "
                + guarded.joined(separator: ", ") + ")"
        }
        // Each grouping set and the level GROUPING() gives its groups: a bit per column, set
        // when the column is not grouped. Sets that coincide (no `by`) share their groups.
        let level = columns.isEmpty ? "0" : "GROUPING(" + columns.map { "i.\($0)" }.joined(separator: ", ") + ")"
        func levelOf(_ grouped: [String]) -> Int {
            columns.reduce(0) { $0 * 2 + (grouped.contains($1) ? 0 : 1) }
        }
        var sets: [(columns: [String], level: Int, object: String)] = [(columns, levelOf(columns), rowObject)]
        if perCurrency, !ownTotal { sets.append((["currency"], levelOf(["currency"]), "json_build_object('currency', i.currency, \(pairs))")) }
        if !ownTotal { sets.append(([], levelOf([]), totalObject)) }
        var distinctSets: [(columns: [String], level: Int, object: String)] = []
        for set in sets where !distinctSets.contains(where: { $0.level == set.level }) { distinctSets.append(set) }
        let groupingSets = distinctSets.map { "(" + $0.columns.map { "i.\($0)" }.joined(separator: ", ") + ")" }.joined(separator: ", ")
        let object = distinctSets.count == 1 ? distinctSets[0].object
            : "CASE \(level) " + distinctSets.map { "WHEN \($0.level) THEN \($0.object)" }.joined(separator: " ") + " END"
        let order = columns.isEmpty ? "" : " ORDER BY " + columns.map { "g.\($0)" }.joined(separator: ", ")
        let total = ownTotal
            ? "(SELECT \(totalObject) FROM total_items i)"
            : "(array_agg(g.o) FILTER (WHERE g.level = \(levelOf([]))))[1]"
        let totals = !perCurrency ? ""
            : ownTotal
            ? ",\n    'totals', (SELECT coalesce(json_agg(t.o ORDER BY t.currency), '[]'::json) FROM "
                + "(SELECT i.currency, json_build_object('currency', i.currency, \(pairs)) AS o FROM total_items i GROUP BY i.currency) t)"
            : ",\n    'totals', coalesce(json_agg(g.o ORDER BY g.currency) FILTER (WHERE g.level = \(levelOf(["currency"]))), '[]'::json)"
        // `parameters` types $1, $3 and $4 for the reports that use no period.
        return """
            WITH parameters AS (SELECT $1::uuid AS organization_id, $3::date AS from_on, $4::date AS end_on), \(ctes)
            SELECT json_build_object(
                'report', $5::text, 'as_of', $2::date, 'from', $3::date, 'to', $6::date, 'by', $7::json,
                'rows', coalesce(json_agg(g.o\(order)) FILTER (WHERE g.level = \(levelOf(columns))), '[]'::json),
                'total', \(total)\(totals)
            )::text
            FROM (SELECT \(level) AS level, \(([object + " AS o"] + columns.map { "i.\($0)" }).joined(separator: ", "))
                  FROM items i GROUP BY GROUPING SETS (\(groupingSets))) g
            """
    }

    /// The CTEs (ending with `items`, and for training by course `total_items`) and the metrics
    /// of a report grouped by `by`.
    static func parts(_ report: ReportName, by: [ReportGroup]) -> (String, [Metric]) {
        let mentorsIfGrouped = by.contains(.mentor) ? mentors + ", " : ""
        let (ctes, metrics) = switch report {
        case .portfolio: (mentorsIfGrouped + portfolioItems(by: by), portfolioMetrics)
        case .grants: (mentorsIfGrouped + grantItems(by: by), grantMetrics)
        case .outcomes: (familyKeys(by: by) + ", " + outcomeItems, outcomeMetrics)
        case .training: (familyKeys(by: by) + ", " + trainingItems(byCourse: by.contains(.course)), trainingMetrics)
        }
        guard by.contains(.category) else { return (ctes, metrics) }
        // A row per category of the item's family (`none` for a family in none); the items as
        // they were, one row each, are `total_items`.
        return (ctes.replacingOccurrences(of: "items AS (", with: "items_base AS (") + """
            , total_items AS (SELECT * FROM items_base), items AS (
                SELECT b.*, c.category FROM items_base b
                CROSS JOIN LATERAL unnest(CASE WHEN cardinality(b.category_list) > 0 THEN b.category_list ELSE ARRAY['none'] END) AS c (category)
            )
            """, metrics)
    }

    /// Each family's mentor as of as_of (assignments never overlap), for loans and grants grouped
    /// by mentor (the family reports read it from the family's history).
    static let mentors = """
        mentors AS (
            SELECT a.family_id, u.email AS mentor FROM mentor_assignments a JOIN users u ON u.id = a.mentor_id
            WHERE a.organization_id = $1 AND a.from_on <= $2::date AND (a.to_on IS NULL OR a.to_on > $2::date)
        )
        """

    /// The group keys of a loan or grant `x`: its own programme and project's type, its family's
    /// region, district and mentor as of as_of. Only the keys of `by` are looked up (the others
    /// are NULL): a join that no group needs would cost as much as the figures themselves.
    ///
    /// `familyColumn` names a column of `table` that already holds the family (the loans'
    /// figures carry their history's), so that a family key needs no join through projects.
    static func ownKeys(_ table: String, by: [ReportGroup], familyColumn: String? = nil) -> String {
        let traits = by.contains(.head_sex) || by.contains(.disability)
        let family = by.contains(.region) || by.contains(.district) || by.contains(.mentor) || by.contains(.category)
        let project = by.contains(.project_type) || ((family || traits) && familyColumn == nil)
        let familyID = familyColumn.map { "x.\($0)" } ?? "pr.family_id"
        var joins = "", conditions = "x.organization_id = $1"
        if by.contains(.programme) { joins += "\nJOIN programmes p ON p.id = x.programme_id" }
        if project {
            joins += "\nJOIN projects pr ON pr.id = x.project_id"
            conditions += " AND pr.organization_id = $1"
        }
        if family {
            joins += "\nJOIN families f ON f.id = \(familyID)"
            conditions += " AND f.organization_id = $1"
        }
        if by.contains(.mentor) { joins += "\nLEFT JOIN mentors m ON m.family_id = \(familyID)" }
        if traits { joins += "\nLEFT JOIN report_family_traits($1) t ON t.family_id = \(familyID)" }
        func key(_ group: ReportGroup, _ sql: String) -> String { (by.contains(group) ? sql : "NULL::text") + " AS \(group.column)" }
        let keys = [key(.programme, "p.name"), key(.region, "f.region"), key(.district, "f.district"),
                    key(.project_type, "pr.type"), key(.mentor, "m.mentor"), key(.head_sex, "t.head_sex"),
                    key(.disability, "t.disability"),
                    (by.contains(.category) ? "f.categories" : "NULL::text[]") + " AS category_list"]
        return """
            SELECT x.*, \(keys.joined(separator: ", "))
            FROM \(table) x\(joins)
            WHERE \(conditions)
            """
    }

    // MARK: portfolio

    /// One row per loan disbursed by as_of, read from its kept history (`loan_histories`,
    /// sql/definitions/55_loans.sql): what was paid by a day and how many installments fell due or were paid on time
    /// in the period are binary searches in sorted arrays, so a report as of any date reads one
    /// row per loan, and the loan's outstanding principal and days past due are `loan_state()`'s,
    /// the one read model of a loan. Installments due on or after a write-off do not count
    /// towards the on-time rate (on one day repayments come first, then the write-off). The figures are
    /// worked out before the group keys are joined (`OFFSET 0` keeps PostgreSQL from merging
    /// the two), so that the joins carry a few numbers per loan rather than its arrays; they
    /// carry the loan's own columns too, so that `loans` is read once, and the history's family,
    /// so that a family's keys need no join through projects.
    static func portfolioItems(by: [ReportGroup]) -> String {
        """
        figures AS (
            SELECT l.id, l.organization_id, l.currency, l.programme_id, l.project_id, h.family_id, l.principal, l.disbursed_on,
                   l.written_off_on, l.written_off_principal, s.outstanding_principal AS outstanding, s.days_past_due AS dpd,
                   -- A period that begins after as_of collected nothing.
                   CASE WHEN $3::date IS NULL OR $3::date <= $4::date
                        THEN amount_through(h.paid_on, h.collected, $4::date) - amount_through(h.paid_on, h.collected, $3::date - 1)
                        ELSE 0 END AS collected,
                   dates_between(h.counted_due_on, $3::date, least($4::date, l.written_off_on - 1)) AS due,
                   dates_between(h.on_time_due_on, $3::date, least($4::date, l.written_off_on - 1)) AS on_time,
                   -- Restructured by as_of: a second schedule version had taken effect (issue 16).
                   coalesce(h.version_from[2] <= $2::date, false) AS restructured
            FROM loans l JOIN loan_histories h ON h.loan_id = l.id CROSS JOIN LATERAL loan_state(l, h, $2::date) s
            WHERE l.organization_id = $1 AND h.organization_id = $1 AND l.disbursed_on <= $2::date
            OFFSET 0
        ), items AS (
            SELECT k.id, k.currency, k.programme, k.region, k.district, k.project_type, k.mentor, k.head_sex, k.disability,
                   k.category_list, k.outstanding, k.dpd,
                   CASE WHEN k.disbursed_on <= $4::date AND ($3::date IS NULL OR k.disbursed_on >= $3::date)
                        THEN k.principal ELSE 0 END AS disbursed,
                   k.collected,
                   CASE WHEN k.written_off_on <= $4::date AND ($3::date IS NULL OR k.written_off_on >= $3::date)
                        THEN k.written_off_principal ELSE 0 END AS written_off,
                   k.due, k.on_time, k.restructured
            FROM (\(ownKeys("figures", by: by, familyColumn: "family_id"))) k
        )
        """
    }

    static let portfolioMetrics = [
        Metric(name: "loans_active", sql: "count(*) FILTER (WHERE i.outstanding > 0)"),
        Metric(name: "outstanding_principal", sql: "coalesce(sum(i.outstanding), 0)::numeric(18,2)::text", money: true),
        Metric(name: "disbursed", sql: "coalesce(sum(i.disbursed), 0)::numeric(18,2)::text", money: true),
        Metric(name: "collected", sql: "coalesce(sum(i.collected), 0)::numeric(18,2)::text", money: true),
        Metric(name: "written_off", sql: "coalesce(sum(i.written_off), 0)::numeric(18,2)::text", money: true),
        Metric(name: "par30", sql: "portfolio_at_risk(sum(i.outstanding) FILTER (WHERE i.dpd > 30), sum(i.outstanding))", money: true),
        Metric(name: "par90", sql: "portfolio_at_risk(sum(i.outstanding) FILTER (WHERE i.dpd > 90), sum(i.outstanding))", money: true),
        Metric(name: "on_time_rate", sql: "round(sum(i.on_time)::numeric / nullif(sum(i.due), 0), 6)"),
        // Beside PAR, so that restructuring cannot hide arrears: the loans restructured by as_of,
        // what they owe, and their own PAR30.
        Metric(name: "restructured_loans", sql: "count(*) FILTER (WHERE i.restructured AND i.outstanding > 0)"),
        Metric(name: "restructured_outstanding", sql: "coalesce(sum(i.outstanding) FILTER (WHERE i.restructured), 0)::numeric(18,2)::text",
               money: true),
        Metric(name: "restructured_par30",
               sql: "portfolio_at_risk(sum(i.outstanding) FILTER (WHERE i.restructured AND i.dpd > 30), sum(i.outstanding) FILTER (WHERE i.restructured))",
               money: true),
    ]

    // MARK: grants

    /// One row per grant whose first tranche was planned (or paid) by as_of: its total, the
    /// tranches paid and the expenses in the period, and its tranches not paid as of as_of.
    static func grantItems(by: [ReportGroup]) -> String {
        """
        tranches AS (
            SELECT t.grant_id, min(least(t.planned_on, t.disbursed_on)) AS first_on,
                   coalesce(sum(t.amount) FILTER (WHERE t.disbursed_on <= $4::date AND ($3::date IS NULL OR t.disbursed_on >= $3::date)), 0) AS disbursed,
                   count(*) FILTER (WHERE t.disbursed_on IS NULL OR t.disbursed_on > $2::date) AS pending
            FROM grant_tranches t WHERE t.organization_id = $1 GROUP BY t.grant_id
        ), expenses AS (
            SELECT e.grant_id, sum(e.amount) AS expenses FROM grant_expenses e
            WHERE e.organization_id = $1 AND e.spent_on <= $4::date AND ($3::date IS NULL OR e.spent_on >= $3::date)
            GROUP BY e.grant_id
        ), items AS (
            SELECT k.id, k.currency, k.programme, k.programme_id, k.region, k.district, k.project_type, k.mentor, k.head_sex,
                   k.disability, k.category_list, k.total,
                   t.disbursed, coalesce(e.expenses, 0) AS expenses, t.pending
            FROM (\(ownKeys("grants", by: by))) k
            JOIN tranches t ON t.grant_id = k.id
            LEFT JOIN expenses e ON e.grant_id = k.id
            WHERE t.first_on <= $2::date
        )
        """
    }

    static let grantMetrics = [
        Metric(name: "grants", sql: "count(*)"),
        // The budgets of the programmes the group's grants belong to (read by programme: a
        // programme's budget is not split by region or any other key).
        Metric(name: "budget", sql: "(SELECT coalesce(sum(p.budget), 0) FROM programmes p WHERE p.id = ANY (array_agg(DISTINCT i.programme_id)))::numeric(18,2)::text", money: true),
        Metric(name: "committed", sql: "coalesce(sum(i.total), 0)::numeric(18,2)::text", money: true),
        Metric(name: "disbursed", sql: "coalesce(sum(i.disbursed), 0)::numeric(18,2)::text", money: true),
        Metric(name: "expenses", sql: "coalesce(sum(i.expenses), 0)::numeric(18,2)::text", money: true),
        Metric(name: "remaining_budget",
               sql: "((SELECT coalesce(sum(p.budget), 0) FROM programmes p WHERE p.id = ANY (array_agg(DISTINCT i.programme_id))) - coalesce(sum(i.total), 0))::numeric(18,2)::text",
               money: true),
        Metric(name: "utilization", sql: "grant_utilization(sum(i.expenses), sum(i.disbursed))", money: true),
        Metric(name: "tranches_pending", sql: "coalesce(sum(i.pending), 0)"),
    ]

    // MARK: families (outcomes, training)

    /// One row per family with its status, its group keys — the programme of its latest loan
    /// or grant, its latest project's type, its mentor as of as_of — and its figures as of
    /// as_of, all read from its row in `family_histories` (sql/definitions/75_family_histories.sql), so that the organization's
    /// other tables are not read at all: its income band in the first and in the latest month
    /// reported up to as_of (the month's line: the latest that took effect by its first day),
    /// whether a member completed a course, its projects' net
    /// income and jobs in the latest month any of them reported, per SSM domain the change
    /// since intake as of its latest assessment, and whether it is ready to graduate
    /// (`graduation_of`, the definition that `graduation_criteria` also reads, inlined here into
    /// the same scan).
    ///
    /// The latest month and mentor as of as_of are the kept last ones when as_of is on or after
    /// them — always so as of today — and otherwise found by binary search (`width_bucket`) in
    /// the arrays. The figures are computed in sub-queries kept apart (`OFFSET 0`), so that the
    /// joins carry a few scalars per family rather than its arrays, and `income_band()` gets
    /// plain columns, which PostgreSQL inlines. A figure a report leaves unused is never
    /// computed: PostgreSQL drops the unused outputs of such a sub-query, so a report should read
    /// `families_keyed` once (training selects its columns into a CTE of its own).
    static func familyKeys(by: [ReportGroup]) -> String {
        let changes = Assessments.domains.enumerated().map { index, domain in
            "ssm_change(h.ssm_changes, h.ssm_at + \(index)) AS ssm_\(domain)"
        }.joined(separator: ",\n                         ")
        let figures = Assessments.domains.map { "h.ssm_\($0)" }.joined(separator: ", ")
        // The donors' keys, looked up only when grouped by.
        let traits = [by.contains(.head_sex) ? "t.head_sex" : "NULL::text AS head_sex",
                      by.contains(.disability) ? "t.disability" : "NULL::text AS disability",
                      by.contains(.category) ? "fc.categories AS category_list" : "NULL::text[] AS category_list"].joined(separator: ", ")
        var traitJoins = ""
        if by.contains(.head_sex) || by.contains(.disability) { traitJoins += "\n                LEFT JOIN report_family_traits($1) t ON t.family_id = h.family_id" }
        if by.contains(.category) { traitJoins += "\n                JOIN families fc ON fc.id = h.family_id AND fc.organization_id = $1" }
        return """
            lines AS (
                SELECT array_agg(p.effective_on ORDER BY p.effective_on) AS starts_on, array_agg(p.amount ORDER BY p.effective_on) AS amounts
                FROM poverty_lines p
            ), families_keyed AS (
                SELECT h.family_id AS id, h.status, h.status_on, pg.name AS programme, h.region, h.district, h.project_type, h.mentor,
                       income_band(h.first_total, h.first_size, h.first_line) AS intake_band,
                       income_band(h.latest_total, h.latest_size, h.latest_line) AS now_band,
                       h.trained, h.ready, h.net_income, h.jobs, \(figures),
                       h.enrollment_ids, h.enrollment_course_ids, h.enrollment_completed_on,
                       \(traits)
                FROM (SELECT h.family_id, h.status, h.status_on, h.region, h.district, h.programme_id, h.project_type, h.mentor, h.ready,
                             h.enrollment_ids, h.enrollment_course_ids, h.enrollment_completed_on,
                             -- A month's line; none (no band) for no month.
                             h.first_total, h.first_size, (SELECT amounts FROM lines)[width_bucket(h.first_on, (SELECT starts_on FROM lines))] AS first_line,
                             h.latest_total, h.latest_size, (SELECT amounts FROM lines)[width_bucket(h.latest_on, (SELECT starts_on FROM lines))] AS latest_line,
                             h.trained, h.net_income, h.jobs,
                             \(changes)
                      FROM (SELECT h.family_id, h.status, h.status_on, h.region, h.district, h.programme_id, h.project_type, g.ready,
                                   h.enrollment_ids, h.enrollment_course_ids, h.enrollment_completed_on, h.ssm_changes,
                                   CASE WHEN h.last_mentor_from_on <= $2::date THEN CASE WHEN h.last_mentor_to_on > $2::date THEN h.last_mentor_email END
                                        WHEN h.mentor_to_on[width_bucket($2::date, h.mentor_from_on)] > $2::date
                                        THEN h.mentor_emails[width_bucket($2::date, h.mentor_from_on)] END AS mentor,
                                   -- The first month counts once reported by as_of.
                                   CASE WHEN h.first_income_on <= $2::date THEN h.first_income_on END AS first_on,
                                   h.first_income_total AS first_total, h.first_household_size AS first_size,
                                   CASE WHEN h.last_income_on <= $2::date THEN h.last_income_on
                                        ELSE h.income_on[width_bucket($2::date, h.income_on)] END AS latest_on,
                                   CASE WHEN h.last_income_on <= $2::date THEN h.last_income_total
                                        ELSE h.income_total[width_bucket($2::date, h.income_on)] END AS latest_total,
                                   CASE WHEN h.last_income_on <= $2::date THEN h.last_household_size
                                        ELSE h.household_size[width_bucket($2::date, h.income_on)] END AS latest_size,
                                   CASE WHEN h.last_report_on <= $2::date THEN h.last_report_net
                                        ELSE h.report_net[width_bucket($2::date, h.report_on)] END AS net_income,
                                   CASE WHEN h.last_report_on <= $2::date THEN h.last_report_jobs
                                        ELSE h.report_jobs[width_bucket($2::date, h.report_on)] END AS jobs,
                                   width_bucket($2::date, h.completed_on) > 0 AS trained,
                                   -- The first byte of the latest assessment's changes (NULL for none).
                                   (nullif(width_bucket($2::date, h.assessed_on), 0) - 1) * 15 AS ssm_at
                            FROM family_histories h
                            LEFT JOIN graduation_settings($1) s ON s.programme_id = h.programme_id
                            CROSS JOIN LATERAL graduation_of($1, $2::date, h.family_id, h.income_on, h.income_total, h.income_benefits,
                                                             h.household_size, h.report_on, h.report_net, h.assessed_on, h.scores,
                                                             h.completed_on, h.written_off_on,
                                                             s.income_months, s.min_ssm, s.max_dpd, s.courses, s.count_benefits) g
                            WHERE h.organization_id = $1 OFFSET 0) h
                      OFFSET 0) h
                LEFT JOIN programmes pg ON pg.id = h.programme_id\(traitJoins)
            )
            """
    }

    // MARK: outcomes

    /// Per family: graduated by as_of; ready (SPEC §7, `graduation_of`: every criterion met and
    /// no loan past due) and neither graduated nor exited by as_of; and its figures from
    /// `families_keyed`: the net income and jobs (members working + hired workers) of its
    /// projects in the latest month any of them reported up to as_of, and per SSM domain the
    /// latest assessment's score minus the intake's (the `intake` one, else the first), only
    /// when both are applicable (not 0) and there is a later assessment.
    static var outcomeItems: String {
        let changes = Assessments.domains.map { "fk.ssm_\($0)" }.joined(separator: ", ")
        return """
            items AS (
                SELECT fk.programme, fk.region, fk.district, fk.project_type, fk.mentor, fk.head_sex, fk.disability, fk.category_list,
                       fk.intake_band, fk.now_band,
                       fk.status = 'graduated' AND fk.status_on <= $2::date AS graduated,
                       fk.ready AND NOT (fk.status IN ('graduated', 'exited') AND fk.status_on <= $2::date) AS ready,
                       fk.net_income, fk.jobs, \(changes)
                FROM families_keyed fk
            )
            """
    }

    static var outcomeMetrics: [Metric] {
        let bands = ["intake", "now"].flatMap { moment in
            ["poor", "near_poor", "above"].map { Metric(name: "\(moment)_\($0)", sql: "count(*) FILTER (WHERE i.\(moment)_band = '\($0)')") }
        }
        let ssm = Assessments.domains.map { Metric(name: "ssm_\($0)_change", sql: "round(avg(i.ssm_\($0)), 4)") }
        return [Metric(name: "families", sql: "count(*)")] + bands + ssm + [
            Metric(name: "ready", sql: "count(*) FILTER (WHERE i.ready)"),
            Metric(name: "graduated", sql: "count(*) FILTER (WHERE i.graduated)"),
            // Progress figures are in UZS (README); the median of exact amounts, halfway between two.
            Metric(name: "median_net_income",
                   sql: "(percentile_cont(0.5) WITHIN GROUP (ORDER BY i.net_income::float8))::numeric(18,2)::text"),
            Metric(name: "jobs", sql: "coalesce(sum(i.jobs), 0)"),
        ]
    }

    // MARK: training

    /// Enrollment rows (kind 'e': enrollments in courses whose first session falls in the
    /// period; completed when completed by as_of) and family rows (kind 'f': trained when a
    /// member completed a course by as_of; above the line when the latest month's income is at
    /// least the poverty line per person), all from one read of `families_keyed`: each family's
    /// enrollments are kept in its history row (sql/definitions/75_family_histories.sql), so no enrollment needs its member
    /// looked up. The total always takes one row per family.
    static func trainingItems(byCourse: Bool) -> String {
        // Written out where used rather than as a CTE read twice (by course), which would copy every family's row once more.
        let familiesTrained = """
            SELECT 'f'::text AS kind, NULL::uuid AS enrollment_id, fk.id AS family_id, fk.programme, fk.region, fk.district,
                   fk.project_type, fk.mentor, fk.head_sex, fk.disability, fk.category_list, NULL::text AS course,
                   NULL::boolean AS completed, fk.trained, fk.now_band
            FROM family_rows fk
            """
        // By course a family has a row per course its members were enrolled in by as_of (trained:
        // completed that course), or one without a course; the total (one row per family) is then
        // `total_items`.
        let familiesByCourse = """
            SELECT 'f'::text AS kind, NULL::uuid AS enrollment_id, fk.id AS family_id, fk.programme, fk.region, fk.district,
                   fk.project_type, fk.mentor, fk.head_sex, fk.disability, fk.category_list, c.course, NULL::boolean AS completed,
                   coalesce(c.trained, false) AS trained, fk.now_band
            FROM family_rows fk
            LEFT JOIN (SELECT e.family_id, e.course, bool_or(e.completed) AS trained FROM enrolled e
                       WHERE e.starts_on <= $2::date GROUP BY e.family_id, e.course) c ON c.family_id = fk.id
            """
        let familyRows = byCourse ? familiesByCourse : familiesTrained
        return """
            course_starts AS (
                SELECT s.course_id, min(s.held_on) AS starts_on FROM course_sessions s WHERE s.organization_id = $1 GROUP BY s.course_id
            ), family_rows AS (
                SELECT fk.id, fk.programme, fk.region, fk.district, fk.project_type, fk.mentor, fk.head_sex, fk.disability, fk.category_list,
                       fk.now_band,
                       coalesce(fk.trained, false) AS trained, fk.enrollment_ids, fk.enrollment_course_ids, fk.enrollment_completed_on
                FROM families_keyed fk
            ), enrolled AS (
                SELECT e.id, f.id AS family_id, f.programme, f.region, f.district, f.project_type, f.mentor, f.head_sex, f.disability,
                       f.category_list, c.code AS course,
                       coalesce(e.completed_on <= $2::date, false) AS completed, cs.starts_on
                FROM family_rows f
                CROSS JOIN LATERAL unnest(f.enrollment_ids, f.enrollment_course_ids, f.enrollment_completed_on) e (id, course_id, completed_on)
                JOIN courses c ON c.id = e.course_id
                LEFT JOIN course_starts cs ON cs.course_id = c.id
                WHERE cardinality(f.enrollment_ids) > 0 AND c.organization_id = $1
            ), enrollment_rows AS (
                SELECT 'e'::text AS kind, e.id AS enrollment_id, e.family_id, e.programme, e.region, e.district,
                       e.project_type, e.mentor, e.head_sex, e.disability, e.category_list, e.course, e.completed,
                       NULL::boolean AS trained, NULL::text AS now_band
                FROM enrolled e
                WHERE e.starts_on <= $4::date AND ($3::date IS NULL OR e.starts_on >= $3::date)
            ), items AS (
                SELECT * FROM enrollment_rows UNION ALL \(familyRows)
            )\(byCourse ? ", total_items AS (SELECT * FROM enrollment_rows UNION ALL \(familiesTrained))" : "")
            """
    }

    /// Within a group each family has one family row and each enrollment one enrollment row, so
    /// plain counts of `family_id` (family rows) and `enrollment_id` (enrollment rows) count
    /// distinct families and enrollments.
    static var trainingMetrics: [Metric] {
        let families = ["trained": "i.trained", "untrained": "NOT i.trained"].sorted { $0.key < $1.key }.flatMap { name, condition in
            let above = "count(*) FILTER (WHERE i.kind = 'f' AND \(condition) AND i.now_band IN ('near_poor', 'above'))"
            return [
                Metric(name: "\(name)_families", sql: "count(*) FILTER (WHERE i.kind = 'f' AND \(condition))"),
                Metric(name: "\(name)_above_line", sql: above),
                Metric(name: "\(name)_above_line_share", sql: "round(\(above)::numeric"
                    + " / nullif(count(*) FILTER (WHERE i.kind = 'f' AND \(condition) AND i.now_band IS NOT NULL), 0), 6)"),
            ]
        }
        let enrollments = "count(i.enrollment_id)"
        let completions = "count(i.enrollment_id) FILTER (WHERE i.completed)"
        return [
            Metric(name: "enrollments", sql: enrollments),
            Metric(name: "completions", sql: completions),
            Metric(name: "completion_rate", sql: "round(\(completions)::numeric / nullif(\(enrollments), 0), 6)"),
        ] + families
    }
}
