import Foundation
import RavnaqCore
import Testing
import TestSupport

@Suite("ravnaq report (SPEC §8, §9)")
struct ReportCLITests {
    /// A database with the report book of the core tests (RavnaqCoreTests/ReportsTests, where
    /// every figure below is worked out by hand), and the CLI pointed at it.
    static func book() async throws -> (CLI, ReportBook, Database, Actor) {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        let organization = try await Organizations(database: database).resolve(code: "AN")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test")
        return (cli, try await ReportBook.make(database, admin: admin), database, admin)
    }

    /// The lines of a CSV report after checking what every CSV must be: a UTF-8 byte-order mark
    /// and CRLF line ends. The tests compare the header (group keys, currency, metric names), one
    /// line per group and the total line with the hand-computed figures: amounts as plain
    /// decimals, a null ratio as an empty cell.
    static func lines(_ cli: CLI, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let result = try cli.run(["report"] + arguments + ["--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.hasPrefix("\u{FEFF}"), sourceLocation: sourceLocation)
        #expect(result.stdout.hasSuffix("\r\n"), sourceLocation: sourceLocation)
        var lines = result.stdout.dropFirst().components(separatedBy: "\r\n")
        lines.removeLast()
        return lines
    }

    @Test("portfolio as CSV and JSON for two dates")
    func portfolio() async throws {
        let (cli, book, database, admin) = try await Self.book()
        try await book.addPortfolio(database, admin: admin)

        #expect(try Self.lines(cli, ["portfolio", "--as-of", "2025-05-20", "--by", "programme"]) == [
            "programme,currency,loans_active,outstanding_principal,disbursed,collected,written_off,par30,par90,on_time_rate,restructured_loans,restructured_outstanding,restructured_par30",
            "Ayol,UZS,2,1300000.00,1800000.00,500000.00,0.00,0.307692,0,0.625,0,0.00,",
            "Yoshlar,UZS,1,300000.00,800000.00,100000.00,400000.00,1,1,0.166667,0,0.00,",
            "total,UZS,3,1600000.00,2600000.00,600000.00,400000.00,0.4375,0.1875,0.428571,0,0.00,",
        ])
        let august = try cli.run(["report", "portfolio", "--as-of", "2025-08-31", "--from", "2025-06-01", "--by", "programme",
                                  "--format", "csv", "--sep", ";"])
        #expect(august.stdout.dropFirst().components(separatedBy: "\r\n") == [
            "programme;currency;loans_active;outstanding_principal;disbursed;collected;written_off;par30;par90;on_time_rate;restructured_loans;restructured_outstanding;restructured_par30",
            "Ayol;UZS;3;1700000.00;1000000.00;600000.00;0.00;0.235294;0.235294;0.571429;0;0.00;",
            "Yoshlar;UZS;1;300000.00;0.00;50000.00;0.00;1;1;;0;0.00;",
            "total;UZS;4;2000000.00;1000000.00;650000.00;0.00;0.35;0.35;0.571429;0;0.00;",
            "",
        ])

        let json = try cli.json(["report", "portfolio", "--as-of", "2025-08-31", "--from", "2025-06-01"])
        #expect(json["report"] as? String == "portfolio")
        #expect(json["by"] as? [Any] != nil)
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["outstanding_principal"] as? String == "2000000.00")
        #expect(total["collected"] as? String == "650000.00")
        #expect((total["on_time_rate"] as? NSNumber)?.doubleValue == 0.571429)

        let bad = try cli.run(["report", "portfolio", "--by", "course"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("by: "))
        #expect(try cli.run(["report", "nonsense"]).status != 0)
    }

    @Test("two currencies: a row per programme and currency, a total row per currency")
    func currencies() async throws {
        let (cli, book, database, admin) = try await Self.book()
        try await book.addPortfolio(database, admin: admin)
        _ = try await book.addDollars(database, admin: admin)
        #expect(try Self.lines(cli, ["portfolio", "--as-of", "2025-05-20", "--by", "programme"]) == [
            "programme,currency,loans_active,outstanding_principal,disbursed,collected,written_off,par30,par90,on_time_rate,restructured_loans,restructured_outstanding,restructured_par30",
            "Ayol,UZS,2,1300000.00,1800000.00,500000.00,0.00,0.307692,0,0.625,0,0.00,",
            "Dollar,USD,1,200.00,300.00,100.00,0.00,0,0,0.5,0,0.00,",
            "Yoshlar,UZS,1,300000.00,800000.00,100000.00,400000.00,1,1,0.166667,0,0.00,",
            "total,USD,1,200.00,300.00,100.00,0.00,0,0,0.5,0,0.00,",
            "total,UZS,3,1600000.00,2600000.00,600000.00,400000.00,0.4375,0.1875,0.428571,0,0.00,",
        ])
        #expect(try Self.lines(cli, ["grants", "--as-of", "2025-05-20", "--by", "region"]) == [
            "region,currency,grants,budget,committed,disbursed,expenses,remaining_budget,utilization,tranches_pending",
            "Farg'ona,USD,1,100000.00,500.00,500.00,250.00,99500.00,0.5,0",
            "total,USD,1,100000.00,500.00,500.00,250.00,99500.00,0.5,0",
        ])
    }

    @Test("grants as CSV for two dates: a partly accounted grant, a pending tranche, a null utilization as an empty cell")
    func grants() async throws {
        let (cli, book, database, admin) = try await Self.book()
        try await book.addGrants(database, admin: admin)
        #expect(try Self.lines(cli, ["grants", "--as-of", "2025-05-20", "--by", "programme"]) == [
            "programme,currency,grants,budget,committed,disbursed,expenses,remaining_budget,utilization,tranches_pending",
            "Ayol,UZS,1,500000000.00,6000000.00,4000000.00,1500000.00,494000000.00,0.375,1",
            "Yoshlar,UZS,1,500000000.00,3000000.00,0.00,0.00,497000000.00,,1",
            "total,UZS,2,1000000000.00,9000000.00,4000000.00,1500000.00,991000000.00,0.375,2",
        ])
        #expect(try Self.lines(cli, ["grants", "--as-of", "2025-08-31", "--from", "2025-06-01", "--by", "programme"]) == [
            "programme,currency,grants,budget,committed,disbursed,expenses,remaining_budget,utilization,tranches_pending",
            "Ayol,UZS,1,500000000.00,6000000.00,2000000.00,1000000.00,494000000.00,0.5,0",
            "Yoshlar,UZS,1,500000000.00,3000000.00,0.00,0.00,497000000.00,,1",
            "total,UZS,2,1000000000.00,9000000.00,2000000.00,1000000.00,991000000.00,0.5,1",
        ])
    }

    static let outcomesHeader = "region,families,intake_poor,intake_near_poor,intake_above,now_poor,now_near_poor,now_above,"
        + Assessments.domains.map { "ssm_\($0)_change" }.joined(separator: ",") + ",ready,graduated,median_net_income,jobs"

    @Test("outcomes as CSV for two dates by region: bands, SSM change (empty without one), ready, graduated, median, jobs")
    func outcomes() async throws {
        let (cli, book, database, admin) = try await Self.book()
        try await book.addProgress(database, admin: admin)
        // Every domain but income, employment, childcare and credit changes like employment
        // does (the book scores them alike).
        func line(_ key: String, _ counts: String, income: String, employment: String, childcare: String, _ rest: String) -> String {
            let ssm = Assessments.domains.map { domain in
                switch domain {
                case "income": income
                case "childcare": childcare
                default: employment
                }
            }
            return ([key, counts] + ssm + [rest]).joined(separator: ",")
        }
        // 2025-05-20. Andijon: AN-1 (intake poor, now near_poor, net 600 000, 1 job), AN-2
        // (above both, −1 income, 0 employment, +2 childcare, net −100 000, 1 job) → median
        // 250 000. Farg'ona: FA-3 (near_poor, no later assessment, net 400 000, 3 jobs), FA-4.
        #expect(try Self.lines(cli, ["outcomes", "--as-of", "2025-05-20", "--by", "region"]) == [
            Self.outcomesHeader,
            line("Andijon", "2,1,0,1,0,1,1", income: "-1", employment: "0", childcare: "2", "0,0,250000.00,2"),
            line("Farg'ona", "2,0,1,0,0,1,0", income: "", employment: "", childcare: "", "0,0,400000.00,3"),
            line("total", "4,1,1,1,0,2,1", income: "-1", employment: "0", childcare: "2", "0,0,400000.00,5"),
        ])
        // 2025-08-31. Andijon: AN-1 now above (+2 income, +1 elsewhere, childcare n/a,
        // graduated), AN-2 now poor → income 0.5, employment 0.5, childcare 2; median (1 500 000
        // − 100 000) / 2. Farg'ona: FA-3 +2 everywhere and ready; median (400 000 + 300 000) / 2.
        #expect(try Self.lines(cli, ["outcomes", "--as-of", "2025-08-31", "--by", "region"]) == [
            Self.outcomesHeader,
            line("Andijon", "2,1,0,1,1,0,1", income: "0.5", employment: "0.5", childcare: "2", "0,1,700000.00,4"),
            line("Farg'ona", "2,0,1,0,0,1,0", income: "2", employment: "2", childcare: "2", "1,0,350000.00,4"),
            line("total", "4,1,1,1,1,1,1", income: "1", employment: "1", childcare: "2", "1,1,350000.00,8"),
        ])
    }

    @Test("training as CSV for two dates, by region and by course")
    func training() async throws {
        let (cli, book, database, admin) = try await Self.book()
        try await book.addProgress(database, admin: admin)
        let header = "enrollments,completions,completion_rate,trained_families,trained_above_line,trained_above_line_share,"
            + "untrained_families,untrained_above_line,untrained_above_line_share"
        // 2025-05-20: SEW-1 (AN-1 completed, AN-2 enrolled). Trained AN-1 (near_poor); untrained
        // AN-2 (above), FA-3 (near_poor), FA-4 (no income: not in the share).
        #expect(try Self.lines(cli, ["training", "--as-of", "2025-05-20", "--by", "region"]) == [
            "region," + header,
            "Andijon,2,1,0.5,1,1,1,1,1,1",
            "Farg'ona,0,0,,0,0,,2,1,1",
            "total,2,1,0.5,1,1,1,3,2,1",
        ])
        // June–August by course: BOOK-1 (AN-1 enrolled, FA-3 completed); SEW-1 began before the
        // period (no enrollments counted; AN-1 trained, AN-2 not, now poor); FA-4 in no course.
        #expect(try Self.lines(cli, ["training", "--as-of", "2025-08-31", "--from", "2025-06-01", "--by", "course"]) == [
            "course," + header,
            "BOOK-1,2,1,0.5,1,1,1,1,1,1",
            "SEW-1,0,0,,1,1,1,1,0,0",
            ",0,0,,0,0,,1,0,",
            "total,2,1,0.5,2,2,1,2,0,0",
        ])
    }
}
