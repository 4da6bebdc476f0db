import Synchronization

/// Ends the waits of parked fetches at their deadlines, with one timer for the whole broker
/// instead of a sleeping task per fetch (Kafka's purgatory plays this role).
///
/// A sleeping task per fetch costs a task, a timer registration and its cancellation on every
/// Fetch that parks. Here a parked fetch adds its signal with a deadline, and one sleeper
/// task sleeps to the earliest deadline known when it was armed, fires the signals that are
/// due and sleeps again to the next one; it ends when nothing is parked.
///
/// Most parked fetches are woken by data long before their deadline and remove themselves,
/// so the sleeper usually wakes to find nothing due; it still only wakes about once per wait
/// time, where ticking at a fixed short interval (the previous design) woke hundreds of times
/// a second whenever a consumer was parked. A new deadline earlier than the armed one (a
/// fetch with a shorter wait) replaces the sleeper.
final class FetchWaitTimer: Sendable {
    private struct Parked {
        var deadline: ContinuousClock.Instant
        var signal: AsyncSignal
    }

    private struct State {
        var parked: [ObjectIdentifier: Parked] = [:]
        /// The deadline the live sleeper sleeps to, if one runs.
        var armed: ContinuousClock.Instant?
        /// Which sleeper is the live one; a replaced sleeper sees a newer number and ends.
        var generation: UInt64 = 0
        var sleeper: Task<Void, Never>?
    }

    // The mutex guards the state; signals fire outside it.
    private let state = Mutex(State())

    /// A timer with nothing parked.
    init() {}

    deinit {
        state.withLock { $0.sleeper?.cancel() }
    }

    /// Fires `signal` at `deadline` unless it is removed first.
    func add(_ signal: AsyncSignal, deadline: ContinuousClock.Instant) {
        let replaced: Task<Void, Never>? = state.withLock { state in
            state.parked[ObjectIdentifier(signal)] = Parked(deadline: deadline, signal: signal)
            if let armed = state.armed, armed <= deadline { return nil }
            state.generation &+= 1
            state.armed = deadline
            let previous = state.sleeper
            state.sleeper = startSleeper(until: deadline, generation: state.generation)
            return previous
        }
        replaced?.cancel()
    }

    /// Forgets `signal`.
    func remove(_ signal: AsyncSignal) {
        _ = state.withLock { $0.parked.removeValue(forKey: ObjectIdentifier(signal)) }
    }

    /// How many fetches are parked (tests).
    var parkedCount: Int {
        state.withLock { $0.parked.count }
    }

    // The task holds the timer weakly, so dropping the timer ends it at its next wake.
    private func startSleeper(until first: ContinuousClock.Instant, generation: UInt64) -> Task<Void, Never> {
        Task { [weak self] in
            var deadline = first
            while true {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                } catch {
                    return
                }
                guard let next = self?.fireDue(generation: generation) else { return }
                deadline = next
            }
        }
    }

    /// Fires what is due and returns the next deadline to sleep to, or nil when this sleeper
    /// should end (nothing left, or it has been replaced).
    private func fireDue(generation: UInt64) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        let (due, next): ([AsyncSignal], ContinuousClock.Instant?) = state.withLock { state in
            guard state.generation == generation else { return ([], nil) }
            var due: [ObjectIdentifier] = []
            var next: ContinuousClock.Instant?
            for (key, parked) in state.parked {
                if parked.deadline <= now {
                    due.append(key)
                } else if next.map({ parked.deadline < $0 }) ?? true {
                    next = parked.deadline
                }
            }
            let signals = due.compactMap { state.parked.removeValue(forKey: $0)?.signal }
            state.armed = next
            if next == nil { state.sleeper = nil }
            return (signals, next)
        }
        for signal in due { signal.fire() }
        return next
    }
}
