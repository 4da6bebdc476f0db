/// Counts the requests of one connection between dispatch and the write of their response.
final class InFlightLimiter: Sendable {
    private let limit: Int
    private let inUse = WaitableState(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot, waiting while all are in use; false when cancelled first.
    func acquire() async -> Bool {
        while true {
            let taken = inUse.withLock { inUse in
                guard inUse < limit else { return false }
                inUse += 1
                return true
            }
            if taken { return true }
            if Task.isCancelled { return false }
            await inUse.wait { $0 < limit }
        }
    }

    /// Returns a slot: its response was written, or it had none.
    func release() {
        inUse.update { $0 -= 1 }
    }

    /// Whether any request is in flight.
    var isBusy: Bool {
        inUse.withLock { $0 > 0 }
    }
}
