@testable import RavnaqCore

/// Runs a program for a test, to completion, with RavnaqCore's own `Subprocess` (posix_spawn and
/// waitpid; Foundation's Process was seen to hang the test run on a child that had exited).
public enum ChildProcess {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `executable` with `arguments` and exactly `environment`; standard input is /dev/null.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        let result = try Subprocess.run(executable, arguments, environment: environment)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
