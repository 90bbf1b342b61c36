import Dates
import Foundation
import Postgres
import RavnaqMoney

/// Grants (SPEC §5): a total in ordered tranches, each disbursed once, in order, when its
/// condition holds and, where the programme asks for it, after a grant officer's approval.
/// Expenses account for what was disbursed. A grant is named by its id or by its readable
/// number (`G-000045`, also `G-45`) wherever one is taken.
///
/// The database refuses the same things (tranche sum, in-order and once triggers in
/// `sql/definitions/60_grants.sql`); the checks here come first so that the refusal names the rule and
/// the figures.
public struct Grants: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    // MARK: Opening a grant

    public func create(_ input: GrantInput, as actor: Actor) async throws -> GrantView {
        try actor.require(.admin, .coordinator, to: "open grants")
        return try await database.transaction(as: actor) { connection in
            try Self.create(connection, input, externalRef: nil, actor: actor)
        }
    }

    /// Opens a grant (a request, or rows of an import, which name it by the register's own
    /// number, `externalRef`).
    static func create(_ connection: PostgresConnection, _ input: GrantInput, externalRef: String?, actor: Actor) throws -> GrantView {
        var errors = FieldErrors()
        // Ids, or what a person types: the programme's name, the family's code for its one project.
        var programmeID: UUID?
        var programmeCurrency: Currency?
        if let key = errors.text(input.programme_id, "/programme_id") {
            programmeID = try References.programme(key, connection, organizationID: actor.organizationID)
            if let programmeID, let row = try connection.query(
                "SELECT currency FROM programmes WHERE id = $1 AND organization_id = $2", [programmeID, actor.organizationID]
            ).first {
                programmeCurrency = Currency.named(try row.decode(0, as: String.self))
            } else {
                errors.add("/programme_id", "there is no programme \(key) in this organization")
            }
        }
        var projectID: UUID?
        if let key = errors.text(input.project_id, "/project_id") {
            projectID = try References.project(key, connection, organizationID: actor.organizationID, pointer: "/project_id")
            if projectID == nil { errors.add("/project_id", "there is no project \(key) in this organization") }
        }
        let currency = errors.currency(input.currency, "/currency")
        if let currency, let programmeCurrency, currency != programmeCurrency {
            errors.add("/currency", "must be the programme's currency, \(programmeCurrency.code)")
        }
        // Amounts are read in the programme's currency when the request's own is wrong, so
        // that their errors are reported in the same answer.
        let amountCurrency = programmeCurrency ?? currency
        let total = errors.amount(input.total, "/total", currency: amountCurrency)
        var tranches: [(amount: Amount, plannedOn: LocalDate, condition: GrantCondition)] = []
        if let inputs = input.tranches {
            if inputs.isEmpty { errors.add("/tranches", "must have at least one tranche") }
            if inputs.count > Self.maximumTranches { errors.add("/tranches", "may have at most \(Self.maximumTranches) tranches") }
            var previousPlannedOn: LocalDate?
            for (index, tranche) in inputs.enumerated() {
                let amount = errors.amount(tranche.amount, "/tranches/\(index)/amount", currency: amountCurrency)
                let plannedOn = errors.date(tranche.planned_on, "/tranches/\(index)/planned_on")
                let condition = errors.choice(tranche.condition ?? GrantCondition.unconditional.rawValue,
                                              "/tranches/\(index)/condition", as: GrantCondition.self)
                if let plannedOn, let previousPlannedOn, plannedOn < previousPlannedOn {
                    errors.add("/tranches/\(index)/planned_on", "must not be before the planned date of tranche \(index)")
                }
                if let plannedOn { previousPlannedOn = plannedOn }
                if let amount, let plannedOn, let condition { tranches.append((amount, plannedOn, condition)) }
            }
        } else {
            errors.add("/tranches", "is required")
        }
        try errors.check()
        let grantCurrency = currency!
        let sum = GrantRules.sum(tranches.map(\.amount))
        guard let sum, sum == total! else {
            throw RavnaqError.rule(
                .grantTranchesSum,
                message: "the tranches add up to \(sum.map(grantCurrency.format) ?? "more than can be stored"), "
                    + "not to the grant's total of \(grantCurrency.format(total!)) \(grantCurrency.code)")
        }
        let id: UUID = try connection.query(
            """
            INSERT INTO grants (organization_id, programme_id, project_id, currency, total, external_ref)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """,
            [actor.organizationID, programmeID!, projectID!, grantCurrency.code, grantCurrency.format(total!), externalRef]
        ).first!.decode(0)
        try connection.query(
            """
            INSERT INTO grant_tranches (organization_id, grant_id, n, amount, planned_on, condition)
            SELECT $1, $2, t.n, t.amount, t.planned_on, t.condition
            FROM unnest($3::integer[], $4::numeric[], $5::date[], $6::text[]) AS t (n, amount, planned_on, condition)
            """,
            [actor.organizationID, id, postgresArray(tranches.indices.map { String($0 + 1) }),
             postgresArray(tranches.map { grantCurrency.format($0.amount) }),
             postgresArray(tranches.map(\.plannedOn.description)), postgresArray(tranches.map(\.condition.rawValue))])
        let view = try Self.views(connection, actor: actor, where: "g.id = $3", [id]).first.orThrow("grant \(id.idString)")
        // Its tranches wait for a grant officer when the programme asks for approval: they are told now (issue 17).
        if try connection.query("SELECT tranche_approval FROM programmes WHERE id = $1", [programmeID!]).first!.decode(0, as: Bool.self) {
            try Notifications.tranchesWaiting(connection, organization: actor.organizationID, grant: id, number: view.number,
                                              total: view.total, currency: view.currency)
        }
        return view
    }

    static let maximumTranches = 100

    // MARK: Reading

    /// One grant, by id or number.
    public func get(_ reference: String, as actor: Actor) async throws -> GrantView {
        guard let (clause, value) = Self.reference(reference) else { throw RavnaqError.notFound("grant \(reference)") }
        return try await database.transaction(as: actor) { connection in
            try Self.views(connection, actor: actor, where: clause, [value]).first
        }.orThrow("grant \(reference)")
    }

    /// The grants the actor may see, oldest first; optionally those of one project.
    public func list(projectID: String? = nil, page: Page = Page(), as actor: Actor) async throws -> Paged<GrantView> {
        var errors = FieldErrors()
        let project = errors.id(projectID, "/project_id", required: false)
        try errors.check()
        let list = ListKey("/grants", of: actor, filters: [project?.idString ?? ""])
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            let (views, keys) = try Self.views(
                connection, actor: actor,
                where: "($3::uuid IS NULL OR g.project_id = $3) AND ($4::timestamptz IS NULL OR (g.created_at, g.id) > ($4, $5::uuid))",
                [project, after?[0], after?[1]], limit: page.limit + 1)
            return try Paged(fetched: views, more: views.count > page.limit, page: page, list: list) { keys[$0] }
        }
    }

    /// A grant's expenses, in date order (expenses of one day in the order they were recorded).
    public func expenses(grant reference: String, page: Page = Page(), as actor: Actor) async throws -> Paged<GrantExpenseView> {
        let grant = try await get(reference, as: actor)
        let currency = Currency.named(grant.currency)!
        let list = ListKey("/grants/{id}/expenses", of: actor, filters: [grant.id], keys: 3)
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            let rows = try connection.query(
                """
                SELECT e.id, e.grant_id, e.spent_on, e.category, e.amount::text, e.receipt, e.spent_on::text, e.recorded_at::text, e.id::text
                FROM grant_expenses e
                WHERE e.grant_id = $1 AND e.organization_id = $2
                  AND ($3::date IS NULL OR (e.spent_on, e.recorded_at, e.id) > ($3::date, $4::timestamptz, $5::uuid))
                ORDER BY e.spent_on, e.recorded_at, e.id LIMIT $6
                """,
                [UUID(uuidString: grant.id)!, actor.organizationID, after?[0], after?[1], after?[2], page.limit + 1]
            ).rows
            return try Paged(rows: rows, page: page, list: list) { try Self.expenseView($0, currency: currency) }
        }
    }

    // MARK: Approving, disbursing, spending

    /// A grant officer approves a tranche, where the grant's programme asks for approval.
    /// Approving an approved tranche again changes nothing and answers the grant. The tranche's
    /// row is locked, not the grant's: a grant officer may change nothing else (sql/001_baseline.sql), and a
    /// disbursement updates that row too, so the two still take turns.
    public func approve(grant reference: String, tranche n: Int, as actor: Actor) async throws -> GrantView {
        try actor.require(.grantOfficer, to: "approve grant tranches")
        return try await database.transaction(as: actor) { connection in
            let grant = try Self.lock(connection, reference: reference, actor: actor, grantRow: false)
            guard grant.trancheApproval else {
                throw RavnaqError.rule(
                    .approvalNotRequired,
                    message: "the programme of grant \(grant.number) does not ask for tranche approval")
            }
            let tranche = try connection.query(Self.trancheSQL + " WHERE grant_id = $1 AND n = $2 FOR UPDATE", [grant.id, n]).first
                .map { try Self.trancheRow($0, currency: grant.currency).1 }.orThrow("tranche \(n) of grant \(grant.number)")
            if let disbursedOn = tranche.disbursedOn {
                throw RavnaqError.rule(
                    .trancheAlreadyDisbursed,
                    message: "tranche \(n) of grant \(grant.number) was already disbursed on \(disbursedOn)")
            }
            if !tranche.approved {
                try connection.query(
                    "UPDATE grant_tranches SET approved_at = now(), approved_by = $3 WHERE grant_id = $1 AND n = $2",
                    [grant.id, n, actor.name])
            }
            return try Self.views(connection, actor: actor, where: "g.id = $3", [grant.id]).first!
        }
    }

    /// Pays out tranche `n` (debit grant_expense, credit cash) and answers the grant. Refused
    /// with 422 when the tranche was already disbursed, an earlier one was not, the programme's
    /// approval is missing or the tranche's condition does not hold. Honours Idempotency-Key.
    public func disburse(
        grant reference: String, tranche n: Int, _ input: DisbursementInput, as actor: Actor, key: IdempotencyKey?
    ) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "disburse grant tranches")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        try errors.check()
        return try await database.once(
            as: actor, key: key, operation: .trancheDisbursement,
            resolve: { connection in
                let grant = try Self.lock(connection, reference: reference, actor: actor)
                return (grant, "\(grant.id.idString)/\(n)")
            }
        ) { connection, grant in
            try Self.disburse(connection, grant: grant, tranche: n, on: date!, actor: actor)
        }
    }

    /// Disburses tranche `n` of a grant already found and locked (a request, or a row of an import).
    static func disburse(_ connection: PostgresConnection, grant: LockedGrant, tranche n: Int, on date: LocalDate,
                         actor: Actor) throws -> GrantView {
        let tranches = try Self.tranches(connection, grant: grant)
        let tranche = try tranches.first { $0.n == n }.orThrow("tranche \(n) of grant \(grant.number)")
        if let disbursedOn = tranche.disbursedOn {
            throw RavnaqError.rule(
                .trancheAlreadyDisbursed,
                message: "tranche \(n) of grant \(grant.number) was already disbursed on \(disbursedOn)")
        }
        let earlier = tranches.filter { $0.n < n }
        if let waiting = earlier.first(where: { $0.disbursedOn == nil }) {
            throw RavnaqError.rule(
                .trancheOutOfOrder,
                message: "tranche \(n) of grant \(grant.number) cannot be disbursed before tranche \(waiting.n)")
        }
        if let latest = earlier.compactMap(\.disbursedOn).max(), date < latest {
            throw RavnaqError.rule(
                .disbursementBeforePreviousTranche,
                message: "tranche \(n) cannot be disbursed on \(date), before the previous tranche (\(latest))")
        }
        if grant.trancheApproval && !tranche.approved {
            throw RavnaqError.rule(
                .approvalRequired,
                message: "the programme asks for a grant officer's approval of tranche \(n) of grant \(grant.number) before it is disbursed")
        }
        if let unmet = try Self.unmetCondition(connection, grant: grant, tranche: tranche, earlier: earlier, on: date, actor: actor) {
            throw RavnaqError.rule(
                .conditionNotMet,
                message: "tranche \(n) of grant \(grant.number) waits for \(tranche.condition.rawValue): \(unmet)")
        }
        let transaction = try Ledger.post(
            connection, organizationID: actor.organizationID, currency: grant.currency, on: date, kind: .grantDisbursement,
            memo: "grant \(grant.number) tranche \(n)",
            entries: [.debit(.grantExpense, tranche.amount), .credit(.cash, tranche.amount)])
        try connection.query(
            "UPDATE grant_tranches SET disbursed_on = $3, transaction_id = $4 WHERE grant_id = $1 AND n = $2",
            [grant.id, n, date, transaction])
        return try Self.views(connection, actor: actor, where: "g.id = $3", [grant.id]).first!
    }

    /// Records what the family spent of the grant. Expenses may not add up to more than was
    /// disbursed (utilization stays at most 1). Honours Idempotency-Key; answers the expense.
    public func recordExpense(
        grant reference: String, _ input: ExpenseInput, as actor: Actor, key: IdempotencyKey?
    ) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "record grant expenses")
        let grant = try await get(reference, as: actor)
        let currency = Currency.named(grant.currency)!
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let category = errors.choice(input.category, "/category", as: ExpenseCategory.self)
        let amount = errors.amount(input.amount, "/amount", currency: currency)
        let receipt = errors.text(input.receipt, "/receipt", required: false)
        if let receipt, receipt.count > 200 { errors.add("/receipt", "must be at most 200 characters") }
        try errors.check()
        return try await database.once(
            as: actor, key: key, operation: .grantExpense,
            resolve: { connection in
                let locked = try Self.lock(connection, reference: grant.id, actor: actor)
                return (locked, locked.id.idString)
            }
        ) { connection, locked in
            let totals = try connection.query(
                """
                SELECT (SELECT coalesce(sum(amount), 0)::text FROM grant_tranches WHERE grant_id = $1 AND disbursed_on IS NOT NULL),
                       (SELECT coalesce(sum(amount), 0)::text FROM grant_expenses WHERE grant_id = $1)
                """,
                [locked.id]
            ).first!
            let disbursed = try currency.amount(numeric: totals.decode(0))
            let spent = try currency.amount(numeric: totals.decode(1))
            guard let after = GrantRules.sum([spent, amount!]), after <= disbursed else {
                throw RavnaqError.rule(
                    .expensesExceedDisbursed,
                    message: "grant \(locked.number) has \(currency.format(disbursed)) \(currency.code) disbursed and "
                        + "\(currency.format(spent)) accounted for: an expense of \(currency.format(amount!)) would exceed what was disbursed")
            }
            let row = try connection.query(
                """
                INSERT INTO grant_expenses (organization_id, grant_id, spent_on, category, amount, receipt)
                VALUES ($1, $2, $3, $4, $5, $6)
                RETURNING id, grant_id, spent_on, category, amount::text, receipt
                """,
                [actor.organizationID, locked.id, date!, category!.rawValue, currency.format(amount!), receipt]
            ).first!
            return try Self.expenseView(row, currency: currency)
        }
    }

    // MARK: Conditions

    /// Why the tranche's condition does not hold on `date`, or nil when it holds.
    static func unmetCondition(
        _ connection: PostgresConnection, grant: LockedGrant, tranche: TrancheRow, earlier: [TrancheRow], on date: LocalDate,
        actor: Actor
    ) throws -> String? {
        switch tranche.condition {
        case .unconditional:
            return nil
        case .businessPlanApproved:
            let approvedOn = try connection.query(
                "SELECT business_plan_approved_on FROM projects WHERE id = $1 AND organization_id = $2",
                [grant.projectID, actor.organizationID]
            ).first!.decode(0, as: LocalDate?.self)
            return approvedOn == nil ? "the project's business plan has not been approved" : nil
        case .previousTrancheAccounted:
            let currency = grant.currency
            let disbursedBefore = GrantRules.sum(earlier.map(\.amount))!
            let expenses = try currency.amount(numeric: connection.query(
                "SELECT coalesce(sum(amount), 0)::text FROM grant_expenses WHERE grant_id = $1 AND spent_on <= $2",
                [grant.id, date]
            ).first!.decode(0))
            guard !GrantRules.previousTranchesAccounted(expenses: expenses, disbursedBefore: disbursedBefore) else { return nil }
            return "expenses up to \(date) are \(currency.format(expenses)) \(currency.code) of \(currency.format(disbursedBefore)) "
                + "disbursed before; at least \(currency.format(GrantRules.expensesNeeded(disbursedBefore: disbursedBefore))) (80 %) are needed"
        case .trainingCompleted:
            return try familyCompletedTraining(connection, projectID: grant.projectID, organizationID: actor.organizationID, on: date)
                ? nil : "no member of the family has completed a course by \(date)"
        }
    }

    /// `training_completed`: some member of the project's family completed a course on or
    /// before `date` (SPEC §6).
    static func familyCompletedTraining(_ connection: PostgresConnection, projectID: UUID, organizationID: UUID, on date: LocalDate) throws -> Bool {
        try connection.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM enrollments e
                JOIN members m ON m.id = e.member_id
                JOIN projects p ON p.family_id = m.family_id
                WHERE p.id = $1 AND p.organization_id = $2 AND e.organization_id = $2 AND e.completed AND e.completed_on <= $3)
            """,
            [projectID, organizationID, date]
        ).first!.decode(0)
    }

    // MARK: Queries

    /// The grant a write acts on, locked until the transaction ends (unless `grantRow` is false),
    /// so that two disbursements or expenses of one grant are checked one after the other.
    struct LockedGrant: Sendable {
        let id: UUID
        let number: String
        let currency: Currency
        let projectID: UUID
        let trancheApproval: Bool
    }

    struct TrancheRow: Sendable {
        let n: Int
        let amount: Amount
        let plannedOn: LocalDate
        let condition: GrantCondition
        let approved: Bool
        let approvedBy: String?
        let disbursedOn: LocalDate?
    }

    static func lock(_ connection: PostgresConnection, reference: String, actor: Actor, grantRow: Bool = true) throws -> LockedGrant {
        guard let (clause, value) = Self.reference(reference, parameter: 2) else { throw RavnaqError.notFound("grant \(reference)") }
        guard let row = try connection.query(
            """
            SELECT g.id, g.number, g.currency, g.project_id, pg.tranche_approval
            FROM grants g JOIN programmes pg ON pg.id = g.programme_id
            WHERE g.organization_id = $1 AND \(clause)
            \(grantRow ? "FOR UPDATE OF g" : "")
            """,
            [actor.organizationID, value]
        ).first else { throw RavnaqError.notFound("grant \(reference)") }
        let code: String = try row.decode(2)
        guard let currency = Currency.named(code) else {
            throw RavnaqError.fault("grant currency \(code) is not known")
        }
        return LockedGrant(id: try row.decode(0), number: try row.decode(1), currency: currency, projectID: try row.decode(3),
                           trancheApproval: try row.decode(4))
    }

    static func tranches(_ connection: PostgresConnection, grant: LockedGrant) throws -> [TrancheRow] {
        try connection.query(trancheSQL + " WHERE grant_id = $1 ORDER BY n", [grant.id]).rows.map {
            try trancheRow($0, currency: grant.currency).1
        }
    }

    /// `g.id = $n` for an id, `g.number = $n` for a readable number (`G-45` is `G-000045`);
    /// nil for text that is neither.
    static func reference(_ text: String, parameter: Int = 3) -> (String, any PostgresEncodable)? {
        if let id = UUID(uuidString: text) { return ("g.id = $\(parameter)", id) }
        let upper = text.uppercased()
        guard upper.hasPrefix("G-") else { return nil }
        let digits = upper.dropFirst(2)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let significant = String(digits.drop { $0 == "0" })
        let padded = String(repeating: "0", count: max(0, 6 - significant.count)) + significant
        return ("g.number = $\(parameter)", "G-" + padded)
    }

    /// Grants of the actor's organization; a mentor sees only those of the families currently
    /// assigned to them (SPEC §1). `$1` is the organization, `$2` the mentor (or NULL); the
    /// condition's own parameters start at `$3`.
    static let selectSQL = """
        SELECT g.id, g.number, g.programme_id, pg.name, g.project_id, f.code, g.currency, g.total::text,
               m.disbursed::text, m.expenses::text, g.created_at::text, g.id::text, grant_utilization(m.expenses, m.disbursed)
        FROM grants g
        CROSS JOIN LATERAL (
            SELECT (SELECT coalesce(sum(t.amount), 0) FROM grant_tranches t WHERE t.grant_id = g.id AND t.disbursed_on IS NOT NULL) AS disbursed,
                   (SELECT coalesce(sum(e.amount), 0) FROM grant_expenses e WHERE e.grant_id = g.id) AS expenses) m
        JOIN programmes pg ON pg.id = g.programme_id
        JOIN projects pr ON pr.id = g.project_id
        JOIN families f ON f.id = pr.family_id
        WHERE g.organization_id = $1
          AND ($2::uuid IS NULL OR ravnaq_may_see_family(pr.family_id))
        """

    /// Stands in for a mentor without a user id (none exists): matches no assignment.
    static let nobody = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static let trancheSQL = """
        SELECT grant_id, n, amount::text, planned_on, condition, approved_at IS NOT NULL, approved_by, disbursed_on
        FROM grant_tranches
        """

    static func views(_ connection: PostgresConnection, actor: Actor, where condition: String, _ bindings: PostgresBindings) throws -> [GrantView] {
        try views(connection, actor: actor, where: condition, bindings, limit: nil).views
    }

    /// The grants that meet the condition, oldest first, at most `limit`, each with its sort keys
    /// (created_at and id as text) for a list's cursor.
    static func views(
        _ connection: PostgresConnection, actor: Actor, where condition: String, _ bindings: PostgresBindings, limit: Int?
    ) throws -> (views: [GrantView], keys: [[String]]) {
        let mentor: UUID? = actor.role == .mentor ? (actor.userID ?? Self.nobody) : nil
        // The limit is the statement's last parameter.
        let rows = try connection.query(
            selectSQL + " AND " + condition + " ORDER BY g.created_at, g.id" + (limit == nil ? "" : " LIMIT $\(bindings.count + 3)"),
            [actor.organizationID, mentor] + bindings + (limit.map { [$0] } ?? [])
        ).rows
        guard !rows.isEmpty else { return ([], []) }
        var currencies: [UUID: Currency] = [:]
        for row in rows {
            let code: String = try row.decode(6)
            currencies[try row.decode(0)] = try Currency.named(code).orThrow("currency \(code)")
        }
        var tranches: [UUID: [GrantTrancheView]] = [:]
        for row in try connection.query(
            trancheSQL + " WHERE organization_id = $1 AND grant_id = ANY($2::uuid[]) ORDER BY grant_id, n",
            [actor.organizationID, postgresArray(currencies.keys.map(\.idString))]
        ).rows {
            let grantID: UUID = try row.decode(0)
            let (id, tranche) = try trancheRow(row, currency: currencies[grantID]!)
            tranches[id, default: []].append(trancheView(tranche, currency: currencies[grantID]!))
        }
        let keys = try rows.map { [try $0.decode(10, as: String.self), try $0.decode(11, as: String.self)] }
        return (try rows.map { row in
            let id: UUID = try row.decode(0)
            let currency = currencies[id]!
            let disbursed = try currency.amount(numeric: row.decode(8))
            let expenses = try currency.amount(numeric: row.decode(9))
            return GrantView(
                id: id.idString, number: try row.decode(1), programme_id: try row.decode(2, as: UUID.self).idString,
                programme: try row.decode(3), project_id: try row.decode(4, as: UUID.self).idString, family_code: try row.decode(5),
                currency: currency.code, total: currency.format(try currency.amount(numeric: row.decode(7))),
                disbursed: currency.format(disbursed), expenses: currency.format(expenses),
                utilization: try row.decode(12, as: Decimal?.self),
                tranches: tranches[id] ?? [])
        }, keys)
    }

    static func trancheRow(_ row: PostgresRow, currency: Currency) throws -> (UUID, TrancheRow) {
        let condition: String = try row.decode(4)
        return (try row.decode(0), TrancheRow(
            n: try row.decode(1), amount: try currency.amount(numeric: row.decode(2)), plannedOn: try row.decode(3),
            condition: try GrantCondition(rawValue: condition).orThrow("condition \(condition)"), approved: try row.decode(5),
            approvedBy: try row.decode(6, as: String?.self), disbursedOn: try row.decode(7, as: LocalDate?.self)))
    }

    static func trancheView(_ tranche: TrancheRow, currency: Currency) -> GrantTrancheView {
        let status: TrancheStatus = tranche.disbursedOn != nil ? .disbursed : tranche.approved ? .approved : .pending
        return GrantTrancheView(
            n: tranche.n, amount: currency.format(tranche.amount), planned_on: tranche.plannedOn.description,
            condition: tranche.condition.rawValue, status: status.rawValue, approved: tranche.approved,
            approved_by: tranche.approvedBy, disbursed_on: tranche.disbursedOn?.description)
    }

    static func expenseView(_ row: PostgresRow, currency: Currency) throws -> GrantExpenseView {
        GrantExpenseView(
            id: try row.decode(0, as: UUID.self).idString, grant_id: try row.decode(1, as: UUID.self).idString,
            date: try row.decode(2, as: LocalDate.self).description, category: try row.decode(3),
            amount: currency.format(try currency.amount(numeric: row.decode(4))), currency: currency.code,
            receipt: try row.decode(5, as: String?.self))
    }
}
