import Dates
import Foundation
import Postgres
import RavnaqMoney

/// Loans (SPEC §4): opening, disbursement, repayments and their reversal, arrears, write-off.
/// Every money movement locks the loan's row first, so concurrent repayments on one loan run
/// one after the other and never lose an update.
public struct Loans: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func open(_ input: LoanInput, as actor: Actor) async throws -> LoanView {
        try actor.require(.admin, .coordinator, to: "open loans")
        return try await database.transaction(as: actor) { connection in
            try Self.open(connection, input, externalRef: nil, actor: actor)
        }
    }

    /// Opens a loan (a request, or a row of an import, which names it by the register's own
    /// number, `externalRef`).
    static func open(_ connection: PostgresConnection, _ input: LoanInput, externalRef: String?, actor: Actor) throws -> LoanView {
        var errors = FieldErrors()
        // Ids, or what a person types: the programme's name, the family's code for its one project.
        let programmeKey = errors.text(input.programme_id, "/programme_id")
        let projectKey = errors.text(input.project_id, "/project_id")
        let currency = errors.currency(input.currency, "/currency")
        let principal = errors.amount(input.principal, "/principal", currency: currency)
        let rate = input.annual_rate.map { ($0, $0.decimalValue) }
        if rate == nil { errors.add("/annual_rate", "is required") }
        // Only that it is a number: its range and decimals are LoanTerms' rule, checked below.
        if let (given, value) = rate, value == nil {
            errors.add("/annual_rate", "\"\(given.text)\" is not a yearly percentage such as \"24\" (digits, at most 6 decimals)")
        }
        let method = errors.choice(input.method, "/method", as: RepaymentMethod.self)
        let installments = errors.required(input.installments, "/installments")
        let frequency = errors.choice(input.frequency, "/frequency", as: Frequency.self)
        let planned = errors.date(input.planned_disbursement_on, "/planned_disbursement_on")
        let firstDue = errors.date(input.first_due_on, "/first_due_on", required: false)
        try errors.check()
        let terms = LoanTerms(
            principal: principal!, annualRatePercent: rate!.1!, method: method!, installments: installments!,
            frequency: frequency!, gracePeriods: input.grace_periods ?? 0, disbursedOn: planned!, firstDueOn: firstDue,
            minorDigits: currency!.minorDigits)
        let termErrors = LoanSchedule.validate(terms)
        if !termErrors.isEmpty {
            throw RavnaqError.invalid(termErrors.sorted { $0.key < $1.key }.map { .init(pointer: "/" + $0.key, detail: $0.value) })
        }
        guard let programmeID = try References.programme(programmeKey!, connection, organizationID: actor.organizationID),
              let programmeCurrency = try connection.query(
                  "SELECT currency FROM programmes WHERE id = $1 AND organization_id = $2", [programmeID, actor.organizationID]
              ).first?.decode(0, as: String.self) else {
            throw RavnaqError.invalid("/programme_id", "no programme \(input.programme_id!) in this organization")
        }
        guard programmeCurrency == currency!.code else {
            throw RavnaqError.invalid("/currency", "the programme lends in \(programmeCurrency), not \(currency!.code)")
        }
        guard let projectID = try References.project(projectKey!, connection, organizationID: actor.organizationID,
                                                     pointer: "/project_id") else {
            throw RavnaqError.invalid("/project_id", "no project \(input.project_id!) in this organization")
        }
        // The loan keeps the programme's servicing terms as they are today (sql/006_loan_servicing.sql).
        let id: UUID = try connection.query(
            """
            INSERT INTO loans (organization_id, programme_id, project_id, currency, principal, annual_rate, method, installments,
                               frequency, grace_periods, planned_disbursement_on, first_due_on, external_ref,
                               late_fee, late_fee_percent, late_fee_after_days, late_fee_repeat, arrears_tolerance, installment_multiple,
                               early_payoff)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                   p.late_fee, p.late_fee_percent, p.late_fee_after_days, p.late_fee_repeat, p.arrears_tolerance, p.installment_multiple,
                   p.early_payoff
            FROM programmes p WHERE p.id = $2
            RETURNING id
            """,
            [actor.organizationID, programmeID, projectID, currency!.code, currency!.format(principal!), terms.annualRatePercent,
             method!.rawValue, installments!, frequency!.rawValue, terms.gracePeriods, planned!, firstDue, externalRef]
        ).first!.decode(0)
        return try Self.view(connection, key: id.idString, actor: actor, asOf: nil)
    }

    public func get(_ key: String, asOf: String?, as actor: Actor) async throws -> LoanView {
        let date = try FieldErrors.asOf(asOf)
        return try await database.transaction(as: actor) { connection in
            try Self.view(connection, key: key, actor: actor, asOf: date)
        }
    }

    public func schedule(_ key: String, asOf: String?, version: String? = nil, as actor: Actor) async throws -> ScheduleView {
        let date = try FieldErrors.asOf(asOf)
        let number = try version.map { text in
            guard let number = Int(text), number >= 1 else { throw RavnaqError.invalid("/version", "\"\(text)\" is not a version number (1, 2, …)") }
            return number
        }
        return try await database.transaction(as: actor) { connection in
            let loan = try Self.load(connection, key, actor)
            let asOf = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            return try loan.scheduleView(connection, asOf: asOf, version: number)
        }
    }

    /// Pays the principal out: the schedule is fixed from the actual date.
    public func disburse(_ key: String, _ input: DateInput, as actor: Actor, idempotency: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "disburse loans")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        try errors.check()
        return try await database.once(
            as: actor, key: idempotency, operation: .loanDisbursement, resolve: Self.locked(key, actor)
        ) { connection, loan in
            // Above the programme's limit, a second person must approve (issue 16): the request
            // is checked by running it and rolling it back, then waits.
            if try Approvals.needed(.disbursement, loan: loan, connection) {
                return try Approvals.request(.disbursement, loan: loan, on: date!, reason: nil, connection, actor: actor) {
                    _ = try Self.disburse(connection, loan: loan, on: date!, actor: actor)
                }
            }
            return try Self.disburse(connection, loan: loan, on: date!, actor: actor)
        }
    }

    /// Disburses a loan already found and locked (a request, or a row of an import).
    static func disburse(_ connection: PostgresConnection, loan: LoanRecord, on date: LocalDate, actor: Actor) throws -> LoanView {
        guard loan.status == "approved" else {
            throw RavnaqError.rule(.loanAlreadyDisbursed, message: "loan \(loan.number) was already disbursed on \(loan.disbursedOn!)")
        }
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        guard date <= today else { throw RavnaqError.invalid("/date", "a disbursement cannot be dated in the future") }
        if let firstDue = loan.terms.firstDueOn, firstDue <= date {
            throw RavnaqError.invalid("/date", "must be before the loan's first due date \(firstDue)")
        }
        var terms = try loan.termsOnWorkingDays(connection)
        terms.disbursedOn = date
        let schedule = LoanSchedule.compute(terms)
        try connection.query(
            """
            INSERT INTO loan_installments (organization_id, loan_id, n, due_on, principal, interest)
            SELECT $1, $2, s.n, s.due_on, s.principal, s.interest
            FROM unnest($3::int[], $4::date[], $5::numeric[], $6::numeric[]) AS s (n, due_on, principal, interest)
            """,
            [actor.organizationID, loan.id, postgresArray(schedule.map { String($0.n) }),
             postgresArray(schedule.map(\.dueOn.description)), postgresArray(schedule.map { loan.currency.format($0.principal) }),
             postgresArray(schedule.map { loan.currency.format($0.interest) })])
        let transaction = try Ledger.post(
            connection, organizationID: actor.organizationID, currency: loan.currency, on: date, kind: .loanDisbursement,
            memo: "disbursement of \(loan.number)",
            entries: [.debit(.loansReceivable, terms.principal), .credit(.cash, terms.principal)])
        try connection.query(
            "UPDATE loans SET status = 'active', disbursed_on = $2, disbursement_transaction = $3 WHERE id = $1",
            [loan.id, date, transaction])
        return try Self.view(connection, key: loan.id.idString, actor: actor, asOf: max(today, date))
    }

    /// Records a repayment, allocated fees → interest → principal, oldest installment first. After a
    /// write-off, money received is a recovery (debit cash, credit recovery_income).
    public func repay(_ key: String, _ input: RepaymentRequest, as actor: Actor, idempotency: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "record repayments")
        return try await database.once(
            as: actor, key: idempotency, operation: .repayment, resolve: Self.locked(key, actor)
        ) { connection, loan in
            try Self.repay(connection, loan: loan, input, actor: actor)
        }
    }

    /// Records a repayment of a loan already found and locked (a request, or a row of an import).
    static func repay(_ connection: PostgresConnection, loan: LoanRecord, _ input: RepaymentRequest, actor: Actor) throws -> RepaymentView {
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let amount = errors.amount(input.amount, "/amount", currency: loan.currency)
        try errors.check()
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        guard date! <= today else { throw RavnaqError.invalid("/date", "a repayment cannot be dated in the future") }
        guard let disbursedOn = loan.disbursedOn else {
            throw RavnaqError.rule(.loanNotDisbursed, message: "loan \(loan.number) has not been disbursed yet")
        }
        let repayments = try loan.repayments(connection)
        if let writtenOffOn = loan.writtenOffOn {
            return try Self.recover(connection, loan: loan, amount: amount!, date: date!, writtenOffOn: writtenOffOn,
                                    repayments: repayments, actor: actor)
        }
        let schedule = try loan.schedule(connection)
        let restructurings = try loan.restructurings(connection)
        let live = LoanRecord.live(repayments)
        let admitted: LoanReplay.Admitted
        do {
            admitted = try LoanReplay.check(
                RepaymentInput(id: "new", date: date!, amount: amount!), schedule: schedule, disbursedOn: disbursedOn,
                existing: live.map(\.input), lateFee: loan.lateFee, restructurings: restructurings,
                waivingInterest: loan.payoffWaivesInterest)
        } catch {
            throw RavnaqError.rule(Self.refusal(error), message: error.detail(minorDigits: loan.currency.minorDigits))
        }
        let allocation = admitted.allocation
        let transaction = try Ledger.post(
            connection, organizationID: actor.organizationID, currency: loan.currency, on: date!, kind: .repayment,
            memo: "repayment of \(loan.number)",
            entries: [.debit(.cash, amount!), .credit(.loansReceivable, allocation.principal),
                      .credit(.interestIncome, allocation.interest), .credit(.feeIncome, allocation.fees)])
        let format = loan.currency.format
        let id: UUID = try connection.query(
            """
            INSERT INTO repayments (organization_id, loan_id, paid_on, amount, principal, interest, fees, transaction_id, interest_waived)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """,
            [actor.organizationID, loan.id, date!, format(amount!), format(allocation.principal), format(allocation.interest),
             format(allocation.fees), transaction, format(admitted.interestWaived)]
        ).first!.decode(0)
        var recorded = admitted.input
        recorded.id = id.idString
        let state = LoanReplay.state(
            schedule: schedule, repayments: live.map(\.input) + [recorded], lateFee: loan.lateFee, restructurings: restructurings,
            asOf: date!)
        if state.isFullyPaid {
            try connection.query("UPDATE loans SET status = 'repaid', repaid_on = $2 WHERE id = $1", [loan.id, date!])
        }
        return RepaymentView(
            id: id.idString, loan_id: loan.id.idString, kind: "repayment", date: date!.description, amount: format(amount!),
            currency: loan.currency.code, allocation: AllocationView(allocation, loan.currency),
            interest_waived: format(admitted.interestWaived), reversed_on: nil,
            loan_status: state.isFullyPaid ? "repaid" : "active", outstanding_principal: format(state.outstandingPrincipal))
    }

    /// Money received after a write-off (issue 16): a recovery of the principal written off, then
    /// of the interest and then the fees that were due and unpaid on that day, up to all of it.
    /// All of it is income of its own: debit cash, credit recovery_income (the write-off's
    /// expense stays what it was). Its split is kept on the row, as a repayment's is.
    static func recover(
        _ connection: PostgresConnection, loan: LoanRecord, amount: Amount, date: LocalDate, writtenOffOn: LocalDate,
        repayments: [LoanRecord.Repayment], actor: Actor
    ) throws -> RepaymentView {
        guard date >= writtenOffOn else {
            throw RavnaqError.rule(.loanWrittenOff,
                                   message: "loan \(loan.number) was written off on \(writtenOffOn); a payment dated before that cannot be recorded now")
        }
        let recovered = repayments.filter { $0.kind == "recovery" && $0.reversedOn == nil }.reduce(Allocation.zero) { $0 + $1.allocation }
        let owed = Allocation(principal: loan.writtenOffPrincipal ?? .zero, interest: loan.writtenOffInterest, fees: loan.writtenOffFees)
        let left = Allocation(principal: owed.principal - recovered.principal, interest: owed.interest - recovered.interest,
                              fees: owed.fees - recovered.fees)
        guard amount <= left.total else {
            throw RavnaqError.rule(.overpayment,
                                   message: "the amount is more than the \(loan.currency.format(left.total)) that was owed when the loan was written off and is not yet recovered")
        }
        let principal = min(amount, left.principal)
        let interest = min(amount - principal, left.interest)
        let split = Allocation(principal: principal, interest: interest, fees: amount - principal - interest)
        let transaction = try Ledger.post(
            connection, organizationID: actor.organizationID, currency: loan.currency, on: date, kind: .recovery,
            memo: "recovery on \(loan.number)", entries: [.debit(.cash, amount), .credit(.recoveryIncome, amount)])
        let format = loan.currency.format
        let id: UUID = try connection.query(
            """
            INSERT INTO repayments (organization_id, loan_id, paid_on, amount, kind, principal, interest, fees, transaction_id)
            VALUES ($1, $2, $3, $4, 'recovery', $5, $6, $7, $8) RETURNING id
            """,
            [actor.organizationID, loan.id, date, format(amount), format(split.principal), format(split.interest), format(split.fees),
             transaction]
        ).first!.decode(0)
        return RepaymentView(
            id: id.idString, loan_id: loan.id.idString, kind: "recovery", date: date.description, amount: format(amount),
            currency: loan.currency.code, allocation: AllocationView(split, loan.currency), interest_waived: format(.zero), reversed_on: nil,
            loan_status: "written_off", outstanding_principal: format(.zero))
    }

    /// Undoes a wrong repayment or recovery. The books are kept by value date, as the read model
    /// is (a reversed repayment counts on no day, the others with their current allocation): the
    /// reversing transaction is posted on the repayment's own date, and so is whatever its
    /// allocation had moved since it was recorded; each later repayment allocated afresh has its
    /// difference posted on its own date. `reversed_on` is the day it was reversed; the memo
    /// names it too, and `recorded_at` when it was booked.
    public func reverse(_ key: String, repayment repaymentID: String, _ input: DateInput, as actor: Actor,
                        idempotency: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "reverse repayments")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date", required: false)
        try errors.check()
        // The repayment's part of the resource in one spelling, whatever case the path used.
        let repaymentPart = UUID(uuidString: repaymentID)?.idString ?? repaymentID
        return try await database.once(
            as: actor, key: idempotency, operation: .repaymentReversal,
            resolve: { connection in
                let (loan, resource) = try Self.locked(key, actor)(connection)
                return (loan, resource + "/" + repaymentPart)
            }
        ) { connection, loan in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let on = date ?? today
            let repayments = try loan.repayments(connection)
            guard let target = repayments.first(where: { $0.id.idString == repaymentPart }) else {
                throw RavnaqError.notFound("repayment \(repaymentID) of loan \(loan.number)")
            }
            guard target.reversedOn == nil else {
                throw RavnaqError.rule(.repaymentAlreadyReversed, message: "the repayment was already reversed on \(target.reversedOn!)")
            }
            if loan.writtenOffOn != nil && target.kind == "repayment" {
                throw RavnaqError.rule(.loanWrittenOff, message: "loan \(loan.number) is written off: only recoveries can be reversed")
            }
            // A restructuring took what was owed on its day, after that day's repayments: undoing
            // one of them would change what it settled.
            if let restructured = loan.restructuredOn, target.kind == "repayment", target.date <= restructured {
                throw RavnaqError.rule(.loanRestructured,
                                       message: "loan \(loan.number) was restructured on \(restructured): a repayment dated on or before it cannot be reversed")
            }
            // An early payoff waived interest on what was owed after every repayment before it:
            // undoing one of those would leave the waiver standing on other figures. The payoff
            // is reversed first, and its waiver with it.
            if target.kind == "repayment",
               let payoff = LoanRecord.live(repayments).first(where: { $0.interestWaived.isPositive && $0.id != target.id }) {
                throw RavnaqError.rule(.paidOffEarly,
                                       message: "loan \(loan.number) was paid off on \(payoff.date) with interest to date: reverse that payoff first")
            }
            guard on >= target.date, on <= today else {
                throw RavnaqError.invalid("/date", "must be between the \(target.kind) on \(target.date) and today")
            }
            let memo = "reversal of the \(target.kind) of \(loan.number) on \(target.date), reversed on \(on)"
            let reversal = try Ledger.reverse(connection, transaction: target.transactionID, organizationID: actor.organizationID,
                                              on: target.date, memo: memo)
            try connection.query("UPDATE repayments SET reversed_on = $2, reversal_transaction = $3 WHERE id = $1", [target.id, on, reversal])

            if target.kind == "repayment" {
                // Its transaction holds the allocation it was recorded with; an earlier reversal may
                // have moved it since. What moved goes back too, so that it counts for nothing.
                let recorded = try Ledger.allocation(connection, transaction: target.transactionID, currency: loan.currency)
                try Self.postReallocation(connection, loan: loan, on: target.date, from: target.allocation, to: recorded,
                                          memo: memo + ": the reallocations of it undone", actor: actor)
                try Self.reallocate(connection, loan: loan, remaining: LoanRecord.live(repayments).filter { $0.id != target.id },
                                    after: memo, actor: actor)
            }
            let (state, _) = try loan.state(connection, asOf: today)
            if loan.status == "repaid" && !state.isFullyPaid {
                try connection.query("UPDATE loans SET status = 'active', repaid_on = NULL WHERE id = $1", [loan.id])
            }
            let format = loan.currency.format
            return RepaymentView(
                id: target.id.idString, loan_id: loan.id.idString, kind: target.kind, date: target.date.description,
                amount: format(target.amount), currency: loan.currency.code, allocation: AllocationView(target.allocation, loan.currency),
                interest_waived: format(target.interestWaived), reversed_on: on.description, loan_status: loan.status == "written_off" ? "written_off" : (state.isFullyPaid ? "repaid" : "active"),
                outstanding_principal: format(loan.status == "written_off" ? .zero : state.outstandingPrincipal))
        }
    }

    /// Allocates `remaining` afresh; each repayment whose allocation changes has the difference
    /// posted on its own date, so the ledger as of any day counts it as it is allocated now.
    static func reallocate(_ connection: PostgresConnection, loan: LoanRecord, remaining: [LoanRecord.Repayment], after reversal: String,
                           actor: Actor) throws {
        guard let last = remaining.map(\.date).max() else { return }
        let state = LoanReplay.state(schedule: try loan.schedule(connection), repayments: remaining.map(\.input),
                                     lateFee: loan.lateFee, restructurings: try loan.restructurings(connection), asOf: last)
        let format = loan.currency.format
        for repayment in remaining {
            let fresh = state.allocations[repayment.id.idString] ?? .zero
            guard fresh != repayment.allocation else { continue }
            try connection.query("UPDATE repayments SET principal = $2, interest = $3, fees = $4 WHERE id = $1",
                                 [repayment.id, format(fresh.principal), format(fresh.interest), format(fresh.fees)])
            try postReallocation(connection, loan: loan, on: repayment.date, from: repayment.allocation, to: fresh,
                                 memo: "reallocation of the repayment of \(loan.number) on \(repayment.date) after the \(reversal)",
                                 actor: actor)
        }
    }

    /// Posts, on a repayment's date, what moves between principal, interest and fees when its
    /// allocation changes from `old` to `new` (the same amount: the transaction balances).
    static func postReallocation(_ connection: PostgresConnection, loan: LoanRecord, on date: LocalDate, from old: Allocation,
                                 to new: Allocation, memo: String, actor: Actor) throws {
        guard old != new else { return }
        try Ledger.post(
            connection, organizationID: actor.organizationID, currency: loan.currency, on: date, kind: .reallocation, memo: memo,
            entries: [.credit(.loansReceivable, new.principal - old.principal), .credit(.interestIncome, new.interest - old.interest),
                      .credit(.feeIncome, new.fees - old.fees)])
    }

    /// Writes off the principal still outstanding on the date (debit loan_loss_expense, credit
    /// loans_receivable); the loan is `written_off` from that date on. A date before the latest
    /// repayment not reversed is refused: that repayment's principal would then be counted after
    /// the loan was gone. Reversed repayments count on no day, in the books as in the portfolio,
    /// so they do not stand in the way, and a repayment of a written-off loan cannot be reversed.
    public func writeOff(_ key: String, _ input: DateInput, as actor: Actor, idempotency: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "write off loans")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let reason = errors.text(input.reason, "/reason")
        try errors.check()
        return try await database.once(
            as: actor, key: idempotency, operation: .writeOff, resolve: Self.locked(key, actor)
        ) { connection, loan in
            if try Approvals.needed(.writeOff, loan: loan, connection) {
                return try Approvals.request(.writeOff, loan: loan, on: date!, reason: reason!, connection, actor: actor) {
                    _ = try Self.writeOff(connection, loan: loan, on: date!, reason: reason!, actor: actor)
                }
            }
            return try Self.writeOff(connection, loan: loan, on: date!, reason: reason!, actor: actor)
        }
    }

    /// Writes off a loan already found and locked (a request, or an approved one).
    static func writeOff(_ connection: PostgresConnection, loan: LoanRecord, on date: LocalDate, reason: String, actor: Actor) throws -> LoanView {
        guard loan.status == "active", let disbursedOn = loan.disbursedOn else {
            throw RavnaqError.rule(.loanNotActive, message: "only an active loan can be written off; loan \(loan.number) is \(loan.status)")
        }
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        guard date >= disbursedOn, date <= today else {
            throw RavnaqError.invalid("/date", "must be between the disbursement on \(disbursedOn) and today")
        }
        let (state, repayments) = try loan.state(connection, asOf: date)
        if let latest = LoanRecord.live(repayments).map(\.date).max(), latest > date {
            throw RavnaqError.invalid("/date", "must not be before the latest repayment on \(latest)")
        }
        let principal = state.outstandingPrincipal
        // Interest and fees were never booked (they are income when paid): only the principal
        // is an expense. What else was due and unpaid is kept, for recoveries to bring in.
        let due = state.installments.filter { $0.dueOn <= date }
        let interest = due.reduce(Amount.zero) { $0 + $1.interest - $1.interestPaid }
        let fees = state.installments.reduce(Amount.zero) { $0 + $1.fees - $1.feesPaid }
        let transaction = try Ledger.post(
            connection, organizationID: actor.organizationID, currency: loan.currency, on: date, kind: .writeOff,
            memo: "write-off of \(loan.number): \(reason)",
            entries: [.debit(.loanLossExpense, principal), .credit(.loansReceivable, principal)])
        let format = loan.currency.format
        try connection.query(
            """
            UPDATE loans SET status = 'written_off', written_off_on = $2, written_off_principal = $3, write_off_reason = $4,
                             write_off_transaction = $5, written_off_interest = $6, written_off_fees = $7
            WHERE id = $1
            """,
            [loan.id, date, format(principal), reason, principal.isZero ? nil : transaction, format(interest), format(fees)])
        return try Self.view(connection, key: loan.id.idString, actor: actor, asOf: today)
    }

    /// The coordinator's daily collection list: late loans, most days late first, then by number.
    /// Its cursor carries the date the first page was computed for (the organization's today
    /// unless `as_of` was given), so that every page of one list is of the same day.
    public func late(asOf: String?, page: Page, as actor: Actor) async throws -> Paged<LateLoan> {
        try await late(asOf: asOf, page: page, as: actor, everyLoan: false)
    }

    /// `everyLoan` works out every loan's figures even as of today (the tests compare the two ways).
    func late(asOf: String?, page: Page, as actor: Actor, everyLoan: Bool) async throws -> Paged<LateLoan> {
        let date = try FieldErrors.asOf(asOf)
        let list = ListKey("/loans?overdue=true", of: actor, filters: [asOf ?? ""], keys: 3)
        let after = try page.after(in: list)
        // One index probe per row of the page (members_family); grant officers may not read names.
        let head = actor.seesPersonalData
            ? "(SELECT h.full_name FROM members h WHERE h.family_id = f.id AND h.relation = 'head' ORDER BY h.created_at, h.id LIMIT 1)"
            : "NULL::text"
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let asOf = try after.map { try LocalDate(postgresText: $0[0]) } ?? date ?? today
            // As of today or later no repayment is dated after the day, so loan_late_from() of the
            // history (sql/definitions/55_loans.sql) says how late each loan is, and an index gives
            // the late ones most days late first: figures are worked out for the page's loans only.
            let sql = asOf >= today && !everyLoan ? Self.lateFromHistories(head: head) : Self.lateFromFigures(head: head)
            let rows = try connection.query(sql, [actor.organizationID, asOf, after?[1], after?[2], page.limit + 1]).rows
            return try Paged(rows: rows, page: page, list: list) {
                LateLoan(id: try $0.decode(0, as: UUID.self).idString, number: try $0.decode(1),
                         family_id: try $0.decode(8, as: UUID.self).idString, family_code: try $0.decode(2),
                         family_head: try $0.decode(9, as: String?.self),
                         mentor: try $0.decode(3, as: String?.self), days_past_due: try $0.decode(4), overdue: try $0.decode(5),
                         outstanding_principal: try $0.decode(6), currency: try $0.decode(7))
            }
        }
    }

    /// What the overdue list shows of each loan, then its sort keys (as_of, days past due, number).
    private static func lateColumns(head: String) -> String {
        """
        SELECT l.id, l.number, f.code, u.email, fig.days_past_due, fig.overdue::numeric(18,2)::text,
               fig.outstanding_principal::numeric(18,2)::text, l.currency, f.id, \(head),
               $2::date::text, fig.days_past_due::text, l.number
        """
    }

    /// Any day: every loan's figures as of it, the late ones kept.
    static func lateFromFigures(head: String) -> String {
        lateColumns(head: head) + "\n" + """
            FROM loans l
            JOIN projects p ON p.id = l.project_id
            JOIN families f ON f.id = p.family_id
            LEFT JOIN mentor_assignments a ON a.family_id = f.id AND a.from_on <= $2 AND (a.to_on IS NULL OR a.to_on > $2)
            LEFT JOIN users u ON u.id = a.mentor_id
            CROSS JOIN LATERAL loan_figures(l.id, $2) fig
            WHERE l.organization_id = $1 AND fig.days_past_due > 0
              AND ravnaq_may_see_family(f.id)
              AND ($3::integer IS NULL OR fig.days_past_due < $3 OR (fig.days_past_due = $3 AND l.number > $4::text))
            ORDER BY fig.days_past_due DESC, l.number
            LIMIT $5
            """
    }

    /// Today or later: the page's loans from their histories' loan_late_from(), oldest first.
    static func lateFromHistories(head: String) -> String {
        lateColumns(head: head) + "\n" + """
            FROM (
                SELECT h.loan_id, h.family_id, loan_late_from(h.due_on, h.scheduled, h.covered, h.tolerance) AS late_from, l.number
                FROM loan_histories h JOIN loans l ON l.id = h.loan_id
                WHERE h.organization_id = $1 AND loan_late_from(h.due_on, h.scheduled, h.covered, h.tolerance) < $2
                  AND loan_live_on(l.disbursed_on, l.written_off_on, $2) AND ravnaq_may_see_family(h.family_id)
                  AND ($3::integer IS NULL OR loan_late_from(h.due_on, h.scheduled, h.covered, h.tolerance) > $2::date - $3
                       OR (loan_late_from(h.due_on, h.scheduled, h.covered, h.tolerance) = $2::date - $3 AND l.number > $4::text))
                ORDER BY 3, l.number
                LIMIT $5
            ) c
            JOIN loans l ON l.id = c.loan_id
            JOIN families f ON f.id = c.family_id
            LEFT JOIN mentor_assignments a ON a.family_id = f.id AND a.from_on <= $2 AND (a.to_on IS NULL OR a.to_on > $2)
            LEFT JOIN users u ON u.id = a.mentor_id
            CROSS JOIN LATERAL loan_figures(l.id, $2) fig
            ORDER BY c.late_from, c.number
            """
    }

    /// A loan's repayments and recoveries, reversed ones included, in date order (paid_on, then
    /// id), each with its current allocation and the day it was reversed. The loan is named and
    /// seen as elsewhere: another organization's, or a family not assigned to a mentor, is a 404.
    public func repayments(_ key: String, page: Page, as actor: Actor) async throws -> Paged<RepaymentItem> {
        try await database.transaction(as: actor) { connection in
            let loan = try Self.load(connection, key, actor)
            let list = ListKey("/loans/{id}/repayments", of: actor, filters: [loan.id.idString])
            let after = try page.after(in: list)
            let rows = try connection.query(
                """
                SELECT r.id, r.paid_on, r.amount::text, r.kind, r.principal::text, r.interest::text, r.fees::text, r.reversed_on,
                       r.transaction_id, r.interest_waived::text, r.paid_on::text, r.id::text
                FROM repayments r
                WHERE r.loan_id = $1 AND r.organization_id = $2
                  AND ($3::date IS NULL OR (r.paid_on, r.id) > ($3::date, $4::uuid))
                ORDER BY r.paid_on, r.id LIMIT $5
                """,
                [loan.id, actor.organizationID, after?[0], after?[1], page.limit + 1]
            ).rows
            return try Paged(rows: rows, page: page, list: list) {
                RepaymentItem(try LoanRecord.Repayment(row: $0, currency: loan.currency), currency: loan.currency)
            }
        }
    }

    public func list(projectID: String?, page: Page, as actor: Actor) async throws -> ListPage {
        var errors = FieldErrors()
        let project = errors.id(projectID, "/project_id", required: false)
        try errors.check()
        let list = ListKey("/loans", of: actor, filters: [project?.idString ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            return try ListPage(
                result: connection.query(
                    """
                    SELECT json_build_object('id', l.id, 'number', l.number, 'project_id', l.project_id, 'programme_id', l.programme_id,
                                             'status', fig.status, 'currency', l.currency, 'principal', l.principal::text,
                                             'outstanding_principal', fig.outstanding_principal::numeric(18,2)::text,
                                             'days_past_due', fig.days_past_due)::text,
                           l.created_at::text, l.id
                    FROM loans l CROSS JOIN LATERAL loan_figures(l.id, $6) fig
                    WHERE l.organization_id = $1 AND ($2::uuid IS NULL OR l.project_id = $2)
                      AND ravnaq_may_see_family((SELECT family_id FROM projects WHERE id = l.project_id))
                      AND ($3::timestamptz IS NULL OR (l.created_at, l.id) > ($3, $4::uuid))
                    ORDER BY l.created_at, l.id LIMIT $5
                    """,
                    [actor.organizationID, project, after?[0], after?[1], page.limit + 1, today]),
                page: page, list: list)
        }
    }

    // MARK: Helpers

    static func load(_ connection: PostgresConnection, _ key: String, _ actor: Actor, lock: Bool = false) throws -> LoanRecord {
        try LoanRecord.load(connection, key: key, organizationID: actor.organizationID, lock: lock).orThrow("loan \(key)")
    }

    /// Finds and locks the loan a money movement acts on, named by its id for idempotency.
    static func locked(_ key: String, _ actor: Actor) -> @Sendable (PostgresConnection) throws -> (target: LoanRecord, resource: String) {
        { connection in
            let loan = try load(connection, key, actor, lock: true)
            return (loan, loan.id.idString)
        }
    }

    static func view(_ connection: PostgresConnection, key: String, actor: Actor, asOf: LocalDate?) throws -> LoanView {
        let loan = try load(connection, key, actor)
        let asOf = try asOf ?? Organizations.today(connection, organizationID: actor.organizationID)
        return loan.view(figures: try LoanFigures.read(connection, loan: loan, asOf: asOf),
                         repayments: try loan.repayments(connection), asOf: asOf)
    }

    static func refusal(_ error: RepaymentError) -> Refusal {
        switch error {
        case .nonPositiveAmount: .invalidAmount
        case .beforeDisbursement: .repaymentBeforeDisbursement
        case .beforeLatestRepayment, .beforeLatestRestructuring: .repaymentBeforeLatest
        case .overpayment: .overpayment
        }
    }
}

public struct LateLoan: Encodable, Sendable, ListItem {
    public let id: String
    public let number: String
    public let family_id: String
    public let family_code: String
    /// The head of the family's full name; null for grant officers, or when there is none.
    public let family_head: String?
    public let mentor: String?
    public let days_past_due: Int
    public let overdue: String
    public let outstanding_principal: String
    public let currency: String

    /// Every key, null included (`mentor`, `family_head`), as the OpenAPI document says.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(number, forKey: .number)
        try container.encode(family_id, forKey: .family_id)
        try container.encode(family_code, forKey: .family_code)
        try container.encode(family_head, forKey: .family_head)
        try container.encode(mentor, forKey: .mentor)
        try container.encode(days_past_due, forKey: .days_past_due)
        try container.encode(overdue, forKey: .overdue)
        try container.encode(outstanding_principal, forKey: .outstanding_principal)
        try container.encode(currency, forKey: .currency)
    }

    enum CodingKeys: String, CodingKey {
        case id, number, family_id, family_code, family_head, mentor, days_past_due, overdue, outstanding_principal, currency
    }
}
