import Dates
import Foundation
import Postgres
import RavnaqMoney

/// Projects, loans, repayments and grants, imported row by row through the very functions a
/// request runs (`Projects.create`, `Loans.open`, `Loans.disburse`, `Loans.repay`,
/// `Grants.create`, `Grants.disburse`), all in the import's one transaction. Each row runs
/// inside a savepoint: a row the rules refuse is reported and undone, and the next rows are
/// still checked, so that one answer names every problem; if there was any, the transaction
/// rolls back and nothing is written.
enum RowImport {
    typealias Progress = (@Sendable (Int, Int) -> Void)?

    // MARK: Projects

    static func projects(_ sheet: ImportSheet, _ connection: PostgresConnection, actor: Actor, progress: Progress) throws -> ImportOutcome {
        var problems = ImportProblems(sheet)
        var outcome = ImportOutcome()
        var seen: [String: Int] = [:]
        for (done, row) in sheet.rows.enumerated() {
            progress?(done, sheet.rows.count)
            var values = RowValues(sheet, row)
            let ref = values.required("project_ref")
            let input = ProjectInput(
                family_id: values.text("family_code"), type: values.text("type")?.lowercased(), title: values.text("title"),
                description: values.text("description"), started_on: values.date("started_on"),
                expected_monthly_revenue: values.amount("expected_monthly_revenue").map { AmountInput($0) },
                expected_monthly_costs: values.amount("expected_monthly_costs").map { AmountInput($0) })
            problems.add(values)
            guard values.ok, let ref else { continue }
            if let first = seen[ref.lowercased()] {
                problems.add(row, "project_ref", "\(ref) is already on row \(first)")
                continue
            }
            seen[ref.lowercased()] = row.number
            if let recorded = try connection.query(
                """
                SELECT f.code, p.type, p.title, p.description, p.started_on::text, p.expected_monthly_revenue::text,
                       p.expected_monthly_costs::text
                FROM projects p JOIN families f ON f.id = p.family_id
                WHERE p.organization_id = $1 AND (lower(p.external_ref) = lower($2) OR p.id::text = lower($2))
                ORDER BY p.external_ref IS NULL LIMIT 1
                """, [actor.organizationID, ref]).first {
                let given: [String?] = [input.family_id, input.type, input.title, input.description, input.started_on,
                             input.expected_monthly_revenue?.text ?? "0", input.expected_monthly_costs?.text ?? "0"]
                let keys = ["family_code", "type", "title", "description", "started_on", "expected_monthly_revenue", "expected_monthly_costs"]
                try compare(recorded, given, keys: keys, numeric: [5, 6], what: "project \(ref)", row: row, &problems, &outcome)
                continue
            }
            try attempt(connection, row, &problems, fields: ["family_id": "family_code"]) {
                _ = try Projects.create(connection, input, externalRef: ref, actor: actor)
                outcome.created += 1
            }
        }
        try problems.check()
        return outcome
    }

    // MARK: Loans

    static func loans(_ sheet: ImportSheet, _ connection: PostgresConnection, actor: Actor, progress: Progress) throws -> ImportOutcome {
        var problems = ImportProblems(sheet)
        var outcome = ImportOutcome()
        var seen: [String: Int] = [:]
        for (done, row) in sheet.rows.enumerated() {
            progress?(done, sheet.rows.count)
            var values = RowValues(sheet, row)
            let ref = values.required("loan_ref")
            let disbursedOn = values.date("disbursed_on")
            let programme = values.text("programme")
            var input = LoanInput(
                programme_id: programme, project_id: values.text("project_ref"), principal: values.amount("principal").map { AmountInput($0) },
                currency: values.text("currency")?.uppercased(), annual_rate: values.amount("annual_rate").map { AmountInput($0) },
                method: values.text("method")?.lowercased(), installments: values.integer("installments"),
                frequency: values.text("frequency")?.lowercased() ?? "monthly", grace_periods: values.integer("grace_periods"),
                planned_disbursement_on: values.date("planned_disbursement_on") ?? disbursedOn, first_due_on: values.date("first_due_on"))
            problems.add(values)
            guard values.ok, let ref else { continue }
            if let first = seen[ref.lowercased()] {
                problems.add(row, "loan_ref", "\(ref) is already on row \(first)")
                continue
            }
            seen[ref.lowercased()] = row.number
            if input.currency == nil, let programme {
                // A register lists the loans of one programme: its currency is the programme's.
                input.currency = try currency(of: programme, connection, actor: actor)
            }
            if let id = try References.loan(ref, connection, organizationID: actor.organizationID), let recorded = try connection.query(
                """
                SELECT p.name, l.principal::text, l.annual_rate::text, l.method, l.installments::text, l.frequency,
                       l.grace_periods::text, l.planned_disbursement_on::text, l.first_due_on::text, l.disbursed_on::text, l.currency
                FROM loans l JOIN programmes p ON p.id = l.programme_id
                WHERE l.organization_id = $1 AND l.id = $2
                """, [actor.organizationID, id]).first {
                let given: [String?] = [programme, input.principal?.text, input.annual_rate?.text, input.method, input.installments.map(String.init),
                             input.frequency, String(input.grace_periods ?? 0), input.planned_disbursement_on, input.first_due_on,
                             disbursedOn, input.currency]
                let keys = ["programme", "principal", "annual_rate", "method", "installments", "frequency", "grace_periods",
                            "planned_disbursement_on", "first_due_on", "disbursed_on", "currency"]
                try compare(recorded, given, keys: keys, numeric: [1, 2, 4, 6], what: "loan \(ref)", row: row, &problems, &outcome)
                continue
            }
            try attempt(connection, row, &problems, fields: ["programme_id": "programme", "project_id": "project_ref", "date": "disbursed_on"]) {
                let loan = try Loans.open(connection, input, externalRef: ref, actor: actor)
                if let disbursedOn {
                    let record = try Loans.load(connection, loan.id, actor, lock: true)
                    _ = try Loans.disburse(connection, loan: record, on: LocalDate(disbursedOn)!, actor: actor)
                }
                outcome.created += 1
            }
        }
        try problems.check()
        return outcome
    }

    // MARK: Repayments

    /// Repayments by loan (its register number or Ravnaq's) and date, posted in date order as if
    /// recorded one by one. A row is already on record when the loan has as many live repayments
    /// of that day and amount as the file has rows of them so far (two equal payments on one day
    /// are two rows, and both are kept).
    static func repayments(_ sheet: ImportSheet, _ connection: PostgresConnection, actor: Actor, progress: Progress) throws -> ImportOutcome {
        var problems = ImportProblems(sheet)
        var outcome = ImportOutcome()
        var pending: [(row: SheetRow, loan: UUID, date: String, amount: String)] = []
        var loans: [String: UUID] = [:]
        for row in sheet.rows {
            var values = RowValues(sheet, row)
            let key = values.required("loan")
            let date = values.date("paid_on", required: true)
            let amount = values.amount("amount", required: true)
            problems.add(values)
            guard values.ok, let key, let date, let amount else { continue }
            guard let loan = try loans[key.lowercased()] ?? References.loan(key, connection, organizationID: actor.organizationID) else {
                problems.add(row, "loan", "no loan \(key) in this organization")
                continue
            }
            loans[key.lowercased()] = loan
            pending.append((row, loan, date, amount))
        }
        pending.sort { ($0.date, $0.row.number) < ($1.date, $1.row.number) }
        // The same payment whichever way its amount is written (`100`, `100.00`).
        func key(_ item: (row: SheetRow, loan: UUID, date: String, amount: String)) -> String {
            "\(item.loan.idString)/\(item.date)/\(Decimal(string: item.amount).map { "\($0)" } ?? item.amount)"
        }
        // How many of each (loan, day, amount) the books hold before this import.
        var recorded: [String: Int] = [:]
        for item in pending {
            let key = key(item)
            if recorded[key] != nil { continue }
            recorded[key] = try connection.query(
                """
                SELECT count(*)::int FROM repayments
                WHERE organization_id = $1 AND loan_id = $2 AND paid_on = $3::date AND amount = $4::numeric AND reversed_on IS NULL
                """, [actor.organizationID, item.loan, item.date, item.amount]).first!.decode(0)
        }
        for (done, item) in pending.enumerated() {
            progress?(done, pending.count)
            let key = key(item)
            if recorded[key]! > 0 {
                recorded[key]! -= 1
                outcome.unchanged += 1
                continue
            }
            try attempt(connection, item.row, &problems, fields: ["date": "paid_on"]) {
                let loan = try Loans.load(connection, item.loan.idString, actor, lock: true)
                _ = try Loans.repay(connection, loan: loan, RepaymentRequest(amount: AmountInput(item.amount), date: item.date), actor: actor)
                outcome.created += 1
            }
        }
        try problems.check()
        return outcome
    }

    // MARK: Grants

    /// Grants with their tranches, one row per tranche, grouped by the grant's register number;
    /// the grant's total is the sum of its tranches. Tranches with a disbursement date are then
    /// disbursed, in order, as requests would.
    static func grants(_ sheet: ImportSheet, _ connection: PostgresConnection, actor: Actor, progress: Progress) throws -> ImportOutcome {
        var problems = ImportProblems(sheet)
        var outcome = ImportOutcome()
        struct Tranche { let row: SheetRow; let n: Int; let amount: String; let plannedOn: String?; let condition: String; let disbursedOn: String? }
        struct Grant { let row: SheetRow; let ref: String; var fields: [String: String?]; var tranches: [Tranche] = [] }
        var grants: [Grant] = []
        var position: [String: Int] = [:]
        for row in sheet.rows {
            var values = RowValues(sheet, row)
            let ref = values.required("grant_ref")
            let n = values.integer("tranche", required: true)
            let amount = values.amount("amount", required: true)
            let planned = values.date("planned_on")
            let disbursed = values.date("disbursed_on")
            let fields: [String: String?] = ["project_ref": values.text("project_ref"), "programme": values.text("programme"),
                                             "currency": values.text("currency")?.uppercased()]
            problems.add(values)
            guard values.ok, let ref, let n, let amount else { continue }
            let index = position[ref.lowercased()] ?? {
                grants.append(Grant(row: row, ref: ref, fields: fields))
                position[ref.lowercased()] = grants.count - 1
                return grants.count - 1
            }()
            for (key, given) in fields {
                guard let value = given else { continue }
                guard let first = grants[index].fields[key] ?? nil else {
                    grants[index].fields[key] = value
                    continue
                }
                if first.lowercased() != value.lowercased() {
                    problems.add(row, key, "\"\(value)\" differs from \"\(first)\" on row \(grants[index].row.number), the grant's first row")
                }
            }
            if grants[index].tranches.contains(where: { $0.n == n }) {
                problems.add(row, "tranche", "grant \(ref) has tranche \(n) twice")
                continue
            }
            grants[index].tranches.append(Tranche(row: row, n: n, amount: amount, plannedOn: planned,
                                                  condition: values.text("condition")?.lowercased() ?? "none", disbursedOn: disbursed))
        }
        for (done, var grant) in grants.enumerated() {
            progress?(done, grants.count)
            grant.tranches.sort { $0.n < $1.n }
            if let gap = grant.tranches.enumerated().first(where: { $0.element.n != $0.offset + 1 }) {
                problems.add(gap.element.row, "tranche", "grant \(grant.ref)'s tranches are numbered 1, 2, 3 …; tranche \(gap.offset + 1) is missing")
                continue
            }
            let programme = grant.fields["programme"] ?? nil
            var currencyCode = grant.fields["currency"] ?? nil
            if currencyCode == nil, let programme { currencyCode = try currency(of: programme, connection, actor: actor) }
            let currency = currencyCode.flatMap(Currency.named) ?? .uzs
            let amounts = grant.tranches.compactMap { currency.parse($0.amount) }
            let total = amounts.count == grant.tranches.count ? GrantRules.sum(amounts).map(currency.format) : nil
            let trancheList = grant.tranches.map { t in
                [String(t.n), currency.parse(t.amount).map(currency.format) ?? t.amount, t.plannedOn ?? "", t.condition, t.disbursedOn ?? ""]
                    .joined(separator: ":")
            }.joined(separator: ";")
            if let recorded = try connection.query(
                """
                SELECT p.name, g.currency,
                       (SELECT string_agg(concat_ws(':', t.n, t.amount, t.planned_on, t.condition, coalesce(t.disbursed_on::text, '')), ';' ORDER BY t.n)
                        FROM grant_tranches t WHERE t.grant_id = g.id)
                FROM grants g JOIN programmes p ON p.id = g.programme_id
                WHERE g.organization_id = $1 AND (lower(g.external_ref) = lower($2) OR g.number = upper($2))
                ORDER BY lower(g.external_ref) = lower($2) DESC NULLS LAST LIMIT 1
                """, [actor.organizationID, grant.ref]).first {
                try compare(recorded, [programme, currencyCode ?? (try recorded.decode(1, as: String.self)), trancheList],
                            keys: ["programme", "currency", "tranche"], numeric: [], what: "grant \(grant.ref)", row: grant.row,
                            &problems, &outcome)
                continue
            }
            let input = GrantInput(
                programme_id: programme, project_id: grant.fields["project_ref"] ?? nil, currency: currencyCode, total: total.map { AmountInput($0) },
                tranches: grant.tranches.map { TrancheInput(amount: AmountInput($0.amount), planned_on: $0.plannedOn, condition: $0.condition) })
            let tranches = grant.tranches
            try attempt(connection, grant.row, &problems, fields: ["programme_id": "programme", "project_id": "project_ref", "total": "amount"]) {
                let view = try Grants.create(connection, input, externalRef: grant.ref, actor: actor)
                for tranche in tranches {
                    guard let on = tranche.disbursedOn else { continue }
                    let locked = try Grants.lock(connection, reference: view.id, actor: actor)
                    _ = try Grants.disburse(connection, grant: locked, tranche: tranche.n, on: LocalDate(on)!, actor: actor)
                }
                outcome.created += 1
            }
        }
        try problems.check()
        return outcome
    }

    // MARK: Shared

    /// The currency of a programme named by name or id, for a row that leaves its own blank.
    static func currency(of programme: String, _ connection: PostgresConnection, actor: Actor) throws -> String? {
        try connection.query(
            "SELECT currency FROM programmes WHERE organization_id = $1 AND (lower(name) = lower($2) OR id::text = lower($2))",
            [actor.organizationID, programme]).first?.decode(0)
    }

    /// Runs one row's writes inside a savepoint. A refusal (invalid input, a rule, a conflict,
    /// something not found) becomes the row's problem and its writes are undone; a fault of
    /// ours ends the import.
    static func attempt(_ connection: PostgresConnection, _ row: SheetRow, _ problems: inout ImportProblems,
                        fields: [String: String], _ body: () throws -> Void) throws {
        try connection.execute("SAVEPOINT import_row")
        do {
            try body()
            try connection.execute("RELEASE SAVEPOINT import_row")
        } catch {
            let refusal: RavnaqError = switch error {
            case let error as RavnaqError: error
            case let error as PostgresError: RavnaqError(error)
            default: .fault("\(error)")
            }
            switch refusal {
            case .invalid, .badQuery, .rule, .conflict, .notFound:
                try connection.execute("ROLLBACK TO SAVEPOINT import_row")
                problems.add(row, refusal, fields: fields)
            default:
                throw error
            }
        }
    }

    /// A row whose key is on record: the same values leave it alone (counted as unchanged),
    /// other values are a conflict naming the columns that differ. A blank cell of the file
    /// matches a blank value on record; numbers compare by value (`24` is `24.000000`).
    static func compare(_ recorded: PostgresRow, _ given: [String?], keys: [String], numeric: Set<Int>, what: String, row: SheetRow,
                        _ problems: inout ImportProblems, _ outcome: inout ImportOutcome) throws {
        var differing: [String] = []
        for (index, key) in keys.enumerated() {
            let stored = try recorded.decode(index, as: String?.self)
            let value = given[index]
            let same = if numeric.contains(index), let stored, let value {
                Decimal(string: stored) == Decimal(string: value)
            } else {
                stored?.lowercased() == value?.lowercased()
            }
            if !same { differing.append(key) }
        }
        if differing.isEmpty {
            outcome.unchanged += 1
        } else {
            problems.add(row, nil, "\(what) is already on record with other data (\(differing.joined(separator: ", "))); it is not overwritten")
        }
    }
}
