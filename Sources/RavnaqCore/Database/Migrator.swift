import Postgres

/// Applies the migrations compiled into the binary from `sql/`, in name order, each in its own
/// transaction together with its record in `schema_migrations` (name and SHA-256). A migration
/// that was applied and has since changed is refused: the fix is a new migration.
public struct Migrator: Sendable {
    public struct Migration: Sendable {
        public let name: String
        public let sql: String
        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    public struct Status: Sendable, Equatable {
        public let name: String
        public let appliedAt: String?
    }

    public let migrations: [Migration]

    /// The migrations compiled into this binary.
    public init() {
        self.init(migrations: embeddedMigrations.map { Migration(name: $0.name, sql: $0.text) })
    }

    public init(migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Serializes concurrent migrators (a server and a CLI starting together).
    private static let advisoryLock: Int64 = 0x5241_564E_4151  // "RAVNAQ"

    /// Applies what is pending; returns the names applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name        text PRIMARY KEY,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now())
            """)
        var applied: [String] = []
        for migration in migrations {
            let done = try connection.transaction { connection in
                try connection.query("SELECT pg_advisory_xact_lock($1)", [Self.advisoryLock])
                let checksum = try self.checksum(of: migration, on: connection)
                if let recorded = try connection.query(
                    "SELECT checksum FROM schema_migrations WHERE name = $1", [migration.name]
                ).first {
                    guard try recorded.decode(0, as: String.self) == checksum else {
                        throw RavnaqError.setup(
                            "migration \(migration.name) was changed after it was applied to this database; "
                                + "applied migrations must never change — add a new migration instead")
                    }
                    return false
                }
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [migration.name, checksum])
                return true
            }
            if done { applied.append(migration.name) }
        }
        return applied
    }

    /// Every known migration with when it was applied (nil while pending).
    public func status(_ connection: PostgresConnection) throws -> [Status] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").first?.decode(0, as: Bool.self) ?? false
        var appliedAt: [String: String] = [:]
        if exists {
            for row in try connection.query("SELECT name, applied_at::text FROM schema_migrations").rows {
                appliedAt[try row.decode(0)] = try row.decode(1)
            }
        }
        return migrations.map { Status(name: $0.name, appliedAt: appliedAt[$0.name]) }
    }

    private func checksum(of migration: Migration, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [migration.sql])
            .first!.decode(0)
    }
}
