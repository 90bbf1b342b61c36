import Dates
import Foundation
import Postgres

/// Families (households) and their members; a family's case file is assembled by PostgreSQL in
/// one round trip.
public struct Families: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func create(_ input: FamilyInput, as actor: Actor) async throws -> (family: JSONText, warnings: [String]) {
        try actor.require(.admin, .coordinator, to: "register families")
        let result = try await database.transaction(as: actor) { connection -> (JSONText, [String]) in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            var errors = FieldErrors()
            var warnings: [String] = []
            let code = errors.text(input.code, "/code")
            if let code, !Self.isValidCode(code) {
                errors.add("/code", "use up to 32 letters, digits, '-', '_', '.' or '/', starting with a letter or digit")
            }
            let region = errors.text(input.region, "/region")
            let district = errors.text(input.district, "/district")
            let mahalla = errors.text(input.mahalla, "/mahalla", required: false)
            let consentOn = errors.date(input.consent_on, "/consent_on", required: false)
            if let consentOn, consentOn > today { errors.add("/consent_on", "is in the future") }
            for (index, category) in (input.categories ?? []).enumerated() where FamilyCategory(rawValue: category) == nil {
                errors.add("/categories/\(index)", "\"\(category)\" is not one of: \(FamilyCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let members = (input.members ?? []).enumerated().compactMap { index, member in
                member.validated(&errors, warnings: &warnings, pointer: "/members/\(index)", today: today)
            }
            if consentOn == nil {
                if mahalla != nil { errors.add("/mahalla", "is personal data: it needs consent_on") }
                if !(input.members ?? []).isEmpty { errors.add("/members", "members are personal data: they need consent_on") }
            }
            if members.filter({ $0.relation == .head }).count > 1 { errors.add("/members", "a family has one head") }
            try errors.check()

            if try connection.query("SELECT 1 FROM families WHERE organization_id = $1 AND lower(code) = lower($2)",
                                    [actor.organizationID, code!]).rowCount > 0 {
                throw RavnaqError.conflict(.duplicateFamilyCode, message: "a family with code \(code!) already exists")
            }
            let id: UUID = try connection.query(
                """
                INSERT INTO families (organization_id, code, region, district, mahalla, categories, registry_ref, consent_on)
                VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8) RETURNING id
                """,
                [actor.organizationID, code!, region!, district!, mahalla, postgresArray(input.categories ?? []),
                 input.registry_ref, consentOn]
            ).first!.decode(0)
            for member in members {
                try Self.insert(member, familyID: id, organizationID: actor.organizationID, on: connection)
            }
            return (try Self.caseFile(connection, id: id, actor: actor, asOf: today)!, warnings)
        }
        return result
    }

    public func addMember(family id: String, _ input: MemberInput, as actor: Actor) async throws -> (member: JSONText, warnings: [String]) {
        try actor.require(.admin, .coordinator, to: "register family members")
        return try await database.transaction(as: actor) { connection in
            let familyID = try Self.resolve(connection, key: id, organizationID: actor.organizationID)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            guard let family = try connection.query(
                "SELECT consent_on FROM families WHERE id = $1 AND organization_id = $2", [familyID, actor.organizationID]
            ).first else { throw RavnaqError.notFound("family \(id)") }
            if try family.decode(0, as: LocalDate?.self) == nil {
                throw RavnaqError.rule(.consentRequired, message: "the family has not given consent: no personal data may be stored")
            }
            var errors = FieldErrors()
            var warnings: [String] = []
            let member = input.validated(&errors, warnings: &warnings, pointer: "", today: today)
            try errors.check()
            let memberID = try Self.insert(member!, familyID: familyID, organizationID: actor.organizationID, on: connection)
            let json: String = try connection.query(
                "SELECT \(Self.memberJSON(for: actor))::text FROM members m WHERE m.id = $1", [memberID]
            ).first!.decode(0)
            return (JSONText(json), warnings)
        }
    }

    /// The shape families.code's CHECK allows, `^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$`, checked
    /// byte by byte: an import checks it on every row (100 000 families have half a million).
    static func isValidCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard (1...32).contains(bytes.count), bytes[0] < 128, Character(UnicodeScalar(bytes[0])).isLetter || Character(UnicodeScalar(bytes[0])).isNumber else {
            return false
        }
        return bytes.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || "_./-".utf8.contains(byte)
        }
    }

    /// A family's case file as of a date (default today).
    public func get(_ id: String, asOf: String? = nil, as actor: Actor) async throws -> JSONText {
        let date = try FieldErrors.asOf(asOf)
        return try await database.transaction(as: actor) { connection in
            let familyID = try Self.resolve(connection, key: id, organizationID: actor.organizationID)
            let asOf = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            return try Self.caseFile(connection, id: familyID, actor: actor, asOf: asOf)
        }.orThrow("family \(id)")
    }

    /// Families, oldest first, optionally searched by code or member name (apostrophes of Uzbek
    /// Latin folded into one, case ignored); by code only for grant officers. The search text is
    /// a literal substring — `%`, `_` and `\` are characters like any other, never a pattern.
    /// Each item names its `head`: the full name of the member whose relation is head (the first
    /// registered, should there be two), null when there is none or the names were erased; for
    /// grant officers always null, and their query does not name the column (they may not read it).
    public func list(query: String?, page: Page, as actor: Actor) async throws -> ListPage {
        let list = ListKey("/families", of: actor, filters: [query ?? ""])
        let after = try page.after(in: list)
        // One index probe per row of the page (members_family), after the page is chosen.
        let head = actor.seesPersonalData
            ? "(SELECT h.full_name FROM members h WHERE h.family_id = f.id AND h.relation = 'head' ORDER BY h.created_at, h.id LIMIT 1)"
            : "NULL::text"
        return try await database.transaction(as: actor) { connection in
            let rows = try connection.query(
                """
                SELECT json_build_object('id', f.id, 'code', f.code, 'head', \(head), 'region', f.region, 'district', f.district,
                                         'status', f.status, 'categories', f.categories)::text,
                       f.created_at::text, f.id
                FROM families f
                WHERE f.organization_id = $1 AND ravnaq_may_see_family(f.id)
                  AND ($2::text IS NULL OR f.id = ANY (ARRAY(SELECT ravnaq_family_search($2, $3, $4::uuid, $5))))
                  AND ($3::timestamptz IS NULL OR (f.created_at, f.id) > ($3, $4::uuid))
                ORDER BY f.created_at, f.id
                LIMIT $5
                """,
                [actor.organizationID, query, after?[0], after?[1], page.limit + 1]
            )
            return try ListPage(result: rows, page: page, list: list)
        }
    }

    /// A family's members, in the order they were registered; for grant officers without names,
    /// sex, birth dates and PINFLs (null, as in the case file). A family the actor may not see is a 404.
    public func members(family key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let familyID = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            guard try connection.query("SELECT ravnaq_may_see_family($1)", [familyID]).first!.decode(0, as: Bool.self) else {
                throw RavnaqError.notFound("family \(key)")
            }
            let list = ListKey("/families/{id}/members", of: actor, filters: [familyID.idString])
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(
                    """
                    SELECT \(Self.memberJSON(for: actor))::text, m.created_at::text, m.id
                    FROM members m
                    WHERE m.family_id = $1 AND m.organization_id = $2
                      AND ($3::timestamptz IS NULL OR (m.created_at, m.id) > ($3, $4::uuid))
                    ORDER BY m.created_at, m.id LIMIT $5
                    """,
                    [familyID, actor.organizationID, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    /// Assigns a mentor from a date on, ending the current assignment that day.
    public func assignMentor(family id: String, mentor: String?, from: String?, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "assign mentors")
        var errors = FieldErrors()
        let mentorKey = errors.text(mentor, "/mentor")
        let fromDate = errors.date(from, "/from")
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let familyID = try Self.resolve(connection, key: id, organizationID: actor.organizationID)
            guard let mentorUser = try Users.user(connection, key: mentorKey!, organizationID: actor.organizationID) else {
                throw RavnaqError.invalid("/mentor", "no user \(mentorKey!) in this organization")
            }
            guard mentorUser.role == .mentor else { throw RavnaqError.invalid("/mentor", "\(mentorKey!) is not a mentor") }
            let current = try connection.query(
                "SELECT id, from_on FROM mentor_assignments WHERE family_id = $1 AND to_on IS NULL", [familyID]
            ).first
            if let current {
                let currentFrom: LocalDate = try current.decode(1)
                guard currentFrom < fromDate! else {
                    throw RavnaqError.invalid("/from", "must be after \(currentFrom), when the current assignment began")
                }
                try connection.query("UPDATE mentor_assignments SET to_on = $2 WHERE id = $1", [try current.decode(0, as: UUID.self), fromDate!])
            }
            try connection.query(
                "INSERT INTO mentor_assignments (organization_id, family_id, mentor_id, from_on) VALUES ($1, $2, $3, $4)",
                [actor.organizationID, familyID, mentorUser.id, fromDate!])
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            return try Self.caseFile(connection, id: familyID, actor: actor, asOf: max(today, fromDate!))!
        }
    }

    // MARK: SQL

    /// The family's id from its id or its code (the CLI takes either).
    static func resolve(_ connection: PostgresConnection, key: String, organizationID: UUID) throws -> UUID {
        guard let id = try References.family(key, connection, organizationID: organizationID) else {
            throw RavnaqError.notFound("family \(key)")
        }
        return id
    }

    @discardableResult
    static func insert(_ member: ValidMember, familyID: UUID, organizationID: UUID, on connection: PostgresConnection) throws -> UUID {
        try connection.query(
            """
            INSERT INTO members (organization_id, family_id, full_name, sex, birth_date, pinfl, relation, disability, works, phone,
                                 messages_consent)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """,
            [organizationID, familyID, member.fullName, member.sex?.rawValue, member.birthDate, member.pinfl,
             member.relation.rawValue, member.disability, member.works, member.phone, member.messagesConsent]
        ).first!.decode(0)
    }

    /// A member `m` as JSON; for grant officers the personal fields and the sex are null.
    static func memberJSON(for actor: Actor) -> String {
        """
        json_build_object('id', m.id, 'full_name', \(actor.personal("m.full_name")), 'sex', \(actor.personal("m.sex")),
                          'birth_date', \(actor.personal("m.birth_date")), 'relation', m.relation,
                          'pinfl', \(actor.personal("m.pinfl")), 'disability', m.disability, 'works', m.works,
                          'phone', \(actor.personal("m.phone")), 'messages_consent', \(actor.personal("m.messages_consent")),
                          'language', m.language)
        """
    }

    /// The case file (SPEC §9): the family with its members, its projects each with their loans
    /// and grants, and its current mentor — one statement. For grant officers the personal
    /// fields (the mahalla, the registry reference, members' names, sex, birth dates and PINFLs)
    /// are null.
    static func caseFile(_ connection: PostgresConnection, id: UUID, actor: Actor, asOf: LocalDate) throws -> JSONText? {
        try connection.query(caseFileSQL(for: actor), [id, actor.organizationID, asOf]).first.map { JSONText(try $0.decode(0)) }
    }

    static func caseFileSQL(for actor: Actor) -> String {
        """
        SELECT json_build_object(
            'id', f.id, 'code', f.code, 'region', f.region, 'district', f.district,
            'mahalla', \(actor.personal("f.mahalla")),
            'categories', f.categories, 'registry_ref', \(actor.personal("f.registry_ref")), 'consent_on', f.consent_on,
            'consent_withdrawn_on', f.consent_withdrawn_on, 'status', f.status, 'status_on', f.status_on, 'exit_reason', f.exit_reason,
            'as_of', $3::date,
            'members', coalesce((
                SELECT json_agg(\(memberJSON(for: actor)) ORDER BY m.created_at, m.id)
                FROM members m WHERE m.family_id = f.id), '[]'),
            'mentor', (
                SELECT json_build_object('id', u.id, 'email', u.email, 'from', a.from_on)
                FROM mentor_assignments a JOIN users u ON u.id = a.mentor_id
                WHERE a.family_id = f.id AND a.from_on <= $3 AND (a.to_on IS NULL OR a.to_on > $3)),
            'projects', coalesce((
                SELECT json_agg(json_build_object(
                    'id', p.id, 'type', p.type, 'title', p.title, 'status', p.status, 'started_on', p.started_on,
                    'loans', coalesce((
                        SELECT json_agg(json_build_object(
                            'id', l.id, 'number', l.number, 'status', fig.status, 'currency', l.currency,
                            'principal', l.principal::text, 'outstanding_principal', fig.outstanding_principal::numeric(18,2)::text,
                            'days_past_due', fig.days_past_due) ORDER BY l.created_at, l.id)
                        FROM loans l, loan_figures(l.id, $3) fig WHERE l.project_id = p.id), '[]'),
                    'grants', coalesce((
                        SELECT json_agg(json_build_object(
                            'id', g.id, 'number', g.number, 'currency', g.currency, 'total', g.total::text,
                            'status', CASE WHEN d.disbursed = 0 THEN 'committed'
                                           WHEN d.disbursed < g.total THEN 'partly_disbursed' ELSE 'disbursed' END,
                            'disbursed', d.disbursed::numeric(18,2)::text,
                            'utilization', grant_utilization(d.spent, d.disbursed)) ORDER BY g.created_at, g.id)
                        FROM grants g,
                             LATERAL (SELECT coalesce((SELECT sum(t.amount) FROM grant_tranches t WHERE t.grant_id = g.id AND t.disbursed_on <= $3), 0) AS disbursed,
                                             coalesce((SELECT sum(e.amount) FROM grant_expenses e WHERE e.grant_id = g.id AND e.spent_on <= $3), 0) AS spent) d
                        WHERE g.project_id = p.id), '[]')
                ) ORDER BY p.created_at, p.id)
                FROM projects p WHERE p.family_id = f.id), '[]')
        )::text
        FROM families f
        WHERE f.id = $1 AND f.organization_id = $2 AND ravnaq_may_see_family(f.id)
        """
    }
}

/// What a member's change may say (issue 17): whether they work and whether they have a
/// disability, the facts that change over a family's time in a programme, and their phone and
/// consent to messages (`phone: ""` removes the phone, and the consent with it). Names, birth
/// dates and PINFL are corrected by registering the member again.
public struct MemberChangeInput: Decodable, Sendable {
    public var works: Bool?
    public var disability: Bool?
    public var phone: String?
    public var messages_consent: Bool?
    /// uz (the default), ru or en: the language of the messages sent to the member.
    public var language: String?
    public init(works: Bool? = nil, disability: Bool? = nil, phone: String? = nil, messages_consent: Bool? = nil, language: String? = nil) {
        self.works = works
        self.disability = disability
        self.phone = phone
        self.messages_consent = messages_consent
        self.language = language
    }
}

extension Families {
    /// Changes a member's `works` or `disability` (admin, coordinator, the family's mentor). A
    /// change of `works` is kept with its day (member_work_changes), which the alert
    /// `member_stopped_working` reads.
    public func changeMember(family key: String, member memberID: String, _ input: MemberChangeInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "change members")
        guard let member = UUID(uuidString: memberID) else { throw RavnaqError.notFound("member \(memberID)") }
        var errors = FieldErrors()
        let phone = PhoneChange(phone: input.phone, consent: input.messages_consent, errors: &errors)
        let language = errors.choice(input.language, "/language", as: NotificationText.Language.self, required: false)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            guard let row = try connection.query(
                """
                UPDATE members SET works = coalesce($3, works), disability = coalesce($4, disability),
                                   phone = CASE WHEN $6 THEN NULL ELSE coalesce($5, phone) END,
                                   messages_consent = CASE WHEN $6 THEN false ELSE coalesce($7, messages_consent) END,
                                   language = coalesce($8, language)
                WHERE id = $1 AND family_id = $2 AND erased_on IS NULL
                RETURNING phone IS NULL AND messages_consent
                """, [member, family, input.works, input.disability, phone.phone, phone.removes, input.messages_consent, language?.rawValue]).first else {
                throw RavnaqError.notFound("member \(memberID) of family \(key)")
            }
            if try row.decode(0, as: Bool.self) { throw RavnaqError.invalid("/messages_consent", PhoneNumber.consentNeedsPhone) }
            return JSONText(try connection.query("SELECT \(Self.memberJSON(for: actor))::text FROM members m WHERE m.id = $1", [member])
                .first!.decode(0))
        }
    }
}
