#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An exclusive lock on a store directory, held while a `SegmentedLogStore` has it open, so
/// that a second store (in this process or another) fails to open it instead of both
/// writing the same segment files; Kafka's log manager locks each log directory the same
/// way.
///
/// It is `flock(LOCK_EX | LOCK_NB)` on `<directory>/.lock`. A flock belongs to the open
/// file description, so two stores in one process conflict too (each opens the file
/// itself), and the lock goes away with the descriptor: on `release()`, on deinit, or when
/// the kernel reaps a killed process, so a crash never leaves a stale lock behind (unlike a
/// pid file). The file itself stays; it holds nothing.
final class DirectoryLock: Sendable {
    /// The name of the lock file in the store directory.
    static let fileName = ".lock"
    /// The path of the lock file.
    let path: String
    // The locked descriptor, -1 once released; atomic so release and deinit race safely.
    private let descriptor: Atomic<Int32>

    /// Takes the lock on `directory`, which must exist. Throws `.directoryLocked` when
    /// another open store holds it.
    init(directory: String) throws(LogStoreError) {
        path = directory + "/" + Self.fileName
        let opened = try POSIXFile.open(path, flags: O_RDWR | O_CREAT)
        var result: Int32
        repeat {
            result = flock(opened, LOCK_EX | LOCK_NB)
        } while result != 0 && errno == EINTR
        if result != 0 {
            let code = errno
            _ = close(opened)
            if code == EWOULDBLOCK { throw .directoryLocked(directory: directory) }
            throw .io(operation: "flock", path: path, errno: code)
        }
        descriptor = Atomic(opened)
    }

    /// Releases the lock (closing the descriptor drops the flock); later calls do nothing.
    func release() {
        let held = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if held >= 0 { _ = close(held) }
    }

    deinit {
        release()
    }
}

extension SegmentedLogStore {
    /// Drops the directory lock without closing anything, as the death of the process
    /// would: tests use it to open a second store over the files a "crashed" one left. The
    /// store must not be used afterwards.
    func releaseLockAsIfCrashed() {
        lock.release()
    }
}
