import Foundation

/// Where the installed PostgreSQL's server programs are (SPEC §10): on PATH, then in
/// `pg_config --bindir`, then in `/usr/lib/postgresql/*/bin` (Debian keeps them there).
struct PostgresInstallation: Sendable {
    let binDirectory: URL

    func program(_ name: String) -> String { binDirectory.appending(path: name).path }

    /// The first directory, in that order, that holds all of `programs` (the server's `initdb`
    /// and `pg_ctl` by default; `pg_dump` and `pg_restore` for backups).
    static func find(
        programs: [String] = ["initdb", "pg_ctl"], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(RavnaqError) -> PostgresInstallation {
        let fileManager = FileManager.default
        func hasServerPrograms(_ directory: URL) -> Bool {
            programs.allSatisfy { fileManager.isExecutableFile(atPath: directory.appending(path: $0).path) }
        }
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            let directory = URL(fileURLWithPath: String(entry))
            if hasServerPrograms(directory) { return PostgresInstallation(binDirectory: directory) }
        }
        if let output = try? Subprocess.run("pg_config", ["--bindir"]), output.status == 0 {
            let directory = URL(fileURLWithPath: output.text.trimmingCharacters(in: .whitespacesAndNewlines))
            if hasServerPrograms(directory) { return PostgresInstallation(binDirectory: directory) }
        }
        let debianRoot = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? fileManager.contentsOfDirectory(atPath: debianRoot.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let directory = debianRoot.appending(path: version).appending(path: "bin")
            if hasServerPrograms(directory) { return PostgresInstallation(binDirectory: directory) }
        }
        throw RavnaqError.setup(
            "PostgreSQL is not installed: \(programs.joined(separator: " and ")) were not found on PATH, in `pg_config --bindir` "
                + "or in /usr/lib/postgresql/*/bin. Install it (apt-get install postgresql) "
                + "or point DATABASE_URL at a running server.")
    }
}
