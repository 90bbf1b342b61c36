import Foundation
import RavnaqCore
import Testing
import TestSupport

@Suite("ravnaq import and ravnaq export (issue 15)")
struct ImportCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/imports")

    @Test("a bad file prints every problem as a table and writes nothing; a good one says what it created; its export reads back")
    func importAndExport() async throws {
        let database = try await TestDatabase.make()
        let cli = CLI(databaseURL: database.conninfo)
        #expect(try cli.run(["org", "add", "AN", "--name", "Andijon Family Fund"]).status == 0)

        let bad = try cli.run(["import", "families", Self.fixtures.appendingPathComponent("families-5-bad.csv").path])
        #expect(bad.status == 1)
        let lines = bad.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("row") == true && lines.first?.contains("column") == true)
        #expect(lines.dropFirst().prefix(5).map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["3", "5", "6", "8", "9"])
        #expect(lines.contains("5 problems; nothing was written"))

        let path = Self.fixtures.appendingPathComponent("families-ru-cp1251.csv").path
        let dry = try cli.run(["import", "families", path, "--dry-run", "--format", "table"])
        #expect(dry.stdout.hasPrefix("dry run: 6 rows checked"), "\(dry.stdout) \(dry.stderr)")
        let good = try cli.run(["import", "families", path, "--format", "table"])
        #expect(good.status == 0)
        #expect(good.stdout == "3 families created, 0 already on record\n")
        let again = try cli.json(["import", "families", path])
        #expect(again["created"] as? Int == 0 && again["unchanged"] as? Int == 3)

        let exported = try cli.run(["export", "families", "--sep", ";"])
        #expect(exported.status == 0)
        #expect(exported.stdout.hasPrefix("\u{FEFF}family_code;region;district;mahalla;categories;registry_ref;consent_on;full_name;"))
        #expect(exported.stdout.contains("AN-0002;Andijon;Shahrixon;;disability;;2025-03-05;Каримов Бахтиёр;male;1979-01-01;head;;yes;no\r\n"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ravnaq-export-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try cli.run(["export", "families", "--format", "xlsx", "--output", file.path]).status == 0)
        let table = try SheetTable.read(Data(contentsOf: file))
        #expect(table.rows.count == 6)
        #expect(table.rows[3].cells[7] == .text("Каримов Бахтиёр"))
    }
}
