import Foundation
import Postgres

/// Exports in the shapes imports read (issue 15): the same columns under their English headers,
/// so that an export imported into an empty organization gives back the same data. Written a
/// page at a time (a short transaction each, keyset-paged in a stable order), so that memory
/// stays flat however large the organization, and no connection is held while a slow client
/// downloads.
///
/// What an export holds: families with their members (not erased ones); projects; loans with
/// their terms and disbursement date; live repayments (not reversed ones, not recoveries after a
/// write-off); grants with their tranches and disbursement dates. A project, loan or grant is
/// named by its register number (`external_ref`) when it has one, else by its id (projects) or
/// Ravnaq's number (`L-000002`, `G-000045`), which an import reads back the same way.
public struct Exports: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Rows per page (families: families per page, each with its members).
    static let pageSize = 1000

    /// Writes the export, handing each page's bytes to `emit` as soon as they are made.
    public func run(_ kind: ImportKind, format: SheetWriter.Format, as actor: Actor,
                    emit: (Data) async throws -> Void) async throws {
        try actor.require(.admin, .coordinator, to: "export data")
        let query = ExportQuery.of(kind)
        var writer = SheetWriter(format: format, sheetName: kind.rawValue, headers: kind.columns.map(\.key))
        var after: [String]?
        repeat {
            let cursor = after
            let page = try await database.transaction(as: actor) { connection in
                try query.page(connection, organizationID: actor.organizationID, after: cursor, limit: Self.pageSize)
            }
            for row in page.rows { writer.append(row) }
            after = page.next
            try await emit(writer.take())
        } while after != nil
        writer.finish()
        try await emit(writer.take())
    }
}

/// One kind's export: a page of rows after a cursor (the sort key of the page's last row).
struct ExportQuery: Sendable {
    struct Page: Sendable {
        let rows: [[SheetValue]]
        let next: [String]?
    }

    /// The SELECT, its `$2`… the cursor's parts (NULL for the first page), its last parameter
    /// the limit; the first columns of each row are the cursor, `cursorColumns` of them.
    let sql: String
    let cursorColumns: Int
    /// How each exported column is written (after the cursor's columns).
    let cells: [Cell]

    enum Cell { case text, number, amount, flag }

    func page(_ connection: PostgresConnection, organizationID: UUID, after: [String]?, limit: Int) throws -> Page {
        var bindings: PostgresBindings = [organizationID]
        for index in 0..<cursorColumns { bindings.append(after?[index]) }
        bindings.append(limit)
        let result = try connection.query(sql, bindings)
        var rows: [[SheetValue]] = []
        var last: [String]?
        var pageKeys = Set<String>()
        for row in result.rows {
            let cursor = try (0..<cursorColumns).map { try row.decode($0, as: String.self) }
            pageKeys.insert(cursor.joined(separator: "\u{1F}"))
            last = cursor
            rows.append(try cells.enumerated().map { index, cell in
                guard let value = try row.decode(cursorColumns + index, as: String?.self) else { return .empty }
                return switch cell {
                case .text: .text(value)
                case .number: .number(value)
                case .amount: .amount(value)
                case .flag: .text(value == "t" || value == "true" ? "yes" : "no")
                }
            })
        }
        // The families query pages by family (limit families, all their members): its page is
        // full when it holds `limit` distinct keys; the others when they hold `limit` rows.
        let full = pageKeys.count >= limit
        return Page(rows: rows, next: full ? last : nil)
    }

    static func of(_ kind: ImportKind) -> ExportQuery {
        switch kind {
        case .families: families
        case .projects: projects
        case .loans: loans
        case .repayments: repayments
        case .grants: grants
        }
    }

    static let families = ExportQuery(
        sql: """
            SELECT lower(f.code), f.code, f.region, f.district, f.mahalla, array_to_string(f.categories, ', '), f.registry_ref,
                   f.consent_on::text, m.full_name, m.sex, m.birth_date::text, m.relation, m.pinfl, m.disability::text, m.works::text
            FROM (SELECT * FROM families WHERE organization_id = $1 AND ($2::text IS NULL OR lower(code) > $2)
                  ORDER BY lower(code) LIMIT $3) f
            LEFT JOIN members m ON m.family_id = f.id AND m.organization_id = $1 AND m.erased_on IS NULL
            ORDER BY lower(f.code), m.created_at, m.id
            """,
        cursorColumns: 1,
        cells: [.text, .text, .text, .text, .text, .text, .text, .text, .text, .text, .text, .text, .flag, .flag])

    static let projects = ExportQuery(
        sql: """
            SELECT coalesce(p.external_ref, p.id::text), coalesce(p.external_ref, p.id::text), f.code, p.type, p.title, p.description,
                   p.started_on::text, p.expected_monthly_revenue::text, p.expected_monthly_costs::text
            FROM projects p JOIN families f ON f.id = p.family_id
            WHERE p.organization_id = $1 AND ($2::text IS NULL OR coalesce(p.external_ref, p.id::text) > $2)
            ORDER BY 1 LIMIT $3
            """,
        cursorColumns: 1,
        cells: [.text, .text, .text, .text, .text, .text, .amount, .amount])

    static let loans = ExportQuery(
        sql: """
            SELECT l.number, coalesce(l.external_ref, l.number), coalesce(p.external_ref, p.id::text), g.name, l.currency,
                   l.principal::text, trim_scale(l.annual_rate)::text, l.method, l.installments::text, l.frequency,
                   l.grace_periods::text, l.planned_disbursement_on::text, l.first_due_on::text, l.disbursed_on::text
            FROM loans l JOIN projects p ON p.id = l.project_id JOIN programmes g ON g.id = l.programme_id
            WHERE l.organization_id = $1 AND ($2::text IS NULL OR l.number > $2)
            ORDER BY l.number LIMIT $3
            """,
        cursorColumns: 1,
        cells: [.text, .text, .text, .text, .amount, .number, .text, .number, .text, .number, .text, .text, .text])

    static let repayments = ExportQuery(
        sql: """
            SELECT r.paid_on::text, r.recorded_at::text, r.id::text, coalesce(l.external_ref, l.number), r.paid_on::text, r.amount::text
            FROM repayments r JOIN loans l ON l.id = r.loan_id
            WHERE r.organization_id = $1 AND r.kind = 'repayment' AND r.reversed_on IS NULL
              AND ($2::date IS NULL OR (r.paid_on, r.recorded_at, r.id) > ($2::date, $3::timestamptz, $4::uuid))
            ORDER BY r.paid_on, r.recorded_at, r.id LIMIT $5
            """,
        cursorColumns: 3,
        cells: [.text, .text, .amount])

    static let grants = ExportQuery(
        sql: """
            SELECT g.number || '/' || lpad(t.n::text, 3, '0'), coalesce(g.external_ref, g.number), coalesce(p.external_ref, p.id::text),
                   pr.name, g.currency, t.n::text, t.amount::text, t.planned_on::text, t.condition, t.disbursed_on::text
            FROM grants g JOIN grant_tranches t ON t.grant_id = g.id JOIN projects p ON p.id = g.project_id
            JOIN programmes pr ON pr.id = g.programme_id
            WHERE g.organization_id = $1 AND ($2::text IS NULL OR g.number || '/' || lpad(t.n::text, 3, '0') > $2)
            ORDER BY g.number, t.n LIMIT $3
            """,
        cursorColumns: 1,
        cells: [.text, .text, .text, .text, .number, .amount, .text, .text, .text])
}
