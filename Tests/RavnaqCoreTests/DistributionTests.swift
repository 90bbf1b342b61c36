import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// README, "Distributed later (Citus)": every table of an organization's data carries
/// `organization_id`, so that it could be distributed (or copied) by organization.
@Suite("The README's plan for Citus: organization_id on every table of an organization's data")
struct DistributionTests {
    /// The README's table: each kind ("reference tables shared by all organizations", …) → the
    /// tables it names in backquotes.
    static func readmeTable() throws -> [String: Set<String>] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        var table: [String: Set<String>] = [:]
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("| on Citus | tables |") { inTable = true; continue }
            guard inTable else { continue }
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, !cells[0].hasPrefix("---") else { continue }
            let names = cells[1].split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            table[cells[0]] = Set(names)
        }
        return table
    }

    @Test("the tables without organization_id are exactly those the README names as shared or each node's own, and every named table exists")
    func organizationEverywhere() async throws {
        let documented = try Self.readmeTable()
        let shared = try #require(documented["reference tables shared by all organizations"])
        let own = try #require(documented["each node's own"])
        let reference = try #require(documented["reference tables (copied to every node), with `organization_id`"])
        #expect(!shared.isEmpty && !own.isEmpty && !reference.isEmpty)

        let database = try await TestDatabase.make()
        let (tables, without): ([String], [String]) = try await database.pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT c.relname, NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                                                                       AND NOT a.attisdropped)
                FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                ORDER BY c.relname
                """).rows
            let all = try rows.map { try $0.decode(0, as: String.self) }
            let lacking = try rows.filter { try $0.decode(1, as: Bool.self) }.map { try $0.decode(0, as: String.self) }
            return (all, lacking)
        }
        #expect(tables.count > 40)
        // A new table of an organization's data without organization_id fails here.
        #expect(without.sorted() == shared.union(own).sorted())
        #expect(shared.union(own).union(reference).subtracting(tables).isEmpty)
    }
}
