import Dates
import Foundation
import Postgres
import RavnaqMoney

public struct IncomeInput: Decodable, Sendable {
    public var period: String?
    public var household_size: Int?
    public var sources: [String: AmountInput]?

    public init(period: String? = nil, household_size: Int? = nil, sources: [String: AmountInput]? = nil) {
        self.period = period
        self.household_size = household_size
        self.sources = sources
    }
}

public enum IncomeSource: String, CaseIterable, Sendable { case project, wages, pension, benefits, remittances, other }

/// A family's income for a month by source, with its household size; per-capita income and the
/// income band against the month's poverty line (SPEC §7).
public struct HouseholdIncomes: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func record(family key: String, _ input: IncomeInput, correcting: String? = nil, as actor: Actor,
                       idempotency: IdempotencyKey? = nil) async throws -> JSONText {
        try await database.record(as: actor, once: idempotency, operation: .householdIncome, resource: (correcting.map { "\($0)/" } ?? "") + key) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .write, on: today)
            var errors = FieldErrors()
            let period = errors.period(correcting ?? input.period, "/period", today: today)
            if let correcting, let given = input.period, given != correcting {
                errors.add("/period", "the body's period \(given) is not the corrected month \(correcting)")
            }
            let size = errors.required(input.household_size, "/household_size")
            if let size, !(1...50).contains(size) { errors.add("/household_size", "must be between 1 and 50") }
            var amounts: [IncomeSource: Amount] = [:]
            for (name, value) in (input.sources ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let source = IncomeSource(rawValue: name) else {
                    errors.add("/sources/\(name)", "is not one of: \(IncomeSource.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                amounts[source] = errors.amount(value, "/sources/\(name)", currency: .uzs, allowZero: true)
            }
            if input.sources == nil { errors.add("/sources", "is required") }
            try errors.check()
            let values: PostgresBindings = [actor.organizationID, family, period!.firstDay, size!]
                + IncomeSource.allCases.map { (amounts[$0] ?? .zero).formatted(minorDigits: 2) }
            if correcting == nil {
                let inserted = try connection.query(
                    """
                    INSERT INTO household_incomes (organization_id, family_id, period, household_size, project, wages, pension, benefits, remittances, other)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (family_id, period) DO NOTHING
                    """, values).affectedRows
                guard inserted == 1 else {
                    throw RavnaqError.conflict(.duplicateMonth,
                                               message: "the family already has income recorded for \(period!); correct it with PUT …/income/\(period!)")
                }
            } else {
                let updated = try connection.query(
                    """
                    UPDATE household_incomes SET household_size = $4, project = $5, wages = $6, pension = $7, benefits = $8,
                                                 remittances = $9, other = $10
                    WHERE organization_id = $1 AND family_id = $2 AND period = $3
                    """, values).affectedRows
                guard updated == 1 else { throw RavnaqError.notFound("income \(period!) of family \(key)") }
            }
            return try Self.items(connection, family: family, period: period!.firstDay).first!
        }
    }

    /// The family's months, oldest first; the cursor carries the last month shown.
    public func list(family key: String, page: Page = Page(), as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let family = try FamilyAccess.family(connection, key, actor: actor, intent: .read, on: today)
            let list = ListKey("/families/{id}/income", of: actor, filters: [family.idString], keys: 1)
            let after = try page.after(in: list)
            return try ListPage(result: Self.rows(connection, family: family, after: after?[0], limit: page.limit + 1), page: page, list: list)
        }
    }

    /// One month's income (or none).
    static func items(_ connection: PostgresConnection, family: UUID, period: LocalDate) throws -> [JSONText] {
        try rows(connection, family: family, period: period).rows.map { JSONText(try $0.decode(0)) }
    }

    /// The incomes as JSON with their month (`YYYY-MM-DD`) last: one month, or those after a month.
    static func rows(_ connection: PostgresConnection, family: UUID, period: LocalDate? = nil, after: String? = nil,
                     limit: Int? = nil) throws -> PostgresResult {
        try connection.query(
            """
            SELECT json_build_object('id', i.id, 'family_id', i.family_id, 'period', to_char(i.period, 'YYYY-MM'),
                                     'household_size', i.household_size,
                                     'sources', json_build_object('project', i.project::text, 'wages', i.wages::text, 'pension', i.pension::text,
                                                                  'benefits', i.benefits::text, 'remittances', i.remittances::text, 'other', i.other::text),
                                     'total', i.total::text, 'per_capita', round(i.total / i.household_size, 2)::numeric(18,2)::text,
                                     'poverty_line', line.amount::numeric(18,2)::text,
                                     'band', income_band(i.total, i.household_size, line.amount))::text,
                   i.period::text
            FROM household_incomes i CROSS JOIN LATERAL (SELECT poverty_line(i.period) AS amount) line
            WHERE i.family_id = $1 AND ($2::date IS NULL OR i.period = $2) AND ($3::date IS NULL OR i.period > $3)
            ORDER BY i.period LIMIT $4
            """, [family, period, after, limit]
        )
    }
}

public struct PovertyLineInput: Decodable, Sendable {
    public var effective_on: String?
    public var amount: AmountInput?
    public init(effective_on: String? = nil, amount: AmountInput? = nil) {
        self.effective_on = effective_on
        self.amount = amount
    }
}

/// The poverty line table (national, in UZS) and period locks: admin reference data.
public struct ReferenceData: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// The poverty line table, oldest first (one national table; its cursors are still tied to
    /// the organization, as every list's are).
    public func povertyLines(page: Page = Page(), as actor: Actor) async throws -> ListPage {
        let list = ListKey("/poverty-lines", of: actor, keys: 1)
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try ListPage(
                result: connection.query(
                    """
                    SELECT json_build_object('effective_on', l.effective_on, 'amount', l.amount::text)::text, l.effective_on::text
                    FROM poverty_lines l WHERE $1::date IS NULL OR l.effective_on > $1
                    ORDER BY l.effective_on LIMIT $2
                    """, [after?[0], page.limit + 1]),
                page: page, list: list)
        }
    }

    public func addPovertyLine(_ input: PovertyLineInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, to: "extend the poverty line")
        var errors = FieldErrors()
        let date = errors.date(input.effective_on, "/effective_on")
        let amount = errors.amount(input.amount, "/amount", currency: .uzs)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            guard try connection.query(
                "INSERT INTO poverty_lines (effective_on, amount) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [date!, amount!.formatted(minorDigits: 2)]
            ).affectedRows == 1 else {
                throw RavnaqError.conflict(.duplicatePovertyLine, message: "a poverty line is already in force from \(date!)")
            }
            return JSONText(#"{"effective_on":"\#(date!)","amount":"\#(amount!.formatted(minorDigits: 2))"}"#)
        }
    }

    /// Makes a month's reports and income read-only.
    public func lock(period text: String, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, to: "lock periods")
        return try await database.transaction(as: actor) { connection in
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            var errors = FieldErrors()
            let period = errors.period(text, "/period", today: today)
            try errors.check()
            try connection.query("INSERT INTO period_locks (organization_id, period) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                 [actor.organizationID, period!.firstDay])
            return JSONText(#"{"period":"\#(period!)","locked":true}"#)
        }
    }
}
