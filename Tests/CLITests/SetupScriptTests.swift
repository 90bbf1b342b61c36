import Foundation
import Testing
import TestSupport

/// The set-up scripts of a fresh machine, run as a user would meet them.
@Suite("Set-up scripts")
struct SetupScriptTests {
    /// The package's folder: the test bundle lives in `.build/<triple>/debug/`.
    static var packageDirectory: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    @Test("install-deps without root and without sudo names the missing packages and the administrator's command")
    func noRootNoSudo() throws {
        // A PATH of stand-ins (Stubs/no-root): dpkg-query finds nothing installed, id says "not
        // root", and there is no sudo. They are files of the repository, not written by the test:
        // a script written here could be run while a process spawned meanwhile by another test
        // still held it open for writing ("Text file busy").
        let bin = Self.packageDirectory.appending(path: "Tests/CLITests/Stubs/no-root")
        let result = try ChildProcess.run("/bin/bash", [Self.packageDirectory.appending(path: "scripts/install-deps").path],
                                          environment: ["PATH": bin.path])
        let stderr = result.stderr
        #expect(result.status == 1)
        #expect(stderr.contains("missing Debian packages: postgresql libpq-dev pkg-config"), "\(stderr)")
        #expect(stderr.contains("apt-get install -y --no-install-recommends postgresql libpq-dev pkg-config"), "\(stderr)")
        #expect(!stderr.contains("command not found"), "\(stderr)")
    }
}
