import Dates
import Foundation
import Postgres

/// Families with their members, one row per member, grouped by family code (a family with no
/// members is one row without a name). The family's own columns may be repeated on each of its
/// rows or left blank after the first; given twice differently, they are an error.
///
/// Set-based, for 100 000 families in well under a minute: the rows are checked here by the
/// same rules as `Families.create`, then COPYed into temporary tables, compared with the
/// families on record in one statement, and inserted with INSERT … SELECT, as the request role
/// (row-level security, constraints and triggers, the audit trigger included, all in force).
struct FamilyImport {
    let sheet: ImportSheet
    let today: LocalDate

    /// One family as the file gives it.
    private struct Family {
        let row: SheetRow
        var code: String
        var fields: [String: String] = [:]
        var members: [Member] = []
        var heads = 0
    }

    private struct Member {
        let row: SheetRow
        let values: [String?]  // full_name, sex, birth_date, relation, pinfl, disability, works
    }

    static let familyFields = ["region", "district", "mahalla", "categories", "registry_ref", "consent_on"]
    static let memberFields = ["full_name", "sex", "birth_date", "relation", "pinfl", "disability", "works"]

    /// `record` writes the import's row in `imports` (once everything is checked, before the
    /// families are inserted) and answers its id: with it the families' and members' inserts are
    /// audited as that one entry, not a copy per row (`ravnaq_import_audited()`,
    /// sql/definitions/20_audit.sql).
    func run(_ connection: PostgresConnection, actor: Actor, dryRun: Bool, progress: RowImport.Progress,
             record: (ImportOutcome) throws -> UUID) throws -> ImportOutcome {
        var problems = ImportProblems(sheet)
        var warnings: [String] = []
        let families = read(&problems, warnings: &warnings, progress: progress)
        try problems.check()

        try connection.execute("""
            CREATE TEMPORARY TABLE import_families (code text, first_row integer, region text, district text, mahalla text,
                categories text[], registry_ref text, consent_on date) ON COMMIT DROP;
            CREATE TEMPORARY TABLE import_members (code text, row integer, full_name text, sex text, birth_date date,
                relation text, pinfl text, disability boolean, works boolean) ON COMMIT DROP;
            CREATE TEMPORARY TABLE import_made (id uuid, code text) ON COMMIT DROP
            """)
        _ = try connection.copyIn(
            "COPY import_families FROM STDIN",
            rows: families.lazy.map { family in
                [family.code, String(family.row.number)] + Self.familyFields.map { key in
                    key == "categories" ? postgresArray((family.fields[key] ?? "").split(separator: ",").map(String.init).sorted())
                        : family.fields[key]
                }
            })
        _ = try connection.copyIn(
            "COPY import_members FROM STDIN",
            rows: families.lazy.flatMap { family in
                family.members.lazy.map { [family.code, String($0.row.number)] + $0.values }
            })
        try connection.execute("ANALYZE import_families; ANALYZE import_members")

        // Families already on record: the same data is left alone, other data is a conflict.
        // Each side's members are gathered per family in one pass (not a look-up per family).
        let onRecord = try connection.query(
            """
            WITH recorded AS (
                SELECT s.first_row, s.code AS staged_code, f.* FROM import_families s
                JOIN families f ON f.organization_id = $1 AND lower(f.code) = lower(s.code)
            ), recorded_members AS (
                SELECT m.family_id, array_agg(row(m.full_name, m.sex, m.birth_date, m.relation, m.pinfl, m.disability, m.works)::text
                                              ORDER BY row(m.full_name, m.sex, m.birth_date, m.relation, m.pinfl, m.disability, m.works)::text) AS members
                FROM members m WHERE m.organization_id = $1 AND m.erased_on IS NULL AND m.family_id IN (SELECT id FROM recorded)
                GROUP BY m.family_id
            ), staged_members AS (
                SELECT i.code, array_agg(row(i.full_name, i.sex, i.birth_date, i.relation, i.pinfl, i.disability, i.works)::text
                                         ORDER BY row(i.full_name, i.sex, i.birth_date, i.relation, i.pinfl, i.disability, i.works)::text) AS members
                FROM import_members i WHERE i.code IN (SELECT staged_code FROM recorded) GROUP BY i.code
            )
            SELECT r.first_row, r.code,
                   array_remove(ARRAY[
                     CASE WHEN r.region IS DISTINCT FROM s.region THEN 'region' END,
                     CASE WHEN r.district IS DISTINCT FROM s.district THEN 'district' END,
                     CASE WHEN r.mahalla IS DISTINCT FROM s.mahalla THEN 'mahalla' END,
                     CASE WHEN ARRAY(SELECT c FROM unnest(r.categories) c ORDER BY c) IS DISTINCT FROM s.categories THEN 'categories' END,
                     CASE WHEN r.registry_ref IS DISTINCT FROM s.registry_ref THEN 'registry_ref' END,
                     CASE WHEN r.consent_on IS DISTINCT FROM s.consent_on THEN 'consent_on' END,
                     CASE WHEN coalesce(rm.members, '{}') IS DISTINCT FROM coalesce(sm.members, '{}') THEN 'members' END], NULL)::text
            FROM recorded r
            JOIN import_families s ON s.code = r.staged_code
            LEFT JOIN recorded_members rm ON rm.family_id = r.id
            LEFT JOIN staged_members sm ON sm.code = r.staged_code
            """, [actor.organizationID])
        var unchanged = 0
        for row in onRecord.rows {
            let firstRow: Int = try row.decode(0)
            let code: String = try row.decode(1)
            let differences: String = try row.decode(2)
            if differences == "{}" {
                unchanged += 1
            } else {
                let fields = differences.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).replacingOccurrences(of: ",", with: ", ")
                problems.add(families.first { $0.row.number == firstRow }!.row, "family_code",
                             "family \(code) is already on record with other data (\(fields)); it is not overwritten")
            }
        }
        try problems.check()
        var outcome = ImportOutcome(created: families.count - unchanged, unchanged: unchanged, warnings: warnings)
        guard !dryRun, outcome.created > 0 else {
            outcome.members = dryRun ? families.reduce(0) { $0 + $1.members.count } : 0
            return outcome
        }
        let importID = try record(outcome)
        try connection.query("SELECT set_config('ravnaq.import', $1, true)", [importID.idString])
        // A row's number orders what one transaction writes (created_at is the transaction's
        // time, the same for all): lists show families and members in the file's order.
        try connection.query(
            """
            WITH made AS (
                INSERT INTO families (organization_id, code, region, district, mahalla, categories, registry_ref, consent_on, created_at)
                SELECT $1, s.code, s.region, s.district, s.mahalla, s.categories, s.registry_ref, s.consent_on,
                       now() + make_interval(secs => s.first_row / 1e6)
                FROM import_families s
                WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.organization_id = $1 AND lower(f.code) = lower(s.code))
                ORDER BY s.first_row
                RETURNING id, code
            )
            INSERT INTO import_made SELECT id, code FROM made
            """, [actor.organizationID])
        // Its size known to the planner, the members' join is a hash join, not a loop per member.
        try connection.execute("ANALYZE import_made")
        outcome.members = try connection.query(
            """
            INSERT INTO members (organization_id, family_id, full_name, sex, birth_date, relation, pinfl, disability, works, created_at)
            SELECT $1, m.id, i.full_name, i.sex, i.birth_date, i.relation, i.pinfl, i.disability, i.works,
                   now() + make_interval(secs => i.row / 1e6)
            FROM import_members i JOIN import_made m ON m.code = i.code
            ORDER BY i.row
            """, [actor.organizationID]).affectedRows
        try connection.query("SELECT set_config('ravnaq.import', '', true)")
        return outcome
    }

    /// Groups the rows by family and checks every value; problems are collected, not thrown.
    private func read(_ problems: inout ImportProblems, warnings: inout [String], progress: RowImport.Progress) -> [Family] {
        var families: [Family] = []
        var position: [String: Int] = [:]
        for (done, row) in sheet.rows.enumerated() {
            progress?(done, sheet.rows.count)
            guard let code = sheet.text(row, "family_code") else {
                problems.add(row, "family_code", "is required")
                continue
            }
            if !Families.isValidCode(code) {
                problems.add(row, "family_code", "\"\(code)\": use up to 32 letters, digits, '-', '_', '.' or '/', starting with a letter or digit")
                continue
            }
            let index = position[code.lowercased()] ?? {
                families.append(Family(row: row, code: code))
                position[code.lowercased()] = families.count - 1
                return families.count - 1
            }()
            readFamilyFields(row, into: &families[index], &problems)
            readMember(row, into: &families[index], &problems, warnings: &warnings)
        }
        for family in families {
            for key in ["region", "district"] where family.fields[key] == nil {
                problems.add(family.row, key, "is required")
            }
            if family.fields["consent_on"] == nil {
                if family.fields["mahalla"] != nil {
                    problems.add(family.row, "mahalla", "is personal data: it needs consent_on")
                }
                if let member = family.members.first {
                    problems.add(member.row, "full_name", "members are personal data: family \(family.code) needs consent_on")
                }
            }
        }
        return families
    }

    private func readFamilyFields(_ row: SheetRow, into family: inout Family, _ problems: inout ImportProblems) {
        for key in Self.familyFields {
            guard let cell = sheet.cell(row, key) else { continue }
            var problem: String?
            let value: String? = switch key {
            case "consent_on":
                ImportValues.date(cell, problem: &problem).flatMap { date in
                    if LocalDate(date)! > today { problem = "\(date) is in the future" }
                    return problem == nil ? date : nil
                }
            case "categories":
                ImportValues.categoryList(cell, problem: &problem).map { $0.joined(separator: ",") }
            default:
                cell.text
            }
            if let problem {
                problems.add(row, key, problem)
            } else if let value {
                if let first = family.fields[key] {
                    if first != value {
                        problems.add(row, key, "\"\(value)\" differs from \"\(first)\" on row \(family.row.number), the family's first row")
                    }
                } else {
                    family.fields[key] = value
                }
            }
        }
    }

    private func readMember(_ row: SheetRow, into family: inout Family, _ problems: inout ImportProblems,
                            warnings: inout [String]) {
        let given = Self.memberFields.filter { sheet.cell(row, $0) != nil }
        guard !given.isEmpty else { return }
        guard let name = sheet.text(row, "full_name") else {
            problems.add(row, "full_name", "is required for a member (the row gives \(given.map(sheet.header).joined(separator: ", ")))")
            return
        }
        var values: [String?] = [name]
        var ok = true
        func check<T>(_ key: String, required: Bool = false, _ read: (SheetCell, inout String?) -> T?) -> T? {
            guard let cell = sheet.cell(row, key) else {
                if required {
                    problems.add(row, key, "is required")
                    ok = false
                }
                return nil
            }
            var problem: String?
            let value = read(cell, &problem)
            if let problem {
                problems.add(row, key, problem)
                ok = false
            }
            return value
        }
        values.append(check("sex") { ImportValues.word($0, as: Sex.self, synonyms: ImportValues.sexes, problem: &$1) }?.rawValue)
        values.append(check("birth_date") { cell, problem in
            ImportValues.date(cell, problem: &problem).flatMap { date in
                let day = LocalDate(date)!
                if day > today { problem = "\(date) is in the future" }
                if !FieldErrors.dates.contains(day) { problem = FieldErrors.outsideDates(date) }
                return problem == nil ? date : nil
            }
        })
        let relation = check("relation", required: true) {
            ImportValues.word($0, as: Relation.self, synonyms: ImportValues.relations, problem: &$1)
        }
        values.append(relation?.rawValue)
        values.append(check("pinfl") { cell, problem in
            let pinfl = cell.text
            guard PINFL.hasValidShape(pinfl) else {
                problem = "\"\(pinfl)\": a PINFL has exactly 14 digits"
                return nil
            }
            if !PINFL.hasValidCheckDigit(pinfl) {
                warnings.append("row \(row.number): the check digit of PINFL \(pinfl) does not match (expected \(PINFL.checkDigit(pinfl)!)); stored as given")
            }
            return pinfl
        })
        for key in ["disability", "works"] {
            values.append(String(check(key) { ImportValues.flag($0, problem: &$1) } ?? false))
        }
        if relation == .head {
            family.heads += 1
            if family.heads > 1 {
                problems.add(row, "relation", "family \(family.code) already has a head")
                ok = false
            }
        }
        if ok { family.members.append(Member(row: row, values: values)) }
    }
}
