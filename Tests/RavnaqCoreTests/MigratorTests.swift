import Postgres
import RavnaqCore
import Testing
import TestSupport

@Suite("Migrations")
struct MigratorTests {
    @Test("the embedded migrations are all applied and recorded, and running again applies nothing")
    func appliedOnce() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let statuses = try Migrator().status(connection)
        #expect(!statuses.isEmpty)
        #expect(statuses.allSatisfy { $0.appliedAt != nil })
        #expect(statuses.map(\.name) == statuses.map(\.name).sorted())
        #expect(try Migrator().migrate(connection).isEmpty)
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
