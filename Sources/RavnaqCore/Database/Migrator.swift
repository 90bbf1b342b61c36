import Postgres

/// Brings a database to the schema compiled into the binary, in two parts (README, "SQL layout"):
///
/// - the numbered migrations of `sql/` (tables, constraints, data), applied in name order, each in
///   its own transaction together with its record in `schema_migrations` (name and SHA-256). A
///   migration that was applied and has since changed is refused: the fix is a new migration.
/// - the definition files of `sql/definitions/` (every function, trigger and policy, each in its
///   current form, `CREATE OR REPLACE …`), applied after them. When any file is new or changed,
///   or a numbered migration was just applied, all of them are applied again, in name order, in
///   one transaction, and their checksums recorded in `schema_definitions`; otherwise nothing runs.
///
/// Both run under one advisory lock, so a server and a CLI starting together take turns.
public struct Migrator: Sendable {
    /// A numbered migration or a definition file: its name and text.
    public struct Migration: Sendable {
        public let name: String
        public let sql: String
        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    public struct Status: Sendable, Equatable {
        /// A migration's file name, or `definitions/` and a definition file's name.
        public let name: String
        /// When it was applied; nil while pending (a definition file: also when it has changed since).
        public let appliedAt: String?
    }

    public let migrations: [Migration]
    public let definitions: [Migration]

    /// The migrations and definitions compiled into this binary.
    public init() {
        self.init(
            migrations: embeddedMigrations.map { Migration(name: $0.name, sql: $0.text) },
            definitions: embeddedDefinitions.map { Migration(name: $0.name, sql: $0.text) })
    }

    public init(migrations: [Migration], definitions: [Migration] = []) {
        self.migrations = migrations
        self.definitions = definitions
    }

    /// Serializes concurrent migrators (a server and a CLI starting together).
    private static let advisoryLock: Int64 = 0x5241_564E_4151  // "RAVNAQ"

    /// The first migration of the chain that development used before sql/001_baseline.sql; a
    /// database that recorded it was made by that chain.
    static let oldChainFirstMigration = "001_foundation.sql"

    static let definitionsPrefix = "definitions/"

    /// Applies what is pending; returns the names applied (definition files as `definitions/NAME`).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name        text PRIMARY KEY,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now())
            """)
        try refuseOldChain(connection)
        // Before the first migration, so that the baseline's privileges cover it too.
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_definitions (
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
        applied += try applyDefinitions(connection, force: !applied.isEmpty)
        return applied
    }

    /// All definition files again, in one transaction, when any is new or changed (or `force`:
    /// a migration may have dropped what they define); records of files no longer compiled in
    /// are removed (what they defined stays until a migration drops it).
    private func applyDefinitions(_ connection: PostgresConnection, force: Bool) throws -> [String] {
        guard !definitions.isEmpty else { return [] }
        return try connection.transaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock($1)", [Self.advisoryLock])
            let recorded = try recordedDefinitions(connection)
            var checksums: [String] = []
            for definition in definitions { checksums.append(try checksum(of: definition, on: connection)) }
            let current = zip(definitions, checksums).allSatisfy { recorded[$0.name] == $1 }
            let known = Set(definitions.map(\.name))
            if current && !force && recorded.keys.allSatisfy(known.contains) { return [] }
            for definition in definitions {
                try connection.execute(definition.sql)
            }
            for name in recorded.keys where !known.contains(name) {
                try connection.query("DELETE FROM schema_definitions WHERE name = $1", [name])
            }
            for (definition, checksum) in zip(definitions, checksums) {
                try connection.query("""
                    INSERT INTO schema_definitions (name, checksum) VALUES ($1, $2)
                    ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                    """, [definition.name, checksum])
            }
            return definitions.map { Self.definitionsPrefix + $0.name }
        }
    }

    /// A database made by the numbered migrations of development (001_foundation.sql …
    /// 024_repayment_list.sql) cannot be brought to the baseline: its records name files this
    /// binary no longer has, and the baseline would find its tables already there.
    private func refuseOldChain(_ connection: PostgresConnection) throws {
        let old = try connection.query(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)", [Self.oldChainFirstMigration]
        ).first?.decode(0, as: Bool.self) ?? false
        if old {
            throw RavnaqError.setup(
                "this database was made by the development migrations (\(Self.oldChainFirstMigration) …), which predate "
                    + "the baseline of 2026-12-03 (sql/001_baseline.sql); no installation exists outside development, "
                    + "so it cannot be migrated: make it anew (for ravnaq's own cluster, remove the data directory's pg/ folder)")
        }
    }

    /// Every known migration, then every definition file, with when it was applied (nil while
    /// pending; for a definition file also when it has changed since it was applied).
    public func status(_ connection: PostgresConnection) throws -> [Status] {
        var appliedAt: [String: String] = [:]
        if try exists("schema_migrations", connection) {
            for row in try connection.query("SELECT name, applied_at::text FROM schema_migrations").rows {
                appliedAt[try row.decode(0)] = try row.decode(1)
            }
        }
        var definitionsAppliedAt: [String: (checksum: String, at: String)] = [:]
        if try exists("schema_definitions", connection) {
            for row in try connection.query("SELECT name, checksum, applied_at::text FROM schema_definitions").rows {
                definitionsAppliedAt[try row.decode(0)] = (try row.decode(1), try row.decode(2))
            }
        }
        var statuses = migrations.map { Status(name: $0.name, appliedAt: appliedAt[$0.name]) }
        for definition in definitions {
            let recorded = definitionsAppliedAt[definition.name]
            let current = try recorded?.checksum == checksum(of: definition, on: connection)
            statuses.append(Status(name: Self.definitionsPrefix + definition.name, appliedAt: current ? recorded?.at : nil))
        }
        return statuses
    }

    private func exists(_ table: String, _ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass($1) IS NOT NULL", [table]).first?.decode(0, as: Bool.self) ?? false
    }

    private func recordedDefinitions(_ connection: PostgresConnection) throws -> [String: String] {
        var recorded: [String: String] = [:]
        for row in try connection.query("SELECT name, checksum FROM schema_definitions").rows {
            recorded[try row.decode(0)] = try row.decode(1)
        }
        return recorded
    }

    private func checksum(of migration: Migration, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [migration.sql])
            .first!.decode(0)
    }
}
