import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Generated data sets (seed generate)")
struct ScaleSeedTests {
    func count(_ database: Database, _ sql: String, _ bindings: PostgresBindings = []) async throws -> Int {
        try await database.pool.withConnection { try $0.query(sql, bindings).first!.decode(0, as: Int.self) }
    }

    @Test("240 families in the demo's shapes: loans in every state, grants, training, progress; the books balance and the services accept the data")
    func generates() async throws {
        let database = try await TestDatabase.make()
        let summary = try await ScaleSeed(database: database).generate(families: 240, organizationCode: "GEN")
        #expect(summary.families == 240)
        #expect(Set(summary.logins.map(\.role)) == Set(Role.allCases))
        let org = summary.organization.id

        #expect(try await count(database, "SELECT count(*) FROM families WHERE organization_id = $1", [org]) == 240)
        #expect(try await count(database, "SELECT count(*) FROM families f WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.family_id = f.id)") == 0)
        #expect(try await count(database, "SELECT count(DISTINCT mentor_id) FROM mentor_assignments WHERE organization_id = $1", [org]) == 1)
        let statuses = try await database.pool.withConnection { connection in
            try connection.query("SELECT DISTINCT status FROM loans WHERE organization_id = $1 ORDER BY 1", [org]).rows.map {
                try $0.decode(0, as: String.self)
            }
        }
        #expect(statuses == ["active", "approved", "repaid", "written_off"])
        #expect(try await count(database, "SELECT count(*) FROM grant_tranches WHERE disbursed_on IS NULL") > 0)
        #expect(try await count(database, "SELECT count(*) FROM grant_tranches WHERE n = 2 AND disbursed_on IS NOT NULL") > 0)
        #expect(try await count(database, "SELECT count(*) FROM enrollments WHERE completed") > 0)
        #expect(try await count(database, "SELECT count(*) FROM enrollments WHERE NOT completed") > 0)
        #expect(try await count(database, "SELECT count(*) FROM household_incomes") > 240 * 6)

        // One audit row for the load, none per row.
        #expect(try await count(database, "SELECT count(*) FROM audit_log WHERE organization_id = $1 AND entity = 'generated_data'", [org]) == 1)
        #expect(try await count(database, "SELECT count(*) FROM audit_log WHERE organization_id = $1 AND entity IN ('families', 'postings', 'loans')", [org]) == 0)

        // The books balance, and every loan's stored schedule and repayments agree with the
        // services: each balance in loan_figures() (read from the histories the load computed,
        // sql/definitions/55_loans.sql) matches the ledger's receivable — as of the organization's today, which the
        // generated repayments reach (not the server's date: Tashkent is five hours ahead).
        let coordinator = try await Users(database: database).authenticate(
            token: try #require(summary.logins.first { $0.role == .coordinator }).token)
        let balance = try await LedgerService(database: database).trialBalance(asOf: nil, as: coordinator)
        #expect(balance.total_debit == balance.total_credit)
        let mismatch = try await count(database, """
            SELECT abs(coalesce((SELECT sum(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id
                                 WHERE a.organization_id = $1 AND a.code = 'loans_receivable'), 0)
                       - (SELECT coalesce(sum(f.outstanding_principal), 0)
                          FROM organizations o, loans l, loan_figures(l.id, (now() AT TIME ZONE o.time_zone)::date) f
                          WHERE o.id = $1 AND l.organization_id = $1 AND l.status = 'active'))::int
            """, [org])
        #expect(mismatch == 0)

        // A late loan takes a repayment through the service, which replays the generated history.
        let late = try await Paged.all { try await Loans(database: database).late(asOf: nil, page: $0, as: coordinator) }.items
        let loan = try #require(late.first { $0.days_past_due > 30 })
        let today: String = try await database.pool.withConnection {
            try $0.query("SELECT (now() AT TIME ZONE 'Asia/Tashkent')::date::text").first!.decode(0)
        }
        let paid = try await Loans(database: database).repay(
            loan.id, RepaymentRequest(amount: "1000.00", date: today), as: coordinator, idempotency: nil)
        let booked = try #require(JSONSerialization.jsonObject(with: paid.body) as? [String: Any])
        #expect(booked["amount"] as? String == "1000.00")
    }

    @Test("the same seed and code give the same data; an existing code is refused and nothing is written")
    func reproducibleAndAtomic() async throws {
        let first = try await TestDatabase.make()
        let second = try await TestDatabase.make()
        _ = try await ScaleSeed(database: first).generate(families: 30, organizationCode: "SAME", seed: 7)
        _ = try await ScaleSeed(database: second).generate(families: 30, organizationCode: "SAME", seed: 7)
        let fingerprint = "SELECT md5(string_agg(m.id::text || m.full_name || coalesce(m.pinfl, ''), ',' ORDER BY m.id)) FROM members m"
        let one: String = try await first.pool.withConnection { try $0.query(fingerprint).first!.decode(0) }
        let two: String = try await second.pool.withConnection { try $0.query(fingerprint).first!.decode(0) }
        #expect(one == two)

        let before = try await count(first, "SELECT count(*) FROM families")
        await #expect(throws: RavnaqError.self) {
            _ = try await ScaleSeed(database: first).generate(families: 10, organizationCode: "same")
        }
        #expect(try await count(first, "SELECT count(*) FROM families") == before)
        await #expect(throws: RavnaqError.self) {
            _ = try await ScaleSeed(database: first).generate(families: 0, organizationCode: "NONE")
        }
    }

    @Test("verify_bulk_load finds a broken foreign key and an unbalanced ledger transaction left by a load with triggers off")
    func verification() async throws {
        let database = try await TestDatabase.make()
        let summary = try await ScaleSeed(database: database).generate(families: 5, organizationCode: "V")
        let org = summary.organization.id
        let brokenKey = await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                try connection.query("SET LOCAL session_replication_role = replica")
                try connection.query(
                    "INSERT INTO members (organization_id, family_id, full_name, relation) VALUES ($1, gen_random_uuid(), 'Nobody', 'head')",
                    [org])
                try connection.query("SET LOCAL session_replication_role = origin")
                try connection.query("SELECT verify_bulk_load($1)", [org])
            }
        }
        #expect(brokenKey?.sqlState == .foreignKeyViolation)
        let unbalanced = await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                try connection.query("SET LOCAL session_replication_role = replica")
                try connection.query(
                    """
                    WITH t AS (INSERT INTO ledger_transactions (organization_id, occurred_on, currency, kind)
                               VALUES ($1, CURRENT_DATE, 'UZS', 'repayment') RETURNING id)
                    INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
                    SELECT $1, t.id, a.id, 'UZS', 5 FROM t, accounts a WHERE a.organization_id = $1 AND a.code IN ('cash', 'fee_income')
                    """, [org])
                try connection.query("SET LOCAL session_replication_role = origin")
                try connection.query("SELECT verify_bulk_load($1)", [org])
            }
        }
        #expect(unbalanced?.constraint == "ledger-unbalanced")
    }

    @Test("a loan's schedule is stored once: a second complete schedule for the same loan is refused")
    func scheduleOnce() async throws {
        let database = try await TestDatabase.make()
        let summary = try await ScaleSeed(database: database).generate(families: 3, organizationCode: "S")
        let refused = await #expect(throws: PostgresError.self) {
            try await database.pool.transaction { connection in
                // Installments 13…24 repeating the whole schedule: their principal adds up, but the
                // loan already has its installments.
                _ = try connection.query(
                    """
                    INSERT INTO loan_installments (organization_id, loan_id, n, due_on, principal, interest)
                    SELECT organization_id, loan_id, n + 12, due_on + 365, principal, interest FROM loan_installments
                    WHERE loan_id = (SELECT id FROM loans WHERE organization_id = $1 AND status <> 'approved' LIMIT 1)
                    """, [summary.organization.id])
            }
        }
        #expect(refused?.constraint == "loan-schedule-sum")
    }

    @Test("a request cannot switch the audit off")
    func auditSwitchIsOwnerOnly() async throws {
        let database = try await TestDatabase.make()
        let summary = try await ScaleSeed(database: database).generate(families: 1, organizationCode: "A")
        let admin = try await Users(database: database).authenticate(token: try #require(summary.logins.first { $0.role == .admin }).token)
        let id: String = try await database.transaction(as: admin) { connection in
            try connection.query("SELECT set_config('ravnaq.audit', 'off', true)")
            return try connection.query(
                "INSERT INTO families (organization_id, code, region, district) VALUES ($1, 'A-X1', 'Andijon', 'Asaka') RETURNING id::text",
                [summary.organization.id]
            ).first!.decode(0)
        }
        #expect(try await count(database, "SELECT count(*) FROM audit_log WHERE entity = 'families' AND entity_id = $1", [id]) == 1)
    }
}
