import Dates
import Foundation
import RavnaqCore
import Testing
import TestSupport

/// Runs `ravnaq` (built beside the test bundle) with DATABASE_URL pointing at a test database.
struct CLI {
    let databaseURL: String

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "ravnaq")
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["RAVNAQ_AS"] = nil
        let result = try ChildProcess.run(Self.binary.path, arguments, environment: environment)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments + ["--format", "json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }
}

@Suite("The ravnaq CLI, as a coordinator uses it")
struct CLIFlowTests {
    @Test("register a family, open, disburse, schedule, repay, see arrears and write off from the terminal alone")
    func coordinatorFlow() async throws {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        let token = try cli.run(["user", "add", "malika@example.org", "--role", "coordinator"])
        #expect(token.status == 0)
        #expect(token.stdout.split(separator: "\n").last?.hasPrefix("rvq_") == true)

        let programme = try cli.json(["programme", "add", "--name", "Family Business 2025", "--donor", "UNDP", "--currency", "UZS",
                                      "--starts-on", "2025-01-01", "--ends-on", "2026-12-31", "--budget", "500000000"])
        let family = try cli.json(["family", "add", "AN-0001", "--region", "Andijon", "--district", "Asaka", "--mahalla", "Navbahor",
                                   "--category", "low_income", "--consent-on", "2025-01-10",
                                   "--member", "G‘ulnora O‘rinova,female,1988-04-02,head", "--as", "malika@example.org"])
        let familyID = try #require(family["id"] as? String)
        let project = try cli.json(["project", "add", "--family", familyID, "--type", "sewing", "--title", "Home sewing workshop"])
        let loan = try cli.json(["loan", "open", "--programme", try #require(programme["id"] as? String),
                                 "--project", try #require(project["id"] as? String), "--principal", "10000000", "--rate", "24",
                                 "--method", "annuity", "--installments", "12", "--planned-on", "2025-01-15"])
        let number = try #require(loan["number"] as? String)
        #expect(loan["status"] as? String == "approved")
        #expect(try cli.json(["loan", "disburse", number, "--date", "2025-01-15"])["status"] as? String == "active")

        let csv = try cli.run(["loan", "schedule", number, "--format", "csv"])
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines[0] == "\u{FEFF}n,due_on,principal,interest,fees,total,paid,waived,status")
        #expect(lines[1] == "1,2025-02-15,745595.97,200000.00,0.00,945595.97,0.00,0.00,late")
        #expect(lines.count == 14)  // header, 12 installments, and the final CRLF

        let repayment = try cli.json(["loan", "repay", number, "945595.97", "--date", "2025-02-15"])
        #expect((repayment["allocation"] as? [String: Any])?["interest"] as? String == "200000.00")
        let shown = try cli.json(["loan", "show", number, "--as-of", "2025-04-20"])
        #expect(shown["days_past_due"] as? Int == 36)

        let late = try cli.run(["loan", "late", "--as-of", "2025-04-20", "--format", "csv", "--sep", ";"])
        #expect(late.stdout.contains("\(number);AN-0001;;36;1891191.94;9254404.03;UZS"))

        // A coordinator reads a clear sentence on stderr and a non-zero exit for an overpayment.
        let refused = try cli.run(["loan", "repay", number, "99999999", "--date", "2025-02-16"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("more than the 10401555.62 still owed"))

        // A grant: open, disburse, account for it.
        let grant = try cli.json(["grant", "open", "--programme", try #require(programme["id"] as? String),
                                  "--project", try #require(project["id"] as? String), "--total", "6000000",
                                  "--tranche", "4000000,2025-02-01,none", "--tranche", "2000000,2025-05-01,previous_tranche_accounted"])
        let grantNumber = try #require(grant["number"] as? String)
        _ = try cli.json(["grant", "disburse", grantNumber, "1", "--date", "2025-02-01"])
        _ = try cli.json(["grant", "expense", grantNumber, "--date", "2025-03-01", "--category", "equipment", "--amount", "3000000", "--receipt", "R-17"])
        let tranche2 = try cli.run(["grant", "disburse", grantNumber, "2", "--date", "2025-05-01"])
        #expect(tranche2.status != 0)
        #expect(tranche2.stderr.contains("80"))
        let grants = try cli.run(["grant", "list", "--format", "csv"])
        #expect(grants.stdout.contains("\(grantNumber),UZS,6000000.00,4000000.00,3000000.00,0.75"))

        let written = try cli.json(["loan", "write-off", number, "--date", "2025-06-30", "--reason", "moved away"])
        #expect(written["status"] as? String == "written_off")

        // The search folds the Uzbek apostrophes: ‘ typed as '.
        let found = try cli.run(["family", "list", "--q", "g'ulnora", "--format", "csv"])
        #expect(found.stdout.contains("AN-0001"))

        // Everything the operator and the coordinator did is in the audit log under their names.
        let actors = try await database.pool.withConnection { connection in
            try connection.query("SELECT DISTINCT actor FROM audit_log ORDER BY actor").rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(actors.contains("malika@example.org"))
        #expect(actors.contains { $0.hasPrefix("cli:") })
    }

    @Test("four eyes from the terminal: a write-off waits, its requester cannot approve it, a second coordinator does")
    func fourEyes() async throws {
        let (cli, number) = try await CLIReadingTests.book(programmeOptions: ["--write-off-approval"])
        for user in ["malika@example.org", "bobur@example.org"] {
            #expect(try cli.run(["user", "add", user, "--role", "coordinator"]).status == 0)
        }
        let request = try cli.json(["loan", "write-off", number, "--date", "2025-06-30", "--reason", "moved away", "--as", "malika@example.org"])
        #expect(request["status"] as? String == "pending")
        let id = try #require(request["id"] as? String)
        let own = try cli.run(["approval", "approve", id, "--as", "malika@example.org"])
        #expect(own.status != 0 && own.stderr.contains("someone other than who made it"), "\(own.stderr)")
        #expect(try cli.json(["loan", "show", number])["status"] as? String == "active")
        let approved = try cli.json(["approval", "approve", id, "--note", "seen the letter", "--as", "bobur@example.org"])
        #expect(approved["status"] as? String == "approved")
        #expect(try cli.json(["loan", "show", number])["status"] as? String == "written_off")
        let again = try cli.run(["approval", "refuse", id, "--as", "bobur@example.org"])
        #expect(again.status != 0)
    }

    @Test("the README's demo of a reversal: repay, reverse today, write off on 2025-06-30; the trial balance and the portfolio agree on every day")
    func reversedThenWrittenOff() async throws {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)
        let programme = try cli.json(["programme", "add", "--name", "Family Business 2025", "--donor", "UNDP", "--currency", "UZS",
                                      "--starts-on", "2025-01-01", "--ends-on", "2026-12-31", "--budget", "500000000"])
        let family = try cli.json(["family", "add", "AN-0001", "--region", "Andijon", "--district", "Asaka"])
        let project = try cli.json(["project", "add", "--family", try #require(family["id"] as? String), "--type", "sewing",
                                    "--title", "Home sewing workshop"])
        let loan = try cli.json(["loan", "open", "--programme", try #require(programme["id"] as? String),
                                 "--project", try #require(project["id"] as? String), "--principal", "10000000", "--rate", "24",
                                 "--method", "annuity", "--installments", "12", "--frequency", "monthly", "--planned-on", "2025-01-15"])
        let number = try #require(loan["number"] as? String)
        _ = try cli.json(["loan", "disburse", number, "--date", "2025-01-15"])
        let repayment = try cli.json(["loan", "repay", number, "945595.97", "--date", "2025-02-15"])
        let reversed = try cli.json(["loan", "reverse", number, try #require(repayment["id"] as? String)])
        #expect(reversed["loan_status"] as? String == "active")
        #expect(try cli.json(["loan", "write-off", number, "--date", "2025-06-30", "--reason", "moved away"])["status"] as? String == "written_off")

        let balance = try cli.json(["ledger", "trial-balance", "--as-of", "2025-12-31"])
        let receivable = (balance["accounts"] as? [[String: Any]])?.first { $0["account"] as? String == "loans_receivable" }
        #expect(receivable?["balance"] as? String == "0.00")
        let portfolio = try #require(try cli.json(["report", "portfolio", "--as-of", "2025-12-31"])["total"] as? [String: Any])
        #expect(portfolio["outstanding_principal"] as? String == "0.00")
        #expect(portfolio["collected"] as? String == "0.00")
        #expect(portfolio["written_off"] as? String == "10000000.00")

        let organization = try await Organizations(database: database).resolve(code: "AN")
        let (differences, days) = try await DailyBooks.differences(
            database, organization: organization.id, from: LocalDate("2025-01-15")!)
        #expect(differences.isEmpty, "\(differences.count) days differ, first: \(differences.prefix(3))")
        #expect(days > 680)
    }
}
