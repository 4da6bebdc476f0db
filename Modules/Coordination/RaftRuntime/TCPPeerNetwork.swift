import NIOCore
public import TernPrimitives
public import TernTransport
import Synchronization

// Raft traffic over a `Transport` (TCP in production, injected by the composition root so this
// module never imports NIOPosix). Each node listens on its own endpoint and opens one outbound
// connection to every peer; a pair of nodes therefore talks over two one-way connections, each
// node sending on the one it opened and receiving on the one the other opened. One-way links keep
// each side simple: no request/response matching, and a sender that never reads.
//
// An outbound connection starts with a hello frame naming the sender (magic "TRFT", version u8,
// node i32); every later frame is one `PeerEnvelope`. A listener that gets a bad hello, a node
// outside the group or an envelope that does not decode logs it and closes that connection;
// nothing else is affected.
//
// Each peer has its own bounded queue and its own task: a peer that is down is retried with
// exponential backoff, and a peer that stops reading stalls only its own task while its queue
// drops the oldest envelopes. Raft resends whatever it still needs.

/// The first frame of every outbound peer connection.
enum PeerHello {
    static let magic: UInt32 = 0x5452_4654  // "TRFT"
    static let version: UInt8 = 1

    static func encode(_ node: NodeID) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(magic)
        buffer.writeInteger(version)
        buffer.writeInteger(node.rawValue)
        return buffer
    }

    static func decode(_ frame: ByteBuffer) -> NodeID? {
        var reader = frame
        guard reader.readInteger(as: UInt32.self) == magic, reader.readInteger(as: UInt8.self) == version,
              let node = reader.readInteger(as: Int32.self), reader.readableBytes == 0
        else { return nil }
        return NodeID(node)
    }
}

/// Peer links over a `Transport`.
public final class TCPPeerNetwork: PeerNetwork {
    /// Backoff between connection attempts to one peer.
    public static let reconnectDelayMin = Duration.milliseconds(50)
    public static let reconnectDelayMax = Duration.seconds(2)

    private struct State {
        var server: (any FrameServer)?
        var tasks: [Task<Void, Never>] = []
        var outbound: [NodeID: AsyncStream<ByteBuffer>.Continuation] = [:]
        /// The open outbound connections, closed at shutdown so that a send stuck on a peer
        /// that stopped reading cannot hold the shutdown up.
        var connections: [NodeID: any FrameConnection] = [:]
        var stopped = false
    }

    private let localNode: NodeID
    private let peers: [NodeID: Endpoint]
    private let listenEndpoint: Endpoint?
    private let transport: any Transport
    private let limits: RaftLimits
    private let log: @Sendable (String) -> Void
    private let state = Mutex(State())
    private let inbound: AsyncStream<PeerDelivery>.Continuation
    public let deliveries: AsyncStream<PeerDelivery>

    /// A network for `localNode` among `peers`, every voter's Raft endpoint (this node's
    /// included). The node listens on `listen`, or on its own entry of `peers` when nil (use
    /// `listen` to bind a wildcard address the others reach by name).
    public init(
        localNode: NodeID,
        peers: [NodeID: Endpoint],
        transport: any Transport,
        listen: Endpoint? = nil,
        limits: RaftLimits = RaftLimits(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.localNode = localNode
        self.peers = peers
        self.listenEndpoint = listen ?? peers[localNode]
        self.transport = transport
        self.limits = limits
        self.log = log
        (deliveries, inbound) = AsyncStream.makeStream(
            of: PeerDelivery.self, bufferingPolicy: .bufferingNewest(PeerNetworkLimits.inboundQueuedMax))
    }

    /// The largest frame a peer may send: a full append, a lone maximal entry, or a snapshot
    /// chunk, with room for their headers.
    var frameBytesMax: Int {
        max(limits.appendBytesMax, limits.entryBytesMax, limits.snapshotChunkBytesMax)
            + limits.appendEntriesMax * 16 + 1024
    }

    public func start() async throws(PeerNetworkError) {
        guard let listenEndpoint else { throw .unusable("no endpoint for node \(localNode.rawValue)") }
        let service = PeerFrameService(
            localNode: localNode, members: Set(peers.keys), limits: limits, inbound: inbound, log: log)
        let log = self.log
        let configuration = ServerConfiguration(
            requestFrameBytesMax: frameBytesMax, inFlightRequestsMax: 1, pushedFramesMax: 1,
            connectionsMax: max(16, peers.count * 4), idleTimeout: nil, shutdownDrainTimeout: .seconds(1),
            log: { event in log("raft peer listener: \(event)") })
        let server: any FrameServer
        do {
            server = try await transport.bind(listenEndpoint, configuration: configuration, service: service)
        } catch {
            throw .listenFailed("\(listenEndpoint): \(error)")
        }
        let started = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.server = server
            state.tasks.append(Task { await server.run() })
            for (peer, endpoint) in peers where peer != localNode {
                let (queue, continuation) = AsyncStream.makeStream(
                    of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(PeerNetworkLimits.outboundQueuedMax))
                state.outbound[peer] = continuation
                let register: @Sendable ((any FrameConnection)?) -> Void = { [weak self] connection in
                    self?.setConnection(connection, for: peer)
                }
                state.tasks.append(Task { [localNode, transport, log] in
                    await Self.runLink(
                        from: localNode, to: peer, at: endpoint, transport: transport, queue: queue,
                        register: register, log: log)
                })
            }
            return true
        }
        if !started {
            server.shutdown()
            throw .unusable("shut down")
        }
    }

    /// The listener's actual endpoint once started (with the real port when 0 was asked for).
    public var localEndpoint: Endpoint? {
        state.withLock { $0.server?.localEndpoint }
    }

    public func send(_ envelope: PeerEnvelope, to peer: NodeID) {
        var frame = ByteBuffer()
        envelope.encode(into: &frame)
        _ = state.withLock { $0.outbound[peer] }?.yield(frame)
    }

    public func shutdown() async {
        let (server, tasks, outbound, connections) = state.withLock { state in
            state.stopped = true
            defer {
                state.server = nil
                state.tasks = []
                state.outbound = [:]
                state.connections = [:]
            }
            return (state.server, state.tasks, Array(state.outbound.values), Array(state.connections.values))
        }
        server?.shutdown()
        for continuation in outbound { continuation.finish() }
        for connection in connections { connection.close() }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        inbound.finish()
    }

    /// Records a link's open connection (nil once it ends); after shutdown, closes it at once.
    private func setConnection(_ connection: (any FrameConnection)?, for peer: NodeID) {
        let stopped = state.withLock { state in
            if !state.stopped { state.connections[peer] = connection }
            return state.stopped
        }
        if stopped { connection?.close() }
    }

    /// Keeps one peer connected and feeds it its queue, reconnecting with backoff.
    private static func runLink(
        from localNode: NodeID, to peer: NodeID, at endpoint: Endpoint, transport: any Transport,
        queue: AsyncStream<ByteBuffer>, register: @Sendable ((any FrameConnection)?) -> Void,
        log: @Sendable (String) -> Void
    ) async {
        var pending = queue.makeAsyncIterator()
        var delay = reconnectDelayMin
        var failures = 0
        while !Task.isCancelled {
            do {
                try await transport.withConnection(
                    to: endpoint, configuration: ClientConfiguration(connectTimeout: .seconds(2), responseFrameBytesMax: 1024)
                ) { connection in
                    register(connection)
                    defer { register(nil) }
                    try await connection.send(FramePayload(PeerHello.encode(localNode)))
                    if failures > 0 { log("raft peer \(peer.rawValue) at \(endpoint): connected") }
                    delay = reconnectDelayMin
                    failures = 0
                    while let frame = await pending.next() {
                        try await connection.send(FramePayload(frame))
                    }
                }
                return  // the queue finished: the network is shutting down
            } catch {
                failures += 1
                // The first failure and then every tenth, so a long outage does not flood the log.
                if failures % 10 == 1 { log("raft peer \(peer.rawValue) at \(endpoint): \(error); retrying") }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, reconnectDelayMax)
        }
    }
}

/// The listener's side: identifies the sender by its hello, then decodes each frame.
private struct PeerFrameService: FrameService {
    let localNode: NodeID
    let members: Set<NodeID>
    let limits: RaftLimits
    let inbound: AsyncStream<PeerDelivery>.Continuation
    let log: @Sendable (String) -> Void

    func connectionOpened(_ connection: ServerConnection) async -> any ConnectionHandler {
        PeerConnectionHandler(service: self, remoteAddress: connection.remoteAddress)
    }
}

/// Why the listener closed a peer connection.
enum PeerWireError: Error {
    case badHello
    case undecodable(PeerEnvelopeDecodeError)
}

private final class PeerConnectionHandler: ConnectionHandler {
    private let service: PeerFrameService
    private let remoteAddress: String
    private let sender = Mutex<NodeID?>(nil)

    init(service: PeerFrameService, remoteAddress: String) {
        self.service = service
        self.remoteAddress = remoteAddress
    }

    func respond(to request: ByteBuffer) async throws -> FramePayload? {
        guard let from = sender.withLock({ $0 }) else {
            guard let claimed = PeerHello.decode(request), service.members.contains(claimed), claimed != service.localNode else {
                service.log("raft peer connection from \(remoteAddress): bad hello; closing")
                throw PeerWireError.badHello
            }
            sender.withLock { $0 = claimed }
            return nil
        }
        do {
            let envelope = try PeerEnvelope(decoding: request, limits: service.limits)
            service.inbound.yield(PeerDelivery(from: from, envelope: envelope))
        } catch {
            service.log("raft peer \(from.rawValue) at \(remoteAddress): undecodable frame (\(error)); closing")
            throw PeerWireError.undecodable(error)
        }
        return nil
    }
}
