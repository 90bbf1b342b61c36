import Foundation
import Postgres
import RavnaqCore

/// The hand-built book of the report tests (SPEC §8), shared by the core and CLI tests:
/// families AN-1, AN-2 (Andijon/Asaka), FA-3, FA-4 (Farg'ona/Quva); programmes "Ayol" and
/// "Yoshlar" (UZS); one project per family (baking, sewing, livestock, livestock). Loans have a
/// 0 % rate and equal principal, so every installment is 100 000 (100.00 in USD); the figures
/// each report must show are worked out in the tests. `addPortfolio`, `addGrants`,
/// `addProgress` and `addDollars` each add one part, so that the core and the CLI tests build
/// the same book.
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

    /// Opens and disburses a 0 % equal-principal monthly loan of n installments of `unit`.
    public func loan(_ database: Database, admin: Actor, _ family: String, _ programme: String, installments: Int, on date: String,
                     currency: String = "UZS", unit: Int = 100_000) async throws -> String {
        let loans = Loans(database: database)
        let loan = try await loans.open(
            LoanInput(programme_id: programmes[programme], project_id: projects[family], principal: AmountInput("\(installments * unit)"),
                      currency: currency, annual_rate: "0", method: "equal_principal", installments: installments, frequency: "monthly",
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

    /// The grants of the issue: a partly accounted grant, a tranche still pending, a grant not
    /// yet committed.
    public func addGrants(_ database: Database, admin: Actor) async throws {
        let grants = Grants(database: database)
        // G1 (AN-1, Ayol): 6 000 000 in 4 000 000 (planned and paid 2025-02-01) + 2 000 000
        // (planned 2025-05-01, paid 2025-07-15); expenses 1 500 000 on 03-01 (partly accounted)
        // and 1 000 000 on 07-01.
        let g1 = try await grants.create(
            GrantInput(programme_id: programmes["Ayol"], project_id: projects["AN-1"], currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "4000000", planned_on: "2025-02-01", condition: "none"),
                                  TrancheInput(amount: "2000000", planned_on: "2025-05-01", condition: "none")]), as: admin)
        _ = try await grants.disburse(grant: g1.id, tranche: 1, DisbursementInput(date: "2025-02-01"), as: admin, key: nil)
        _ = try await grants.recordExpense(grant: g1.id, ExpenseInput(date: "2025-03-01", category: "equipment", amount: "1500000", receipt: "R-1"),
                                           as: admin, key: nil)
        _ = try await grants.recordExpense(grant: g1.id, ExpenseInput(date: "2025-07-01", category: "materials", amount: "1000000", receipt: "R-2"),
                                           as: admin, key: nil)
        _ = try await grants.disburse(grant: g1.id, tranche: 2, DisbursementInput(date: "2025-07-15"), as: admin, key: nil)
        // G2 (FA-3, Yoshlar): 3 000 000 in one tranche planned 2025-04-01, never paid.
        _ = try await grants.create(
            GrantInput(programme_id: programmes["Yoshlar"], project_id: projects["FA-3"], currency: "UZS", total: "3000000",
                       tranches: [TrancheInput(amount: "3000000", planned_on: "2025-04-01", condition: "none")]), as: admin)
        // G3 (FA-4, Yoshlar): planned for 2025-10-01 — not yet committed on either date.
        _ = try await grants.create(
            GrantInput(programme_id: programmes["Yoshlar"], project_id: projects["FA-4"], currency: "UZS", total: "1000000",
                       tranches: [TrancheInput(amount: "1000000", planned_on: "2025-10-01", condition: "none")]), as: admin)
    }

    /// A second currency: the programme "Dollar" (USD) with L6 (AN-1): 300.00 from 2025-03-01,
    /// due 04-01, 05-01, 06-01, paid 100.00 on 04-01 only (19 days late on 2025-05-20); and G4
    /// (FA-4): 500.00 paid 2025-03-01, 250.00 spent on 03-15. Returns the book with the programme.
    public func addDollars(_ database: Database, admin: Actor) async throws -> ReportBook {
        var programmes = self.programmes
        programmes["Dollar"] = try await Programmes(database: database).create(
            ProgrammeInput(name: "Dollar", donor: "USAID", currency: "USD", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "100000"), as: admin).id
        let book = ReportBook(families: families, projects: projects, programmes: programmes)
        let l6 = try await book.loan(database, admin: admin, "AN-1", "Dollar", installments: 3, on: "2025-03-01", currency: "USD", unit: 100)
        _ = try await Loans(database: database).repay(l6, RepaymentRequest(amount: AmountInput("100"), date: "2025-04-01"), as: admin, idempotency: nil)
        let grants = Grants(database: database)
        let g4 = try await grants.create(
            GrantInput(programme_id: programmes["Dollar"], project_id: projects["FA-4"], currency: "USD", total: "500",
                       tranches: [TrancheInput(amount: "500", planned_on: "2025-03-01", condition: "none")]), as: admin)
        _ = try await grants.disburse(grant: g4.id, tranche: 1, DisbursementInput(date: "2025-03-01"), as: admin, key: nil)
        _ = try await grants.recordExpense(grant: g4.id, ExpenseInput(date: "2025-03-15", category: "equipment", amount: "250", receipt: "R-4"),
                                           as: admin, key: nil)
        return book
    }

    /// Incomes, assessments, project reports, a graduation and training of the four families,
    /// written straight into the tables (households of 4; the poverty line is 648 000 in
    /// January 2025 and 669 000 from February: poor below 2 676 000 (2 592 000 in January),
    /// above from 4 014 000).
    public func addProgress(_ database: Database, admin: Actor) async throws {
        let org = admin.organizationID
        let f = families.mapValues { UUID(uuidString: $0)! }
        let p = projects.mapValues { UUID(uuidString: $0)! }
        try await database.pool.withConnection { c in
            // Incomes: AN-1 2025-01 2 000 000 (poor), 2025-05 3 000 000 (near_poor), 06 and 07
            // 2 700 000 (near_poor), 2025-08 5 000 000 (above); AN-2 2025-02 4 100 000 (above),
            // 2025-06 2 000 000 (poor); FA-3 2025-03 to 07 2 700 000 (near_poor); FA-4 none.
            for (code, period, wages) in [("AN-1", "2025-01-01", "2000000"), ("AN-1", "2025-05-01", "3000000"), ("AN-1", "2025-06-01", "2700000"),
                                          ("AN-1", "2025-07-01", "2700000"), ("AN-1", "2025-08-01", "5000000"),
                                          ("AN-2", "2025-02-01", "4100000"), ("AN-2", "2025-06-01", "2000000"),
                                          ("FA-3", "2025-03-01", "2700000"), ("FA-3", "2025-04-01", "2700000"), ("FA-3", "2025-05-01", "2700000"),
                                          ("FA-3", "2025-06-01", "2700000"), ("FA-3", "2025-07-01", "2700000")] {
                _ = try c.query("INSERT INTO household_incomes (organization_id, family_id, period, household_size, wages) VALUES ($1, $2, $3::date, 4, $4::numeric)",
                                [org, f[code]!, period, wages])
            }
            // Assessments: every domain the same score unless named. AN-1 intake 01-15 all 2,
            // childcare 0 (n/a); periodic 07-15 all 3, income 4, childcare 2. AN-2 intake 01-20
            // all 3; periodic 04-20 all 3, income 2, childcare 5. FA-3 intake 01-25 all 1;
            // periodic 07-20 all 3.
            for (code, on, kind, all, income, childcare) in [("AN-1", "2025-01-15", "intake", 2, 2, 0), ("AN-1", "2025-07-15", "periodic", 3, 4, 2),
                                                             ("AN-2", "2025-01-20", "intake", 3, 3, 3), ("AN-2", "2025-04-20", "periodic", 3, 2, 5),
                                                             ("FA-3", "2025-01-25", "intake", 1, 1, 1), ("FA-3", "2025-07-20", "periodic", 3, 3, 3)] {
                _ = try c.query("""
                    INSERT INTO assessments (organization_id, family_id, assessed_on, kind, income, employment, housing, food, childcare,
                        children_education, adult_education, health, life_skills, family_relations, community, legal, mobility, safety, credit)
                    VALUES ($1, $2, $3::date, $4, $6, $5, $5, $5, $7, $5, $5, $5, $5, $5, $5, $5, $5, $5, $5)
                    """, [org, f[code]!, on, kind, all, income, childcare])
            }
            // Project reports (net income, members working + hired): AN-1 2025-04 600 000 (1),
            // 06 100 000 (1), 07 and 08 1 500 000 (2 + 1); AN-2 2025-05 −100 000 (1); FA-3
            // 2025-03 to 07 400 000 (1 + 2); FA-4 2025-08 300 000 (1).
            for (code, period, revenue, costs, working, hired) in [("AN-1", "2025-04-01", "1000000", "400000", 1, 0), ("AN-1", "2025-06-01", "200000", "100000", 1, 0),
                                                                   ("AN-1", "2025-07-01", "2000000", "500000", 2, 1), ("AN-1", "2025-08-01", "2000000", "500000", 2, 1),
                                                                   ("AN-2", "2025-05-01", "800000", "900000", 1, 0), ("FA-3", "2025-03-01", "500000", "100000", 1, 2),
                                                                   ("FA-3", "2025-04-01", "500000", "100000", 1, 2), ("FA-3", "2025-05-01", "500000", "100000", 1, 2),
                                                                   ("FA-3", "2025-06-01", "500000", "100000", 1, 2), ("FA-3", "2025-07-01", "500000", "100000", 1, 2),
                                                                   ("FA-4", "2025-08-01", "300000", "0", 1, 0)] {
                _ = try c.query("""
                    INSERT INTO project_reports (organization_id, project_id, period, revenue, costs, members_working, hired_workers)
                    VALUES ($1, $2, $3::date, $4::numeric, $5::numeric, $6, $7)
                    """, [org, p[code]!, period, revenue, costs, working, hired])
            }
            _ = try c.query("UPDATE families SET status = 'graduated', status_on = '2025-08-01' WHERE id = $1", [f["AN-1"]!])
            // Training: SEW-1 starts 2025-02-01, BOOK-1 2025-06-10. AN-1 completes SEW-1 on
            // 02-10 and is enrolled in BOOK-1; AN-2 is enrolled in SEW-1; FA-3 completes BOOK-1
            // on 06-20; FA-4 has no training.
            _ = try c.query("UPDATE families SET consent_on = '2025-01-01' WHERE organization_id = $1", [org])
            var members: [String: UUID] = [:]
            for code in ["AN-1", "AN-2", "FA-3", "FA-4"] {
                members[code] = try c.query("INSERT INTO members (organization_id, family_id, full_name, relation) VALUES ($1, $2, 'Head of ' || $3, 'head') RETURNING id",
                                            [org, f[code]!, code]).first!.decode(0)
            }
            var courses: [String: UUID] = [:]
            for (code, start) in [("SEW-1", "2025-02-01"), ("BOOK-1", "2025-06-10")] {
                let course: UUID = try c.query("INSERT INTO courses (organization_id, code, title, skill, hours) VALUES ($1, $2, $2, 'other', 8) RETURNING id",
                                               [org, code]).first!.decode(0)
                courses[code] = course
                _ = try c.query("INSERT INTO course_sessions (organization_id, course_id, held_on, hours, trainer, venue) VALUES ($1, $2, $3::date, 4, 'T', 'V')",
                                [org, course, start])
            }
            for (code, course, completedOn, certificate) in [("AN-1", "SEW-1", "2025-02-10", "C-1"), ("AN-1", "BOOK-1", nil, nil),
                                                             ("AN-2", "SEW-1", nil, nil), ("FA-3", "BOOK-1", "2025-06-20", "C-2")] {
                _ = try c.query("""
                    INSERT INTO enrollments (organization_id, course_id, member_id, completed, completed_on, certificate_no)
                    VALUES ($1, $2, $3, $4::date IS NOT NULL, $4::date, $5)
                    """, [org, courses[course]!, members[code]!, completedOn, certificate])
            }
        }
    }
}
