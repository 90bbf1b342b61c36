import Dates
import Foundation
import Postgres

/// One reason of an alert: a signal's stable code, its weight in the score, the reason in words
/// and the figures behind it (README, "Smart monitoring", lists each code's figures).
public struct AlertReason: Encodable, Sendable, Equatable {
    public let code: String
    public let weight: Int
    public let text: String
    public let figures: JSONValue
}

/// The acknowledgement an alert came back over: its score rose above the one acknowledged.
public struct AlertAcknowledgement: Encodable, Sendable, Equatable {
    public let as_of: String
    public let score: Int
    public let note: String?
    public let by: String?
    public let at: String

    /// Every key, null included (`note`, `by`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(as_of, forKey: .as_of)
        try container.encode(score, forKey: .score)
        try container.encode(note, forKey: .note)
        try container.encode(by, forKey: .by)
        try container.encode(at, forKey: .at)
    }

    enum CodingKeys: String, CodingKey { case as_of, score, note, by, at }
}

/// A family's alert as of a day (issue 17). There is one per family and day, so its id is the
/// family's: `POST /alerts/{id}/acknowledge` takes either.
public struct AlertView: Encodable, Sendable, ListItem {
    public let id: String
    public let family_id: String
    public let family_code: String
    public let district: String
    /// The family's mentor on the day (email), null when it has none.
    public let mentor: String?
    public let as_of: String
    public let score: Int
    /// high from 50, medium from 25, low below (`alert_level()`).
    public let level: String
    public let reasons: [AlertReason]
    /// The latest acknowledgement up to the day, when the score has risen above it since.
    public let acknowledged: AlertAcknowledgement?

    /// Every key, null included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(family_id, forKey: .family_id)
        try container.encode(family_code, forKey: .family_code)
        try container.encode(district, forKey: .district)
        try container.encode(mentor, forKey: .mentor)
        try container.encode(as_of, forKey: .as_of)
        try container.encode(score, forKey: .score)
        try container.encode(level, forKey: .level)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(acknowledged, forKey: .acknowledged)
    }

    enum CodingKeys: String, CodingKey {
        case id, family_id, family_code, district, mentor, as_of, score, level, reasons, acknowledged
    }
}

public struct AcknowledgementInput: Decodable, Sendable {
    public var note: String?
    public init(note: String? = nil) { self.note = note }
}

/// Which family needs help, and why (issue 17): the families with signals as of a day, highest
/// score first, without those acknowledged at a score they have not risen above since.
/// Coordinators and admins see every family (or one mentor's, `mentor=`); a mentor only their
/// own, which row-level security enforces too.
public struct Alerts: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func list(asOf: String?, mentor: String?, page: Page = Page(), as actor: Actor) async throws -> Paged<AlertView> {
        try actor.require(.admin, .coordinator, .mentor, to: "read alerts")
        let date = try FieldErrors.asOf(asOf)
        let mentor = mentor.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        if actor.role == .mentor, let mentor, mentor.lowercased() != actor.name.lowercased() {
            throw RavnaqError.forbidden("a mentor sees only the alerts of their own families")
        }
        let list = ListKey("/alerts", of: actor, filters: [date?.description ?? "", mentor?.lowercased() ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            let day = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            try Self.planForEveryFamily(connection)
            if let mentor, actor.role != .mentor, try connection.query(
                "SELECT 1 FROM users WHERE organization_id = $1 AND lower(email) = lower($2) AND role = 'mentor'",
                [actor.organizationID, mentor]).first == nil {
                throw RavnaqError.invalid([.init(pointer: "/mentor", detail: "no mentor has the email \(mentor)")])
            }
            return try Paged(
                rows: connection.query(
                    Self.alertsSQL(
                        where: """
                            a.shown AND ($4::text IS NULL OR lower(a.mentor) = lower($4))
                            AND ($5::int IS NULL OR a.score < $5 OR (a.score = $5 AND a.code > $6))
                            """,
                        limit: "$7"),
                    [actor.organizationID, day, nil, mentor, after.map { Int($0[0]) ?? 0 }, after?[1], page.limit + 1]).rows,
                page: page, list: list, item: { try Self.view($0, asOf: day) })
        }
    }

    /// Acknowledges a family's alert as of today, at today's score: it stays away until the
    /// score rises above it. A family without an alert today is a 422 `no-alert`.
    public func acknowledge(_ key: String, _ input: AcknowledgementInput, as actor: Actor) async throws -> AlertView {
        try actor.require(.admin, .coordinator, .mentor, to: "acknowledge alerts")
        var errors = FieldErrors()
        let note = errors.text(input.note, "/note", required: false)
        // Counted as PostgreSQL's length() counts them (code points, not what a reader sees as one).
        if let note, note.unicodeScalars.count > 2000 { errors.add("/note", "must be at most 2000 characters") }
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            guard let row = try connection.query(Self.alertsSQL(), [actor.organizationID, today, family]).first else {
                throw RavnaqError.rule(.noAlert, message: "the family has no alert today: nothing to acknowledge")
            }
            let score: Int = try row.decode(4)
            let at: String = try connection.query(
                """
                INSERT INTO alert_acknowledgements (organization_id, family_id, as_of, score, note, acknowledged_by)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING acknowledged_at::text
                """, [actor.organizationID, family, today, score, note, actor.userID]).first!.decode(0)
            // The answer shows the alert with the acknowledgement just made, which hides it from lists.
            return try Self.view(row, asOf: today, acknowledged: AlertAcknowledgement(
                as_of: today.description, score: score, note: note, by: actor.userID == nil ? nil : actor.name, at: at))
        }
    }

    /// Settings for this transaction's statements over every family (the list, the scan for
    /// high alerts). JIT off, as for the reports: compiling the plan took longer than running it
    /// (1.3 s of 2.4 s at 100 000 families). Parallel workers at no cost: PostgreSQL otherwise
    /// weighed the histories' wide rows through a Gather as dearer than one process reading them
    /// all, and scanned them alone — 0.43 s instead of 0.23 s of the alerts' 0.93 s at 100 000
    /// families (the choice flipped with the statistics from one data set to another).
    static func planForEveryFamily(_ connection: PostgresConnection) throws {
        try connection.query(
            "SELECT set_config('jit', 'off', true), set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)")
    }

    /// The alerts as of $2 (of one family, $3, or all) that pass `filter` (over the columns of
    /// `a` below), highest score first, at most `limit` (a parameter, or all): each family's
    /// code, district, mentor on the day and latest acknowledgement up to the day (`shown`: the
    /// list shows it), and its reasons. The last two columns are the sort keys (score, code) as
    /// text. `filter` and `limit` are SQL written here, never a value.
    ///
    /// The families are chosen by their scores alone, and only the chosen ones' reasons are put
    /// together: at 100 000 families, wording every family's reasons took a third of the time.
    static func alertsSQL(where filter: String = "true", limit: String = "ALL") -> String {
        """
        WITH s AS MATERIALIZED (SELECT * FROM family_alert_signals($1, $2, $3)),
        chosen AS (
            SELECT a.* FROM (
                SELECT a.family_id, f.code, f.district,
                       CASE WHEN h.mentor_to_on[m.at] > $2::date THEN h.mentor_emails[m.at] END AS mentor,
                       a.score, ack.as_of AS acknowledged_as_of, ack.score AS acknowledged_score, ack.note AS acknowledged_note,
                       ack.acknowledged_by, ack.acknowledged_at, ack.score IS NULL OR a.score > ack.score AS shown
                FROM (SELECT s.family_id, sum(s.weight)::int AS score FROM s GROUP BY s.family_id) a
                JOIN families f ON f.id = a.family_id
                JOIN family_histories h ON h.family_id = a.family_id
                CROSS JOIN LATERAL (SELECT width_bucket($2::date, h.mentor_from_on) AS at) m
                LEFT JOIN LATERAL (SELECT k.* FROM alert_acknowledgements k WHERE k.family_id = a.family_id AND k.as_of <= $2
                                   ORDER BY k.as_of DESC, k.acknowledged_at DESC LIMIT 1) ack ON true) a
            WHERE \(filter)
            ORDER BY a.score DESC, a.code LIMIT \(limit))
        SELECT c.family_id, c.code, c.district, c.mentor, c.score, alert_level(c.score),
               json_agg(json_build_object('code', s.code, 'weight', s.weight, 'figures', s.figures) ORDER BY s.weight DESC, s.code)::text,
               c.acknowledged_as_of, c.acknowledged_score, c.acknowledged_note,
               (SELECT u.email FROM users u WHERE u.id = c.acknowledged_by), c.acknowledged_at::text, c.shown,
               c.score::text AS sort_score, c.code AS sort_code
        FROM chosen c JOIN s ON s.family_id = c.family_id
        GROUP BY c.family_id, c.code, c.district, c.mentor, c.score, c.acknowledged_as_of, c.acknowledged_score,
                 c.acknowledged_note, c.acknowledged_by, c.acknowledged_at, c.shown
        ORDER BY c.score DESC, c.code
        """
    }

    /// `acknowledged`: the acknowledgement just made, instead of the row's earlier one.
    static func view(_ row: PostgresRow, asOf: LocalDate, acknowledged made: AlertAcknowledgement? = nil) throws -> AlertView {
        let reasons = try JSONDecoder().decode([JSONValue].self, from: Data(try row.decode(6, as: String.self).utf8)).map { reason in
            let code = reason["code"].string ?? ""
            return AlertReason(code: code, weight: reason["weight"].integer ?? 0,
                               text: AlertSignal(rawValue: code)?.words(reason["figures"]) ?? code, figures: reason["figures"])
        }
        let score: Int = try row.decode(4)
        var acknowledged = made
        if made == nil, let ackScore = try row.decode(8, as: Int?.self), ackScore < score {
            acknowledged = AlertAcknowledgement(as_of: try row.decode(7, as: LocalDate.self).description, score: ackScore,
                                                note: try row.decode(9, as: String?.self), by: try row.decode(10, as: String?.self),
                                                at: try row.decode(11))
        }
        let family = try row.decode(0, as: UUID.self).idString
        return AlertView(id: family, family_id: family, family_code: try row.decode(1), district: try row.decode(2),
                         mentor: try row.decode(3, as: String?.self), as_of: asOf.description, score: score,
                         level: try row.decode(5), reasons: reasons, acknowledged: acknowledged)
    }
}
