import Foundation
import RavnaqCore

/// The hand-built book of the report tests (SPEC §8), shared by the core and CLI tests:
/// families AN-1, AN-2 (Andijon/Asaka), FA-3, FA-4 (Farg'ona/Quva); programmes "Ayol" and
/// "Yoshlar"; one project per family (baking, sewing, livestock, livestock). Loans have a 0 %
/// rate and equal principal, so every installment is 100 000; the figures each report must
/// show are worked out in the tests.
public struct ReportBook: Sendable {
    public let families: [String: String]   // code → id
    public let projects: [String: String]   // code → project id
    public let programmes: [String: String] // name → id

    public init(families: [String: String], projects: [String: String], programmes: [String: String]) {
        self.families = families
        self.projects = projects
        self.programmes = programmes
    }

    public static func make(_ database: Database, admin: Actor) async throws -> ReportBook {
        var programmes: [String: String] = [:], families: [String: String] = [:], projects: [String: String] = [:]
        for name in ["Ayol", "Yoshlar"] {
            programmes[name] = try await Programmes(database: database).create(
                ProgrammeInput(name: name, donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                               budget: "500000000"), as: admin).id
        }
        for (code, region, district, type) in [("AN-1", "Andijon", "Asaka", "baking"), ("AN-2", "Andijon", "Asaka", "sewing"),
                                               ("FA-3", "Farg'ona", "Quva", "livestock"), ("FA-4", "Farg'ona", "Quva", "livestock")] {
            let (family, _) = try await Families(database: database).create(FamilyInput(code: code, region: region, district: district), as: admin)
            let id = try Self.id(family)
            families[code] = id
            projects[code] = try Self.id(try await Projects(database: database).create(
                ProjectInput(family_id: id, type: type, title: "Project of \(code)"), as: admin))
        }
        return ReportBook(families: families, projects: projects, programmes: programmes)
    }

    static func id(_ json: JSONText) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any], let id = object["id"] as? String else {
            throw RavnaqError.setup("no id in \(json.text)")
        }
        return id
    }

    /// Opens and disburses a 0 % equal-principal monthly loan of n × 100 000.
    public func loan(_ database: Database, admin: Actor, _ family: String, _ programme: String, installments: Int, on date: String) async throws -> String {
        let loans = Loans(database: database)
        let loan = try await loans.open(
            LoanInput(programme_id: programmes[programme], project_id: projects[family], principal: AmountInput("\(installments * 100_000)"),
                      currency: "UZS", annual_rate: "0", method: "equal_principal", installments: installments, frequency: "monthly",
                      planned_disbursement_on: date), as: admin)
        _ = try await loans.disburse(loan.id, DateInput(date: date), as: admin, idempotency: nil)
        return loan.id
    }

    /// The portfolio of the issue: loans 10, 40 and 100 days late on 2025-05-20 and a
    /// written-off one, then a later period with a recovery and a new loan.
    public func addPortfolio(_ database: Database, admin: Actor) async throws {
        let loans = Loans(database: database)
        func pay(_ loan: String, _ amount: String, on date: String) async throws {
            _ = try await loans.repay(loan, RepaymentRequest(amount: AmountInput(amount), date: date), as: admin, idempotency: nil)
        }
        // L1 (AN-1, Ayol): 1 200 000 from 2025-01-10, due the 10th from February. Pays Feb, Mar,
        // Apr on time; May not by 05-20 → 10 days late on 2025-05-20. Then 300 000 on 06-05
        // (installments 5 late and 6 early), 100 000 on 07-10 and 08-10 (on time).
        let l1 = try await loan(database, admin: admin, "AN-1", "Ayol", installments: 12, on: "2025-01-10")
        for date in ["2025-02-10", "2025-03-10", "2025-04-10"] { try await pay(l1, "100000", on: date) }
        // L2 (AN-2, Ayol): 600 000 from 2025-01-10; pays Feb and Mar only: oldest unpaid 04-10 →
        // 40 days late on 05-20, 143 on 08-31.
        let l2 = try await loan(database, admin: admin, "AN-2", "Ayol", installments: 6, on: "2025-01-10")
        for date in ["2025-02-10", "2025-03-10"] { try await pay(l2, "100000", on: date) }
        // L3 (FA-3, Yoshlar): 300 000 from 2025-01-09, due 02-09, 03-09, 04-09; nothing paid:
        // 100 days late on 05-20 (19 + 31 + 30 + 20), 203 on 08-31.
        _ = try await loan(database, admin: admin, "FA-3", "Yoshlar", installments: 3, on: "2025-01-09")
        // L4 (FA-3, Yoshlar): 500 000 from 2025-01-10; pays Feb; written off on 2025-04-30 with
        // 400 000 outstanding; a recovery of 50 000 on 2025-07-15.
        let l4 = try await loan(database, admin: admin, "FA-3", "Yoshlar", installments: 5, on: "2025-01-10")
        try await pay(l4, "100000", on: "2025-02-10")
        _ = try await loans.writeOff(l4, DateInput(date: "2025-04-30", reason: "the family moved away"), as: admin, idempotency: nil)
        try await pay(l4, "50000", on: "2025-07-15")
        try await pay(l1, "300000", on: "2025-06-05")
        try await pay(l1, "100000", on: "2025-07-10")
        try await pay(l1, "100000", on: "2025-08-10")
        // L5 (FA-4, Ayol): 1 000 000 from 2025-06-15, due the 15th from July; pays July only →
        // 16 days late on 08-31.
        let l5 = try await loan(database, admin: admin, "FA-4", "Ayol", installments: 10, on: "2025-06-15")
        try await pay(l5, "100000", on: "2025-07-15")
    }
}
