import Dates
import Foundation
import Postgres
import RavnaqMoney

/// Graduation readiness (SPEC §7), evaluated on demand from the family's figures.
public struct Graduation: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// A programme's settings (`programmes.graduation`), over the defaults.
    struct Settings: Decodable {
        var income_months = 3
        var min_ssm = 3
        var max_dpd = 30
        var courses = 1

        init() {}
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            income_months = try container.decodeIfPresent(Int.self, forKey: .income_months) ?? 3
            min_ssm = try container.decodeIfPresent(Int.self, forKey: .min_ssm) ?? 3
            max_dpd = try container.decodeIfPresent(Int.self, forKey: .max_dpd) ?? 30
            courses = try container.decodeIfPresent(Int.self, forKey: .courses) ?? 1
        }
        enum CodingKeys: String, CodingKey { case income_months, min_ssm, max_dpd, courses }
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
            return try Self.evaluate(connection, family: family, asOf: date ?? today)
        }
    }

    /// A coordinator confirms the graduation of a family that is `ready` today.
    public func confirm(family key: String, as actor: Actor) async throws -> Evaluation {
        try actor.require(.admin, .coordinator, to: "confirm graduation")
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            let evaluation = try Self.evaluate(connection, family: family, asOf: today)
            guard evaluation.family_status == "active" else {
                throw RavnaqError.rule(type: "family-not-active", message: "the family is \(evaluation.family_status)")
            }
            guard evaluation.status == "ready" else {
                let unmet = evaluation.criteria.filter { !$0.met }.map(\.name) + evaluation.risks
                throw RavnaqError.rule(type: "not-ready", message: "the family is \(evaluation.status), not ready: \(unmet.joined(separator: "; "))")
            }
            try connection.query("UPDATE families SET status = 'graduated', status_on = $2 WHERE id = $1", [family, today])
            return try Self.evaluate(connection, family: family, asOf: today)
        }
    }

    static func evaluate(_ connection: PostgresConnection, family: UUID, asOf: LocalDate) throws -> Evaluation {
        let settings = try settings(connection, family: family)
        let now = try criteria(connection, family: family, asOf: asOf, settings: settings)
        let previous = try criteria(connection, family: family, asOf: asOf.startOfMonth.adding(days: -1), settings: settings)
        var risks: [String] = []
        for (current, before) in zip(now, previous) where before.met && !current.met {
            risks.append("\(current.name) was met at the end of the previous month and is not now")
        }
        let maxDPD = try maxDaysPastDue(connection, family: family, asOf: asOf)
        if maxDPD > 0 { risks.append("a loan is \(maxDPD) days past due") }
        let status = !risks.isEmpty ? "at_risk" : now.allSatisfy(\.met) ? "ready" : "on_track"
        let familyStatus: String = try connection.query("SELECT status FROM families WHERE id = $1", [family]).first!.decode(0)
        return Evaluation(family_id: family.idString, as_of: asOf.description, status: status, family_status: familyStatus,
                          criteria: now, risks: risks)
    }

    /// The most days past due of the family's loans as of the date (0 when none is late).
    static func maxDaysPastDue(_ connection: PostgresConnection, family: UUID, asOf: LocalDate) throws -> Int {
        try connection.query(
            """
            SELECT coalesce(max(f.days_past_due), 0) FROM loans l JOIN projects p ON p.id = l.project_id,
                   loan_figures(l.id, $2) f WHERE p.family_id = $1
            """, [family, asOf]).first!.decode(0)
    }

    /// The programme of the family's latest loan or grant decides (defaults without one).
    static func settings(_ connection: PostgresConnection, family: UUID) throws -> Settings {
        let json = try connection.query(
            """
            SELECT g.graduation::text FROM (
                SELECT l.programme_id, l.created_at FROM loans l JOIN projects p ON p.id = l.project_id WHERE p.family_id = $1
                UNION ALL
                SELECT gr.programme_id, gr.created_at FROM grants gr JOIN projects p ON p.id = gr.project_id WHERE p.family_id = $1
            ) latest JOIN programmes g ON g.id = latest.programme_id
            ORDER BY latest.created_at DESC LIMIT 1
            """, [family]).first?.decode(0, as: String.self)
        guard let json else { return Settings() }
        return (try? JSONDecoder().decode(Settings.self, from: Data(json.utf8))) ?? Settings()
    }

    static func criteria(_ connection: PostgresConnection, family: UUID, asOf: LocalDate, settings: Settings) throws -> [Criterion] {
        // The last N reported months up to as_of, with income against the line and project net income.
        let months = try connection.query(
            """
            SELECT to_char(i.period, 'YYYY-MM'), i.total >= poverty_line(i.period) * i.household_size,
                   round(i.total / i.household_size, 2)::numeric(18,2)::text, poverty_line(i.period)::numeric(18,2)::text,
                   (SELECT sum(r.revenue - r.costs) FROM project_reports r JOIN projects p ON p.id = r.project_id
                    WHERE p.family_id = i.family_id AND r.period = i.period)::numeric(18,2)::text
            FROM household_incomes i
            WHERE i.family_id = $1 AND i.period <= $2
            ORDER BY i.period DESC LIMIT $3
            """, [family, asOf.startOfMonth, settings.income_months]
        ).rows.map { row in
            (period: try row.decode(0, as: String.self), above: try row.decode(1, as: Bool.self),
             perCapita: try row.decode(2, as: String.self), line: try row.decode(3, as: String.self),
             net: try row.decode(4, as: String?.self))
        }
        let enough = months.count == settings.income_months
        let incomeDetail = months.isEmpty ? "no household income recorded"
            : months.map { "\($0.period): \($0.perCapita) per person vs line \($0.line)" }.joined(separator: "; ")
            + (enough ? "" : " (\(months.count) of \(settings.income_months) months reported)")
        let profitable = enough && months.allSatisfy { ($0.net.flatMap { Amount.parse($0, minorDigits: 2) } ?? .zero).isPositive }
        let profitDetail = months.isEmpty ? "no months reported"
            : months.map { "\($0.period): net \($0.net ?? "no report")" }.joined(separator: "; ")

        let maxDPD = try maxDaysPastDue(connection, family: family, asOf: asOf)

        let latest = try connection.query(
            "SELECT assessed_on, income, employment, food FROM assessments WHERE family_id = $1 AND assessed_on <= $2 ORDER BY assessed_on DESC, recorded_at DESC LIMIT 1",
            [family, asOf]).first
        var ssmMet = false
        var ssmDetail = "no assessment yet"
        if let latest {
            let scores = [try latest.decode(1, as: Int.self), try latest.decode(2, as: Int.self), try latest.decode(3, as: Int.self)]
            ssmMet = scores.allSatisfy { $0 >= settings.min_ssm }
            ssmDetail = "on \(try latest.decode(0, as: LocalDate.self)): income \(scores[0]), employment \(scores[1]), food \(scores[2]) (at least \(settings.min_ssm) needed)"
        }

        let completed: Int = try connection.query(
            """
            SELECT count(*) FROM enrollments e JOIN members m ON m.id = e.member_id
            WHERE m.family_id = $1 AND e.completed AND e.completed_on <= $2
            """, [family, asOf]).first!.decode(0)

        return [
            Criterion(name: "income_above_line", met: enough && months.allSatisfy(\.above), detail: incomeDetail),
            Criterion(name: "project_profitable", met: profitable, detail: profitDetail),
            Criterion(name: "no_loan_over_30_dpd", met: maxDPD <= settings.max_dpd,
                      detail: maxDPD == 0 ? "no loan is late" : "the latest loan is \(maxDPD) days past due (at most \(settings.max_dpd) allowed)"),
            Criterion(name: "ssm_core_domains", met: ssmMet, detail: ssmDetail),
            Criterion(name: "course_completed", met: completed >= settings.courses,
                      detail: "\(completed) course\(completed == 1 ? "" : "s") completed (\(settings.courses) needed)"),
        ]
    }
}
