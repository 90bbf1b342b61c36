import Foundation

/// `ravnaq db backup FILE` and `ravnaq db restore FILE` (SPEC §10): pg_dump's custom format.
/// A restore replaces the database's contents in one transaction, with triggers off so that the
/// audit log and the ledger checks see the rows exactly as they were saved.
extension Database {
    public func backup(to file: String) throws {
        try runTool("pg_dump", ["--format=custom", "--no-owner", "--file", file, "--dbname", conninfo], failure: "the backup failed")
    }

    public func restore(from file: String) throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw RavnaqError.setup("cannot read the backup \(file)") }
        try runTool("pg_restore", ["--clean", "--if-exists", "--single-transaction", "--disable-triggers", "--no-owner",
                                   "--exit-on-error", "--dbname", conninfo, file], failure: "the restore failed; the database is unchanged")
    }

    private func runTool(_ name: String, _ arguments: [String], failure: String) throws {
        let installation = try PostgresInstallation.find(programs: [name])
        let output: Subprocess.Output
        do {
            output = try Subprocess.run(installation.program(name), arguments)
        } catch {
            throw RavnaqError.setup("\(failure): \(error)")
        }
        guard output.status == 0 else {
            throw RavnaqError.setup("\(failure): \(output.text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
