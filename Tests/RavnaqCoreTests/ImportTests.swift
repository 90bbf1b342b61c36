import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// The import fixtures (Tests/Fixtures/imports, made by scripts/make-import-fixtures with
/// openpyxl and LibreOffice).
enum ImportFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/imports")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }
}

extension CoreFixture {
    func count(_ sql: String) async throws -> Int {
        try await database.pool.withConnection { try $0.query(sql).first!.decode(0, as: Int.self) }
    }

    func rows(_ sql: String) async throws -> [[String?]] {
        try await database.pool.withConnection { connection in
            let result = try connection.query(sql)
            return try result.rows.map { row in try (0..<result.columnCount).map { try row.decode($0, as: String?.self) } }
        }
    }

    func importFile(_ kind: ImportKind, _ name: String, dryRun: Bool = false, as actor: Actor? = nil) async throws -> ImportResult {
        try await Imports(database: database).run(
            kind, data: ImportFixture.data(name), options: .init(dryRun: dryRun, fileName: name), as: actor ?? admin)
    }

    /// The programme the loan and grant fixtures name.
    func addProgramme() async throws {
        _ = try await Programmes(database: database).create(
            ProgrammeInput(name: "Family Business 2025", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01",
                           ends_on: "2026-12-31", budget: "500000000"),
            as: admin)
    }
}

@Suite("Reading spreadsheets as people keep them")
struct SheetReadingTests {
    @Test("the same register as UTF-8 CSV with a BOM and ';', as Windows-1251 with tabs, and as XLSX by openpyxl and LibreOffice")
    func fourFiles() throws {
        for name in ["families-uz-semicolon.csv", "families-ru-cp1251.csv", "families-openpyxl.xlsx", "families-libreoffice.xlsx"] {
            let table = try SheetTable.read(ImportFixture.data(name))
            #expect(table.headers.count == 13, "\(name)")
            #expect(table.rows.count == 6, "\(name)")
            #expect(table.rows.first?.number == 2, "\(name)")
            #expect(table.headers.first?.hasPrefix("\u{FEFF}") == false, "\(name)")
            // Column 6 is the name: Cyrillic arrives intact whatever the encoding.
            #expect(table.rows[3].cells[6].text == "Каримов Бахтиёр", "\(name)")
            #expect(table.rows[0].cells[0].text == "AN-0001", "\(name)")
        }
        let uzbek = try SheetTable.read(ImportFixture.data("families-uz-semicolon.csv"))
        #expect(uzbek.headers[8] == "Tug'ilgan sana")
        #expect(uzbek.rows[0].cells[6].text == "Gʻulomova Oʻgʻiloy")
        #expect(uzbek.rows[0].cells[8].text == "15.03.1985")
        // openpyxl writes a date as a serial day number with a date format: 15.03.1985 is 31121.
        let openpyxl = try SheetTable.read(ImportFixture.data("families-openpyxl.xlsx"))
        #expect(openpyxl.rows[0].cells[8] == .number("31121"))
        #expect(openpyxl.rows[5].cells.count <= 13)
    }

    @Test("CSV quotes keep separators, quotes and line breaks; blank lines are skipped but still numbered")
    func csvQuoting() throws {
        let text = "code;note\r\nA-1;\"one; two\"\r\n\r\nA-2;\"say \"\"hi\"\"\nthen go\"\r\n"
        let table = try SheetTable.read(Data(text.utf8))
        #expect(table.headers == ["code", "note"])
        #expect(table.rows.map(\.number) == [2, 4])
        #expect(table.rows[0].cells[1].text == "one; two")
        #expect(table.rows[1].cells[1].text == "say \"hi\"\nthen go")
        let excelHint = try SheetTable.read(Data("sep=,\ncode;x,y\n1;2,3\n".utf8))
        #expect(excelHint.headers == ["code;x", "y"])
    }

    @Test("an XLSX number is the shortest decimal of its value, never arithmetic on a Double")
    func excelNumbers() {
        #expect(ExcelNumber.shortest("1250000.5") == "1250000.5")
        #expect(ExcelNumber.shortest("1.2500000500000001E+6") == "1250000.05")
        #expect(ExcelNumber.shortest("8000000.5") == "8000000.5")
        #expect(ExcelNumber.shortest("0.1") == "0.1")
        #expect(ExcelNumber.shortest("1E+21") == "1000000000000000000000")
        #expect(ExcelNumber.shortest("5E-7") == "0.0000005")
        #expect(ExcelNumber.shortest("-1250000") == "-1250000")
        #expect(ExcelNumber.shortest("41503851234567") == "41503851234567")
        // The value a Double holds for 0.1 + 0.2 has more decimals than a currency: kept, then refused.
        #expect(ExcelNumber.shortest("0.30000000000000004") == "0.30000000000000004")
        #expect(ExcelNumber.shortest("abc") == nil)
    }
}

@Suite("Importing families with their members (issue 15)")
struct FamilyImportTests {
    @Test("each fixture imports the same three families and five members, and a second import writes nothing")
    func eachFixture() async throws {
        for name in ["families-uz-semicolon.csv", "families-ru-cp1251.csv", "families-openpyxl.xlsx", "families-libreoffice.xlsx"] {
            let fixture = try await CoreFixture.make()
            let first = try await fixture.importFile(.families, name)
            #expect(first.created == 3, "\(name)")
            #expect(first.members_created == 5, "\(name)")
            let members = try await fixture.rows("""
                SELECT f.code, f.region, f.district, f.mahalla, array_to_string(f.categories, ','), f.consent_on::text,
                       m.full_name, m.sex, m.birth_date::text, m.relation, m.pinfl, m.disability::text, m.works::text
                FROM members m JOIN families f ON f.id = m.family_id ORDER BY m.created_at
                """)
            let nameInFile = name.hasSuffix("cp1251.csv") ? "G'ulomova O'g'iloy" : "Gʻulomova Oʻgʻiloy"
            #expect(members.first == ["AN-0001", "Andijon", "Asaka", "Navbahor", "low_income,many_children", "2025-03-01",
                                      nameInFile, "female", "1985-03-15", "head", "41503851234567", "false", "true"], "\(name)")
            #expect(members.map { $0[9] } == ["head", "son", "daughter", "head", "spouse"], "\(name)")
            #expect(members[2][11] == "true", "\(name): the daughter's disability")
            #expect(try await fixture.count("SELECT count(*)::int FROM families WHERE code = 'AN-0003' AND consent_on IS NULL") == 1)

            let audit = try await fixture.count("SELECT count(*)::int FROM audit_log")
            let second = try await fixture.importFile(.families, name)
            #expect(second.created == 0 && second.unchanged == 3, "\(name)")
            #expect(second.previously_imported_at != nil)
            #expect(second.summary.hasPrefix("nothing to write"))
            #expect(try await fixture.count("SELECT count(*)::int FROM audit_log") == audit, "\(name): nothing written the second time")
        }
    }

    @Test("a families import is one audit entry naming the file's SHA-256 and its rows; the switch serves no other transaction")
    func auditEntry() async throws {
        let fixture = try await CoreFixture.make()
        let data = try ImportFixture.data("families-uz-semicolon.csv")
        let result = try await fixture.importFile(.families, "families-uz-semicolon.csv")
        let sha = try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT encode(sha256(decode($1, 'base64')), 'hex')", [data.base64EncodedString()]).first!.decode(0, as: String.self)
        }
        #expect(result.file_sha256 == sha)
        let entries = try await fixture.rows(
            "SELECT actor, after->>'file_sha256', after->>'rows', after->>'created' FROM audit_log WHERE entity = 'imports'")
        #expect(entries == [["cli:test", sha, "6", "3"]])
        #expect(try await fixture.count("SELECT count(*)::int FROM audit_log WHERE entity IN ('families', 'members')") == 0)

        // A later transaction naming that import is audited as usual: the switch holds only in
        // the transaction that wrote the import's row.
        let importID = try await fixture.rows("SELECT id::text FROM imports").first![0]!
        _ = try await fixture.database.transaction(as: fixture.admin) { connection in
            try connection.query("SELECT set_config('ravnaq.import', $1, true)", [importID])
            try connection.query("INSERT INTO families (organization_id, code, region, district) VALUES ($1, 'AN-9', 'Andijon', 'Asaka')",
                                 [fixture.admin.organizationID])
        }
        #expect(try await fixture.count("SELECT count(*)::int FROM audit_log WHERE entity = 'families'") == 1)
        // Projects, loans and the rest go through the services row by row: each row keeps its copy too.
    }

    @Test("a file with 5 bad rows gives exactly those 5 errors, by row and column, and writes nothing")
    func fiveBadRows() async throws {
        let fixture = try await CoreFixture.make()
        let error = await #expect(throws: RavnaqError.self) {
            try await fixture.importFile(.families, "families-5-bad.csv")
        }
        guard case .invalid(let problems)? = error else { Issue.record("not invalid: \(String(describing: error))"); return }
        #expect(problems.map(\.pointer) == ["/rows/3/birth_date", "/rows/5/sex", "/rows/6/region", "/rows/8/family_code", "/rows/9/birth_date"])
        #expect(problems.map(\.column) == ["birth_date", "sex", "region", "family_code", "birth_date"])
        #expect(problems[0].detail.contains("31.02.2012"))
        #expect(problems[4].detail.contains("in the future"))
        #expect(try await fixture.count("SELECT count(*)::int FROM families") == 0)
        #expect(try await fixture.count("SELECT count(*)::int FROM audit_log WHERE entity IN ('families', 'members', 'imports')") == 0)
    }

    @Test("a family on record with other data is a conflict, not an overwrite; a dry run writes nothing")
    func conflictAndDryRun() async throws {
        let fixture = try await CoreFixture.make()
        let dry = try await fixture.importFile(.families, "families-uz-semicolon.csv", dryRun: true)
        #expect(dry.dry_run && dry.created == 3 && dry.members_created == 5)
        #expect(try await fixture.count("SELECT count(*)::int FROM families") == 0)
        _ = try await fixture.importFile(.families, "families-uz-semicolon.csv")
        let changed = "Oila kodi;Viloyat;Tuman;F.I.Sh.;Qarindoshligi;Rozilik sanasi\nAN-0002;Andijon;Asaka;Каримов Бахтиёр;глава;05.03.2025\n"
        let error = await #expect(throws: RavnaqError.self) {
            try await Imports(database: fixture.database).run(.families, data: Data(changed.utf8), options: .init(), as: fixture.admin)
        }
        guard case .invalid(let problems)? = error else { Issue.record("not invalid"); return }
        #expect(problems.count == 1)
        #expect(problems.first?.pointer == "/rows/2/family_code")
        #expect(problems.first?.detail.contains("district") == true)
        #expect(problems.first?.detail.contains("members") == true)
        #expect(try await fixture.rows("SELECT district FROM families WHERE code = 'AN-0002'") == [["Shahrixon"]])
    }

    @Test("headers: a missing required column names what it may be headed; --map maps others; a mentor may not import")
    func headers() async throws {
        let fixture = try await CoreFixture.make()
        let imports = Imports(database: fixture.database)
        let noRegion = "Oila kodi,Tuman\nAN-1,Asaka\n"
        let error = await #expect(throws: RavnaqError.self) {
            try await imports.run(.families, data: Data(noRegion.utf8), options: .init(), as: fixture.admin)
        }
        #expect(error?.message.contains("the file has no column region") == true)
        #expect(error?.message.contains("\"Viloyat\"") == true)
        let mapped = "Kod,Hudud nomi,Tuman\nAN-1,Andijon,Asaka\n"
        let result = try await imports.run(.families, data: Data(mapped.utf8),
                                           options: .init(mapping: ["Kod": "family_code", "Hudud nomi": "region"]), as: fixture.admin)
        #expect(result.created == 1)
        let mentor = try await fixture.user("mentor@example.org", .mentor)
        await #expect(throws: RavnaqError.forbidden("only admins and coordinators can import files")) {
            try await imports.run(.families, data: Data(mapped.utf8), options: .init(), as: mentor)
        }
    }
}

@Suite("Importing projects, loans, repayments and grants (issue 15)")
struct LedgerImportTests {
    @Test("loans from openpyxl number cells, repayments as '1 134 715,00' in any order, a grant with a disbursed tranche")
    func wholeRegister() async throws {
        let fixture = try await CoreFixture.make()
        try await fixture.addProgramme()
        _ = try await fixture.importFile(.families, "families-uz-semicolon.csv")
        #expect(try await fixture.importFile(.projects, "projects.csv").created == 2)
        #expect(try await fixture.rows("SELECT external_ref, expected_monthly_revenue::text FROM projects ORDER BY external_ref")
                == [["P-17", "3500000.00"], ["P-18", "1250000.50"]])
        // A dry run opens and disburses them for real, to check them as requests are, then rolls back.
        let dry = try await fixture.importFile(.loans, "loans-openpyxl.xlsx", dryRun: true)
        #expect(dry.created == 2)
        #expect(try await fixture.count("SELECT count(*)::int FROM loans") == 0)
        #expect(try await fixture.count("SELECT count(*)::int FROM ledger_transactions") == 0)
        let loans = try await fixture.importFile(.loans, "loans-openpyxl.xlsx")
        #expect(loans.created == 2)
        #expect(try await fixture.rows("SELECT external_ref, principal::text, annual_rate::text, status, disbursed_on::text FROM loans ORDER BY external_ref")
                == [["K-2025-001", "12000000.00", "24.000000", "active", "2025-04-01"],
                    ["K-2025-002", "8000000.50", "18.500000", "active", "2025-04-15"]])
        let repayments = try await fixture.importFile(.repayments, "repayments.csv")
        #expect(repayments.created == 3)
        // Posted by date across the file (the June row comes first in it), as if recorded one by one.
        let posted = try await fixture.rows("""
            SELECT l.external_ref, r.paid_on::text, r.amount::text, r.principal::text, r.interest::text
            FROM repayments r JOIN loans l ON l.id = r.loan_id ORDER BY r.recorded_at, r.paid_on
            """)
        #expect(posted.map { [$0[0], $0[1], $0[2]] } == [["K-2025-001", "2025-05-01", "1134715.00"], ["K-2025-002", "2025-05-15", "920000.05"],
                                                          ["K-2025-001", "2025-06-01", "1134715.00"]])
        // 12 000 000 at 24 %: the first installment's interest is 240 000.00.
        #expect(posted[0][4] == "240000.00")
        let grants = try await fixture.importFile(.grants, "grants.csv")
        #expect(grants.created == 1)
        #expect(try await fixture.rows("SELECT n::text, amount::text, disbursed_on::text FROM grant_tranches ORDER BY n")
                == [["1", "4000000.00", "2025-04-02"], ["2", "2000000.00", nil]])
        // The books balance, and a second import of each file writes nothing.
        #expect(try await fixture.count("SELECT count(*)::int FROM (SELECT transaction_id FROM postings GROUP BY 1 HAVING sum(amount) <> 0) u") == 0)
        let transactions = try await fixture.count("SELECT count(*)::int FROM ledger_transactions")
        for (kind, name) in [(ImportKind.projects, "projects.csv"), (.loans, "loans-openpyxl.xlsx"), (.repayments, "repayments.csv"), (.grants, "grants.csv")] {
            let again = try await fixture.importFile(kind, name)
            #expect(again.created == 0 && again.unchanged > 0, "\(name)")
        }
        #expect(try await fixture.count("SELECT count(*)::int FROM ledger_transactions") == transactions)

        // One payment on record, two rows naming that amount in two ways: one is the payment on
        // record, the other a second payment of the same day.
        let twice = "loan;paid_on;amount\nK-2025-001;01.06.2025;1134715\nK-2025-001;01.06.2025;1 134 715,00\n"
        let result = try await Imports(database: fixture.database).run(.repayments, data: Data(twice.utf8), options: .init(), as: fixture.admin)
        #expect(result.unchanged == 1 && result.created == 1)
    }

    @Test("every refused row is named at once, and none of the file is written")
    func refusals() async throws {
        let fixture = try await CoreFixture.make()
        try await fixture.addProgramme()
        _ = try await fixture.importFile(.families, "families-uz-semicolon.csv")
        _ = try await fixture.importFile(.projects, "projects.csv")
        _ = try await fixture.importFile(.loans, "loans-openpyxl.xlsx")
        let csv = """
            loan;paid_on;amount
            K-2025-001;01.05.2025;1 134 715,00
            K-2025-404;01.05.2025;100
            K-2025-001;01.06.2025;1 134 715,005
            K-2025-002;01.01.2025;100
            K-2025-001;31.12.2099;100
            """
        let error = await #expect(throws: RavnaqError.self) {
            try await Imports(database: fixture.database).run(.repayments, data: Data(csv.utf8), options: .init(), as: fixture.admin)
        }
        guard case .invalid(let problems)? = error else { Issue.record("not invalid: \(String(describing: error))"); return }
        #expect(problems.map(\.pointer) == ["/rows/3/loan", "/rows/4/amount", "/rows/5", "/rows/6/paid_on"])
        #expect(problems[1].detail.contains("more than 2 decimal places"))
        #expect(problems[2].detail.contains("before"))
        #expect(try await fixture.count("SELECT count(*)::int FROM repayments") == 0)
    }
}

@Suite("Writing spreadsheets")
struct SheetWriterTests {
    @Test("XLSX written a row at a time reads back exactly (ZIPFoundation checks every entry's CRC-32); columns past Z")
    func xlsxRoundTrip() throws {
        let headers = (0..<28).map { "c\($0)" }
        var writer = SheetWriter(format: .xlsx, sheetName: "Oilalar: 2025/26", headers: headers)
        var data = writer.take()
        for n in 1...300 {
            writer.append([.text("Gʻulomova <&> \"\(n)\""), .amount("1250000.50"), .number("0.235866"), .empty]
                          + (4..<27).map { _ in SheetValue.text("x") } + [.text("AB\(n)")])
            if n % 100 == 0 { data.append(writer.take()) }
        }
        writer.finish()
        data.append(writer.take())
        let table = try SheetTable.read(data)
        #expect(table.headers == headers)
        #expect(table.rows.count == 300)
        #expect(table.rows[0].cells[0] == .text("Gʻulomova <&> \"1\""))
        #expect(table.rows[0].cells[1] == .number("1250000.5"))
        #expect(table.rows[0].cells[2] == .number("0.235866"))
        #expect(table.rows[0].cells[3] == .text(""))
        #expect(table.rows[299].cells[27] == .text("AB300"))
        #expect(table.rows[299].number == 301)
    }

    @Test("CSV with ';' for Excel in Russian and Uzbek locales reads back through the importer's reader")
    func csvRoundTrip() throws {
        var writer = SheetWriter(format: .csv(separator: ";"), sheetName: "t", headers: ["name", "amount"])
        writer.append([.text("Каримов; Бахтиёр"), .amount("1250000.50")])
        writer.append([.text("line\nbreak"), .amount("0.05")])
        writer.finish()
        let data = writer.take()
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        let table = try SheetTable.read(data)
        #expect(table.rows.map { $0.cells.map(\.text) } == [["Каримов; Бахтиёр", "1250000.50"], ["line\nbreak", "0.05"]])
    }
}

@Suite("Reports broken down as donors ask (issue 15)")
struct DonorBreakdownTests {
    /// Three families: a woman-headed family in two categories, a man-headed one with a disabled
    /// daughter, and one without consent (no members: head unknown, in no category); each with
    /// a project and a disbursed loan of 1 000 000.
    static func organization() async throws -> CoreFixture {
        let fixture = try await CoreFixture.make()
        try await fixture.addProgramme()
        let imports = Imports(database: fixture.database)
        let families = """
            family_code,region,district,categories,consent_on,full_name,sex,relation,disability
            AN-1,Andijon,Asaka,"low_income, female_headed",01.03.2025,Gʻulomova Oʻgʻiloy,female,head,no
            AN-2,Andijon,Asaka,low_income,01.03.2025,Karimov Bahtiyor,male,head,no
            AN-2,,,,,Karimova Nilufar,female,daughter,yes
            AN-3,Namangan,Chust,,,,,,
            """
        _ = try await imports.run(.families, data: Data(families.utf8), options: .init(), as: fixture.admin)
        let projects = "project_ref,family_code,type,title\nP-1,AN-1,sewing,Sewing\nP-2,AN-2,livestock,Cows\nP-3,AN-3,baking,Bakery\n"
        _ = try await imports.run(.projects, data: Data(projects.utf8), options: .init(), as: fixture.admin)
        let loans = """
            loan_ref,project_ref,programme,principal,annual_rate,method,installments,disbursed_on
            K-1,P-1,Family Business 2025,1000000,20,annuity,10,2025-04-01
            K-2,P-2,Family Business 2025,1000000,20,annuity,10,2025-04-01
            K-3,P-3,Family Business 2025,1000000,20,annuity,10,2025-04-01
            """
        _ = try await imports.run(.loans, data: Data(loans.utf8), options: .init(), as: fixture.admin)
        return fixture
    }

    static func rows(_ answer: JSONText) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any])
        let by = try #require((object["by"] as? [String])?.first)
        var rows: [String: [String: Any]] = [:]
        for row in object["rows"] as? [[String: Any]] ?? [] { rows[row[by] as? String ?? "null"] = row }
        rows["total"] = object["total"] as? [String: Any]
        return rows
    }

    @Test("by head_sex, category and disability; a family in two categories counts in each, and once in the total")
    func breakdowns() async throws {
        let fixture = try await Self.organization()
        let officer = try await fixture.user("officer@undp.example", .grantOfficer)
        let reports = Reports(database: fixture.database)
        func run(_ report: String, _ by: String) async throws -> [String: [String: Any]] {
            try Self.rows(try await reports.run(ReportQuery.parse(report: report, asOf: "2025-04-20", from: nil, to: nil, by: by), as: officer))
        }
        let sex = try await run("outcomes", "head_sex")
        #expect(sex.mapValues { $0["families"] as? Int } == ["female": 1, "male": 1, "unknown": 1, "total": 3])
        let category = try await run("portfolio", "category")
        #expect(category.mapValues { $0["loans_active"] as? Int } == ["low_income": 2, "female_headed": 1, "none": 1, "total": 3])
        #expect(category["low_income"]?["outstanding_principal"] as? String == "2000000.00")
        #expect(category["total"]?["outstanding_principal"] as? String == "3000000.00")
        let disability = try await run("outcomes", "disability")
        #expect(disability.mapValues { $0["families"] as? Int } == ["with_disability": 1, "without_disability": 2, "total": 3])
        let training = try await run("training", "category")
        #expect(training["total"]?["untrained_families"] as? Int == 3)
        #expect(training["low_income"]?["untrained_families"] as? Int == 2)
        let grants = try await run("grants", "programme,head_sex")
        #expect(grants["total"]?["grants"] as? Int == 0)
        await #expect(throws: RavnaqError.self) {
            try ReportQuery.parse(report: "training", asOf: nil, from: nil, to: nil, by: "course,category")
        }
    }

    @Test("the grants report shows each programme's budget, committed, disbursed and remaining budget")
    func grantBudgets() async throws {
        let fixture = try await Self.organization()
        let grants = "grant_ref,project_ref,programme,tranche,amount,planned_on,disbursed_on\nG-1,P-1,Family Business 2025,1,4000000,01.04.2025,02.04.2025\nG-1,P-1,Family Business 2025,2,2000000,01.07.2025,\n"
        _ = try await Imports(database: fixture.database).run(.grants, data: Data(grants.utf8), options: .init(), as: fixture.admin)
        let answer = try await Reports(database: fixture.database).run(
            ReportQuery.parse(report: "grants", asOf: "2025-04-20", from: nil, to: nil, by: "programme"), as: fixture.admin)
        let row = try #require(try Self.rows(answer)["Family Business 2025"])
        #expect(row["budget"] as? String == "500000000.00")
        #expect(row["committed"] as? String == "6000000.00")
        #expect(row["disbursed"] as? String == "4000000.00")
        #expect(row["remaining_budget"] as? String == "494000000.00")
    }
}
