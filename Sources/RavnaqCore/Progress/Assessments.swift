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

    public func record(family key: String, _ input: AssessmentInput, as actor: Actor,
                       idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try await database.record(as: actor, once: idempotency, operation: .assessment, resource: key) { connection in
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
                throw RavnaqError.conflict(.duplicateIntake, message: "the family already has an intake assessment")
            }
            let columns = Self.domains.joined(separator: ", ")
            let placeholders = Self.domains.indices.map { "$\($0 + 5)" }.joined(separator: ", ")
            let id: UUID = try connection.query(
                "INSERT INTO assessments (organization_id, family_id, assessed_on, kind, \(columns)) VALUES ($1, $2, $3, $4, \(placeholders)) RETURNING id",
                [actor.organizationID, family, date!, kind!.rawValue] + Self.domains.map { scores[$0]! }
            ).first!.decode(0)
            return JSONText(try Self.rows(connection, family: family, id: id).first!.decode(0))
        }
    }

    /// The family's assessments by date, oldest first (those of one day in the order recorded).
    public func list(family key: String, page: Page = Page(), as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .read, on: today)
            let list = ListKey("/families/{id}/assessments", of: actor, filters: [family.idString], keys: 3)
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(Self.listSQL + """
                     WHERE a.family_id = $1
                       AND ($2::date IS NULL OR (a.assessed_on, a.recorded_at, a.id) > ($2::date, $3::timestamptz, $4::uuid))
                     ORDER BY a.assessed_on, a.recorded_at, a.id LIMIT $5
                    """, [family, after?[0], after?[1], after?[2], page.limit + 1]),
                page: page, list: list)
        }
    }

    /// One assessment.
    static func rows(_ connection: PostgresConnection, family: UUID, id: UUID) throws -> [PostgresRow] {
        try connection.query(listSQL + " WHERE a.family_id = $1 AND a.id = $2", [family, id]).rows
    }

    /// Each assessment `a` with its scores, the change per domain since intake (null where either
    /// score is 0, not applicable), and the mean over applicable domains, labelled as derived;
    /// then its sort keys. The caller adds the WHERE clause.
    static let listSQL: String = {
        let scores = domains.map { "'\($0)', a.\($0)" }.joined(separator: ", ")
        let changes = domains.map { "'\($0)', CASE WHEN a.\($0) > 0 AND i.\($0) > 0 THEN a.\($0) - i.\($0) END" }.joined(separator: ", ")
        let applicable = domains.map { "(a.\($0) > 0)::int" }.joined(separator: " + ")
        let total = domains.joined(separator: " + a.")
        return """
            SELECT json_build_object('id', a.id, 'family_id', a.family_id, 'assessed_on', a.assessed_on, 'kind', a.kind,
                                     'scores', json_build_object(\(scores)),
                                     'change_since_intake', CASE WHEN i.id IS NOT NULL THEN json_build_object(\(changes)) END,
                                     'derived_index', round((a.\(total))::numeric / (\(applicable)), 2))::text,
                   a.assessed_on::text, a.recorded_at::text, a.id::text
            FROM assessments a
            LEFT JOIN assessments i ON i.family_id = a.family_id AND i.kind = 'intake'
            """
    }()
}
