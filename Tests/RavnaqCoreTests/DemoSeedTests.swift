import Foundation
import Logging
import Postgres
@testable import RavnaqCore
import Testing
import TestSupport

@Suite("The demo organization (serve --demo)")
struct DemoSeedTests {
    var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    @Test("loads into an empty database with late, repaid and written-off loans and grants in every state; the books balance")
    func loads() async throws {
        let database = try await TestDatabase.make()
        let logins = try await DemoSeed(database: database, logger: logger).load()
        #expect(Set(logins.map(\.role)) == Set(Role.allCases))
        let actor = try await Users(database: database).authenticate(token: try #require(logins.first { $0.role == .coordinator }).token)

        let counts = try await database.pool.withConnection { connection in
            try ["families", "members", "projects", "loans", "grants", "repayments"].map {
                try connection.query("SELECT count(*) FROM \($0)").first!.decode(0, as: Int.self)
            }
        }
        #expect(counts[0] == 60)
        #expect(counts[1] > 150)
        #expect(counts[3] > 30)
        #expect(counts[4] > 10)

        let statuses = try await database.pool.withConnection { connection in
            try connection.query("SELECT DISTINCT status FROM loans ORDER BY 1").rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(statuses == ["active", "repaid", "written_off"])
        let late = try await Paged.all { try await Loans(database: database).late(asOf: nil, page: $0, as: actor) }.items
        #expect(late.contains { $0.days_past_due > 90 })
        #expect(late.contains { $0.days_past_due > 30 && $0.days_past_due <= 60 })
        // Today's list from the histories' late_from is the list from every loan's figures, page by page.
        func wholeList(limit: String, everyLoan: Bool) async throws -> [LateLoan] {
            var items: [LateLoan] = []
            var cursor: String?
            repeat {
                let page = try await Loans(database: database).late(asOf: nil, page: try Page(limit: limit, cursor: cursor), as: actor, everyLoan: everyLoan)
                items += page.items
                cursor = page.nextCursor
            } while cursor != nil
            return items
        }
        // A grant officer's list names no head of family, and says so with a null.
        let officer = try await Users(database: database).authenticate(token: try #require(logins.first { $0.role == .grantOfficer }).token)
        let officerList = try await Loans(database: database).late(asOf: nil, page: Page(), as: officer).json()
        #expect(officerList.contains(#""family_head":null"#))
        for limit in ["3", "50"] {
            let fromFigures = try await wholeList(limit: limit, everyLoan: true)
            let fromHistories = try await wholeList(limit: limit, everyLoan: false)
            #expect(fromHistories.count == late.count)
            #expect(fromHistories.map(\.number) == fromFigures.map(\.number))
            #expect(fromHistories.map(\.days_past_due) == fromFigures.map(\.days_past_due))
            #expect(fromHistories.map(\.overdue) == fromFigures.map(\.overdue))
        }
        let names = try await database.pool.withConnection { connection in
            try connection.query("SELECT string_agg(full_name, ' ') FROM members").first!.decode(0, as: String.self)
        }
        #expect(names.contains("‘") || names.contains("’"))
        #expect(names.unicodeScalars.contains { $0.value >= 0x400 && $0.value < 0x500 })

        // Training and a year of progress.
        let progress = try await database.pool.withConnection { connection in
            try ["courses", "enrollments WHERE completed", "enrollments WHERE NOT completed", "project_reports", "household_incomes",
                 "assessments WHERE kind = 'intake'", "assessments WHERE kind = 'periodic'"].map {
                try connection.query("SELECT count(*) FROM \($0)").first!.decode(0, as: Int.self)
            }
        }
        #expect(progress[0] == 3)
        #expect(progress[1] > 0 && progress[2] > 0)
        #expect(progress[3] > 300)
        #expect(progress[4] == progress[3])
        #expect(progress[5] == 56)
        #expect(progress[6] > 0)
        let bands = try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT DISTINCT income_band(total, household_size, poverty_line(period)) FROM household_incomes ORDER BY 1"
            ).rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(bands == ["above", "near_poor", "poor"])

        let balance = try await LedgerService(database: database).trialBalance(asOf: nil, as: actor)
        #expect(balance.total_debit == balance.total_credit)
    }

    @Test("every family with a mentor has a history of visits in its assignment; the due list of the load day is short and recent")
    func visits() async throws {
        let database = try await TestDatabase.make()
        let logins = try await DemoSeed(database: database, logger: logger).load()
        let coordinator = try await Users(database: database).authenticate(token: try #require(logins.first { $0.role == .coordinator }).token)
        let checks = try await database.pool.withConnection { connection in
            try [
                // Active families with a current mentor and no visit, or fewer than six.
                """
                SELECT count(*) FROM families f JOIN mentor_assignments a ON a.family_id = f.id AND a.to_on IS NULL
                WHERE f.status = 'active' AND (SELECT count(*) FROM visits v WHERE v.family_id = f.id) < 6
                """,
                // Visits not by the family's mentor, outside the assignment, without notes or
                // not planning a later visit.
                """
                SELECT count(*) FROM visits v
                WHERE NOT EXISTS (SELECT 1 FROM mentor_assignments a WHERE a.family_id = v.family_id AND a.mentor_id = v.mentor_id
                                  AND a.from_on <= v.visited_on AND (a.to_on IS NULL OR a.to_on > v.visited_on))
                   OR v.notes IS NULL OR v.next_visit_on <= v.visited_on
                """,
                // Visits in the future, and gaps of more than 60 days between two visits.
                """
                SELECT count(*) FROM (
                    SELECT visited_on, lead(visited_on) OVER (PARTITION BY family_id ORDER BY visited_on) AS following FROM visits) v
                WHERE v.visited_on > current_date + 1 OR v.following - v.visited_on > 60
                """,
                "SELECT count(*) FROM families WHERE status = 'active'",
            ].map { try connection.query($0).first!.decode(0, as: Int.self) }
        }
        #expect(checks[0] == 0)
        #expect(checks[1] == 0)
        #expect(checks[2] == 0)
        #expect(checks[3] == 60)

        // As of the load day each mentor has a few families due, all visited before and at
        // most a few weeks overdue; most of their families are not due yet.
        let mentors = logins.filter { $0.role == .mentor }
        #expect(mentors.count == 3)
        var overdue = 0
        for mentor in mentors {
            let answer = try await CaseManagement(database: database).due(mentor: mentor.email, asOf: nil, as: coordinator)
            let due = try #require(try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any])
            let items = try #require(due["items"] as? [[String: Any]])
            #expect((1...6).contains(items.count), "\(mentor.email): \(items.count) families due")
            for item in items {
                #expect(item["last_visit_on"] is String, "\(item["code"] ?? "?") never visited")
                let days = try #require(item["days_overdue"] as? Int)
                #expect((0...30).contains(days), "\(item["code"] ?? "?") is \(days) days overdue")
                if days > 7 { overdue += 1 }
            }
        }
        #expect(overdue >= 1)
    }

    @Test("a second load adds nothing and gives fresh tokens; a database of other organizations is refused")
    func reloadAndRefusal() async throws {
        let database = try await TestDatabase.make()
        let first = try await DemoSeed(database: database, logger: logger).load()
        let second = try await DemoSeed(database: database, logger: logger).load()
        #expect(first.map(\.email) == second.map(\.email))
        #expect(Set(first.map(\.token)).isDisjoint(with: second.map(\.token)))
        let families = try await database.pool.withConnection { try $0.query("SELECT count(*) FROM families").first!.decode(0, as: Int.self) }
        #expect(families == 60)

        let other = try await TestDatabase.make()
        _ = try await Organizations(database: other).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let error = await #expect(throws: RavnaqError.self) { try await DemoSeed(database: other, logger: logger).load() }
        #expect(error?.message.contains("empty database") == true)
    }
}
