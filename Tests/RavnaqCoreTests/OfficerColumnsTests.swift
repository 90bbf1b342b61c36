import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("The README's table of what grant officers read")
struct OfficerColumnsTests {
    /// The table in README.md's Access section: table → (readable columns, hidden columns).
    static func readmeTable() throws -> [String: (readable: [String], hidden: [String])] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        var table: [String: (readable: [String], hidden: [String])] = [:]
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("| table | grant officers read | hidden from grant officers |") { inTable = true; continue }
            guard inTable else { continue }
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, cells[0].hasPrefix("`") else { continue }
            func columns(_ cell: String) -> [String] {
                cell == "—" ? [] : cell.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            table[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (columns(cells[1]), columns(cells[2]))
        }
        return table
    }

    @Test("every table and column of the schema is in the table, readable or hidden exactly as ravnaq_officer's privileges say")
    func readmeMatchesPrivileges() async throws {
        let documented = try Self.readmeTable()
        #expect(!documented.isEmpty)
        let database = try await TestDatabase.make()
        let actual = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT c.relname,
                       coalesce(string_agg(a.attname, ',' ORDER BY a.attnum) FILTER (WHERE has_column_privilege('ravnaq_officer', c.oid, a.attnum, 'SELECT')), ''),
                       coalesce(string_agg(a.attname, ',' ORDER BY a.attnum) FILTER (WHERE NOT has_column_privilege('ravnaq_officer', c.oid, a.attnum, 'SELECT')), '')
                FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                GROUP BY c.relname ORDER BY c.relname
                """
            ).rows.map { row in
                (try row.decode(0, as: String.self),
                 try row.decode(1, as: String.self).split(separator: ",").map(String.init),
                 try row.decode(2, as: String.self).split(separator: ",").map(String.init))
            }
        }
        #expect(actual.count > 30)
        for (table, readable, hidden) in actual {
            let entry = documented[table]
            #expect(entry != nil, "README.md's grant officer table has no row for \(table)")
            #expect(entry?.readable == readable, "\(table): grant officers read \(readable.joined(separator: ", "))")
            #expect(entry?.hidden == hidden, "\(table): hidden from grant officers: \(hidden.joined(separator: ", "))")
        }
        #expect(Set(documented.keys) == Set(actual.map(\.0)))
        // What SPEC §1 and the hardening issues name as personal is among the hidden columns.
        let personal = ["members": ["full_name", "sex", "birth_date", "pinfl"], "families": ["mahalla", "registry_ref"],
                        "visits": ["notes"], "plan_goals": ["text"], "referrals": ["reason"]]
        for (table, columns) in personal {
            #expect(Set(columns).isSubset(of: documented[table]?.hidden ?? []), "\(table)")
        }
    }
}
