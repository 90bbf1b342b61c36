import Foundation

/// Runs a program to completion for a test and collects what it printed, with posix_spawn and
/// waitpid rather than Foundation's Process: with several tests spawning at once, Process's
/// `waitUntilExit` was seen to wait forever for a child that had exited (left a zombie nobody
/// reaped), hanging the whole test run. waitpid on the child's own pid cannot miss it.
public enum ChildProcess {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public let program: String
        public let code: Int32
        public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// Runs `executable` with `arguments` and exactly `environment`; standard input is /dev/null.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        let base = FileManager.default.temporaryDirectory.appending(path: "ravnaq-test-\(getpid())-\(UUID().uuidString)").path
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw LaunchError(program: executable, code: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LaunchError(program: executable, code: errno) }
        }
        // The exit status when the child exited, else 128 + the signal (as shells report).
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func read(_ path: String) -> String {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        return Result(status: exit, stdout: read(outPath), stderr: read(errPath))
    }
}
