import Dates
import Foundation
import Postgres

/// Graduation readiness (SPEC §7), evaluated on demand from the family's figures.
public struct Graduation: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// What `graduation_criteria()` in PostgreSQL decides for a family as of a date (SQL
    /// 014): the programme's settings, each criterion met or not, and whether a loan is past
    /// due. The outcomes report reads the same function, so both count the same families ready.
    struct Decision {
        let incomeMonths: Int
        let minSSM: Int
        let maxDPD: Int
        let courses: Int
        let met: [String: Bool]
        let inArrears: Bool

        static let names = ["income_above_line", "project_profitable", "no_loan_over_30_dpd", "ssm_core_domains", "course_completed"]

        static func read(_ connection: PostgresConnection, organization: UUID, family: UUID, asOf: LocalDate) throws -> Decision {
            // graduation_criteria() reads the family's history row (sql/definitions/75_family_histories.sql), which triggers
            // keep for every family; its absence is a broken database, not a missing family.
            guard let row = try connection.query(
                """
                SELECT income_months, min_ssm, max_dpd, courses, \(names.joined(separator: ", ")), in_arrears
                FROM graduation_criteria($1, $2, $3)
                """, [organization, asOf, family]).first else {
                throw RavnaqError.setup("family \(family.idString) has no history row (family_histories); refresh_family_histories() rebuilds it")
            }
            var met: [String: Bool] = [:]
            for (index, name) in names.enumerated() { met[name] = try row.decode(4 + index, as: Bool.self) }
            return Decision(incomeMonths: try row.decode(0), minSSM: try row.decode(1), maxDPD: try row.decode(2), courses: try row.decode(3),
                            met: met, inArrears: try row.decode(9))
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

    /// The five criteria as `graduation_criteria()` decided them, each with the figures behind it.
    static func criteria(_ connection: PostgresConnection, family: UUID, asOf: LocalDate, decision: Decision, maxDPD: Int) throws -> [Criterion] {
        // The last N reported months up to as_of, with income against the line and project net income.
        let months = try connection.query(
            """
            SELECT to_char(i.period, 'YYYY-MM'), round(i.total / i.household_size, 2)::numeric(18,2)::text, poverty_line(i.period)::numeric(18,2)::text,
                   (SELECT sum(r.revenue - r.costs) FROM project_reports r JOIN projects p ON p.id = r.project_id
                    WHERE p.family_id = i.family_id AND r.period = i.period)::numeric(18,2)::text
            FROM household_incomes i
            WHERE i.family_id = $1 AND i.period <= $2
            ORDER BY i.period DESC LIMIT $3
            """, [family, asOf.startOfMonth, decision.incomeMonths]
        ).rows.map { row in
            (period: try row.decode(0, as: String.self), perCapita: try row.decode(1, as: String.self),
             line: try row.decode(2, as: String?.self), net: try row.decode(3, as: String?.self))
        }
        let incomeDetail = months.isEmpty ? "no household income recorded"
            : months.map { "\($0.period): \($0.perCapita) per person vs line \($0.line ?? "none (no poverty line in force)")" }.joined(separator: "; ")
            + (months.count == decision.incomeMonths ? "" : " (\(months.count) of \(decision.incomeMonths) months reported)")
        let profitDetail = months.isEmpty ? "no months reported"
            : months.map { "\($0.period): net \($0.net ?? "no report")" }.joined(separator: "; ")

        let latest = try connection.query(
            "SELECT assessed_on, income, employment, food FROM assessments WHERE family_id = $1 AND assessed_on <= $2 ORDER BY assessed_on DESC, recorded_at DESC LIMIT 1",
            [family, asOf]).first
        var ssmDetail = "no assessment yet"
        if let latest {
            let scores = [try latest.decode(1, as: Int.self), try latest.decode(2, as: Int.self), try latest.decode(3, as: Int.self)]
            ssmDetail = "on \(try latest.decode(0, as: LocalDate.self)): income \(scores[0]), employment \(scores[1]), food \(scores[2]) (at least \(decision.minSSM) needed)"
        }

        let completed: Int = try connection.query(
            """
            SELECT count(*) FROM enrollments e JOIN members m ON m.id = e.member_id
            WHERE m.family_id = $1 AND e.completed AND e.completed_on <= $2
            """, [family, asOf]).first!.decode(0)

        let details = [
            incomeDetail,
            profitDetail,
            maxDPD == 0 ? "no loan is late" : "the latest loan is \(maxDPD) days past due (at most \(decision.maxDPD) allowed)",
            ssmDetail,
            "\(completed) course\(completed == 1 ? "" : "s") completed (\(decision.courses) needed)",
        ]
        return zip(Decision.names, details).map { Criterion(name: $0, met: decision.met[$0] ?? false, detail: $1) }
    }
}
