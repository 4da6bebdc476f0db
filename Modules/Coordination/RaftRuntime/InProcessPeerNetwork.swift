import NIOCore
public import TernPrimitives
import Synchronization

// Several runtimes in one process, for tests. Every envelope goes through the codec on its way,
// so cluster tests exercise it too. Fault hooks cut single directed links, isolate a node, or
// heal everything; a detached node (shut down, or not started yet) simply receives nothing,
// as a crashed machine would.

/// The shared medium that in-process peer networks talk through.
public final class InProcessPeerHub: Sendable {
    private struct State {
        var inboxes: [NodeID: (owner: ObjectIdentifier, continuation: AsyncStream<PeerDelivery>.Continuation)] = [:]
        var cut: Set<Link> = []
        var delivered = 0
        var dropped = 0
    }

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    private let state = Mutex(State())
    private let limits: RaftLimits

    /// A hub with no nodes and no faults; `limits` is what receivers decode with, and should
    /// be the nodes' own.
    public init(limits: RaftLimits = RaftLimits()) {
        self.limits = limits
    }

    /// The network of node `node`; make a new one for each run of a restarted node.
    public func network(for node: NodeID) -> InProcessPeerNetwork {
        InProcessPeerNetwork(node: node, hub: self)
    }

    /// Drops everything `from` sends to `to` until healed.
    public func cut(from: NodeID, to: NodeID) {
        _ = state.withLock { $0.cut.insert(Link(from: from, to: to)) }
    }

    /// Cuts every link into and out of `node` among `nodes`.
    public func isolate(_ node: NodeID, from nodes: some Sequence<NodeID>) {
        for other in nodes where other != node {
            cut(from: node, to: other)
            cut(from: other, to: node)
        }
    }

    /// Restores every link.
    public func heal() {
        state.withLock { $0.cut.removeAll() }
    }

    /// Envelopes delivered and dropped so far (cut links, detached nodes, full inboxes).
    public var counts: (delivered: Int, dropped: Int) {
        state.withLock { ($0.delivered, $0.dropped) }
    }

    func attach(_ node: NodeID, owner: ObjectIdentifier, _ continuation: AsyncStream<PeerDelivery>.Continuation) {
        let previous = state.withLock { state in
            defer { state.inboxes[node] = (owner, continuation) }
            return state.inboxes[node]
        }
        previous?.continuation.finish()
    }

    func detach(_ node: NodeID, owner: ObjectIdentifier, _ continuation: AsyncStream<PeerDelivery>.Continuation) {
        state.withLock { state in
            // A newer run of the node may have attached meanwhile; leave it alone.
            if state.inboxes[node]?.owner == owner { state.inboxes[node] = nil }
        }
        continuation.finish()
    }

    func deliver(_ envelope: PeerEnvelope, from: NodeID, to: NodeID) {
        var bytes = ByteBuffer()
        envelope.encode(into: &bytes)
        // An envelope beyond the hub's limits is dropped, as a TCP listener would close on it.
        let decoded = try? PeerEnvelope(decoding: bytes, limits: limits)
        state.withLock { state in
            guard let decoded, !state.cut.contains(Link(from: from, to: to)), let inbox = state.inboxes[to]?.continuation else {
                state.dropped += 1
                return
            }
            switch inbox.yield(PeerDelivery(from: from, envelope: decoded)) {
            case .enqueued: state.delivered += 1
            case .dropped, .terminated: state.dropped += 1
            @unknown default: state.dropped += 1
            }
        }
    }
}

/// One node's end of an `InProcessPeerHub`.
public final class InProcessPeerNetwork: PeerNetwork {
    private let node: NodeID
    private let hub: InProcessPeerHub
    private let continuation: AsyncStream<PeerDelivery>.Continuation
    public let deliveries: AsyncStream<PeerDelivery>

    init(node: NodeID, hub: InProcessPeerHub) {
        self.node = node
        self.hub = hub
        (deliveries, continuation) = AsyncStream.makeStream(
            of: PeerDelivery.self, bufferingPolicy: .bufferingNewest(PeerNetworkLimits.inboundQueuedMax))
    }

    public func start() async throws(PeerNetworkError) {
        hub.attach(node, owner: ObjectIdentifier(self), continuation)
    }

    public func send(_ envelope: PeerEnvelope, to peer: NodeID) {
        hub.deliver(envelope, from: node, to: peer)
    }

    public func shutdown() async {
        hub.detach(node, owner: ObjectIdentifier(self), continuation)
    }
}
