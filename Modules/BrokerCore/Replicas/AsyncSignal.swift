import Synchronization

/// A one-shot wake-up shared by the partitions a waiting fetch watches: the first append to any
/// of them fires it, and the fetch re-reads. Firing before the wait starts is remembered, so no
/// append between the fetch's read and its wait is missed.
final class AsyncSignal: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case fired
    }

    // The mutex guards the state; continuations resume outside it.
    private let state = Mutex(State.idle)

    /// A fresh signal.
    init() {}

    /// Wakes the waiter, or makes the next wait return at once.
    func fire() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            switch state {
            case .idle:
                state = .fired
                return nil
            case .waiting(let continuation):
                state = .fired
                return continuation
            case .fired:
                return nil
            }
        }
        continuation?.resume()
    }

    /// Returns once fired, or once the calling task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    switch state {
                    case .idle:
                        state = .waiting(continuation)
                        return false
                    case .waiting:
                        preconditionFailure("an AsyncSignal has one waiter")
                    case .fired:
                        return true
                    }
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
    }
}
