/// Connections accepted by a listener and not yet taken by its accept loop, bounded by
/// `capacity`. Unlike an `AsyncStream`, it hands back what is left when it closes, so a
/// listener can close those connections properly even when its task was cancelled (NIO's
/// async channels must be closed through `executeThenClose`, never just dropped).
public final class AcceptQueue<Element: Sendable>: Sendable {
    private struct State {
        // Never more than `capacity` entries: `offer` refuses beyond it.
        var pending: [Element] = []
        /// No more offers; `next()` still hands out what is pending.
        var finished = false
    }

    private enum OfferStep { case added, closed, full }
    private enum TakeStep { case element(Element), end, empty }

    private let capacity: Int
    private let state = WaitableState(State())

    /// An open, empty queue holding at most `capacity` connections.
    public init(capacity: Int) {
        precondition(capacity > 0, "an accept queue needs room for one connection")
        self.capacity = capacity
    }

    /// Adds the element `make` builds, calling it only when the queue is open and has room,
    /// so a refused connection is never wrapped. False when refused.
    public func offer(_ make: () throws -> Element) rethrows -> Bool {
        let added = try state.withLockThrowing { state -> Bool in
            guard !state.finished, state.pending.count < capacity else { return false }
            state.pending.append(try make())
            return true
        }
        if added { state.update { _ in } }
        return added
    }

    /// Adds `element`, waiting while the queue is full; false once it is closed, nil when
    /// cancelled first.
    func offerWaiting(_ element: Element) async -> Bool? {
        while true {
            let step = state.withLock { state -> OfferStep in
                if state.finished { return .closed }
                guard state.pending.count < capacity else { return .full }
                state.pending.append(element)
                return .added
            }
            switch step {
            case .added:
                state.update { _ in }
                return true
            case .closed:
                return false
            case .full:
                if Task.isCancelled { return nil }
                await state.wait { $0.finished || $0.pending.count < capacity }
            }
        }
    }

    /// The oldest pending connection; nil once the queue is finished and empty, or when the
    /// task is cancelled.
    public func next() async -> Element? {
        while true {
            let step = state.withLock { state -> TakeStep in
                if !state.pending.isEmpty { return .element(state.pending.removeFirst()) }
                return state.finished ? .end : .empty
            }
            switch step {
            case .element(let element):
                state.update { _ in }
                return element
            case .end:
                return nil
            case .empty:
                if Task.isCancelled { return nil }
                await state.wait { $0.finished || !$0.pending.isEmpty }
            }
        }
    }

    /// Refuses further offers; `next()` returns what is pending, then nil.
    public func finish() {
        state.update { $0.finished = true }
    }

    /// Refuses further offers and takes every pending connection, for the caller to close.
    public func close() -> [Element] {
        state.update { state in
            state.finished = true
            defer { state.pending.removeAll() }
            return state.pending
        }
    }
}
