import Foundation

// Why a thread of our own: open, pwrite, fdatasync and rename block the calling thread, often
// for milliseconds, and Swift's cooperative pool has one thread per core. A Raft node's disk
// work runs here instead, one job at a time in submission order, which is also the order the
// core needs its writes in. One node needs one such thread; the thread exits when the storage
// closes it.

/// A dedicated thread that runs blocking closures one at a time, in order.
final class BlockingIOThread: @unchecked Sendable {
    // `condition` guards `jobs` and `closed`, the only mutable state.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var closed = false

    /// Starts the thread.
    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result; the caller suspends meanwhile.
    /// Throws `.closed` once the thread has been stopped.
    func run<T: Sendable>(
        _ body: @escaping @Sendable () throws(RaftStorageError) -> T
    ) async throws(RaftStorageError) -> T {
        let result: Result<T, RaftStorageError> = await withCheckedContinuation { continuation in
            let job: @Sendable () -> Void = {
                continuation.resume(returning: Result { () throws(RaftStorageError) -> T in try body() })
            }
            condition.lock()
            let accepted = !closed
            if accepted {
                jobs.append(job)
                condition.signal()
            }
            condition.unlock()
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Lets queued jobs finish, then ends the thread; later `run` calls throw `.closed`.
    func stop() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while let job = next() { job() }
    }

    private func next() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty {
            if closed { return nil }
            condition.wait()
        }
        return jobs.removeFirst()
    }
}
