import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// Each family's kept history (sql/definitions/75_family_histories.sql) that outcomes, training and graduation read: kept by
/// triggers through every kind of write that feeds it, it must equal a fresh computation.
@Suite("Family histories kept for the reports (sql/definitions/75_family_histories.sql)")
struct FamilyHistoriesTests {
    /// The kept rows that differ from a fresh computation of every family (none when kept).
    static func stale(_ database: Database) async throws -> Int {
        try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*) FROM family_histories h FULL JOIN family_history_rows(ARRAY(SELECT id FROM families)) f USING (family_id)
                WHERE h IS DISTINCT FROM f
                """).first!.decode(0)
        }
    }

    /// One family's kept row, as JSON.
    static func history(_ database: Database, _ family: String) async throws -> [String: Any] {
        let text: String = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT json_build_object('district', district, 'status', status, 'mentor_from_on', mentor_from_on, 'mentor_to_on', mentor_to_on,
                                         'programme_id', programme_id, 'project_type', project_type, 'income_on', income_on,
                                         'income_total', income_total, 'report_on', report_on, 'report_net', report_net,
                                         'visited_on', visited_on, 'next_visit_on', next_visit_on,
                                         'report_jobs', report_jobs, 'assessed_on', assessed_on, 'scores', encode(scores, 'hex'),
                                         'ssm_changes', encode(ssm_changes, 'hex'), 'completed_on', completed_on,
                                         'enrollment_completed_on', enrollment_completed_on, 'income_benefits', income_benefits,
                                         'written_off_on', written_off_on)::text
                FROM family_histories WHERE family_id = $1
                """, [UUID(uuidString: family)!]).first!.decode(0)
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func assessment(_ kind: String, on date: String, all score: Int, income: Int? = nil) -> AssessmentInput {
        var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, score) })
        scores["income"] = income ?? score
        return AssessmentInput(assessed_on: date, kind: kind, scores: scores)
    }

    @Test("kept through incomes recorded and corrected, reports, assessments, completions, a loan, projects, mentors, visits, family changes and a new family")
    func keptThroughWrites() async throws {
        let fixture = try await CoreFixture.make()
        let database = fixture.database, admin = fixture.admin
        let book = try await ReportBook.make(database, admin: admin)
        try await book.addPortfolio(database, admin: admin)
        try await book.addGrants(database, admin: admin)
        try await book.addProgress(database, admin: admin)
        #expect(try await Self.stale(database) == 0)

        // Incomes: a new month for FA-4, then corrected; a month of AN-1 corrected.
        let incomes = HouseholdIncomes(database: database)
        _ = try await incomes.record(family: book.families["FA-4"]!, ProgressTests.income("2500000", size: 4, period: "2025-08"), as: admin)
        _ = try await incomes.record(family: book.families["FA-4"]!,
                                     IncomeInput(period: "2025-08", household_size: 5, sources: ["project": "2300000", "benefits": "300000"]),
                                     correcting: "2025-08", as: admin)
        _ = try await incomes.record(family: book.families["AN-1"]!, ProgressTests.income("2800000", size: 4, period: "2025-06"),
                                     correcting: "2025-06", as: admin)
        // Project reports: a new month for FA-4, and AN-2's May corrected.
        let reports = MonthlyReports(database: database)
        _ = try await reports.record(project: book.projects["FA-4"]!, MonthlyReportInput(period: "2025-07", revenue: "900000", costs: "100000",
                                                                                         members_working: 2, hired_workers: 1), as: admin)
        _ = try await reports.record(project: book.projects["AN-2"]!, MonthlyReportInput(period: "2025-05", revenue: "950000", costs: "900000"),
                                     correcting: "2025-05", as: admin)
        // Assessments of FA-4: a periodic one first, the intake a month later, another after it.
        let assessments = Assessments(database: database)
        _ = try await assessments.record(family: book.families["FA-4"]!, Self.assessment("periodic", on: "2025-02-01", all: 1), as: admin)
        _ = try await assessments.record(family: book.families["FA-4"]!, Self.assessment("intake", on: "2025-03-01", all: 2), as: admin)
        _ = try await assessments.record(family: book.families["FA-4"]!, Self.assessment("periodic", on: "2025-06-01", all: 4, income: 5), as: admin)
        // A completion: FA-4's member enrolled, then completing (an update).
        try await database.pool.withConnection { connection in
            let member: UUID = try connection.query("SELECT id FROM members WHERE family_id = $1", [UUID(uuidString: book.families["FA-4"]!)!])
                .first!.decode(0)
            let course: UUID = try connection.query("SELECT id FROM courses WHERE code = 'SEW-1'").first!.decode(0)
            let enrollment: UUID = try connection.query(
                "INSERT INTO enrollments (organization_id, course_id, member_id) VALUES ($1, $2, $3) RETURNING id",
                [admin.organizationID, course, member]).first!.decode(0)
            try connection.query("UPDATE enrollments SET completed = true, completed_on = '2025-03-05', certificate_no = 'SEW-1-X' WHERE id = $1",
                                 [enrollment])
        }
        // AN-2's loan is in Ayol; a new one in Yoshlar changes the programme that decides for it.
        _ = try await book.loan(database, admin: admin, "AN-2", "Yoshlar", installments: 2, on: "2025-09-01")
        // A new project for FA-3, and FA-4's project changing its type.
        _ = try await Projects(database: database).create(
            ProjectInput(family_id: book.families["FA-3"]!, type: "greenhouse", title: "Greenhouse of FA-3"), as: admin)
        _ = try await Projects(database: database).update(project: book.projects["FA-4"]!, ProjectInput(type: "retail"), as: admin)
        // A new family: an empty row.
        let families = Families(database: database)
        let (created, _) = try await families.create(FamilyInput(code: "NEW-5", region: "Andijon", district: "Asaka"), as: admin)
        let newFamily = try #require(try fixture.object(created)["id"] as? String)
        // FA-3 gets a mentor, then another (the first assignment ends); AN-2 moves to another
        // district; FA-4 exits.
        _ = try await fixture.user("aziza@example.org", .mentor)
        _ = try await fixture.user("bobur@example.org", .mentor)
        _ = try await families.assignMentor(family: book.families["FA-3"]!, mentor: "aziza@example.org", from: "2025-02-01", as: admin)
        _ = try await families.assignMentor(family: book.families["FA-3"]!, mentor: "bobur@example.org", from: "2025-05-01", as: admin)
        _ = try await families.update(family: book.families["AN-2"]!, FamilyInput(region: "Andijon", district: "Xo'jaobod"), as: admin)
        _ = try await families.exit(family: book.families["FA-4"]!, ExitInput(date: "2025-09-30", reason: "moved"), as: admin)
        // Visits, two of them on one day (the later one recorded is the latest), and one recorded after a later day's.
        let visits = CaseManagement(database: database)
        for (date, next) in [("2025-06-10", "2025-07-10"), ("2025-06-10", "2025-06-20"), ("2025-05-02", "2025-06-01")] {
            _ = try await visits.recordVisit(family: book.families["FA-3"]!, VisitInput(date: date, kind: "home", next_visit_on: next), as: admin)
        }

        #expect(try await Self.stale(database) == 0)

        let fa4 = try await Self.history(database, book.families["FA-4"]!)
        #expect(fa4["project_type"] as? String == "retail")
        #expect(fa4["income_on"] as? [String] == ["2025-08-01"])
        #expect(fa4["income_total"] as? [Double] == [2600000])
        #expect(fa4["income_benefits"] as? [Double] == [300000])
        #expect(fa4["report_on"] as? [String] == ["2025-07-01", "2025-08-01"])
        #expect(fa4["report_jobs"] as? [Int] == [3, 1])
        #expect(fa4["assessed_on"] as? [String] == ["2025-02-01", "2025-03-01", "2025-06-01"])
        // The second assessment is the intake (no change); the first had none before it; the
        // third changed from the intake's 2: income 5 (+3 → 8), the rest 4 (+2 → 7).
        #expect(fa4["ssm_changes"] as? String == String(repeating: "00", count: 30) + "08" + String(repeating: "07", count: 14))
        #expect(fa4["completed_on"] as? [String] == ["2025-03-05"])
        #expect(fa4["enrollment_completed_on"] as? [String] == ["2025-03-05"])
        #expect(fa4["status"] as? String == "exited")
        let an2 = try await Self.history(database, book.families["AN-2"]!)
        #expect(an2["programme_id"] as? String == book.programmes["Yoshlar"])
        #expect(an2["report_net"] as? [Double] == [50000])
        #expect(an2["district"] as? String == "Xo'jaobod")
        let an1 = try await Self.history(database, book.families["AN-1"]!)
        #expect((an1["income_total"] as? [Double])?[2] == 2800000)
        let fa3 = try await Self.history(database, book.families["FA-3"]!)
        #expect(fa3["project_type"] as? String == "greenhouse")
        // L4, written off on 2025-04-30 (ReportBook.addPortfolio).
        #expect(fa3["written_off_on"] as? [String] == ["2025-04-30"])
        #expect(fa3["mentor_from_on"] as? [String] == ["2025-02-01", "2025-05-01"])
        #expect((fa3["mentor_to_on"] as? [Any])?.first as? String == "2025-05-01")
        #expect(fa3["visited_on"] as? [String] == ["2025-05-02", "2025-06-10", "2025-06-10"])
        #expect(fa3["next_visit_on"] as? [String] == ["2025-06-01", "2025-07-10", "2025-06-20"])
        let empty = try await Self.history(database, newFamily)
        #expect(empty["income_on"] as? [String] == [] && empty["scores"] as? String == "" && empty["programme_id"] is NSNull)

        // A whole organization's refresh, as after a bulk load, writes the same rows again.
        try await database.pool.withConnection { connection in
            _ = try connection.query("SELECT refresh_family_histories($1::uuid)", [admin.organizationID])
        }
        #expect(try await Self.stale(database) == 0)

        // sql/007_graduation_rules.sql filled the benefits and write-offs of the rows of its day
        // with an UPDATE of its own: run again on these rows, it writes what a fresh computation does.
        let migration = try #require(Migrator().migrations.first { $0.name == "007_graduation_rules.sql" }?.sql)
        let fill = try #require(migration.range(of: "UPDATE family_histories"))
        let end = try #require(migration.range(of: ";", range: fill.lowerBound..<migration.endIndex))
        let filled = try await database.pool.withConnection { connection in
            try connection.query(String(migration[fill.lowerBound..<end.lowerBound])).affectedRows
        }
        #expect(filled == book.families.count + 1)
        #expect(try await Self.stale(database) == 0)
    }

    @Test("graduation as of every day of 2025 agrees with a replay of the family's own rows, on months that test every rule")
    func graduationAgreesWithReplay() async throws {
        let fixture = try await CoreFixture.make()
        let (family, project, _) = try await ProgressTests.family(fixture)
        // Months of three people: 669 000 a person (2 007 000) unless named; March 500 000 a
        // person without its 600 000 of benefits (700 000 with them); July, November and December
        // not recorded. So the months hold in June–July (04–06, the latest the month before in
        // July) and October–November (08–10), and fail from March to May (benefits), in August
        // and September (a gap) and in December (the latest two months back).
        for period in ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-08", "2025-09", "2025-10"] {
            try await GraduationTests.recordMonth(fixture, family: family, project: project, period,
                                                  sources: period == "2025-03" ? ["project": "1500000", "benefits": "600000"] : ["project": "2007000"])
        }
        // Assessed 2024-12-20 (at most 7 months old until 2025-07-20) and 2025-09-01; a course completed 01-20.
        try await GraduationTests.assess(fixture, family: family, on: "2024-12-20")
        try await GraduationTests.assess(fixture, family: family, on: "2025-09-01")
        try await GraduationTests.completeCourse(fixture, family: family, on: "2025-01-20")
        // A loan written off on 2024-03-15: recent until 2025-03-14.
        let programme = try await Programmes(database: fixture.database).create(
            ProgrammeInput(name: "P", donor: "UNDP", currency: "UZS", starts_on: "2024-01-01", ends_on: "2026-12-31", budget: "1000000000"),
            as: fixture.admin)
        let loans = Loans(database: fixture.database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme.id, project_id: project, principal: "1200000", currency: "UZS", annual_rate: "0",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2024-02-01"), as: fixture.admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2024-02-01"), as: fixture.admin, idempotency: nil)
        _ = try await loans.writeOff(loan.id, DateInput(date: "2024-03-15", reason: "moved"), as: fixture.admin, idempotency: nil)

        // The criteria that do not depend on loans' arrears, replayed from the tables: the last 3
        // months recorded, spanning 2 months, the latest no older than the month before; benefits
        // left out; the latest assessment at most 7 months old; no write-off in the 12 months.
        let (disagreeing, above, ssm, noWriteOff, ready): (Int, Int, Int, Int, Int) = try await fixture.database.pool.withConnection { connection in
            let row = try connection.query(
                """
                WITH days AS (SELECT d::date AS day FROM generate_series(date '2025-01-01', date '2025-12-31', interval '1 day') d),
                replay AS (
                    SELECT d.day,
                           (SELECT count(*) = 3 AND min(h.period) = (max(h.period) - interval '2 months')::date
                                   AND max(h.period) >= (date_trunc('month', d.day::timestamp) - interval '1 month')::date
                                   AND bool_and(coalesce(h.total - h.benefits >= poverty_line(h.period) * h.household_size, false))
                            FROM (SELECT * FROM household_incomes WHERE family_id = $1 AND period <= d.day ORDER BY period DESC LIMIT 3) h) AS above,
                           (SELECT count(*) = 3 AND min(h.period) = (max(h.period) - interval '2 months')::date
                                   AND max(h.period) >= (date_trunc('month', d.day::timestamp) - interval '1 month')::date
                                   AND bool_and(coalesce((SELECT sum(r.revenue - r.costs) FROM project_reports r
                                                          WHERE r.project_id = $2 AND r.period = h.period) > 0, false))
                            FROM (SELECT * FROM household_incomes WHERE family_id = $1 AND period <= d.day ORDER BY period DESC LIMIT 3) h) AS profitable,
                           coalesce((SELECT a.assessed_on >= (d.day - interval '7 months')::date AND a.income >= 3 AND a.employment >= 3 AND a.food >= 3
                                     FROM assessments a WHERE a.family_id = $1 AND a.assessed_on <= d.day
                                     ORDER BY a.assessed_on DESC, a.recorded_at DESC LIMIT 1), false) AS ssm,
                           (SELECT count(*) >= 1 FROM enrollments e JOIN members m ON m.id = e.member_id
                            WHERE m.family_id = $1 AND e.completed AND e.completed_on <= d.day) AS course,
                           NOT EXISTS (SELECT 1 FROM loans l WHERE l.project_id = $2
                                       AND l.written_off_on > (d.day - interval '12 months')::date AND l.written_off_on <= d.day) AS no_write_off
                    FROM days d
                )
                SELECT count(*) FILTER (WHERE (r.above, r.profitable, r.ssm, r.course, r.no_write_off)
                                        IS DISTINCT FROM (g.income_above_line, g.project_profitable, g.ssm_core_domains, g.course_completed,
                                                          g.no_recent_write_off))::int,
                       count(*) FILTER (WHERE r.above)::int, count(*) FILTER (WHERE r.ssm)::int, count(*) FILTER (WHERE r.no_write_off)::int,
                       count(*) FILTER (WHERE g.ready)::int
                FROM replay r CROSS JOIN LATERAL graduation_criteria((SELECT organization_id FROM families WHERE id = $1), r.day, $1) g
                """, [UUID(uuidString: family)!, UUID(uuidString: project)!]).first!
            return (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4))
        }
        #expect(disagreeing == 0)
        // Each rule decides some days: the months hold in June, July, October and November; the
        // assessments count up to 07-20 and from 09-01; no write-off is recent from 03-15.
        #expect(above == 30 + 31 + 31 + 30)
        #expect(ssm == 31 + 28 + 31 + 30 + 31 + 30 + 20 + 122)
        #expect(noWriteOff == 365 - 31 - 28 - 14)
        // Ready: June, July to the 20th (the assessment), October and November.
        #expect(ready == 30 + 20 + 31 + 30)
    }

    @Test("a request can read its organization's histories but never write them")
    func readOnlyForRequests() async throws {
        let fixture = try await CoreFixture.make()
        let book = try await ReportBook.make(fixture.database, admin: fixture.admin)
        let seen: Int = try await fixture.database.transaction(as: fixture.admin) { connection in
            try connection.query("SELECT count(*) FROM family_histories").first!.decode(0)
        }
        #expect(seen == book.families.count)
        for statement in ["UPDATE family_histories SET income_on = '{}'", "DELETE FROM family_histories",
                          "INSERT INTO family_histories SELECT * FROM family_histories",
                          "SELECT refresh_family_histories(ARRAY(SELECT family_id FROM family_histories))"] {
            await #expect(throws: RavnaqError.self, "\(statement)") {
                try await fixture.database.transaction(as: fixture.admin) { try $0.query(statement).affectedRows }
            }
        }
    }
}
