import Foundation

/// An advisory `flock` on a file, released by `unlock()` or when the process dies, so a killed
/// ravnaq never leaves a lock behind.
final class FileLock: @unchecked Sendable {
    private var descriptor: Int32

    /// Waits until the lock is granted.
    init(_ url: URL, exclusive: Bool) throws(RavnaqError) {
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .setup("cannot open the lock file \(url.path)") }
        while flock(descriptor, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else {
                close(descriptor)
                throw .setup("cannot lock \(url.path)")
            }
        }
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The exclusive lock if nobody else holds the file, else nil.
    static func tryExclusive(_ url: URL) -> FileLock? {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return FileLock(descriptor: descriptor)
    }

    func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
