import Synchronization

/// One accepted connection, as its handler sees it: who is on the other end, a way to push
/// unsolicited frames (ZooKeeper watch events), and a way to close it.
public final class ServerConnection: Sendable {
    /// A number unique within the server, for logs.
    public let id: UInt64
    /// The peer's address as text, for logs.
    public let remoteAddress: String

    private let pushedFramesMax: Int
    private let closeTransport: @Sendable () -> Void
    private let state = Mutex(State())

    private struct State {
        var pushTarget: (@Sendable (FramePayload) -> Void)?
        var pushesPending = 0
        var closeReason: ConnectionCloseReason?
    }

    /// For transport implementations: a connection whose socket `closeTransport` closes.
    public init(id: UInt64, remoteAddress: String, pushedFramesMax: Int, closeTransport: @escaping @Sendable () -> Void) {
        self.id = id
        self.remoteAddress = remoteAddress
        self.pushedFramesMax = pushedFramesMax
        self.closeTransport = closeTransport
    }

    /// Queues a frame to be written after the responses already written and before those
    /// still to come. Throws when the connection is closed, or closes it and throws when
    /// the peer has let `ServerConfiguration.pushedFramesMax` pushes pile up.
    public func push(_ payload: FramePayload) throws(TransportError) {
        enum Outcome { case queued, closed, backlogFull }
        let outcome = state.withLock { state -> Outcome in
            guard state.closeReason == nil, let pushTarget = state.pushTarget else { return .closed }
            guard state.pushesPending < pushedFramesMax else { return .backlogFull }
            state.pushesPending += 1
            pushTarget(payload)
            return .queued
        }
        switch outcome {
        case .queued: return
        case .closed: throw .connectionClosed
        case .backlogFull:
            close(reason: .pushBacklogFull)
            throw .pushBacklogFull
        }
    }

    /// Closes the connection at once: unwritten responses are dropped and running
    /// `respond` calls are cancelled.
    public func close() {
        close(reason: .closedByHandler)
    }

    /// Whether the connection has been closed by anyone.
    public var isClosed: Bool {
        state.withLock { $0.closeReason != nil }
    }

    /// Records why the connection ends (the first reason wins) and closes the socket once.
    package func close(reason: ConnectionCloseReason) {
        let first = state.withLock { state in
            guard state.closeReason == nil else { return false }
            state.closeReason = reason
            return true
        }
        if first { closeTransport() }
    }

    package var closeReason: ConnectionCloseReason? {
        state.withLock { $0.closeReason }
    }

    /// Connects `push` to the connection's event loop; until then pushes throw.
    func attach(_ events: AsyncStream<ConnectionEvent>.Continuation?) {
        guard let events else {
            attach(push: nil)
            return
        }
        attach(push: { payload in events.yield(.push(payload)) })
    }

    /// Connects `push` to whatever writes the connection's frames; nil disconnects it, after
    /// which pushes throw. `target` is called under a lock and must only hand the frame on.
    package func attach(push target: (@Sendable (FramePayload) -> Void)?) {
        state.withLock { $0.pushTarget = target }
    }

    /// A pushed frame has left the queue (written or dropped).
    package func pushDequeued() {
        state.withLock { $0.pushesPending -= 1 }
    }
}
