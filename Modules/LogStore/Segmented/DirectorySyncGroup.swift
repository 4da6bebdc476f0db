import Synchronization

/// Group commit for one directory's fsync: callers that need the directory's entries
/// durable share fsyncs, as appends share them in a log (see `+Durability`).
///
/// Every new partition adds an entry to the store directory, and each used to pay for a
/// directory fsync of its own (milliseconds here) in its log's first fsync round; with
/// thousands of partitions created, or closed, eight at a time, most of those fsyncs were
/// redundant. A caller that finds no fsync running leads: it runs one, then runs another for
/// every caller that queued meanwhile (they arrived after the first started, so it may not
/// cover their entries), until none is waiting. So N concurrent callers cost about two
/// fsyncs, and every caller returns only after an fsync that started after it called.
final class DirectorySyncGroup: Sendable {
    /// The directory synced.
    let path: String
    private let pool: IOThreadPool

    private enum Turn {
        /// Run the fsyncs.
        case lead
        /// A leader's fsync covered this caller, with this outcome.
        case done(Result<Void, LogStoreError>)
    }

    private struct State {
        var running = false
        var waiters: [CheckedContinuation<Turn, Never>] = []
    }

    // Guards whether a leader is running and who waits for its next fsync.
    private let state = Mutex(State())

    init(path: String, pool: IOThreadPool) {
        self.path = path
        self.pool = pool
    }

    /// Returns once an fsync of the directory that started after this call has finished.
    func sync() async throws(LogStoreError) {
        let turn: Turn = await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.running {
                    state.waiters.append(continuation)
                } else {
                    state.running = true
                    continuation.resume(returning: .lead)
                }
            }
        }
        switch turn {
        case let .done(result):
            try result.get()
        case .lead:
            let own = await syncOnce()
            while true {
                let waiters = state.withLock { state in
                    let waiters = state.waiters
                    state.waiters = []
                    if waiters.isEmpty { state.running = false }
                    return waiters
                }
                if waiters.isEmpty { break }
                let result = await syncOnce()
                for waiter in waiters { waiter.resume(returning: .done(result)) }
            }
            try own.get()
        }
    }

    private func syncOnce() async -> Result<Void, LogStoreError> {
        let path = path
        do throws(LogStoreError) {
            try await pool.run { () throws(LogStoreError) in try POSIXFile.syncDirectory(path) }
            return .success(())
        } catch {
            return .failure(error)
        }
    }
}
