import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Migrations")
struct MigratorTests {
    @Test("the embedded migrations and definition files are all applied and recorded, and running again applies nothing")
    func appliedOnce() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let statuses = try Migrator().status(connection)
        #expect(!statuses.isEmpty)
        #expect(statuses.allSatisfy { $0.appliedAt != nil })
        #expect(statuses.map(\.name) == statuses.map(\.name).sorted())
        #expect(statuses.first?.name == "001_baseline.sql")
        #expect(statuses.contains { $0.name == "definitions/55_loans.sql" })
        #expect(try Migrator().migrate(connection).isEmpty)
    }

    /// The embedded definitions with `extra` appended to the file whose name ends in `suffix`.
    static func definitions(appending extra: String, to suffix: String) -> [Migrator.Migration] {
        Migrator().definitions.map {
            $0.name.hasSuffix(suffix) ? Migrator.Migration(name: $0.name, sql: $0.sql + "\n" + extra + "\n") : $0
        }
    }

    static let probe = "CREATE OR REPLACE FUNCTION probe_definition() RETURNS integer LANGUAGE sql RETURN 1;"

    /// A query's rows of (name, value) as a dictionary by name.
    static func byName<Value: PostgresDecodable>(_ connection: PostgresConnection, _ sql: String) throws -> [String: Value] {
        var values: [String: Value] = [:]
        for row in try connection.query(sql).rows {
            values[try row.decode(0, as: String.self)] = try row.decode(1, as: Value.self)
        }
        return values
    }

    static func recordedChecksums(_ connection: PostgresConnection) throws -> [String: String] {
        try byName(connection, "SELECT name, checksum FROM schema_definitions")
    }

    @Test("a changed definition file applies every file again and records its new checksum; then nothing runs")
    func changedDefinition() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let before = try Self.recordedChecksums(connection)
        let definitions = Self.definitions(appending: Self.probe, to: "_families.sql")
        let migrator = Migrator(migrations: Migrator().migrations, definitions: definitions)
        #expect(try migrator.migrate(connection) == definitions.map { "definitions/" + $0.name })
        #expect(try connection.query("SELECT probe_definition()").first!.decode(0, as: Int.self) == 1)

        let after = try Self.recordedChecksums(connection)
        let changed = try #require(definitions.first { $0.name.hasSuffix("_families.sql") })
        let expected = try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [changed.sql]).first!.decode(0, as: String.self)
        #expect(after[changed.name] == expected)
        #expect(after.filter { $0.key != changed.name } == before.filter { $0.key != changed.name })
        #expect(try migrator.migrate(connection).isEmpty)
        // The binary's own file now differs from what was applied: pending until applied again.
        let pending = try Migrator().status(connection).filter { $0.appliedAt == nil }.map(\.name)
        #expect(pending == ["definitions/" + changed.name])
    }

    /// The files on disk of the two search indexes (a REINDEX gives an index a new one).
    static func searchIndexFiles(_ connection: PostgresConnection) throws -> [String: Int] {
        try byName(connection,
                   "SELECT relname::text, relfilenode::int FROM pg_class WHERE relname IN ('members_name_search', 'families_code_search')")
    }

    @Test("the search indexes are rebuilt when fold_name() changed since they were built, and not on every application of the definitions")
    func searchIndexesRebuiltOnlyForANewFolding() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let digest = try connection.query(
            "SELECT 'fold_name ' || md5(pg_get_functiondef('fold_name(text)'::regprocedure))").first!.decode(0, as: String.self)
        for index in ["members_name_search", "families_code_search"] {
            #expect(try connection.query("SELECT obj_description($1::regclass, 'pg_class')", [index]).first!.decode(0, as: String?.self) == digest)
        }
        let built = try Self.searchIndexFiles(connection)
        #expect(built.count == 2)
        // Every definition applied again (a changed file): the folding is the same, nothing is rebuilt.
        let again = Migrator(migrations: Migrator().migrations, definitions: Self.definitions(appending: Self.probe, to: "_access.sql"))
        #expect(!(try again.migrate(connection)).isEmpty)
        #expect(try Self.searchIndexFiles(connection) == built)
        // An index built with another folding (as its comment says) is rebuilt, and only it.
        try connection.query("COMMENT ON INDEX members_name_search IS 'fold_name 0'")
        let once = Migrator(migrations: Migrator().migrations, definitions: Self.definitions(appending: Self.probe + " ", to: "_access.sql"))
        #expect(!(try once.migrate(connection)).isEmpty)
        let rebuilt = try Self.searchIndexFiles(connection)
        #expect(rebuilt["members_name_search"] != built["members_name_search"])
        #expect(rebuilt["families_code_search"] == built["families_code_search"])
        #expect(try connection.query("SELECT obj_description('members_name_search'::regclass, 'pg_class')").first!.decode(0, as: String?.self) == digest)
    }

    @Test("a definition file that fails leaves every definition and its record as they were")
    func failingDefinition() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let before = try Self.recordedChecksums(connection)
        let definitions = Self.definitions(appending: Self.probe, to: "_access.sql").map {
            $0.name.hasSuffix("_bulk.sql") ? Migrator.Migration(name: $0.name, sql: $0.sql + "\nSELECT * FROM no_such_table;\n") : $0
        }
        #expect(throws: PostgresError.self) { try Migrator(migrations: Migrator().migrations, definitions: definitions).migrate(connection) }
        #expect(try connection.query("SELECT to_regprocedure('probe_definition()') IS NULL").first!.decode(0, as: Bool.self))
        #expect(try Self.recordedChecksums(connection) == before)
    }

    @Test("a new numbered migration applies the definition files again after it")
    func definitionsAfterMigration() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let embedded = Migrator()
        let added = Migrator.Migration(name: "900_probe.sql", sql: "CREATE TABLE probe (n int)")
        let migrator = Migrator(migrations: embedded.migrations + [added], definitions: embedded.definitions)
        #expect(try migrator.migrate(connection) == ["900_probe.sql"] + embedded.definitions.map { "definitions/" + $0.name })
        #expect(try migrator.migrate(connection).isEmpty)
    }

    @Test("a database made by the development migrations that predate the baseline is refused, saying so")
    func oldChainRefused() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        try connection.execute("INSERT INTO schema_migrations (name, checksum) VALUES ('001_foundation.sql', 'old')")
        let error = #expect(throws: RavnaqError.self) { try Migrator().migrate(connection) }
        #expect(error?.message.contains("predate the baseline of 2026-12-03") == true)
        #expect(error?.message.contains("make it anew") == true)
    }

    @Test("new migrations apply in order; a changed applied migration is refused and nothing moves")
    func checksum() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let first = Migrator.Migration(name: "900_a.sql", sql: "CREATE TABLE extra_a (n int)")
        let second = Migrator.Migration(name: "901_b.sql", sql: "CREATE TABLE extra_b (n int)")
        #expect(try Migrator(migrations: [first, second]).migrate(connection) == ["900_a.sql", "901_b.sql"])

        let edited = Migrator.Migration(name: "900_a.sql", sql: "CREATE TABLE extra_a (n bigint)")
        let third = Migrator.Migration(name: "902_c.sql", sql: "CREATE TABLE extra_c (n int)")
        let error = #expect(throws: RavnaqError.self) { try Migrator(migrations: [edited, second, third]).migrate(connection) }
        #expect(error?.message.contains("900_a.sql was changed") == true)
        #expect(try connection.query("SELECT to_regclass('extra_c') IS NULL").first!.decode(0, as: Bool.self))
    }

    @Test("a failing migration leaves no trace: neither its changes nor its record")
    func failingMigration() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let broken = Migrator.Migration(name: "903_broken.sql", sql: "CREATE TABLE half (n int); SELECT * FROM no_such_table;")
        #expect(throws: PostgresError.self) { try Migrator(migrations: [broken]).migrate(connection) }
        #expect(try connection.query("SELECT to_regclass('half') IS NULL").first!.decode(0, as: Bool.self))
        #expect(try connection.query("SELECT count(*) FROM schema_migrations WHERE name = $1", ["903_broken.sql"]).first!.decode(0, as: Int.self) == 0)
    }
}
