import Foundation
import Testing
import TestSupport

@Suite("Choices and errors in the words of the command line (issue 13)")
struct CLIWordingTests {
    /// A command line the parser refuses before anything runs: no database is reached.
    static let nowhere = CLI(databaseURL: "postgresql://nobody@127.0.0.1:1/none")

    @Test("a mistyped choice fails while the command line is read, with exit code 64, naming the value and every choice")
    func typosFailAtParseTime() throws {
        let loan = ["loan", "open", "--programme", "P", "--project", "AN-0001", "--principal", "1000000", "--rate", "24",
                    "--installments", "6", "--planned-on", "2025-02-01"]
        let cases: [(arguments: [String], typo: String, choices: [String])] = [
            (loan + ["--method", "anuity"], "anuity", ["annuity", "equal_principal", "flat"]),
            (loan + ["--method", "flat", "--frequency", "montly"], "montly", ["monthly", "biweekly", "weekly"]),
            (["user", "add", "aziza@example.org", "--role", "admn"], "admn", ["admin", "coordinator", "mentor", "grant_officer"]),
            (["family", "add", "AN-0001", "--region", "Andijon", "--district", "Asaka", "--category", "low-income"], "low-income",
             ["low_income", "disability", "many_children", "unemployed", "female_headed", "state_supported", "other"]),
            (["progress", "visit", "AN-0001", "--date", "2025-03-10", "--kind", "hom", "--next", "2025-04-10"], "hom",
             ["home", "phone", "online", "office"]),
            (["progress", "referral", "AN-0001", "--id", "R", "--status", "finished"], "finished", ["open", "done", "declined"]),
            (["project", "status", "AN-0001", "paused", "--date", "2025-06-01"], "paused", ["planned", "active", "suspended", "closed", "failed"]),
            (["report", "portfolo"], "portfolo", ["portfolio", "grants", "outcomes", "training"]),
            (["family", "list", "--format", "jsn"], "jsn", ["table", "json", "csv"]),
        ]
        for (arguments, typo, choices) in cases {
            let result = try Self.nowhere.run(arguments)
            let command = arguments.prefix(2).joined(separator: " ")
            #expect(result.status == 64, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("'\(typo)'"), "\(command): \(result.stderr)")
            // A few choices in a sentence ('a', 'b' or 'c'), more as a list (- a).
            for choice in choices {
                #expect(result.stderr.contains("'\(choice)'") || result.stderr.contains("- \(choice)\n"), "\(command): \(choice) in \(result.stderr)")
            }
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("--help lists the choices of each such option")
    func helpListsChoices() throws {
        let expected: [([String], String)] = [
            (["loan", "open"], "values: annuity, equal_principal, flat"),
            (["loan", "open"], "values: monthly, biweekly, weekly"),
            (["user", "add"], "values: admin, coordinator, mentor, grant_officer"),
            (["project", "add"], "values: sewing, crafts, baking, livestock, greenhouse, retail, services, other"),
            (["training", "course", "add"], "legal_literacy"),
            (["grant", "expense"], "values: equipment, materials, rent, transport, other"),
            (["progress", "assess"], "values: intake, periodic, exit"),
            (["progress", "goal"], "values: open, achieved, dropped"),
            (["progress", "referral"], "employment_service"),
            (["report"], "values: portfolio, grants, outcomes, training"),
        ]
        for (command, text) in expected {
            // One line per option: wide enough that the list is not wrapped.
            let help = try HelpTests.help(command, columns: 400)
            #expect(help.contains(text), "ravnaq \(command.joined(separator: " ")) --help: \(help)")
        }
    }

    @Test("invalid input names the command's options (--rate for annual_rate), an argument or a list entry in words, never a JSON pointer")
    func fieldsInTheCommandsWords() async throws {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        _ = try cli.json(["programme", "add", "--name", "Family Business 2025", "--donor", "UNDP", "--currency", "UZS",
                          "--starts-on", "2025-01-01", "--ends-on", "2026-12-31", "--budget", "500000000"])
        _ = try cli.json(["family", "add", "AN-0001", "--region", "Andijon", "--district", "Asaka"])
        _ = try cli.json(["project", "add", "--family", "AN-0001", "--type", "sewing", "--title", "Home sewing workshop"])

        let loan = try cli.run(["loan", "open", "--programme", "Family Business 2025", "--project", "AN-0001", "--principal", "0",
                                "--rate", "-3", "--method", "annuity", "--installments", "6", "--planned-on", "2025-02-30"])
        #expect(loan.status == 1)
        #expect(loan.stderr.hasPrefix("Error: --principal: must be greater than zero; "), "\(loan.stderr)")
        #expect(loan.stderr.contains("; --rate: \"-3\" is not a yearly percentage"), "\(loan.stderr)")
        #expect(loan.stderr.contains("; --planned-on: \"2025-02-30\" is not a date"), "\(loan.stderr)")
        #expect(!loan.stderr.contains("/") && !loan.stderr.contains("annual_rate"), "\(loan.stderr)")

        let member = try cli.run(["family", "add", "AN-0002", "--region", "Andijon", "--district", "Asaka", "--consent-on", "2025-01-10",
                                  "--member", "Dilnoza Karimova,female,1988-04-02,head", "--member", "Aziz Karimov,male,2010-02-30,son"])
        #expect(member.stderr.contains("member 2, birth date: \"2010-02-30\" is not a date"), "\(member.stderr)")

        let tranche = try cli.run(["grant", "open", "--programme", "Family Business 2025", "--project", "AN-0001", "--total", "500000",
                                   "--tranche", "500000,2025-02-30,none"])
        #expect(tranche.stderr.contains("tranche 1, planned on: \"2025-02-30\" is not a date"), "\(tranche.stderr)")

        // An option named differently from the API's field, and a field the command takes as an argument.
        let visit = try cli.run(["progress", "visit", "AN-0001", "--date", "2025-03-10", "--kind", "home", "--next", "2025-03-01"])
        #expect(visit.stderr.contains("Error: --next: "), "\(visit.stderr)")
        let unknown = try cli.run(["project", "add", "--family", "AN-0404", "--type", "retail", "--title", "Nothing"])
        #expect(unknown.stderr.contains("Error: --family: no family AN-0404 in this organization"), "\(unknown.stderr)")
        let course = try cli.run(["training", "course", "add", "SEW-1", "--title", "Sewing basics", "--skill", "sewing", "--hours", "0"])
        #expect(course.stderr.contains("Error: --hours: must be greater than zero"), "\(course.stderr)")
    }
}

@Suite("ravnaq serve refuses settings it cannot use")
struct ServeSettingsTests {
    @Test("--idempotency-days or RAVNAQ_IDEMPOTENCY_DAYS that is not 1 to 3650 days stops serve before it starts, naming it")
    func idempotencyDays() throws {
        // Refused while the arguments are checked: no database is reached.
        let zero = try CLIWordingTests.nowhere.run(["serve", "--port", "1", "--idempotency-days", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--idempotency-days must be a whole number of days from 1 to 3650; got \"0\""))
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = CLIWordingTests.nowhere.databaseURL
        environment["RAVNAQ_IDEMPOTENCY_DAYS"] = "a month"
        let word = try ChildProcess.run(CLI.binary.path, ["serve", "--port", "1"], environment: environment)
        #expect(word.status != 0 && word.stderr.contains("RAVNAQ_IDEMPOTENCY_DAYS must be a whole number of days from 1 to 3650; got \"a month\""))
    }

    @Test("a --replica-url that is no PostgreSQL connection string, or a --metrics-port that is the server's own, is refused naming it")
    func replicaAndMetricsPort() throws {
        let replica = try CLIWordingTests.nowhere.run(["serve", "--replica-url", "standby.example.org"])
        #expect(replica.status != 0 && replica.stderr.contains("--replica-url must be a postgresql:// URL or a libpq connection string"))
        let port = try CLIWordingTests.nowhere.run(["serve", "--port", "9000", "--metrics-port", "9000"])
        #expect(port.status != 0 && port.stderr.contains("--metrics-port must differ from --port (9000)"))
    }
}
