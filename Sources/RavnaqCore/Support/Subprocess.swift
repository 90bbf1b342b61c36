import Foundation

/// Runs a program to completion and collects what it printed.
///
/// Uses posix_spawn and waitpid rather than Foundation's Process: `pg_ctl start` leaves a
/// server running, and Process waits on descriptors that such a grandchild inherits, which
/// never close; and with several processes spawned at once, Process's `waitUntilExit` was seen
/// to wait forever for a child that had exited. waitpid waits for the child alone. (Our own
/// long-lived descriptors, such as the cluster locks, are opened close-on-exec so that no server
/// inherits them.)
enum Subprocess {
    /// What the program printed on standard output and error together.
    struct Output {
        let status: Int32
        let text: String
    }

    /// What the program printed on each of standard output and error.
    struct Streams {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct LaunchError: Error, CustomStringConvertible {
        let program: String
        let code: Int32
        var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// Runs a program given by path or found on PATH, in this process's environment; `asUser`
    /// runs it as that system user through runuser (we are root then).
    static func run(_ program: String, _ arguments: [String], asUser user: String? = nil) throws -> Output {
        var argv = [program] + arguments
        if let user { argv = ["/usr/sbin/runuser", "-u", user, "--"] + argv }
        let (status, stdout, _) = try spawn(argv, environment: nil, separateStderr: false)
        return Output(status: status, text: stdout)
    }

    /// Runs the program at `executable` with exactly `environment`, its two streams kept apart.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Streams {
        let (status, stdout, stderr) = try spawn([executable] + arguments, environment: environment, separateStderr: true)
        return Streams(status: status, stdout: stdout, stderr: stderr)
    }

    /// Spawns `argv` with standard input from /dev/null and its output in temporary files, waits
    /// for it, and returns its exit status and what it printed. Without `environment` the program
    /// is found on PATH and inherits this process's environment.
    private static func spawn(_ argv: [String], environment: [String: String]?, separateStderr: Bool) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let base = FileManager.default.temporaryDirectory.appending(path: "ravnaq-\(getpid())-\(UUID().uuidString)").path
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer {
            unlink(outPath)
            if separateStderr { unlink(errPath) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if separateStderr {
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            cArguments.forEach { free($0) }
            cEnvironment?.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = if let cEnvironment {
            posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        } else {
            posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environ)
        }
        guard spawned == 0 else { throw LaunchError(program: argv[0], code: spawned) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LaunchError(program: argv[0], code: errno) }
        }
        func read(_ path: String) -> String {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        // Exit status when the child exited normally, else 128 + the signal (as shells report).
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, read(outPath), separateStderr ? read(errPath) : "")
    }
}
