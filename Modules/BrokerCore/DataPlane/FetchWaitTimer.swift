import Synchronization

/// Ends the waits of parked fetches at their deadlines, with one timer task for the whole
/// broker instead of a sleeping task per fetch (Kafka's purgatory plays this role).
///
/// A sleeping task per fetch costs a task group, a timer registration and its cancellation on
/// every Fetch that parks, and profiles of a consumer at 20k records/s showed that machinery
/// among the top costs. Here a parked fetch adds its signal with a deadline; the timer task
/// wakes every `tick` while any fetch is parked (and sleeps on a signal while none is), and
/// fires the signals whose deadline has passed. A wait therefore ends up to one tick late,
/// as Kafka's timing wheel ends it up to one of its ticks late.
final class FetchWaitTimer: Sendable {
    private struct State {
        var parked: [ObjectIdentifier: (deadline: ContinuousClock.Instant, signal: AsyncSignal)] = [:]
        var idle: AsyncSignal?
    }

    // The mutex guards the parked table and the idle signal; signals fire outside it.
    private let state = Mutex(State())
    private let tick: Duration
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// A timer that checks deadlines every `tick` while fetches are parked.
    init(tick: Duration = .milliseconds(2)) {
        self.tick = tick
        let tick = self.tick
        // The task holds the timer only between waits, so dropping the timer ends the task.
        let runner = Task { [weak self] in
            while !Task.isCancelled {
                let idle: AsyncSignal?
                do {
                    guard let timer = self else { return }
                    idle = timer.idleSignal()
                }
                if let idle {
                    await idle.wait()
                    continue
                }
                try? await Task.sleep(for: tick)
                self?.fireDue()
            }
        }
        task.withLock { $0 = runner }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    /// Fires `signal` at `deadline` unless it is removed first.
    func add(_ signal: AsyncSignal, deadline: ContinuousClock.Instant) {
        let idle: AsyncSignal? = state.withLock { state in
            state.parked[ObjectIdentifier(signal)] = (deadline, signal)
            defer { state.idle = nil }
            return state.idle
        }
        idle?.fire()
    }

    /// Forgets `signal`.
    func remove(_ signal: AsyncSignal) {
        _ = state.withLock { $0.parked.removeValue(forKey: ObjectIdentifier(signal)) }
    }

    /// A signal to sleep on while no fetch is parked, or nil when some is.
    private func idleSignal() -> AsyncSignal? {
        state.withLock { state in
            guard state.parked.isEmpty else { return nil }
            let signal = AsyncSignal()
            state.idle = signal
            return signal
        }
    }

    private func fireDue() {
        let now = ContinuousClock.now
        let due: [AsyncSignal] = state.withLock { state in
            let expired = state.parked.filter { $0.value.deadline <= now }
            for key in expired.keys { state.parked[key] = nil }
            return expired.values.map(\.signal)
        }
        for signal in due { signal.fire() }
    }
}
