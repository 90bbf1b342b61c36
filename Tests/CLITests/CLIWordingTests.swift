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
}
