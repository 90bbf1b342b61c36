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
        // A PATH of stand-ins: dpkg-query finds nothing installed, id says "not root", and there is no sudo.
        let bin = URL(fileURLWithPath: "/tmp").appending(path: "rq-stub-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        for (name, script) in [("dpkg-query", "exit 1"), ("id", "echo 1000")] {
            let file = bin.appending(path: name)
            try "#!/bin/sh\n\(script)\n".write(to: file, atomically: true, encoding: .utf8)
            chmod(file.path, 0o755)
        }
        try FileManager.default.createSymbolicLink(at: bin.appending(path: "grep"), withDestinationURL: URL(fileURLWithPath: "/bin/grep"))
        let result = try ChildProcess.run("/bin/bash", [Self.packageDirectory.appending(path: "scripts/install-deps").path],
                                          environment: ["PATH": bin.path])
        let stderr = result.stderr
        #expect(result.status == 1)
        #expect(stderr.contains("missing Debian packages: postgresql libpq-dev pkg-config"), "\(stderr)")
        #expect(stderr.contains("apt-get install -y --no-install-recommends postgresql libpq-dev pkg-config"), "\(stderr)")
        #expect(!stderr.contains("command not found"), "\(stderr)")
    }
}
