import Dates
import Foundation
import Postgres

/// Graduation readiness (SPEC §7), evaluated on demand from the family's figures.
public struct Graduation: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// What `graduation_criteria()` in PostgreSQL decides for a family as of a date
    /// (sql/definitions/80_graduation.sql): the programme's settings, each criterion met or not,
    /// and whether a loan is past due. The outcomes report reads the same definition, so both
    /// count the same families ready.
    struct Decision {
        let incomeMonths: Int
        let minSSM: Int
        let maxDPD: Int
        let courses: Int
        let countBenefits: Bool
        let met: [String: Bool]
        let inArrears: Bool

        static let names = ["income_above_line", "project_profitable", "no_loan_over_30_dpd", "ssm_core_domains", "course_completed",
                            "no_recent_write_off"]

        static func read(_ connection: PostgresConnection, organization: UUID, family: UUID, asOf: LocalDate) throws -> Decision {
            // graduation_criteria() reads the family's history row (sql/definitions/75_family_histories.sql), which triggers
            // keep for every family; its absence is a broken database, not a missing family.
            guard let row = try connection.query(
                """
                SELECT income_months, min_ssm, max_dpd, courses, count_benefits, \(names.joined(separator: ", ")), in_arrears
                FROM graduation_criteria($1, $2, $3)
                """, [organization, asOf, family]).first else {
                throw RavnaqError.setup("family \(family.idString) has no history row (family_histories); refresh_family_histories() rebuilds it")
            }
            var met: [String: Bool] = [:]
            for (index, name) in names.enumerated() { met[name] = try row.decode(5 + index, as: Bool.self) }
            return Decision(incomeMonths: try row.decode(0), minSSM: try row.decode(1), maxDPD: try row.decode(2), courses: try row.decode(3),
                            countBenefits: try row.decode(4), met: met, inArrears: try row.decode(5 + names.count))
        }
    }

    public struct Criterion: Encodable, Sendable, Equatable {
        public let name: String
        public let met: Bool
        public let detail: String
    }

    public struct Evaluation: Encodable, Sendable {
        public let family_id: String
        public let as_of: String
        public let status: String
        public let family_status: String
        public let criteria: [Criterion]
        /// Why the family is at risk, when it is.
        public let risks: [String]
    }

    public func evaluate(family key: String, asOf: String?, as actor: Actor) async throws -> Evaluation {
        let date = try FieldErrors.asOf(asOf)
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .read, on: today)
            return try Self.evaluate(connection, organization: actor.organizationID, family: family, asOf: date ?? today)
        }
    }

    /// A coordinator confirms the graduation of a family that is `ready` today.
    public func confirm(family key: String, as actor: Actor) async throws -> Evaluation {
        try actor.require(.admin, .coordinator, to: "confirm graduation")
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            let evaluation = try Self.evaluate(connection, organization: actor.organizationID, family: family, asOf: today)
            guard evaluation.family_status == "active" else {
                throw RavnaqError.rule(.familyNotActive, message: "the family is \(evaluation.family_status)")
            }
            guard evaluation.status == "ready" else {
                let unmet = evaluation.criteria.filter { !$0.met }.map(\.name) + evaluation.risks
                throw RavnaqError.rule(.notReady, message: "the family is \(evaluation.status), not ready: \(unmet.joined(separator: "; "))")
            }
            try connection.query("UPDATE families SET status = 'graduated', status_on = $2 WHERE id = $1", [family, today])
            return try Self.evaluate(connection, organization: actor.organizationID, family: family, asOf: today)
        }
    }

    static func evaluate(_ connection: PostgresConnection, organization: UUID, family: UUID, asOf: LocalDate) throws -> Evaluation {
        let decision = try Decision.read(connection, organization: organization, family: family, asOf: asOf)
        let before = try Decision.read(connection, organization: organization, family: family, asOf: asOf.startOfMonth.adding(days: -1))
        let maxDPD = try maxDaysPastDue(connection, family: family, asOf: asOf)
        let now = try criteria(connection, family: family, asOf: asOf, decision: decision, maxDPD: maxDPD)
        var risks: [String] = []
        for criterion in now where before.met[criterion.name] == true && !criterion.met {
            risks.append("\(criterion.name) was met at the end of the previous month and is not now")
        }
        if decision.inArrears { risks.append("a loan is \(maxDPD) days past due") }
        let status = !risks.isEmpty ? "at_risk" : now.allSatisfy(\.met) ? "ready" : "on_track"
        let familyStatus: String = try connection.query("SELECT status FROM families WHERE id = $1", [family]).first!.decode(0)
        return Evaluation(family_id: family.idString, as_of: asOf.description, status: status, family_status: familyStatus,
                          criteria: now, risks: risks)
    }

    /// The most days past due of the family's loans as of the date (0 when none is late), for
    /// the criteria's details.
    static func maxDaysPastDue(_ connection: PostgresConnection, family: UUID, asOf: LocalDate) throws -> Int {
        try connection.query(
            """
            SELECT coalesce(max(f.days_past_due), 0) FROM loans l JOIN projects p ON p.id = l.project_id,
                   loan_figures(l.id, $2) f WHERE p.family_id = $1
            """, [family, asOf]).first!.decode(0)
    }

    /// The six criteria as `graduation_criteria()` decided them, each with the figures behind it,
    /// the failing one marked: a month below the line or not profitable, a month missing or too
    /// old, a score below the minimum, an assessment too old, a recent write-off.
    static func criteria(_ connection: PostgresConnection, family: UUID, asOf: LocalDate, decision: Decision, maxDPD: Int) throws -> [Criterion] {
        // The windows graduation_of() applies, from their one definition (80_graduation.sql).
        let windows = try connection.query(
            "SELECT graduation_latest_month_from($1), graduation_assessed_from($1), graduation_written_off_after($1)", [asOf]).first!
        let (latestMonthFrom, assessedFrom, writtenOffAfter): (LocalDate, LocalDate, LocalDate) =
            (try windows.decode(0), try windows.decode(1), try windows.decode(2))

        // The last N months recorded up to as_of, latest first: income per person against the line
        // (without the month's benefits unless the programme counts them) and the projects' net income.
        let months = try connection.query(
            """
            SELECT i.period, round((i.total - CASE WHEN $4 THEN 0 ELSE i.benefits END) / i.household_size, 2)::numeric(18,2)::text,
                   i.benefits::numeric(18,2)::text, NOT $4 AND i.benefits > 0, poverty_line(i.period)::numeric(18,2)::text,
                   i.total - CASE WHEN $4 THEN 0 ELSE i.benefits END >= i.household_size * poverty_line(i.period),
                   n.net::numeric(18,2)::text, n.net > 0
            FROM household_incomes i,
                 LATERAL (SELECT sum(r.revenue - r.costs) AS net FROM project_reports r JOIN projects p ON p.id = r.project_id
                          WHERE p.family_id = i.family_id AND r.period = i.period) n
            WHERE i.family_id = $1 AND i.period <= $2
            ORDER BY i.period DESC LIMIT $3
            """, [family, asOf.startOfMonth, decision.incomeMonths, decision.countBenefits]
        ).rows.map { row in
            (period: try row.decode(0, as: LocalDate.self), perCapita: try row.decode(1, as: String.self),
             benefits: try row.decode(2, as: String.self), benefitsLeftOut: try row.decode(3, as: Bool.self),
             line: try row.decode(4, as: String?.self), atLeastLine: try row.decode(5, as: Bool?.self),
             net: try row.decode(6, as: String?.self), profitable: try row.decode(7, as: Bool?.self))
        }
        // What is wrong with the months themselves, for both criteria that read them.
        var monthNotes: [String] = []
        if months.count < decision.incomeMonths { monthNotes.append("\(months.count) of \(decision.incomeMonths) months reported") }
        if let latest = months.first?.period, latest < latestMonthFrom {
            monthNotes.append("the latest month reported, \(Self.month(latest)), is older than \(Self.month(latestMonthFrom)), the month before as_of")
        }
        for (newer, older) in zip(months, months.dropFirst()) where older.period.adding(months: 1) < newer.period {
            let first = older.period.adding(months: 1), last = newer.period.adding(months: -1)
            monthNotes.append("no income recorded for \(Self.month(first))" + (first == last ? "" : " to \(Self.month(last))")
                              + ": the months must be consecutive")
        }
        let notes = monthNotes.isEmpty ? "" : " (\(monthNotes.joined(separator: "; ")))"
        let incomeDetail = months.isEmpty ? "no household income recorded"
            : months.map { month in
                let income = "\(Self.month(month.period)): \(month.perCapita) per person"
                    + (month.benefitsLeftOut ? " without benefits of \(month.benefits)" : "")
                guard let line = month.line else { return income + ", no poverty line for \(Self.month(month.period))" }
                return income + " vs line \(line)" + (month.atLeastLine == true ? "" : " (below)")
            }.joined(separator: "; ") + notes
        let profitDetail = months.isEmpty ? "no months reported"
            : months.map { month in
                guard let net = month.net else { return "\(Self.month(month.period)): no project report" }
                return "\(Self.month(month.period)): net \(net)" + (month.profitable == true ? "" : " (not positive)")
            }.joined(separator: "; ") + notes

        // The latest assessment up to as_of, and its age.
        let latest = try connection.query(
            """
            SELECT a.assessed_on, a.income, a.employment, a.food,
                   (extract(year FROM age($2::date::timestamp, a.assessed_on::timestamp)) * 12
                    + extract(month FROM age($2::date::timestamp, a.assessed_on::timestamp)))::int,
                   extract(day FROM age($2::date::timestamp, a.assessed_on::timestamp))::int
            FROM assessments a WHERE a.family_id = $1 AND a.assessed_on <= $2
            ORDER BY a.assessed_on DESC, a.recorded_at DESC, a.id DESC LIMIT 1
            """, [family, asOf]).first
        var ssmDetail = "no assessment yet"
        if let latest {
            let assessedOn: LocalDate = try latest.decode(0)
            let scores = zip(["income", "employment", "food"], [try latest.decode(1, as: Int.self), try latest.decode(2, as: Int.self),
                                                               try latest.decode(3, as: Int.self)])
            let below = scores.filter { $0.1 < decision.minSSM }.map(\.0)
            ssmDetail = "on \(assessedOn): " + scores.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                + " (at least \(decision.minSSM) needed" + (below.isEmpty ? ")" : "; below: \(below.joined(separator: ", ")))")
            if assessedOn < assessedFrom {
                let (ageMonths, ageDays): (Int, Int) = (try latest.decode(4), try latest.decode(5))
                ssmDetail += "; it is \(ageMonths) months" + (ageDays == 0 ? "" : " \(ageDays) day\(ageDays == 1 ? "" : "s")")
                    + " old, older than 7 months: a newer assessment is needed"
            }
        }

        let completed: Int = try connection.query(
            """
            SELECT count(*) FROM enrollments e JOIN members m ON m.id = e.member_id
            WHERE m.family_id = $1 AND e.completed AND e.completed_on <= $2
            """, [family, asOf]).first!.decode(0)

        // The latest write-off up to as_of, against the 12 months before it.
        var writeOffDetail = "no loan written off"
        if let writeOff = try connection.query(
            """
            SELECT l.number, l.written_off_on FROM loans l JOIN projects p ON p.id = l.project_id
            WHERE p.family_id = $1 AND l.written_off_on <= $2
            ORDER BY l.written_off_on DESC, l.number DESC LIMIT 1
            """, [family, asOf]).first {
            let (number, on): (String, LocalDate) = (try writeOff.decode(0), try writeOff.decode(1))
            writeOffDetail = on > writtenOffAfter
                ? "loan \(number) was written off on \(on), within the 12 months to as_of (after \(writtenOffAfter))"
                : "the latest write-off, of loan \(number) on \(on), is older than 12 months (on or before \(writtenOffAfter))"
        }

        let details = [
            incomeDetail,
            profitDetail,
            maxDPD == 0 ? "no loan is late" : "the most overdue loan is \(maxDPD) days past due (at most \(decision.maxDPD) allowed)",
            ssmDetail,
            "\(completed) course\(completed == 1 ? "" : "s") completed (\(decision.courses) needed)",
            writeOffDetail,
        ]
        return zip(Decision.names, details).map { Criterion(name: $0, met: decision.met[$0] ?? false, detail: $1) }
    }

    /// A month as the details name it: YYYY-MM.
    static func month(_ date: LocalDate) -> String { String(date.description.prefix(7)) }
}
