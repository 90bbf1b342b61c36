import Dates
import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// The ledger and the portfolio tell one story on every day (issue 20): the trial balance's
/// `loans_receivable` equals the portfolio's outstanding principal, the cash that repayments and
/// recoveries brought in equals `collected`, and `loan_loss_expense` equals what was written off
/// less what was recovered — as of every day from the disbursement to after today, whatever
/// order repayments, reversals, a write-off and recoveries were recorded in.
@Suite("The books and the portfolio agree on every day (issue 20)")
struct BooksByValueDateTests {
    /// The loan of the README and SPEC §4: 10 000 000 at 24 % a year, annuity, 12 monthly
    /// installments, disbursed 2025-01-15; the first installment is 745 595.97 + 200 000.00.
    static func specLoan(_ database: Database, admin: Actor, programme: String?, project: String?) async throws -> String {
        let loans = Loans(database: database)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: "10000000", currency: "UZS", annual_rate: "24",
                      method: "annuity", installments: 12, frequency: "monthly", planned_disbursement_on: "2025-01-15"), as: admin)
        _ = try await loans.disburse(loan.id, DateInput(date: "2025-01-15"), as: admin, idempotency: nil)
        return loan.id
    }

    static func id(_ answer: StoredAnswer) throws -> String {
        try #require((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["id"] as? String)
    }

    static func today(_ database: Database, _ admin: Actor) async throws -> LocalDate {
        try await database.pool.withConnection { connection in
            try connection.query("SELECT (now() AT TIME ZONE time_zone)::date FROM organizations WHERE id = $1",
                                 [admin.organizationID]).first!.decode(0)
        }
    }

    /// Every day from the disbursement to five days after today.
    static func differences(_ database: Database, _ admin: Actor) async throws -> (differences: [DailyBooks.Difference], days: Int) {
        try await DailyBooks.differences(database, organization: admin.organizationID, from: LocalDate("2025-01-15")!)
    }

    @Test("the issue's case: repaid 2025-02-15, reversed today, written off 2025-06-30; as of 2025-12-31 nothing is receivable")
    func issueCase() async throws {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        let loan = try await Self.specLoan(fixture.database, admin: fixture.admin, programme: made.programmes["Ayol"], project: made.projects["AN-1"])
        let loans = Loans(database: fixture.database)
        let repayment = try Self.id(try await loans.repay(loan, RepaymentRequest(amount: "945595.97", date: "2025-02-15"),
                                                          as: fixture.admin, idempotency: nil))
        _ = try await loans.reverse(loan, repayment: repayment, DateInput(), as: fixture.admin, idempotency: nil)
        _ = try await loans.writeOff(loan, DateInput(date: "2025-06-30", reason: "moved away"), as: fixture.admin, idempotency: nil)

        let balance = try await LedgerService(database: fixture.database).trialBalance(asOf: "2025-12-31", as: fixture.admin)
        func line(_ account: String) -> String? { balance.accounts.first { $0.account == account }?.balance }
        #expect(line("loans_receivable") == "0.00")
        #expect(line("cash") == "-10000000.00")
        #expect(line("interest_income") == "0.00")
        #expect(line("loan_loss_expense") == "10000000.00")
        let portfolio = try fixture.object(try await Reports(database: fixture.database).run(
            try ReportQuery.parse(report: "portfolio", asOf: "2025-12-31", from: nil, to: nil, by: nil), as: fixture.admin))
        let total = try #require(portfolio["total"] as? [String: Any])
        #expect(total["outstanding_principal"] as? String == "0.00")
        #expect(total["collected"] as? String == "0.00")
        #expect(total["written_off"] as? String == "10000000.00")

        let (differences, days) = try await Self.differences(fixture.database, fixture.admin)
        #expect(differences.isEmpty, "\(differences.count) days differ, first: \(differences.prefix(3))")
        #expect(days > 680)
    }

    @Test("a repayment re-allocated by one reversal and then reversed itself leaves nothing of it in the books")
    func reallocatedThenReversed() async throws {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        let loan = try await Self.specLoan(fixture.database, admin: fixture.admin, programme: made.programmes["Ayol"], project: made.projects["AN-1"])
        let loans = Loans(database: fixture.database)
        func pay(_ amount: String, _ date: String) async throws -> String {
            try Self.id(try await loans.repay(loan, RepaymentRequest(amount: AmountInput(amount), date: date), as: fixture.admin, idempotency: nil))
        }
        let first = try await pay("945595.97", "2025-02-15")
        let second = try await pay("945595.97", "2025-03-15")
        // Without the first, the second pays installment 1 (interest 200 000.00) instead of 2.
        _ = try await loans.reverse(loan, repayment: first, DateInput(date: "2025-04-01"), as: fixture.admin, idempotency: nil)
        _ = try await loans.reverse(loan, repayment: second, DateInput(date: "2025-04-02"), as: fixture.admin, idempotency: nil)

        let balance = try await LedgerService(database: fixture.database).trialBalance(asOf: nil, as: fixture.admin)
        func line(_ account: String) -> String? { balance.accounts.first { $0.account == account }?.balance }
        #expect(line("loans_receivable") == "10000000.00")
        #expect(line("interest_income") == "0.00")
        #expect(line("cash") == "-10000000.00")
        let (differences, _) = try await Self.differences(fixture.database, fixture.admin)
        #expect(differences.isEmpty, "\(differences.count) days differ, first: \(differences.prefix(3))")
    }

    @Test("a reversal is dated from the repayment's day to today")
    func reversalDate() async throws {
        let fixture = try await CoreFixture.make()
        let made = try await ReportBook.make(fixture.database, admin: fixture.admin)
        let loan = try await Self.specLoan(fixture.database, admin: fixture.admin, programme: made.programmes["Ayol"], project: made.projects["AN-1"])
        let loans = Loans(database: fixture.database)
        let repayment = try Self.id(try await loans.repay(loan, RepaymentRequest(amount: "945595.97", date: "2025-02-15"),
                                                          as: fixture.admin, idempotency: nil))
        let tomorrow = try await Self.today(fixture.database, fixture.admin).adding(days: 1)
        for date in ["2025-02-14", tomorrow.description] {
            let error = await #expect(throws: RavnaqError.self) {
                try await loans.reverse(loan, repayment: repayment, DateInput(date: date), as: fixture.admin, idempotency: nil)
            }
            #expect(error == .invalid("/date", "must be between the repayment on 2025-02-15 and today"))
        }
        // The day of the repayment itself is fine; its ledger transaction is dated then.
        _ = try await loans.reverse(loan, repayment: repayment, DateInput(date: "2025-02-15"), as: fixture.admin, idempotency: nil)
    }
}

// MARK: Every order

extension BooksByValueDateTests {
    /// The events of the walk, on one SPEC loan of a programme with a late fee of 50 000 six
    /// days after a due date: R1 pays installment 1 on its due date; R2 pays 1 000 000 on
    /// 2025-04-10 (installment 2 and its fee, or without R1 installment 1 and both fees); W
    /// writes the loan off on 2025-06-30; C brings 1 000 000 on 2025-08-01 (a recovery after
    /// W, a repayment before it); V1 and VC reverse R1 and C on the day they are recorded.
    enum Event: String, CaseIterable, Sendable {
        case r1 = "R1", r2 = "R2", reverseR1 = "V1", writeOff = "W", c = "C", reverseC = "VC"

        var date: String? {
            switch self {
            case .r1: "2025-02-15"
            case .r2: "2025-04-10"
            case .writeOff: "2025-06-30"
            case .c: "2025-08-01"
            case .reverseR1, .reverseC: nil
            }
        }
        var amount: AmountInput { self == .r1 ? "945595.97" : "1000000" }
        var reverses: Event? { self == .reverseR1 ? .r1 : self == .reverseC ? .c : nil }
    }

    /// What the service should answer, by the rules of SPEC §4 and README "Money and the
    /// ledger": money before the latest repayment not reversed is refused, after a write-off
    /// money is a recovery and money dated before the write-off is refused, a write-off before
    /// the latest repayment not reversed is refused, and only recoveries of a written-off loan
    /// can be reversed.
    struct Rules {
        var kinds: [Event: String] = [:]   // recorded: repayment or recovery (W: write_off)
        var reversed: Set<Event> = []

        func liveRepayment(after date: String) -> Bool {
            kinds.contains { $0.value == "repayment" && !reversed.contains($0.key) && $0.key.date! > date }
        }

        /// nil: accepted; otherwise the refusal; "skip" when there is nothing to reverse.
        func expected(_ event: Event) -> String? {
            let writtenOff = kinds[.writeOff] != nil
            switch event {
            case .r1, .r2, .c:
                if writtenOff { return event.date! < Event.writeOff.date! ? "\(Refusal.loanWrittenOff)" : nil }
                return liveRepayment(after: event.date!) ? "\(Refusal.repaymentBeforeLatest)" : nil
            case .writeOff:
                return liveRepayment(after: event.date!) ? "/date" : nil
            case .reverseR1, .reverseC:
                guard let kind = kinds[event.reverses!] else { return "skip" }
                return writtenOff && kind == "repayment" ? "\(Refusal.loanWrittenOff)" : nil
            }
        }

        mutating func record(_ event: Event) {
            switch event {
            case .writeOff: kinds[event] = "write_off"
            case .reverseR1, .reverseC: reversed.insert(event.reverses!)
            default: kinds[event] = kinds[.writeOff] == nil ? "repayment" : "recovery"
            }
        }
    }

    /// A programme with the late fee, a family, a project and the SPEC loan, in an organization
    /// of their own (the trial balance is per organization).
    static func loanOfItsOwn(_ database: Database, code: String) async throws -> (Actor, String) {
        let organization = try await Organizations(database: database).add(code: code, name: "Walk \(code)", operatorName: "cli:test")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test")
        let programme = try await Programmes(database: database).create(
            ProgrammeInput(name: "Ayol", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31",
                           budget: "500000000", late_fee: "50000", late_fee_after_days: 5), as: admin)
        let (family, _) = try await Families(database: database).create(FamilyInput(code: "AN-1", region: "Andijon", district: "Asaka"), as: admin)
        let familyID = try #require((try JSONSerialization.jsonObject(with: Data(family.text.utf8)) as? [String: Any])?["id"] as? String)
        let project = try await Projects(database: database).create(ProjectInput(family_id: familyID, type: "baking", title: "Bakery"), as: admin)
        let projectID = try #require((try JSONSerialization.jsonObject(with: Data(project.text.utf8)) as? [String: Any])?["id"] as? String)
        return (admin, try await specLoan(database, admin: admin, programme: programme.id, project: projectID))
    }

    /// Records the events in this order on a loan of its own; returns what each answered
    /// (nil: accepted, a problem type or pointer: refused, "skip": nothing to reverse).
    static func walk(_ order: [Event], _ database: Database, code: String) async throws -> (Actor, [String?]) {
        let (admin, loan) = try await loanOfItsOwn(database, code: code)
        let loans = Loans(database: database)
        var ids: [Event: String] = [:]
        var answers: [String?] = []
        for event in order {
            do {
                switch event {
                case .r1, .r2, .c:
                    ids[event] = try id(try await loans.repay(loan, RepaymentRequest(amount: event.amount, date: event.date),
                                                              as: admin, idempotency: nil))
                case .writeOff:
                    _ = try await loans.writeOff(loan, DateInput(date: event.date, reason: "moved away"), as: admin, idempotency: nil)
                case .reverseR1, .reverseC:
                    guard let target = ids[event.reverses!] else {
                        answers.append("skip")
                        continue
                    }
                    _ = try await loans.reverse(loan, repayment: target, DateInput(), as: admin, idempotency: nil)
                }
                answers.append(nil)
            } catch RavnaqError.rule(let refusal, _) {
                answers.append("\(refusal)")
            } catch RavnaqError.invalid(let errors) {
                answers.append(errors.map(\.pointer).joined(separator: ","))
            }
        }
        return (admin, answers)
    }

    static func permutations(_ events: [Event]) -> [[Event]] {
        guard events.count > 1 else { return [events] }
        return events.indices.flatMap { i in
            var rest = events
            let first = rest.remove(at: i)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// The rows the books and the portfolio are computed from, in one line: every posting with
    /// its date, kind and account; every repayment with its date, kind, amount, allocation and
    /// whether it is reversed; the loan's status and write-off. Two organizations with the same
    /// line answer the trial balance and the portfolio alike on every day.
    static func fingerprint(_ database: Database, _ admin: Actor) async throws -> String {
        try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT (SELECT string_agg(concat_ws(' ', t.occurred_on, t.kind, a.code, p.amount), '; '
                                          ORDER BY t.occurred_on, t.kind, a.code, p.amount)
                        FROM ledger_transactions t JOIN postings p ON p.transaction_id = t.id JOIN accounts a ON a.id = p.account_id
                        WHERE t.organization_id = $1)
                    || ' | ' || (SELECT coalesce(string_agg(concat_ws(' ', r.paid_on, r.kind, r.amount, r.principal, r.interest, r.fees,
                                                                       r.reversed_on IS NOT NULL), '; '
                                                             ORDER BY r.paid_on, r.kind, r.amount, r.reversed_on IS NOT NULL), '')
                                 FROM repayments r WHERE r.organization_id = $1)
                    || ' | ' || (SELECT string_agg(concat_ws(' ', l.status, l.written_off_on, l.written_off_principal), '; ')
                                 FROM loans l WHERE l.organization_id = $1)
                """, [admin.organizationID]
            ).first!.decode(0)
        }
    }

    /// Runs `body` over `items`, four at a time, and returns the results in the items' order.
    static func fourAtATime<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Int, Item) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results: [Result?] = Array(repeating: nil, count: items.count)
            var next = 0
            while next < min(4, items.count) {
                let i = next, item = items[i]
                group.addTask { (i, try await body(i, item)) }
                next += 1
            }
            while let (i, result) = try await group.next() {
                results[i] = result
                if next < items.count {
                    let j = next, item = items[j]
                    group.addTask { (j, try await body(j, item)) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    @Test("every order of two repayments, a reversal, a write-off, a recovery and its reversal: refused where the rules say, and the books equal the portfolio on every day")
    func everyOrder() async throws {
        let database = try await TestDatabase.make(poolSize: 8)
        // Every order in which each reversal comes after what it reverses (one before it would
        // have nothing to reverse: the order without it): 6! / 2 / 2. Each on a loan of its own.
        let orders = Self.permutations(Event.allCases).filter { order in
            order.firstIndex(of: .r1)! < order.firstIndex(of: .reverseR1)! && order.firstIndex(of: .c)! < order.firstIndex(of: .reverseC)!
        }
        #expect(orders.count == 180)
        let walks = try await Self.fourAtATime(orders) { i, order in
            let (admin, answers) = try await Self.walk(order, database, code: "W\(i)")
            return (admin, answers, try await Self.fingerprint(database, admin))
        }

        // What each order was answered, against the rules; what was refused, and how often
        // (recorded so that a change of the rules shows here).
        var refusals: [String: Int] = [:]
        var sequences: [String: [(label: String, admin: Actor, fingerprint: String)]] = [:]
        for (order, (admin, answers, fingerprint)) in zip(orders, walks) {
            let label = order.map(\.rawValue).joined(separator: " ")
            var rules = Rules()
            let expected = order.map { event -> String? in
                let answer = rules.expected(event)
                if answer == nil { rules.record(event) }
                return answer
            }
            #expect(answers == expected, "\(label)")
            for (event, answer) in zip(order, answers) {
                if let answer { refusals["\(event.rawValue) \(answer)", default: 0] += 1 }
            }
            let recorded = zip(order, answers).filter { $0.1 == nil }.map(\.0.rawValue).joined(separator: " ")
            sequences[recorded, default: []].append((label, admin, fingerprint))
        }
        #expect(refusals == ["R1 repaymentBeforeLatest": 66, "R2 repaymentBeforeLatest": 45, "R1 loanWrittenOff": 42,
                             "R2 loanWrittenOff": 60, "W /date": 60, "V1 loanWrittenOff": 24, "V1 skip": 108],
                "\(refusals.sorted { $0.key < $1.key })")
        #expect(sequences.count == 46)
        #expect(sequences["R1 R2 V1 W C VC"] != nil)

        // Orders that recorded the same events in the same order left the same rows (a refusal
        // leaves nothing behind), so one of each is compared on every day.
        for (recorded, walks) in sequences {
            for walk in walks.dropFirst() {
                #expect(walk.fingerprint == walks[0].fingerprint, "\(walk.label) and \(walks[0].label) both recorded \(recorded)")
            }
        }
        let compared = try await Self.fourAtATime(sequences.sorted { $0.key < $1.key }) { _, sequence in
            (sequence.key, try await Self.differences(database, sequence.value[0].admin))
        }
        for (recorded, (differences, days)) in compared {
            #expect(differences.isEmpty, "\(recorded): \(differences.count) days differ, first: \(differences.prefix(2))")
            #expect(days > 680)
        }
    }
}
