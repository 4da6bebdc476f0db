/// A one-way switch that tells every connection of a server to stop reading and drain.
public final class ShutdownSignal: Sendable {
    private let state = WaitableState(false)

    /// A signal not yet triggered.
    public init() {}

    /// Flips the switch and wakes every waiter; later calls do nothing.
    public func trigger() {
        state.update { $0 = true }
    }

    /// Whether `trigger()` has been called.
    public var isTriggered: Bool {
        state.withLock { $0 }
    }

    /// Returns once the signal is triggered or the calling task is cancelled.
    public func wait() async {
        while !isTriggered && !Task.isCancelled {
            await state.wait { $0 }
        }
    }
}
