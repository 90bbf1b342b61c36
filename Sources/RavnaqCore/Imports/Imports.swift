import Dates
import Foundation
import Postgres

/// Spreadsheet imports (issue 15): the registers NGOs keep today, brought in whole or not at
/// all. The file is read and every row checked before anything is written; every problem of
/// every row is reported at once, each under its row number and column header; one transaction
/// writes the rows through the same constraints, triggers and row-level security as requests,
/// and records the import (file SHA-256, row counts) in `imports`, whose audit copy is the
/// import's one audit entry. A row already on record with the same data is left as it is, so a
/// second import of the same file writes nothing; a row whose key is on record with other data
/// is a conflict, never an overwrite.
public struct Imports: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public struct Options: Sendable {
        public var dryRun: Bool
        /// Headers of the file → the import's column names, for headers it does not know.
        public var mapping: [String: String]
        public var fileName: String?

        public init(dryRun: Bool = false, mapping: [String: String] = [:], fileName: String? = nil) {
            self.dryRun = dryRun
            self.mapping = mapping
            self.fileName = fileName
        }
    }

    /// Reads `data` (CSV or XLSX) as `kind` and imports it.
    public func run(_ kind: ImportKind, data: Data, options: Options, as actor: Actor,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> ImportResult {
        try actor.require(.admin, .coordinator, to: "import files")
        // Reading 100 000 families takes seconds of CPU: on a thread of its own, not one of the
        // few that run every request's tasks. (The rows are then checked inside the transaction,
        // on the connection's own queue.)
        let (sheet, file) = try await Self.offCooperativePool {
            let table: SheetTable
            do {
                table = try SheetTable.read(data)
            } catch let error as SheetError {
                throw RavnaqError.invalid("/file", error.description)
            }
            let sheet = try ImportSheet(table, kind: kind, mapping: options.mapping)
            return (sheet, ImportedFile(sha256: SHA256.hex(data), name: options.fileName, rows: sheet.rows.count))
        }
        let outcome: ImportOutcome
        do {
            outcome = try await database.transaction(as: actor) { connection in
                try Self.write(sheet, file: file, on: connection, options: options, actor: actor, progress: progress)
            }
        } catch let finished as DryRunFinished {
            outcome = finished.outcome
        }
        return ImportResult(kind: kind, file: file, outcome: outcome, ignored: sheet.ignored, dryRun: options.dryRun)
    }
}

extension Imports {
    static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The import's one transaction: the kind's rows, then the record of the import.
    private static func write(_ sheet: ImportSheet, file: ImportedFile, on connection: PostgresConnection, options: Options,
                              actor: Actor, progress: (@Sendable (Int, Int) -> Void)?) throws -> ImportOutcome {
        let today = try Organizations.today(connection, organizationID: actor.organizationID)
        var recorded = false
        func record(_ outcome: ImportOutcome) throws -> UUID {
            recorded = true
            return try connection.query(
                """
                INSERT INTO imports (organization_id, kind, file_name, file_sha256, rows, created, unchanged, imported_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, current_setting('ravnaq.actor')) RETURNING id
                """,
                [actor.organizationID, sheet.kind.rawValue, file.name, file.sha256, file.rows, outcome.created, outcome.unchanged]
            ).first!.decode(0)
        }
        // Read before this import's own row exists.
        let previouslyImportedAt = try connection.query(
            "SELECT max(imported_at)::text FROM imports WHERE organization_id = $1 AND file_sha256 = $2 AND kind = $3",
            [actor.organizationID, file.sha256, sheet.kind.rawValue]
        ).first!.decode(0, as: String?.self)
        var outcome = switch sheet.kind {
        case .families:
            try FamilyImport(sheet: sheet, today: today)
                .run(connection, actor: actor, dryRun: options.dryRun, progress: progress, record: record)
        case .projects: try RowImport.projects(sheet, connection, actor: actor, progress: progress)
        case .loans: try RowImport.loans(sheet, connection, actor: actor, progress: progress)
        case .repayments: try RowImport.repayments(sheet, connection, actor: actor, progress: progress)
        case .grants: try RowImport.grants(sheet, connection, actor: actor, progress: progress)
        }
        outcome.previouslyImportedAt = previouslyImportedAt
        if options.dryRun {
            // Nothing of it may stay: the row imports ran for real, to be checked as requests are.
            throw DryRunFinished(outcome: outcome)
        }
        if outcome.created > 0, !recorded { _ = try record(outcome) }
        return outcome
    }
}

struct ImportedFile: Sendable {
    let sha256: String
    let name: String?
    let rows: Int
}

/// What one import did (or, in a dry run, would do).
struct ImportOutcome: Sendable {
    var created = 0
    var unchanged = 0
    /// Members created with the families (families imports only).
    var members: Int?
    var warnings: [String] = []
    var previouslyImportedAt: String?
}

/// Thrown out of a dry run's transaction so that it rolls back, carrying what it found.
struct DryRunFinished: Error {
    let outcome: ImportOutcome
}

/// The answer of an import.
public struct ImportResult: Encodable, Sendable {
    public let kind: String
    public let file_sha256: String
    public let rows: Int
    /// Records created (families, projects, loans, repayments, grants); in a dry run, that would be.
    public let created: Int
    /// Records already on record with the same data, left as they are.
    public let unchanged: Int
    public let members_created: Int?
    public let dry_run: Bool
    /// When the same file was imported before, if it was.
    public let previously_imported_at: String?
    public let ignored_columns: [String]
    public let warnings: [String]
    /// In words: what was written, or that nothing was and why.
    public let summary: String

    private enum CodingKeys: String, CodingKey {
        case kind, file_sha256, rows, created, unchanged, members_created, dry_run, previously_imported_at, ignored_columns, warnings, summary
    }

    /// Every key, null included (the OpenAPI document lists them all as required).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(file_sha256, forKey: .file_sha256)
        try container.encode(rows, forKey: .rows)
        try container.encode(created, forKey: .created)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(members_created, forKey: .members_created)
        try container.encode(dry_run, forKey: .dry_run)
        try container.encode(previously_imported_at, forKey: .previously_imported_at)
        try container.encode(ignored_columns, forKey: .ignored_columns)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(summary, forKey: .summary)
    }

    init(kind: ImportKind, file: ImportedFile, outcome: ImportOutcome, ignored: [String], dryRun: Bool) {
        self.kind = kind.rawValue
        file_sha256 = file.sha256
        rows = file.rows
        created = outcome.created
        unchanged = outcome.unchanged
        members_created = outcome.members
        dry_run = dryRun
        previously_imported_at = outcome.previouslyImportedAt
        ignored_columns = ignored
        warnings = outcome.warnings
        let what = kind.rawValue
        summary = if dryRun {
            "dry run: \(file.rows) rows checked, no problem found; \(outcome.created) \(what) would be created, \(outcome.unchanged) are already on record; nothing was written"
        } else if outcome.created == 0 {
            "nothing to write: all \(outcome.unchanged) \(what) of the file are already on record"
                + (outcome.previouslyImportedAt.map { " (this file was imported at \($0))" } ?? "")
        } else {
            "\(outcome.created) \(what) created, \(outcome.unchanged) already on record"
        }
    }
}
