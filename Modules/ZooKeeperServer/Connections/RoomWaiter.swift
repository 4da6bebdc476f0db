import Synchronization

/// A request handler waiting for room in its connection's pipeline. Resumed once, by whichever
/// comes first: the replica making room, the connection closing, or the handler's task being
/// cancelled (the transport cancels handlers of a connection it closes).
final class RoomWaiter: Sendable {
    private enum State {
        case waiting
        case suspended(CheckedContinuation<Void, Never>)
        case done
    }

    private let state = Mutex(State.waiting)

    /// Suspends until `resume()`; returns at once if that already happened or the task is
    /// cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard case .waiting = state else { return true }
                    state = .suspended(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            resume()
        }
    }

    /// Wakes the waiter; later calls do nothing.
    func resume() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .done }
            if case .suspended(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume()
    }
}
