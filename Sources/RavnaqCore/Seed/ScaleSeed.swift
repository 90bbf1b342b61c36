import Dates
import Foundation
import Postgres
import RavnaqMoney

/// `ravnaq seed generate --families N` (SPEC §10): a large organization in the demo's shapes and
/// proportions, for measuring (bench/) and for trying the reports at scale.
///
/// Everything is written in one transaction as the schema owner (COPY is not allowed under
/// row-level security), chunk by chunk with COPY, so a failure leaves nothing behind. One audit
/// row records the whole load instead of a copy of each row (`ravnaq.audit`). As a superuser
/// (the private cluster's case) the rows go in with triggers off, as pg_restore does, and
/// `verify_bulk_load()` (sql/definitions/90_bulk.sql) checks every foreign key and every trigger's rule once,
/// set-based, before the commit; as anyone else every trigger checks every row.
public struct ScaleSeed: Sendable {
    public struct Summary: Sendable {
        public let organization: Organization
        public let families: Int
        public let rows: Int
        public let logins: [DemoSeed.Login]
    }

    let database: Database
    public init(database: Database) { self.database = database }

    /// Uzbekistan's unified social registry counts about 2 million low-income families (issue 18);
    /// mentor emails are numbered with four digits, one mentor per 250 families.
    public static let familyLimit = 2_000_000
    /// Families per round of COPY statements: large enough to amortize the statement-level
    /// triggers, small enough to keep the rows of a chunk in a few tens of megabytes.
    static let chunkSize = 2_000
    static let actorName = "seed:generate"

    /// Generates `count` families in a new organization `code`; calls `progress` with the number
    /// of families written after each chunk.
    public func generate(
        families count: Int, organizationCode code: String, seed: UInt64 = 2025,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Summary {
        guard (1...Self.familyLimit).contains(count) else {
            throw RavnaqError.invalid("/families", "must be between 1 and \(Self.familyLimit), not \(count)")
        }
        let name = "Generated organization (\(count) families)"
        try Organizations.validate(code: code, name: name)
        let data = try DemoData.load()
        let summary = try await database.transaction(recordedAs: Self.actorName) { connection in
            try Self.load(connection, count: count, code: code, name: name, data: data, seed: seed, progress: progress)
        }
        return summary
    }

    private static func load(
        _ connection: PostgresConnection, count: Int, code: String, name: String, data: DemoData, seed: UInt64,
        progress: @Sendable (Int) -> Void
    ) throws -> Summary {
        let organization = try Organizations.insert(connection, code: code, name: name)
        let orgID = organization.id
        let today = try Organizations.today(connection, organizationID: orgID)
        let domain = "\(code.lowercased()).example.org"

        // People: the ones who get a token, then the rest of the mentors (one per 250 families).
        var logins: [DemoSeed.Login] = []
        var officerEmail = ""
        var firstMentor: UUID?
        for (role, email) in [(Role.admin, "admin@\(domain)"), (.coordinator, "coordinator@\(domain)"),
                              (.grantOfficer, "officer@\(domain)"), (.mentor, "mentor0001@\(domain)")] {
            let (user, token) = try Users.insert(connection, email: email, role: role, organizationID: orgID)
            logins.append(DemoSeed.Login(role: role, email: email, token: token))
            if role == .grantOfficer { officerEmail = email }
            if role == .mentor { firstMentor = user.id }
        }
        let mentorCount = max(1, (count + 249) / 250)
        let otherMentors: [String] = try connection.query(
            """
            INSERT INTO users (organization_id, email, role)
            SELECT $1, 'mentor' || lpad(n::text, 4, '0') || '@' || $2, 'mentor' FROM generate_series(2, $3) AS n
            RETURNING id::text
            """, [orgID, domain, mentorCount]
        ).rows.map { try $0.decode(0) }
        let mentorIDs = [firstMentor!.uuidString] + otherMentors

        // The demo's two programmes, budgets and donor funds scaled to the number of families.
        let scale = Int64(max(1, (count + 59) / 60))
        var programmeIDs: [String] = []
        for programme in data.programmes {
            let budget = Amount.parse(programme.budget, minorDigits: 2)!.minorUnits * scale
            let funds = Amount(minorUnits: Amount.parse(programme.funds, minorDigits: 2)!.minorUnits * scale)
            let id: UUID = try connection.query(
                """
                INSERT INTO programmes (organization_id, name, donor, currency, starts_on, ends_on, budget, tranche_approval,
                                        late_fee, late_fee_after_days)
                VALUES ($1, $2, $3, 'UZS', $4, $5, $6, $7, $8, $9) RETURNING id
                """,
                [orgID, programme.name, programme.donor, today.adding(months: -26).startOfMonth, today.adding(months: 22).endOfMonth,
                 Currency.uzs.format(Amount(minorUnits: budget)), programme.tranche_approval, programme.late_fee,
                 programme.late_fee_after_days]
            ).first!.decode(0)
            let transaction = try Ledger.post(
                connection, organizationID: orgID, currency: .uzs, on: today.adding(months: -25), kind: .donorFunds,
                memo: "donor funds for \(programme.name)", entries: [.debit(.cash, funds), .credit(.donorFunds, funds)])
            try connection.query(
                "INSERT INTO programme_funds (organization_id, programme_id, received_on, amount, transaction_id) VALUES ($1, $2, $3, $4, $5)",
                [orgID, id, today.adding(months: -25), Currency.uzs.format(funds), transaction])
            programmeIDs.append(id.uuidString)
        }
        var accounts: [AccountCode: String] = [:]
        for row in try connection.query("SELECT code, id::text FROM accounts WHERE organization_id = $1 AND currency = 'UZS'", [orgID]).rows {
            accounts[AccountCode(rawValue: try row.decode(0))!] = try row.decode(1)
        }

        // The code makes the stream: the same seed in another organization gives other ids.
        var random = ScaleRandom(seed: seed, stream: code.uppercased().utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        let courses = try addCourses(connection, organizationID: orgID.uuidString, runs: (count + ScaleFamilies.familiesPerCourse - 1)
                                        / ScaleFamilies.familiesPerCourse, today: today, random: &random)
        let families = ScaleFamilies(
            organizationID: orgID.uuidString, codePrefix: code.uppercased(), today: today,
            households: DemoHouseholds(data: data, today: today),
            places: data.regions.flatMap { region in
                region.districts.flatMap { district in district.mahallas.map { (region.name, district.name, $0) } }
            },
            mentorIDs: mentorIDs,
            loanProgramme: .init(id: programmeIDs[0], trancheApproval: data.programmes[0].tranche_approval,
                                 lateFee: data.programmes[0].late_fee, lateFeeAfterDays: data.programmes[0].late_fee_after_days),
            grantProgramme: .init(id: programmeIDs[1], trancheApproval: data.programmes[1].tranche_approval),
            officerEmail: officerEmail, accounts: accounts, courses: courses)

        // The bulk rows are recorded by one audit row below rather than one copy each. A
        // superuser loads with triggers off and checks their rules once at the end (about twice
        // as fast); anyone else loads with every trigger on.
        try connection.query("SELECT set_config('ravnaq.audit', 'off', true)")
        let triggersOff: Bool = try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").first!.decode(0)
        if triggersOff { try connection.query("SET LOCAL session_replication_role = replica") }
        // Rows are made on a thread of their own while PostgreSQL takes the previous chunk.
        let all = 0..<count
        let numbers = ScaleFamilies.Numbers(
            loans: try reserve("loan", all.filter { ScaleFamilies.funding(of: $0) == .loan }.count, of: orgID, connection),
            grants: try reserve("grant", all.filter { ScaleFamilies.funding(of: $0) == .grant }.count, of: orgID, connection))
        let chunks = HandOff<(tables: ScaleTables, done: Int)>(capacity: 2)
        let maker = Thread { [random, numbers] in
            var random = random
            var numbers = numbers
            for start in stride(from: 0, to: count, by: chunkSize) {
                var tables = ScaleTables()
                let chunk = start..<min(start + chunkSize, count)
                for index in chunk {
                    families.add(family: index, to: &tables, numbers: &numbers, random: &random)
                }
                guard chunks.put((tables, chunk.upperBound)) else { return }
            }
            chunks.close()
        }
        maker.start()
        defer { chunks.close() }  // on a failure, lets the maker stop
        var rows = 0
        while var chunk = chunks.take() {
            rows += try chunk.tables.send(connection)
            progress(chunk.done)
        }
        // Statistics first (ANALYZE counts this transaction's own rows): the checks below, the
        // deferred ones at commit and the first queries afterwards all plan with them.
        try connection.query("ANALYZE " + (ScaleTables().names + ["courses", "course_sessions", "users"]).joined(separator: ", "))
        if triggersOff {
            // Each member's work history since they were added (sql/definitions/85_alerts.sql),
            // still with triggers off: verify_bulk_load() checks its keys once below, where the
            // foreign-key triggers would have checked 424 000 rows one by one (4 s of 66).
            try connection.query(
                """
                INSERT INTO member_work_changes (organization_id, member_id, family_id, changed_on, works)
                SELECT m.organization_id, m.id, m.family_id, (m.created_at AT TIME ZONE o.time_zone)::date, m.works
                FROM members m JOIN organizations o ON o.id = m.organization_id
                WHERE m.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM member_work_changes c WHERE c.member_id = m.id)
                """, [orgID])
            try connection.query("SET LOCAL session_replication_role = origin")
            // What the triggers would have kept as the rows came: each loan's history (sql/definitions/55_loans.sql).
            try connection.query("SELECT set_config('work_mem', '256MB', true)")
            try connection.query("SELECT refresh_loan_histories($1::uuid)", [orgID])
            try connection.query("ANALYZE loan_histories")
            // And each family's (sql/definitions/75_family_histories.sql).
            try connection.query("SELECT refresh_family_histories($1::uuid)", [orgID])
            try connection.query("ANALYZE family_histories")
            // And the books' sums by value date (sql/definitions/30_ledger.sql).
            try connection.query("SELECT ledger_sum_all_days($1::uuid)", [orgID])
            try connection.query("SELECT verify_bulk_load($1)", [orgID])
        }
        try connection.query("SELECT set_config('ravnaq.audit', 'on', true)")
        try connection.query(
            """
            INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, after)
            VALUES ($1, $2, 'insert', 'generated_data', $3, jsonb_build_object('families', $4::int, 'rows', $5::bigint, 'seed', $6::text))
            """, [orgID, actorName, orgID.uuidString.lowercased(), count, rows, String(seed)])
        return Summary(organization: organization, families: count, rows: rows, logins: logins)
    }

    /// `count` loan or grant numbers of the organization, in order, reserved from its counter
    /// (sql/definitions/50_numbers.sql) as the insert trigger would take them one by one.
    private static func reserve(_ kind: String, _ count: Int, of organization: UUID, _ connection: PostgresConnection) throws -> ArraySlice<Int64> {
        guard count > 0 else { return [] }
        let last: Int64 = try connection.query("SELECT next_number($1, $2, $3)", [organization, kind, count]).first!.decode(0)
        return ArraySlice((last - Int64(count) + 1)...last)
    }

    /// The course runs: one of the demo's three courses per cohort of families, five weekly
    /// sessions each, all held one to ten months ago.
    private static func addCourses(
        _ connection: PostgresConnection, organizationID: String, runs: Int, today: LocalDate, random: inout ScaleRandom
    ) throws -> [ScaleFamilies.CourseRun] {
        let catalogue = [("SEW", "Sewing basics", "sewing", "20", "Malika Yusupova"),
                         ("BOOK", "Bookkeeping for a family business", "bookkeeping", "20", "Aziza Rahimova"),
                         ("DIG", "Phones, payments and online sales", "digital", "20", "Ольга Ким")]
        var courses = CopyTable("courses", "id, organization_id, code, title, skill, hours")
        var sessions = CopyTable("course_sessions", "id, organization_id, course_id, held_on, hours, trainer, venue")
        var runsMade: [ScaleFamilies.CourseRun] = []
        for run in 0..<runs {
            let (prefix, title, skill, hours, trainer) = catalogue[run % catalogue.count]
            let id = random.uuid().uuidString
            let code = "\(prefix)-\(DemoHouseholds.zeroPadded(run + 1, 4))"
            courses.add([id, organizationID, code, title, skill, hours])
            let first = today.adding(months: -(2 + run % 9)).adding(days: -(run % 28))
            var held: [(id: String, heldOn: LocalDate)] = []
            for week in 0..<5 {
                let session = (id: random.uuid().uuidString, heldOn: first.adding(days: 7 * week))
                sessions.add([session.id, organizationID, id, session.heldOn.description, "4", trainer, "Mahalla centre"])
                held.append(session)
            }
            let completedOn = held[held.count - 1].heldOn
            runsMade.append(.init(id: id, certificatePrefix: TrainingRules.certificatePrefix(courseCode: code, year: completedOn.year),
                                  sessions: held))
        }
        _ = try courses.send(connection)
        _ = try sessions.send(connection)
        return runsMade
    }
}
