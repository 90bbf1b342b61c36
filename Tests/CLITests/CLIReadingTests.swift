import Foundation
import RavnaqCore
import Testing
import TestSupport

/// What a new user reads at the terminal (issue 20): whole case files, clear refusals.
@Suite("The CLI as people read it")
struct CLIReadingTests {
    /// An organization with one family, its project and a disbursed loan, made through the CLI.
    /// A disbursed loan of 10 000 000 over 12 months, of a programme with `programmeOptions` too.
    static func book(programmeOptions: [String] = []) async throws -> (cli: CLI, loan: String) {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        let programme = try cli.json(["programme", "add", "--name", "Family Business 2025", "--donor", "UNDP", "--currency", "UZS",
                                      "--starts-on", "2025-01-01", "--ends-on", "2026-12-31", "--budget", "500000000"] + programmeOptions)
        let family = try cli.json(["family", "add", "AN-0001", "--region", "Andijon", "--district", "Asaka", "--mahalla", "Navbahor",
                                   "--category", "low_income", "--consent-on", "2025-01-10",
                                   "--member", "Dilnoza Karimova,female,1988-04-02,head"])
        let project = try cli.json(["project", "add", "--family", try #require(family["id"] as? String), "--type", "sewing",
                                    "--title", "Home sewing workshop"])
        let loan = try cli.json(["loan", "open", "--programme", try #require(programme["id"] as? String),
                                 "--project", try #require(project["id"] as? String), "--principal", "10000000", "--rate", "24",
                                 "--method", "annuity", "--installments", "12", "--planned-on", "2025-01-15"])
        let number = try #require(loan["number"] as? String)
        _ = try cli.json(["loan", "disburse", number, "--date", "2025-01-15"])
        return (cli, number)
    }

    @Test("family show on a terminal prints the whole case file in sections, not only the members")
    func caseFileInSections() async throws {
        let (cli, loan) = try await Self.book()
        let shown = try cli.run(["family", "show", "AN-0001", "--format", "table"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let text = shown.stdout
        for expected in ["Family AN-0001 as of ", "place       Andijon, Asaka, Navbahor", "categories  low_income", "mentor      none",
                         "Members\n", "Dilnoza Karimova", "Projects\n", "Home sewing workshop", "Loans\n", loan, "10000000.00", "Grants: none"] {
            #expect(text.contains(expected), "\(expected) in:\n\(text)")
        }
        // CSV stays one table: the members.
        let csv = try cli.run(["family", "show", "AN-0001", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("\u{FEFF}id,full_name,sex,birth_date,relation,pinfl,disability,works\r\n"))
    }

    @Test("loan repayments prints every repayment in a fixed column order, the reversed one with its day; family list names the head")
    func repaymentsAndHeads() async throws {
        let (cli, loan) = try await Self.book()
        var ids: [String] = []
        for date in ["2025-02-15", "2025-03-15"] {
            ids.append(try #require(try cli.json(["loan", "repay", loan, "945595.97", "--date", date])["id"] as? String))
        }
        _ = try cli.json(["loan", "reverse", loan, ids[0], "--date", "2025-03-20"])
        let csv = try cli.run(["loan", "repayments", loan, "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        // After the reversal the second repayment pays the first installment.
        #expect(csv.stdout == "\u{FEFF}id,date,kind,amount,principal,interest,fees,reversed_on\r\n"
                + "\(ids[0]),2025-02-15,repayment,945595.97,745595.97,200000.00,0.00,2025-03-20\r\n"
                + "\(ids[1]),2025-03-15,repayment,945595.97,745595.97,200000.00,0.00,\r\n", "\(csv.stdout)")
        let json = try cli.json(["loan", "repayments", loan])
        #expect((json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ids)
        #expect(json["next_cursor"] is NSNull)

        let families = try cli.run(["family", "list", "--format", "csv"])
        #expect(families.stdout.hasPrefix("\u{FEFF}id,code,head,region,district,status\r\n"), "\(families.stdout)")
        #expect(families.stdout.contains(",AN-0001,Dilnoza Karimova,Andijon,Asaka,active\r\n"), "\(families.stdout)")
    }

    @Test("a negative amount reaches the amount check and its message; a missing one says so")
    func negativeAmounts() async throws {
        let (cli, loan) = try await Self.book()
        let negative = try cli.run(["loan", "repay", loan, "-1000", "--date", "2025-02-15"])
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("amount: must be greater than zero"), "\(negative.stderr)")
        let missing = try cli.run(["loan", "repay", loan, "--date", "2025-02-15"])
        #expect(missing.stderr.contains("give the amount"), "\(missing.stderr)")
        let option = try cli.run(["programme", "add", "--name", "P2", "--donor", "UNDP", "--currency", "UZS",
                                  "--starts-on", "2025-01-01", "--ends-on", "2026-12-31", "--budget", "-5"])
        #expect(option.stderr.contains("--budget: must not be negative"), "\(option.stderr)")
    }
}

extension CLIReadingTests {
    @Test("listings keep one column order, the answer's, in table and CSV; JSON lists are {items, next_cursor}; totals and allocations show")
    func listingShapes() async throws {
        let (cli, loan) = try await Self.book()
        // The projects list is JSON from PostgreSQL (`"key" : value`): its columns once came in
        // the order of a dictionary, different from run to run.
        let expected = "id,family_id,type,title,description,started_on,status,expected_monthly_revenue,expected_monthly_costs,business_plan_approved_on"
        for format in ["csv", "table"] {
            for _ in 0..<3 {
                let listed = try cli.run(["project", "list", "--format", format])
                let header = listed.stdout.components(separatedBy: .newlines).first ?? ""
                let names = format == "csv" ? header.dropFirst().split(separator: ",").map(String.init)
                                            : header.split(separator: " ").map(String.init)
                #expect(names.joined(separator: ",") == expected, "\(format): \(header)")
            }
        }
        for command in [["programme", "list"], ["grant", "list"], ["loan", "late"], ["family", "list"]] {
            let object = try cli.json(command)
            #expect(object["items"] is [Any], "\(command)")
            #expect(object.keys.contains("next_cursor"), "\(command)")
        }
        let repaid = try cli.run(["loan", "repay", loan, "945595.97", "--date", "2025-02-15", "--format", "csv"])
        #expect(repaid.stdout.contains("allocation_principal,allocation_interest,allocation_fees"), "\(repaid.stdout)")
        #expect(repaid.stdout.contains(",945595.97,UZS,745595.97,200000.00,0.00,"), "\(repaid.stdout)")
        let books = try cli.run(["ledger", "trial-balance", "--format", "csv"])
        let totalRow = books.stdout.components(separatedBy: "\r\n").first { $0.hasPrefix("total,") }
        #expect(totalRow == "total,UZS,10945595.97,10945595.97,0.00", "\(books.stdout)")
    }
}

extension CLIReadingTests {
    @Test("commands take what people type: a family's code, a programme's name, a family's code for its one project")
    func readableReferences() async throws {
        let (cli, _) = try await Self.book()
        let project = try cli.json(["project", "add", "--family", "an-0001", "--type", "baking", "--title", "Tandir bread"])
        #expect(project["title"] as? String == "Tandir bread")
        // AN-0001 now has two projects: naming it for a loan is refused with both ids.
        let ambiguous = try cli.run(["loan", "open", "--programme", "Family Business 2025", "--project", "AN-0001", "--principal", "1000000",
                                     "--rate", "24", "--method", "annuity", "--installments", "6", "--planned-on", "2025-02-01"])
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("family AN-0001 has 2 projects; give one's id: "), "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains(try #require(project["id"] as? String)))
        // A family with one project is enough to name it.
        _ = try cli.json(["family", "add", "AN-0002", "--region", "Andijon", "--district", "Asaka"])
        _ = try cli.json(["project", "add", "--family", "AN-0002", "--type", "retail", "--title", "Corner shop"])
        let loan = try cli.json(["loan", "open", "--programme", "family business 2025", "--project", "AN-0002", "--principal", "1000000",
                                 "--rate", "24", "--method", "annuity", "--installments", "6", "--planned-on", "2025-02-01"])
        #expect(loan["status"] as? String == "approved")
        let grant = try cli.json(["grant", "open", "--programme", "Family Business 2025", "--project", "AN-0002", "--total", "500000",
                                  "--tranche", "500000,2025-03-01,none"])
        #expect(grant["total"] as? String == "500000.00")
        // A project named in place of its id, by its family's code.
        let active = try cli.json(["project", "status", "AN-0002", "active", "--date", "2025-02-01"])
        #expect(active["status"] as? String == "active")
        let report = try cli.json(["progress", "report", "AN-0002", "--period", "2025-03", "--revenue", "3200000", "--costs", "1100000"])
        #expect(report["period"] as? String == "2025-03")
        let twoProjects = try cli.run(["project", "show", "AN-0001"])
        #expect(twoProjects.stderr.contains("family AN-0001 has 2 projects"), "\(twoProjects.stderr)")
        let unknown = try cli.run(["project", "add", "--family", "AN-0404", "--type", "retail", "--title", "Nothing"])
        #expect(unknown.stderr.contains("--family: no family AN-0404 in this organization"), "\(unknown.stderr)")
    }
}

@Suite("--help")
struct HelpTests {
    static func help(_ command: [String], columns: Int) throws -> String {
        try ChildProcess.run(CLI.binary.path, command + ["--help"], environment: ["COLUMNS": String(columns), "PATH": "/usr/bin:/bin"]).stdout
    }

    /// The names under SUBCOMMANDS: in a help text.
    static func subcommands(_ help: String) -> [String] {
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [] }
        return section.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }.compactMap { line in
            line.hasPrefix("    ") ? nil : line.split(separator: " ").first.map(String.init)
        }.filter { $0 != "help" }
    }

    /// Example lines: a command line and the continuation lines after a trailing backslash.
    static func examples(_ help: String) -> [String] {
        var lines: [String] = []
        var continuing = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if continuing || line.hasPrefix("  ravnaq ") { lines.append(String(line)) }
            continuing = (continuing || line.hasPrefix("  ravnaq ")) && line.hasSuffix(" \\")
        }
        return lines
    }

    @Test("every command's examples read the same at 80 columns as on a wide terminal: none is wrapped mid-argument")
    func examplesStayWhole() throws {
        var commands: [[String]] = [[]]
        var checked = 0
        while let command = commands.popLast() {
            let narrow = try Self.help(command, columns: 80)
            let wide = try Self.help(command, columns: 400)
            #expect(Self.examples(narrow) == Self.examples(wide), "ravnaq \(command.joined(separator: " ")) --help")
            for line in Self.examples(narrow) { #expect(line.count < 80, "\(line)") }
            checked += Self.examples(wide).count
            if command.count < 3 { commands += Self.subcommands(wide).map { command + [$0] } }
        }
        #expect(checked > 50)
    }
}
