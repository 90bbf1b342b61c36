import Dates
import Foundation
import Postgres

public struct AssessmentInput: Decodable, Sendable {
    public var assessed_on: String?
    public var kind: String?
    public var scores: [String: Int]?

    public init(assessed_on: String? = nil, kind: String? = nil, scores: [String: Int]? = nil) {
        self.assessed_on = assessed_on
        self.kind = kind
        self.scores = scores
    }
}

public enum AssessmentKind: String, CaseIterable, Sendable { case intake, periodic, exit }

/// Self-sufficiency matrix assessments (SPEC §7): 15 domains scored 1–5, childcare and
/// children_education 0 when not applicable; each domain's change since intake.
public struct Assessments: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public static let domains = ["income", "employment", "housing", "food", "childcare", "children_education", "adult_education",
                                 "health", "life_skills", "family_relations", "community", "legal", "mobility", "safety", "credit"]
    /// Domains that may be scored 0 (not applicable).
    public static let optionalDomains: Set<String> = ["childcare", "children_education"]

    public func record(family key: String, _ input: AssessmentInput, as actor: Actor) async throws -> JSONText {
        try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            var errors = FieldErrors()
            let date = errors.date(input.assessed_on, "/assessed_on")
            if let date, date > today { errors.add("/assessed_on", "is in the future") }
            let kind = errors.choice(input.kind, "/kind", as: AssessmentKind.self)
            let scores = input.scores ?? [:]
            if input.scores == nil { errors.add("/scores", "is required") }
            for name in scores.keys.sorted() where !Self.domains.contains(name) {
                errors.add("/scores/\(name)", "is not a domain of the matrix")
            }
            for domain in Self.domains where input.scores != nil {
                guard let score = scores[domain] else { errors.add("/scores/\(domain)", "is required"); continue }
                let lowest = Self.optionalDomains.contains(domain) ? 0 : 1
                if !(lowest...5).contains(score) { errors.add("/scores/\(domain)", "must be from \(lowest) to 5") }
            }
            try errors.check()
            if kind == .intake, try connection.query(
                "SELECT 1 FROM assessments WHERE family_id = $1 AND kind = 'intake'", [family]).rowCount > 0 {
                throw RavnaqError.conflict(type: "duplicate-intake", message: "the family already has an intake assessment")
            }
            let columns = Self.domains.joined(separator: ", ")
            let placeholders = Self.domains.indices.map { "$\($0 + 5)" }.joined(separator: ", ")
            let id: UUID = try connection.query(
                "INSERT INTO assessments (organization_id, family_id, assessed_on, kind, \(columns)) VALUES ($1, $2, $3, $4, \(placeholders)) RETURNING id",
                [actor.organizationID, family, date!, kind!.rawValue] + Self.domains.map { scores[$0]! }
            ).first!.decode(0)
            return try Self.list(connection, family: family).first { $0.text.contains(id.idString) }!
        }
    }

    public func list(family key: String, as actor: Actor) async throws -> [JSONText] {
        try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .read, on: today)
            return try Self.list(connection, family: family)
        }
    }

    /// Each assessment with its scores, the change per domain since intake (null where either
    /// score is 0, not applicable), and the mean over applicable domains, labelled as derived.
    static func list(_ connection: PostgresConnection, family: UUID) throws -> [JSONText] {
        let scores = domains.map { "'\($0)', a.\($0)" }.joined(separator: ", ")
        let changes = domains.map { "'\($0)', CASE WHEN a.\($0) > 0 AND i.\($0) > 0 THEN a.\($0) - i.\($0) END" }.joined(separator: ", ")
        let applicable = domains.map { "(a.\($0) > 0)::int" }.joined(separator: " + ")
        let total = domains.joined(separator: " + a.")
        return try connection.query(
            """
            SELECT json_build_object('id', a.id, 'family_id', a.family_id, 'assessed_on', a.assessed_on, 'kind', a.kind,
                                     'scores', json_build_object(\(scores)),
                                     'change_since_intake', CASE WHEN i.id IS NOT NULL THEN json_build_object(\(changes)) END,
                                     'derived_index', round((a.\(total))::numeric / (\(applicable)), 2))::text
            FROM assessments a
            LEFT JOIN assessments i ON i.family_id = a.family_id AND i.kind = 'intake'
            WHERE a.family_id = $1 ORDER BY a.assessed_on, a.recorded_at
            """, [family]
        ).rows.map { JSONText(try $0.decode(0)) }
    }
}
