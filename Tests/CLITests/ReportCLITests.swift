import Foundation
import RavnaqCore
import Testing
import TestSupport

@Suite("ravnaq report (SPEC §8, §9)")
struct ReportCLITests {
    /// The portfolio book of the core report tests, read from the terminal: the CSV has a
    /// byte-order mark, a header row of group keys and metric names, one row per group, a last
    /// row "total", plain decimal amounts; the JSON is the API's answer. Figures as worked out
    /// in RavnaqCoreTests/ReportsTests.
    @Test("portfolio as CSV and JSON for two dates")
    func portfolio() async throws {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        let organization = try await Organizations(database: database).resolve(code: "AN")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test")
        let book = try await ReportBook.make(database, admin: admin)
        try await book.addPortfolio(database, admin: admin)

        let may = try cli.run(["report", "portfolio", "--as-of", "2025-05-20", "--by", "programme", "--format", "csv"])
        #expect(may.status == 0, "\(may.stderr)")
        #expect(may.stdout.hasPrefix("\u{FEFF}"))
        #expect(may.stdout.dropFirst().components(separatedBy: "\r\n") == [
            "programme,currency,loans_active,outstanding_principal,disbursed,collected,written_off,par30,par90,on_time_rate",
            "Ayol,UZS,2,1300000.00,1800000.00,500000.00,0.00,0.307692,0,0.625",
            "Yoshlar,UZS,1,300000.00,800000.00,100000.00,400000.00,1,1,0.166667",
            "total,UZS,3,1600000.00,2600000.00,600000.00,400000.00,0.4375,0.1875,0.428571",
            "",
        ])

        let august = try cli.run(["report", "portfolio", "--as-of", "2025-08-31", "--from", "2025-06-01", "--by", "programme",
                                  "--format", "csv", "--sep", ";"])
        #expect(august.stdout.dropFirst().components(separatedBy: "\r\n") == [
            "programme;currency;loans_active;outstanding_principal;disbursed;collected;written_off;par30;par90;on_time_rate",
            "Ayol;UZS;3;1700000.00;1000000.00;600000.00;0.00;0.235294;0.235294;0.571429",
            "Yoshlar;UZS;1;300000.00;0.00;50000.00;0.00;1;1;",
            "total;UZS;4;2000000.00;1000000.00;650000.00;0.00;0.35;0.35;0.571429",
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
        #expect(bad.stderr.contains("/by"))
        #expect(try cli.run(["report", "nonsense"]).status != 0)
    }
}
