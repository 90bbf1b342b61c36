import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// The reports of SPEC §8 on a hand-built data set: every figure below is worked out by hand in
/// the comments. Loans have a 0 % rate and equal principal, so every installment is 100 000.
@Suite("Reports for grant officers (SPEC §8)")
struct ReportsTests {
    struct Book {
        let fixture: CoreFixture
        var families: [String: String] = [:]   // code → id
        var projects: [String: String] = [:]   // code → project id
        var programmes: [String: String] = [:] // name → id
    }

    static func book() async throws -> Book {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        return Book(fixture: fixture, families: made.families, projects: made.projects, programmes: made.programmes)
    }

    static func report(_ book: Book, _ name: String, asOf: String, from: String? = nil, by: String? = nil) async throws -> [String: Any] {
        let query = try ReportQuery.parse(report: name, asOf: asOf, from: from, to: nil, by: by)
        let answer = try await Reports(database: book.fixture.database).run(query, as: book.fixture.admin)
        return try book.fixture.object(answer)
    }

    /// Compares a metrics object with the expected figures: amounts as strings, counts as Int,
    /// ratios as Double (to 6 decimals), nil for a JSON null.
    static func expect(_ object: Any?, _ expected: [String: Any?], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let object = object as? [String: Any] else {
            Issue.record("\(label): no object", sourceLocation: sourceLocation)
            return
        }
        for (key, value) in expected {
            let actual = object[key]
            switch value {
            case nil: #expect(actual is NSNull, "\(label).\(key) = \(String(describing: actual)), expected null", sourceLocation: sourceLocation)
            case let string as String: #expect(actual as? String == string, "\(label).\(key) = \(String(describing: actual)), expected \(string)", sourceLocation: sourceLocation)
            case let int as Int: #expect((actual as? NSNumber)?.intValue == int && !(actual is String), "\(label).\(key) = \(String(describing: actual)), expected \(int)", sourceLocation: sourceLocation)
            case let double as Double:
                let number = (actual as? NSNumber)?.doubleValue ?? .nan
                #expect(abs(number - double) < 0.000_001, "\(label).\(key) = \(String(describing: actual)), expected \(double)", sourceLocation: sourceLocation)
            default: Issue.record("unexpected expectation for \(key)", sourceLocation: sourceLocation)
            }
        }
    }

    static func row(_ answer: [String: Any], _ key: String, _ value: String) -> [String: Any]? {
        (answer["rows"] as? [[String: Any]])?.first { $0[key] as? String == value }
    }

    static func portfolioBook() async throws -> Book {
        let book = try await book()
        try await ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
            .addPortfolio(book.fixture.database, admin: book.fixture.admin)
        return book
    }

    static func loansReceivable(_ book: Book, asOf: String, currency: String = "UZS") async throws -> String? {
        let balance = try await LedgerService(database: book.fixture.database).trialBalance(asOf: asOf, as: book.fixture.admin)
        return balance.accounts.first { $0.account == "loans_receivable" && $0.currency == currency }?.balance
    }

    @Test("portfolio as of 2025-05-20 and for June–August as of 2025-08-31, by programme, equals the trial balance")
    func portfolio() async throws {
        let book = try await Self.portfolioBook()

        // As of 2025-05-20, from the beginning.
        // Ayol: L1 (900 000 out, 10 DPD), L2 (400 000 out, 40 DPD). Disbursed 1 800 000,
        //   collected 300 000 + 200 000. PAR30 400 000 / 1 300 000 = 0.307692; PAR90 0.
        //   On time: L1 3 of 4 (02-10…05-10), L2 2 of 4 → 5 / 8.
        // Yoshlar: L3 (300 000 out, 100 DPD); L4 written off (400 000) on 04-30, not active.
        //   Disbursed 800 000, collected 100 000. PAR30 = PAR90 = 1. On time: L3 0 of 3, L4 1
        //   of 3 (those before the write-off) → 1 / 6.
        // Total: 3 active, 1 600 000 out, PAR30 700 000 / 1 600 000, PAR90 300 000 / 1 600 000,
        //   on time 6 / 14.
        let may = try await Self.report(book, "portfolio", asOf: "2025-05-20", by: "programme")
        #expect(may["report"] as? String == "portfolio")
        #expect(may["as_of"] as? String == "2025-05-20")
        #expect(may["from"] is NSNull)
        #expect(may["to"] as? String == "2025-05-20")
        #expect(may["by"] as? [String] == ["programme"])
        #expect((may["rows"] as? [[String: Any]])?.count == 2)
        Self.expect(Self.row(may, "programme", "Ayol"), [
            "loans_active": 2, "outstanding_principal": "1300000.00", "disbursed": "1800000.00", "collected": "500000.00",
            "written_off": "0.00", "par30": 400_000.0 / 1_300_000, "par90": 0.0, "on_time_rate": 5.0 / 8,
        ], "May Ayol")
        Self.expect(Self.row(may, "programme", "Yoshlar"), [
            "loans_active": 1, "outstanding_principal": "300000.00", "disbursed": "800000.00", "collected": "100000.00",
            "written_off": "400000.00", "par30": 1.0, "par90": 1.0, "on_time_rate": 1.0 / 6,
        ], "May Yoshlar")
        // One currency: the total carries it, and `totals` holds the same single object.
        #expect((may["totals"] as? [[String: Any]])?.count == 1)
        Self.expect(may["total"], [
            "currency": "UZS", "loans_active": 3, "outstanding_principal": "1600000.00", "disbursed": "2600000.00", "collected": "600000.00",
            "written_off": "400000.00", "par30": 0.4375, "par90": 0.1875, "on_time_rate": 6.0 / 14,
        ], "May total")
        // 2 600 000 lent − 600 000 repaid − 400 000 written off.
        #expect(try await Self.loansReceivable(book, asOf: "2025-05-20") == "1600000.00")

        // As of 2025-08-31 for 2025-06-01…2025-08-31.
        // Ayol: L1 400 000 out (0 DPD), L2 400 000 (143 DPD), L5 900 000 (16 DPD). Disbursed
        //   1 000 000 (L5); collected 500 000 (L1) + 100 000 (L5). PAR30 = PAR90 = 400 000 /
        //   1 700 000. On time: L1 06-10, 07-10, 08-10 all 3; L2 06-10, 07-10 none; L5 07-15
        //   yes, 08-15 no → 4 / 7.
        // Yoshlar: L3 300 000 (203 DPD); collected 50 000 (the recovery); nothing due in the
        //   period (L4's installments after its write-off do not count) → on time null.
        // Total: 4 active, 2 000 000 out, PAR30 = PAR90 = 700 000 / 2 000 000.
        let august = try await Self.report(book, "portfolio", asOf: "2025-08-31", from: "2025-06-01", by: "programme")
        #expect(august["from"] as? String == "2025-06-01")
        Self.expect(Self.row(august, "programme", "Ayol"), [
            "loans_active": 3, "outstanding_principal": "1700000.00", "disbursed": "1000000.00", "collected": "600000.00",
            "written_off": "0.00", "par30": 400_000.0 / 1_700_000, "par90": 400_000.0 / 1_700_000, "on_time_rate": 4.0 / 7,
        ], "August Ayol")
        Self.expect(Self.row(august, "programme", "Yoshlar"), [
            "loans_active": 1, "outstanding_principal": "300000.00", "disbursed": "0.00", "collected": "50000.00",
            "written_off": "0.00", "par30": 1.0, "par90": 1.0, "on_time_rate": nil,
        ], "August Yoshlar")
        Self.expect(august["total"], [
            "loans_active": 4, "outstanding_principal": "2000000.00", "disbursed": "1000000.00", "collected": "650000.00",
            "written_off": "0.00", "par30": 0.35, "par90": 0.35, "on_time_rate": 4.0 / 7,
        ], "August total")
        // 3 600 000 lent − 1 200 000 repaid − 400 000 written off.
        #expect(try await Self.loansReceivable(book, asOf: "2025-08-31") == "2000000.00")

        // By region and project type on 2025-08-31: Farg'ona/livestock holds L3, L4, L5.
        let regions = try await Self.report(book, "portfolio", asOf: "2025-08-31", by: "region,project_type")
        #expect((regions["rows"] as? [[String: Any]])?.count == 3)
        let livestock = (regions["rows"] as? [[String: Any]])?.first { $0["region"] as? String == "Farg'ona" && $0["project_type"] as? String == "livestock" }
        Self.expect(livestock, [
            "loans_active": 2, "outstanding_principal": "1200000.00", "disbursed": "1800000.00", "collected": "250000.00",
            "written_off": "400000.00", "par30": 300_000.0 / 1_200_000, "par90": 300_000.0 / 1_200_000,
        ], "Farg'ona livestock")
        Self.expect(regions["total"], ["loans_active": 4, "outstanding_principal": "2000000.00"], "regions total")
    }
}

extension ReportsTests {
    /// Rows of a report, keyed "group key/currency".
    static func rows(_ answer: [String: Any], _ key: String) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((answer["rows"] as? [[String: Any]]) ?? []).map {
            ("\($0[key] as? String ?? "-")/\($0["currency"] as? String ?? "-")", $0)
        })
    }

    static func totals(_ answer: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((answer["totals"] as? [[String: Any]]) ?? []).map { ($0["currency"] as? String ?? "-", $0) })
    }

    @Test("two currencies: rows and totals per currency, no amount added across them; each currency equals its trial balance")
    func currencies() async throws {
        let book = try await Self.portfolioBook()
        let made = ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
        try await made.addGrants(book.fixture.database, admin: book.fixture.admin)
        _ = try await made.addDollars(book.fixture.database, admin: book.fixture.admin)

        // As of 2025-05-20. L6 (USD, AN-1): 300.00 lent, 100.00 paid on 04-01, 200.00 out, 19
        // days late (05-01 unpaid); on time 04-01 of 04-01 and 05-01 → 0.5. The UZS loans as in
        // `portfolio`.
        let may = try await Self.report(book, "portfolio", asOf: "2025-05-20", by: "programme")
        let mayRows = Self.rows(may, "programme")
        #expect(mayRows.keys.sorted() == ["Ayol/UZS", "Dollar/USD", "Yoshlar/UZS"])
        #expect((may["rows"] as? [[String: Any]])?.map { $0["programme"] as? String } == ["Ayol", "Dollar", "Yoshlar"])
        let dollarsMay: [String: Any?] = [
            "currency": "USD", "loans_active": 1, "outstanding_principal": "200.00", "disbursed": "300.00", "collected": "100.00",
            "written_off": "0.00", "par30": 0.0, "par90": 0.0, "on_time_rate": 0.5,
        ]
        Self.expect(mayRows["Dollar/USD"], dollarsMay, "May Dollar")
        Self.expect(mayRows["Ayol/UZS"], ["loans_active": 2, "outstanding_principal": "1300000.00", "on_time_rate": 5.0 / 8], "May Ayol")
        // The total counts all 4 active loans and 7 of 16 installments on time, but adds no amount.
        Self.expect(may["total"], [
            "currency": nil, "loans_active": 4, "outstanding_principal": nil, "disbursed": nil, "collected": nil, "written_off": nil,
            "par30": nil, "par90": nil, "on_time_rate": 7.0 / 16,
        ], "May total")
        Self.expect(Self.totals(may)["UZS"], [
            "loans_active": 3, "outstanding_principal": "1600000.00", "disbursed": "2600000.00", "collected": "600000.00",
            "written_off": "400000.00", "par30": 0.4375, "par90": 0.1875, "on_time_rate": 6.0 / 14,
        ], "May UZS")
        Self.expect(Self.totals(may)["USD"], dollarsMay, "May USD")
        #expect(try await Self.loansReceivable(book, asOf: "2025-05-20", currency: "USD") == "200.00")
        #expect(try await Self.loansReceivable(book, asOf: "2025-05-20", currency: "UZS") == "1600000.00")

        // By region, Andijon has a row per currency.
        let regions = Self.rows(try await Self.report(book, "portfolio", asOf: "2025-05-20", by: "region"), "region")
        #expect(regions.keys.sorted() == ["Andijon/USD", "Andijon/UZS", "Farg'ona/UZS"])
        Self.expect(regions["Andijon/USD"], ["loans_active": 1, "outstanding_principal": "200.00"], "Andijon USD")
        Self.expect(regions["Andijon/UZS"], ["loans_active": 2, "outstanding_principal": "1300000.00"], "Andijon UZS")

        // 2025-06-01…2025-08-31: L6 still 200.00 out, 122 days late (PAR30 = PAR90 = 1), nothing
        // moved in the period, 06-01 not paid on time → 0 of 1; all loans: 4 of 8 on time.
        let august = try await Self.report(book, "portfolio", asOf: "2025-08-31", from: "2025-06-01", by: "programme")
        let dollarsAugust: [String: Any?] = [
            "currency": "USD", "loans_active": 1, "outstanding_principal": "200.00", "disbursed": "0.00", "collected": "0.00",
            "written_off": "0.00", "par30": 1.0, "par90": 1.0, "on_time_rate": 0.0,
        ]
        Self.expect(Self.rows(august, "programme")["Dollar/USD"], dollarsAugust, "August Dollar")
        Self.expect(august["total"], ["currency": nil, "loans_active": 5, "outstanding_principal": nil, "par30": nil, "on_time_rate": 0.5],
                    "August total")
        Self.expect(Self.totals(august)["UZS"], ["loans_active": 4, "outstanding_principal": "2000000.00", "par30": 0.35, "on_time_rate": 4.0 / 7],
                    "August UZS")
        Self.expect(Self.totals(august)["USD"], dollarsAugust, "August USD")
        #expect(try await Self.loansReceivable(book, asOf: "2025-08-31", currency: "USD") == "200.00")

        // Grants as of 2025-05-20: G4 (USD) 500.00 committed and paid, 250.00 spent → 0.5.
        let grants = try await Self.report(book, "grants", asOf: "2025-05-20", by: "programme")
        let dollarGrants: [String: Any?] = [
            "currency": "USD", "grants": 1, "committed": "500.00", "disbursed": "500.00", "expenses": "250.00", "utilization": 0.5,
            "tranches_pending": 0,
        ]
        Self.expect(Self.rows(grants, "programme")["Dollar/USD"], dollarGrants, "Dollar grants")
        Self.expect(grants["total"], [
            "currency": nil, "grants": 3, "committed": nil, "disbursed": nil, "expenses": nil, "utilization": nil, "tranches_pending": 2,
        ], "grants total")
        Self.expect(Self.totals(grants)["UZS"], [
            "grants": 2, "committed": "9000000.00", "disbursed": "4000000.00", "expenses": "1500000.00", "utilization": 0.375, "tranches_pending": 2,
        ], "grants UZS")
        Self.expect(Self.totals(grants)["USD"], dollarGrants, "grants USD")
    }
}

extension ReportsTests {
    @Test("grants as of 2025-05-20 and for June–August as of 2025-08-31, by programme")
    func grants() async throws {
        let book = try await Self.book()
        // G1 (AN-1, Ayol) 6 000 000: 4 000 000 paid 02-01, 2 000 000 paid 07-15; expenses 1 500 000
        // on 03-01 and 1 000 000 on 07-01. G2 (FA-3, Yoshlar) 3 000 000 planned 04-01, never
        // paid. G3 (FA-4, Yoshlar) planned for 10-01. (ReportBook.addGrants.)
        try await ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
            .addGrants(book.fixture.database, admin: book.fixture.admin)

        // As of 2025-05-20: Ayol committed 6 000 000, disbursed 4 000 000, expenses 1 500 000,
        // utilization 0.375, 1 tranche pending; Yoshlar 3 000 000 committed, nothing paid,
        // utilization null, 1 pending.
        let may = try await Self.report(book, "grants", asOf: "2025-05-20", by: "programme")
        Self.expect(Self.row(may, "programme", "Ayol"), [
            "grants": 1, "committed": "6000000.00", "disbursed": "4000000.00", "expenses": "1500000.00",
            "utilization": 0.375, "tranches_pending": 1,
        ], "May Ayol")
        Self.expect(Self.row(may, "programme", "Yoshlar"), [
            "grants": 1, "committed": "3000000.00", "disbursed": "0.00", "expenses": "0.00", "utilization": nil, "tranches_pending": 1,
        ], "May Yoshlar")
        Self.expect(may["total"], [
            "grants": 2, "committed": "9000000.00", "disbursed": "4000000.00", "expenses": "1500000.00",
            "utilization": 0.375, "tranches_pending": 2,
        ], "May total")

        // 2025-06-01…2025-08-31: Ayol disbursed 2 000 000, expenses 1 000 000 → 0.5, none pending.
        let august = try await Self.report(book, "grants", asOf: "2025-08-31", from: "2025-06-01", by: "programme")
        Self.expect(Self.row(august, "programme", "Ayol"), [
            "grants": 1, "committed": "6000000.00", "disbursed": "2000000.00", "expenses": "1000000.00",
            "utilization": 0.5, "tranches_pending": 0,
        ], "August Ayol")
        Self.expect(august["total"], [
            "grants": 2, "committed": "9000000.00", "disbursed": "2000000.00", "expenses": "1000000.00",
            "utilization": 0.5, "tranches_pending": 1,
        ], "August total")
    }

    @Test("portfolio and grants by every group and by none: the groups split the loans and grants, each row names its keys, the total stays")
    func everyGrouping() async throws {
        let book = try await Self.portfolioBook()
        let made = ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
        try await made.addGrants(book.fixture.database, admin: book.fixture.admin)
        // AN-1 and FA-3 have a mentor; AN-2 and FA-4 none.
        _ = try await book.fixture.user("dilnoza@example.org", .mentor)
        for code in ["AN-1", "FA-3"] {
            _ = try await Families(database: book.fixture.database).assignMentor(
                family: book.families[code]!, mentor: "dilnoza@example.org", from: "2025-01-01", as: book.fixture.admin)
        }
        let keyValues: [String: Set<String>] = [
            "programme": ["Ayol", "Yoshlar"], "region": ["Andijon", "Farg'ona"], "district": ["Asaka", "Quva"],
            "project_type": ["baking", "sewing", "livestock"], "mentor": ["dilnoza@example.org", "-"],
        ]
        for (report, count, amount) in [("portfolio", "loans_active", "outstanding_principal"), ("grants", "grants", "committed")] {
            let whole = try await Self.report(book, report, asOf: "2025-08-31")
            let total = try #require(whole["total"] as? [String: Any])
            for by in ["programme", "region", "district", "project_type", "mentor", "region,programme,mentor"] {
                let answer = try await Self.report(book, report, asOf: "2025-08-31", by: by)
                let rows = try #require(answer["rows"] as? [[String: Any]])
                let keys = by.split(separator: ",").map(String.init)
                #expect(NSDictionary(dictionary: try #require(answer["total"] as? [String: Any])).isEqual(to: total), "\(report) by \(by)")
                #expect(rows.map { ($0[count] as? NSNumber)?.intValue ?? -1 }.reduce(0, +) == (total[count] as? NSNumber)?.intValue,
                        "\(report) by \(by): \(count)")
                let sum = rows.map { Decimal(string: $0[amount] as? String ?? "") ?? .nan }.reduce(0, +)
                #expect(sum == Decimal(string: total[amount] as? String ?? ""), "\(report) by \(by): \(amount)")
                for row in rows {
                    #expect(Set(row.keys).isSuperset(of: keys + ["currency"]), "\(report) by \(by): \(row)")
                    for key in keys {
                        let value = row[key] is NSNull ? "-" : row[key] as? String ?? "?"
                        #expect(keyValues[key]!.contains(value), "\(report) by \(by): \(key) = \(value)")
                    }
                }
                // Every key value the data holds shows up in some row.
                for key in keys where report == "portfolio" {
                    let seen = Set(rows.map { $0[key] is NSNull ? "-" : $0[key] as? String ?? "?" })
                    #expect(seen == keyValues[key]!, "\(report) by \(by): \(key) values \(seen)")
                }
            }
        }
    }

    @Test("a period that begins after as_of disburses, collects and writes off nothing")
    func periodAfterAsOf() async throws {
        let book = try await Self.portfolioBook()
        // As of 2025-05-20 with from 2025-06-01 (to defaults to as_of): the period is empty,
        // though the loans' histories hold repayments on both sides of it.
        let answer = try await Self.report(book, "portfolio", asOf: "2025-05-20", from: "2025-06-01")
        Self.expect(answer["total"], ["disbursed": "0.00", "collected": "0.00", "written_off": "0.00", "on_time_rate": nil], "empty period")
        let may = try await Self.report(book, "portfolio", asOf: "2025-05-20")
        Self.expect(answer["total"], [
            "loans_active": (may["total"] as? [String: Any])?["loans_active"] as? Int,
            "outstanding_principal": (may["total"] as? [String: Any])?["outstanding_principal"] as? String,
        ], "as of 2025-05-20 still")
    }

    @Test("an unknown report is not found; a bad by, date or period names its field")
    func invalidQueries() async throws {
        #expect(throws: RavnaqError.self) { try ReportQuery.parse(report: "loans", asOf: nil, from: nil, to: nil, by: nil) }
        do {
            _ = try ReportQuery.parse(report: "portfolio", asOf: "2025-02-30", from: "2025-06-01", to: "2025-05-01", by: "region,course,region")
            Issue.record("accepted")
        } catch let RavnaqError.invalid(errors) {
            #expect(errors.map(\.pointer) == ["/as_of", "/from", "/by", "/by"])
        }
        #expect(try ReportQuery.parse(report: "training", asOf: nil, from: nil, to: nil, by: "course,mentor").by == [.course, .mentor])
    }
}

extension ReportsTests {
    static func progressBook() async throws -> Book {
        let book = try await book()
        try await ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
            .addProgress(book.fixture.database, admin: book.fixture.admin)
        return book
    }

    @Test("outcomes as of 2025-05-20 and 2025-08-31: income bands now and at intake, SSM change, graduated, median net income, jobs")
    func outcomes() async throws {
        let book = try await Self.progressBook()
        // 2025-05-20: intake AN-1 poor, AN-2 above, FA-3 near_poor; now AN-1 near_poor (05),
        // AN-2 above (02), FA-3 near_poor. SSM: only AN-2 has a later assessment: income −1,
        // employment 0, childcare +2. Net incomes 600 000, −100 000, 400 000 → median 400 000;
        // jobs 1 + 1 + 3.
        // Nobody is ready: AN-1 has two months reported (01, 05), AN-2 one; FA-3 has three (03 to
        // 05) but only its intake assessment, scored 1.
        let may = try await Self.report(book, "outcomes", asOf: "2025-05-20")
        Self.expect(may["total"], Self.outcomesMay, "May total")
        // 2025-08-31: now AN-1 above (08), AN-2 poor (06), FA-3 near_poor (07). SSM: AN-1 income
        // +2, employment +1, childcare n/a, credit +1; AN-2 income −1, employment 0, childcare +2,
        // credit 0; FA-3 +2 everywhere → income 1, employment 1, childcare 2, credit 1. AN-1
        // graduated on 08-01. Ready: FA-3 (05, 06, 07, consecutive and the latest the month before
        // as_of, each 2 700 000 ≥ 2 676 000, net 400 000 in each, latest assessment on 07-20 3 in
        // income, employment and food, BOOK-1 completed, no loan);
        // AN-1 meets every criterion too (08, 07, 06; nets 1 500 000, 1 500 000, 100 000) but is
        // graduated. Net incomes of the latest months 1 500 000, −100 000, 400 000, 300 000 →
        // median 350 000; jobs 3 + 1 + 3 + 1.
        let august = try await Self.report(book, "outcomes", asOf: "2025-08-31", by: "region")
        Self.expect(august["total"], Self.outcomesAugust, "August total")
        // Andijon: AN-1, AN-2 → median (1 500 000 − 100 000) / 2 = 700 000, income change
        // (2 − 1) / 2; Farg'ona: FA-3, FA-4 → (400 000 + 300 000) / 2 = 350 000, FA-3's +2.
        Self.expect(Self.row(august, "region", "Andijon"), Self.outcomesAndijon, "August Andijon")
        Self.expect(Self.row(august, "region", "Farg'ona"), Self.outcomesFargona, "August Farg'ona")
        #expect((august["rows"] as? [[String: Any]])?.count == 2)

        // The report's ready count is Graduation's: the families it finds ready that are not
        // graduated (AN-1 graduated on 08-01 and was not ready before).
        for (asOf, total) in [("2025-05-20", may), ("2025-08-31", august)] {
            var ready: [String] = []
            for (code, id) in book.families.sorted(by: { $0.key < $1.key }) {
                let evaluation = try await Graduation(database: book.fixture.database).evaluate(family: id, asOf: asOf, as: book.fixture.admin)
                if evaluation.status == "ready" && evaluation.family_status == "active" { ready.append(code) }
                if code == "AN-1" && asOf == "2025-08-31" { #expect(evaluation.status == "ready") }
            }
            #expect(ready == (asOf == "2025-05-20" ? [] : ["FA-3"]))
            #expect(((total["total"] as? [String: Any])?["ready"] as? NSNumber)?.intValue == ready.count)
        }
        // Families appear only through their groups: no name of a member anywhere.
        let text = try await Reports(database: book.fixture.database).run(ReportQuery(report: .outcomes, by: [.mentor]), as: book.fixture.admin).text
        #expect(!text.contains("Head of"))
    }

    static var outcomesMay: [String: Any?] {
        [
            "families": 4, "intake_poor": 1, "intake_near_poor": 1, "intake_above": 1, "now_poor": 0, "now_near_poor": 2, "now_above": 1,
            "ssm_income_change": -1.0, "ssm_employment_change": 0.0, "ssm_childcare_change": 2.0, "ssm_credit_change": 0.0,
            "ready": 0, "graduated": 0, "median_net_income": "400000.00", "jobs": 5,
        ]
    }
    static var outcomesAugust: [String: Any?] {
        [
            "families": 4, "intake_poor": 1, "intake_near_poor": 1, "intake_above": 1, "now_poor": 1, "now_near_poor": 1, "now_above": 1,
            "ssm_income_change": 1.0, "ssm_employment_change": 1.0, "ssm_childcare_change": 2.0, "ssm_credit_change": 1.0,
            "ready": 1, "graduated": 1, "median_net_income": "350000.00", "jobs": 8,
        ]
    }
    static var outcomesAndijon: [String: Any?] {
        [
            "families": 2, "now_poor": 1, "now_above": 1, "ready": 0, "graduated": 1, "median_net_income": "700000.00", "jobs": 4,
            "ssm_income_change": 0.5,
        ]
    }
    static var outcomesFargona: [String: Any?] {
        [
            "families": 2, "now_near_poor": 1, "intake_near_poor": 1, "ready": 1, "graduated": 0, "median_net_income": "350000.00", "jobs": 4,
            "ssm_income_change": 2.0, "ssm_childcare_change": 2.0,
        ]
    }

    @Test("training as of 2025-05-20 and for June–August as of 2025-08-31, in total and by course")
    func training() async throws {
        let book = try await Self.progressBook()
        // 2025-05-20: SEW-1 enrollments AN-1 (completed), AN-2 → 2, 1, 0.5. Trained: AN-1 (now
        // near_poor: above the line). Untrained: AN-2 (above), FA-3 (near_poor), FA-4 (no income).
        let may = try await Self.report(book, "training", asOf: "2025-05-20")
        Self.expect(may["total"], [
            "enrollments": 2, "completions": 1, "completion_rate": 0.5,
            "trained_families": 1, "trained_above_line": 1, "trained_above_line_share": 1.0,
            "untrained_families": 3, "untrained_above_line": 2, "untrained_above_line_share": 1.0,
        ], "May total")
        // June–August: BOOK-1 enrollments AN-1, FA-3 (completed) → 2, 1, 0.5. Trained by 08-31:
        // AN-1 (above), FA-3 (near_poor) → 2 of 2. Untrained: AN-2 (poor), FA-4 (no income) → 0 of 1.
        let august = try await Self.report(book, "training", asOf: "2025-08-31", from: "2025-06-01", by: "course")
        Self.expect(august["total"], [
            "enrollments": 2, "completions": 1, "completion_rate": 0.5,
            "trained_families": 2, "trained_above_line": 2, "trained_above_line_share": 1.0,
            "untrained_families": 2, "untrained_above_line": 0, "untrained_above_line_share": 0.0,
        ], "August total")
        // By course: BOOK-1 FA-3 trained, AN-1 enrolled but not trained in it; SEW-1 (started
        // before the period: no enrollments counted) AN-1 trained, AN-2 not; FA-4 without a course.
        let rows = try #require(august["rows"] as? [[String: Any]])
        #expect(rows.map { $0["course"] as? String ?? "-" } == ["BOOK-1", "SEW-1", "-"])
        Self.expect(rows.first, [
            "enrollments": 2, "completions": 1, "completion_rate": 0.5, "trained_families": 1, "trained_above_line": 1,
            "untrained_families": 1, "untrained_above_line": 1, "untrained_above_line_share": 1.0,
        ], "BOOK-1")
        Self.expect(rows.dropFirst().first, [
            "enrollments": 0, "completions": 0, "completion_rate": nil, "trained_families": 1, "trained_above_line": 1,
            "untrained_families": 1, "untrained_above_line": 0, "untrained_above_line_share": 0.0,
        ], "SEW-1")
        Self.expect(rows.last, ["enrollments": 0, "trained_families": 0, "untrained_families": 1, "untrained_above_line_share": nil], "no course")
    }
}

extension ReportsTests {
    @Test("a grant officer, who may not read a member's sex or any personal column, reads every report by every group as the admin does")
    func officerReadsTheReports() async throws {
        let book = try await Self.progressBook()
        let made = ReportBook(families: book.families, projects: book.projects, programmes: book.programmes)
        try await made.addPortfolio(book.fixture.database, admin: book.fixture.admin)
        try await made.addGrants(book.fixture.database, admin: book.fixture.admin)
        let officer = try await book.fixture.user("officer@undp.example", .grantOfficer)
        await #expect(throws: RavnaqError.self) {
            try await book.fixture.database.transaction(as: officer) { try $0.query("SELECT sex FROM members").rowCount }
        }
        let reports = Reports(database: book.fixture.database)
        for name in ReportName.allCases {
            for by in [nil, "programme", "region,district", "project_type,mentor"] + (name == .training ? ["course"] : []) {
                let query = try ReportQuery.parse(report: name.rawValue, asOf: "2025-08-31", from: "2025-01-01", to: nil, by: by)
                let forOfficer = try book.fixture.object(try await reports.run(query, as: officer))
                let forAdmin = try book.fixture.object(try await reports.run(query, as: book.fixture.admin))
                #expect(NSDictionary(dictionary: forOfficer) == NSDictionary(dictionary: forAdmin), "\(name) by \(by ?? "nothing")")
                #expect((forOfficer["total"] as? [String: Any])?.isEmpty == false, "\(name) by \(by ?? "nothing")")
            }
        }
    }
}
