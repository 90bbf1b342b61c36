import Foundation

/// Runs a program to completion and collects what it printed.
///
/// Uses posix_spawn and waitpid rather than Foundation's Process: `pg_ctl start` leaves a
/// server running, and Process waits on descriptors that such a grandchild inherits, which
/// never close. waitpid waits for the child alone. (Our own long-lived descriptors, such as
/// the cluster locks, are opened close-on-exec so that no server inherits them.)
enum Subprocess {
    struct Output {
        let status: Int32
        let text: String
    }

    struct LaunchError: Error, CustomStringConvertible {
        let program: String
        let code: Int32
        var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// `asUser` runs the program as that system user through runuser (we are root then).
    static func run(_ program: String, _ arguments: [String], asUser user: String? = nil) throws -> Output {
        var argv = [program] + arguments
        if let user { argv = ["/usr/sbin/runuser", "-u", user, "--"] + argv }

        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "ravnaq-\(getpid())-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // runuser (as root) and a program given by name are found on PATH.
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw LaunchError(program: program, code: spawned) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LaunchError(program: program, code: errno) }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exit status when the child exited normally, else 128 + the signal (as shells report).
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exitStatus, text: text)
    }
}
