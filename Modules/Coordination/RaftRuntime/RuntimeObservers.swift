import TernPrimitives
import Synchronization

// The parts of a runtime that callers reach without awaiting the actor: the leadership view
// and its subscribers, and the leader inbox's subscribers. `ReplicatedLog` asks for these
// streams synchronously, so they live behind a mutex instead of in the actor.

/// Leadership and leader-inbox streams of one runtime.
final class RuntimeObservers: Sendable {
    typealias InboxMessage = (from: NodeID, message: [UInt8])

    private struct State {
        var leadership: Leadership
        var leadershipSubscribers: [UInt64: AsyncStream<Leadership>.Continuation] = [:]
        var inboxSubscribers: [UInt64: AsyncStream<InboxMessage>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        var finished = false
    }

    private let state: Mutex<State>
    private let inboxBufferMax: Int
    /// Leadership views a slow subscriber may fall behind by; older ones are dropped, the
    /// newest always arrives.
    static let leadershipBufferMax = 64

    init(initial: Leadership, inboxBufferMax: Int) {
        state = Mutex(State(leadership: initial))
        self.inboxBufferMax = inboxBufferMax
    }

    var leadership: Leadership { state.withLock { $0.leadership } }

    func leadershipStream() -> AsyncStream<Leadership> {
        subscribe(\.leadershipSubscribers, bufferingNewest: Self.leadershipBufferMax, first: \.leadership)
    }

    func publish(_ leadership: Leadership) {
        state.withLock { state in
            state.leadership = leadership
            for subscriber in state.leadershipSubscribers.values { subscriber.yield(leadership) }
        }
    }

    func inboxStream() -> AsyncStream<InboxMessage> {
        subscribe(\.inboxSubscribers, bufferingNewest: inboxBufferMax, first: nil)
    }

    /// A stream registered in `subscribers` until its consumer stops, starting with the element
    /// at `first` when given; after `finish()` it ends at once (after that element).
    private func subscribe<Element: Sendable>(
        _ subscribers: any WritableKeyPath<State, [UInt64: AsyncStream<Element>.Continuation]> & Sendable,
        bufferingNewest limit: Int, first: KeyPath<State, Element>?
    ) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(limit))
        let id = state.withLock { state -> UInt64? in
            if let first { continuation.yield(state[keyPath: first]) }
            guard !state.finished else { return nil }
            state.nextSubscriber += 1
            state[keyPath: subscribers][state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0[keyPath: subscribers].removeValue(forKey: id) }
        }
        return stream
    }

    func deliverToInbox(from: NodeID, _ message: [UInt8]) {
        state.withLock { state in
            for subscriber in state.inboxSubscribers.values { subscriber.yield((from, message)) }
        }
    }

    /// Ends every stream; later subscribers get the last view and an immediate end.
    func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer {
                state.leadershipSubscribers = [:]
                state.inboxSubscribers = [:]
            }
            return (Array(state.leadershipSubscribers.values), Array(state.inboxSubscribers.values))
        }
        for subscriber in subscribers.0 { subscriber.finish() }
        for subscriber in subscribers.1 { subscriber.finish() }
    }
}
