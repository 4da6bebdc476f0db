import Synchronization

/// A value behind a lock that tasks can wait on: `update` changes it and wakes every waiter,
/// each of which re-checks its own condition. The waiting counterpart of a condition
/// variable, built on continuations so no thread ever blocks.
final class WaitableState<Value: Sendable>: Sendable {
    private enum Waiter {
        /// The waiter has an id but has not suspended yet.
        case registering
        /// Cancellation arrived before the waiter suspended; it must not suspend.
        case cancelled
        case suspended(CheckedContinuation<Void, Never>)
    }

    private struct Storage {
        var value: Value
        // One entry per task between `wait` entry and exit, so its size is the number of
        // concurrent waiters, which each caller bounds (one reader, one per connection).
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let storage: Mutex<Storage>

    init(_ value: Value) {
        storage = Mutex(Storage(value: value))
    }

    /// Reads or changes the value without waking anyone.
    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        storage.withLock { body(&$0.value) }
    }

    /// Like `withLock`, for a body that may throw.
    func withLockThrowing<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock { try body(&$0.value) }
    }

    /// Changes the value and wakes every suspended waiter.
    func update<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        let (result, woken) = storage.withLock { storage -> (Result, [CheckedContinuation<Void, Never>]) in
            let result = body(&storage.value)
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in storage.waiters {
                if case .suspended(let continuation) = waiter {
                    woken.append(continuation)
                    storage.waiters[id] = nil
                }
            }
            return (result, woken)
        }
        for continuation in woken { continuation.resume() }
        return result
    }

    /// Suspends until `isReady` holds (checked under the lock, so no update is missed), the
    /// next `update`, or cancellation. Callers loop, re-checking their condition.
    func wait(until isReady: (Value) -> Bool) async {
        let id = storage.withLock { storage in
            storage.nextWaiterID += 1
            storage.waiters[storage.nextWaiterID] = .registering
            return storage.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = storage.withLock { storage -> Bool in
                    guard case .registering = storage.waiters[id], !isReady(storage.value) else { return true }
                    storage.waiters[id] = .suspended(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = storage.withLock { storage -> CheckedContinuation<Void, Never>? in
                switch storage.waiters[id] {
                case .registering: storage.waiters[id] = .cancelled
                case .suspended(let continuation):
                    storage.waiters[id] = nil
                    return continuation
                case .cancelled, nil: break
                }
                return nil
            }
            continuation?.resume()
        }
        storage.withLock { $0.waiters[id] = nil }
    }
}
