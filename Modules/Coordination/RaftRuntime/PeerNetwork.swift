public import TernPrimitives

// How a runtime reaches the other nodes of its group. Sending never waits: a message to a slow,
// dead or unreachable peer is queued up to a bound and then dropped, because Raft retries
// everything it needs and one bad peer must never hold up the others.

/// One envelope that arrived, with the node that sent it.
public struct PeerDelivery: Sendable {
    /// The sending node, as the connection identified it.
    public var from: NodeID
    /// What it sent.
    public var envelope: PeerEnvelope

    /// Creates a delivery.
    public init(from: NodeID, envelope: PeerEnvelope) {
        self.from = from
        self.envelope = envelope
    }
}

/// Why a network could not start.
public enum PeerNetworkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The listener could not be opened.
    case listenFailed(String)
    /// The network was configured without this node or is already shut down.
    case unusable(String)

    public var description: String {
        switch self {
        case let .listenFailed(detail): "cannot listen for peers: \(detail)"
        case let .unusable(detail): "peer network unusable: \(detail)"
        }
    }
}

/// The links from one node to its peers. The runtime that uses it starts and shuts it down.
public protocol PeerNetwork: Sendable {
    /// Opens the listener and starts connecting to peers.
    func start() async throws(PeerNetworkError)

    /// Queues `envelope` for `peer` and returns at once; dropped when the peer's queue is full.
    func send(_ envelope: PeerEnvelope, to peer: NodeID)

    /// Everything peers send, in arrival order per peer. Has one consumer.
    var deliveries: AsyncStream<PeerDelivery> { get }

    /// Closes every link; `deliveries` finishes.
    func shutdown() async
}

/// Bounds on the network's queues.
public enum PeerNetworkLimits {
    /// Envelopes queued per peer before the oldest are dropped.
    public static let outboundQueuedMax = 1024
    /// Deliveries buffered for the runtime before the oldest are dropped.
    public static let inboundQueuedMax = 4096
}
