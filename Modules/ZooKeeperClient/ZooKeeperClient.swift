// TernZooKeeperClient: a ZooKeeper client over TernTransport, and the broker's `zk://`
// coordination backend built on it, which keeps cluster metadata under the znode layout Kafka
// used in ZooKeeper mode. It works against Tern's coordinator ensemble and Apache ZooKeeper.
//
// Design note
// ===========
//
// The client (`ZooKeeperClient`, Session/). One actor per session. It connects to the servers
// of the connect string in shuffled order, sends a ConnectRequest (session 0 and a zeroed
// password for a new session, the old id and password to resume) and adopts the negotiated
// timeout. Per connection three child tasks run: a writer draining the frames requests queue
// (so frames leave in xid order), a reader matching replies to requests by xid (requests are
// pipelined; nothing waits for the previous reply) and routing xid -1 watch events, -2 ping
// replies and -8 setWatches replies, and a keep-alive that pings at 1/3 of the timeout and
// drops a connection silent for 2/3 of it. On a lost connection the requests in flight fail
// with `connectionLoss` (they may or may not have been applied) and the client reconnects to
// the next server, resuming the session and re-arming its watches with one setWatches carrying
// the last zxid seen, so the server fires what was missed. A server that answers the resume
// with timeout 0 ends the session: the client reports `expired`, forgets its watches and opens
// a new session by itself (as kazoo does), reporting `connected` with the new id. Requests made
// while reconnecting wait for the connection up to `requestConnectionWait`. The chroot is
// added to every outgoing path and removed from every path that comes back.
//
// The layout (`ZooKeeperCoordinationClient`, KafkaLayout/ and Coordination/), all under the
// chroot, JSON as Kafka writes it (field names from Kafka's ZkData.scala and
// ProducerIdManager.scala, read to learn the formats):
//
//   /cluster/id                     {"id":"q1Sh-9_ISia_FM4pqAzxKw","version":"1"}
//   /brokers/ids/<id>   ephemeral   {"endpoints":["PLAINTEXT://h1:9092"],"host":"h1","jmx_port":-1,
//                                    "listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
//                                    "port":9092,"rack":"r1","timestamp":"1764100000000","version":4}
//   /controller         ephemeral   {"brokerid":1,"timestamp":"1764100000000","version":1}
//   /controller_epoch               3            (a decimal number, as Kafka writes it)
//   /brokers/topics/<t>             {"adding_replicas":{},"partitions":{"0":[1,2,3],"1":[2,3,1]},
//                                    "removing_replicas":{},"topic_id":"Hs2Hq1xnQOmz3ZC4fh-Kpg","version":2}
//   /brokers/topics/<t>/partitions/<p>           (no data)
//   /brokers/topics/<t>/partitions/<p>/state     {"controller_epoch":3,"isr":[1,2],"leader":1,
//                                                 "leader_epoch":4,"version":1}
//   /config/topics/<t>              {"config":{"retention.ms":"86400000"},"version":1}
//   /config/brokers/<default>       {"config":{"log.retention.ms":"5"},"version":1}   (scope "")
//   /config/brokers/<id>            {"config":{...},"version":1}
//   /latest_producer_id_block       {"block_end":"1999","block_start":"1000","broker":1,"version":1}
//
// plus the empty persistent nodes Kafka creates at startup (/brokers/seqid, /config/changes,
// /admin/delete_topics, /isr_change_notification, ...) so Kafka's own tools find the tree they
// expect. A partition's `partitionEpoch` is its state node's version, as Kafka's controller
// used the znode version (zkVersion) to update LeaderAndIsr conditionally; `updatePartition`
// is a setData with that version.
//
// Keeping the snapshot current. Every node the snapshot is made of is read with a watch
// (getData, or getChildren for the lists /brokers/ids, /brokers/topics, /config/topics and
// /config/brokers; an exists watch for a node that is absent). A watch event names a path,
// which maps to a `KafkaSnapshotKey`; the key is reloaded, which re-arms its watch, and a
// changed list reads its new members. Reloads run one batch at a time and a new snapshot is
// published only when it differs. Every write reloads the keys it touched before it returns,
// so this broker's `metadata()` shows its own writes at once. After a session expiry the
// client re-registers the broker (the ephemeral node went with the old session), re-claims
// the controller if it held it, and reloads everything. ZooKeeper delivers a session's events
// in zxid order, and a reload reads the node's state at or after the event, so a snapshot
// never goes back in time, though it may skip intermediate states.
//
// Where we depart from Kafka's ZooKeeper mode, and why:
// - Writes are atomic multis where Kafka used several steps: a topic's assignment, partition
//   nodes, states and config are created in one multi (Kafka wrote the config, then the
//   assignment, and its controller created the states later), so no broker ever sees half a
//   topic. Adding partitions, and an `updatePartition` that changes replicas, update the
//   assignment and the states in one multi guarded by the assignment's version, retried a
//   bounded number of times when another writer got in between.
// - Topic deletion is immediate: one multi deletes the topic's subtree and config node.
//   Kafka instead marked /admin/delete_topics/<t> and its controller deleted replicas first;
//   our protocol's deleteTopic is synchronous and each broker drops the logs of topics that
//   leave its snapshot.
// - No /config/changes notifications are written or read: every broker watches the config
//   nodes themselves. Kafka's sequential notifications existed because brokers did not watch
//   each config node; a Kafka tool that writes one is harmless here.
// - The controller is claimed as Kafka 2.x does (create the ephemeral /controller and raise
//   /controller_epoch in one multi conditional on the epoch's version), but only when a broker
//   starts and after its session expires; no broker re-elects when /controller disappears,
//   since the broker has no controller failover yet (the embedded backend behaves the same).
//   A claim in the name of a broker id registered by another live session is refused with
//   `brokerIdInUse`, checked against the registration's ephemeralOwner.
// - Cross-broker reads are not linearizable: a write is visible to this broker's `metadata()`
//   when the call returns, and to other brokers when their watches fire (normally within
//   milliseconds). The protocol's "every later metadata() of any broker" holds only with a
//   sync, which we do not issue on every read. `ClusterMetadata.version` counts the snapshots
//   this client published and is not comparable across brokers.
// - Broker registrations use JSON version 4 (no KIP-584 features), one PLAINTEXT endpoint,
//   jmx_port -1. A topic node without topic_id (written by an old Kafka) gets the zero id.
// - ACLs are `world:anyone` with all permissions; no digest or SASL auth is sent.
// - setWatches goes out as one request; Java's client splits it above 128 KB, which only
//   matters with thousands of watched topics.
public import Logging
import NIOCore
public import TernTransport
import TernZooKeeper

/// A ZooKeeper session: one connection at a time to one server of the ensemble, moving to
/// another (with the same session id and password) when the connection is lost, and opening a
/// new session when the old one expired. Watch events and session changes arrive on `events`.
///
/// Requests are pipelined: each gets the next xid, goes out in order on the connection's
/// writer, and its reply is matched by xid. A request made while the client is reconnecting
/// waits for the connection for up to `requestConnectionWait`.
public actor ZooKeeperClient {
    enum Phase {
        case idle, connecting, connected, closing, closed
    }

    struct Reply {
        var header: ZooKeeperReplyHeader
        var body: ByteBuffer
    }

    struct Pending {
        var opCode: ZooKeeperOpCode
        var watch: (ZooKeeperWatchRegistry.Kind, String)?
        var continuation: CheckedContinuation<Result<Reply, ZooKeeperError>, Never>
    }

    static let setWatchesXid: Int32 = -8
    static let authXid: Int32 = -4
    static let emptyPassword = [UInt8](repeating: 0, count: ZooKeeperLimits.sessionPasswordBytes)

    /// Watch events and session changes, in the order they happened. Each watch fires once per
    /// registration, so the backlog is bounded by the reads this client made, not by the server.
    public nonisolated let events: AsyncStream<ZooKeeperEvent>
    private let eventSink: AsyncStream<ZooKeeperEvent>.Continuation

    /// The ensemble and chroot.
    public nonisolated let connectString: ZooKeeperConnectString
    let configuration: ZooKeeperClientConfiguration
    let transport: any Transport
    let logger: Logger
    private var servers: [Endpoint]
    private var serverIndex = 0

    var phase = Phase.idle
    /// The current session, 0 before the first and after an expiry.
    public internal(set) var sessionID: Int64 = 0
    var password = emptyPassword
    var negotiatedTimeout: Duration
    var lastZxid: Int64 = 0
    var watches = ZooKeeperWatchRegistry()

    var connection: (any FrameConnection)?
    var outgoing: AsyncStream<ByteBuffer>.Continuation?
    var pending: [Int32: Pending] = [:]
    private var nextXid: Int32 = 1
    var lastReceived = ContinuousClock.now
    private var runner: Task<Void, Never>?

    /// A client of `connectString`'s ensemble; `start()` connects it. With `resuming`, the
    /// first connect resumes that session instead of creating one.
    public init(
        connectString: ZooKeeperConnectString, configuration: ZooKeeperClientConfiguration = ZooKeeperClientConfiguration(),
        transport: any Transport, logger: Logger, resuming credentials: ZooKeeperSessionCredentials? = nil
    ) {
        if let credentials {
            sessionID = credentials.sessionID
            password = credentials.password
        }
        self.connectString = connectString
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        // Shuffled so that clients of one connect string spread over the ensemble.
        servers = connectString.servers.shuffled()
        negotiatedTimeout = configuration.sessionTimeout
        (events, eventSink) = AsyncStream.makeStream(of: ZooKeeperEvent.self)
    }

    /// Starts the session loop and waits for the first session, for up to
    /// `requestConnectionWait`; throws `.connectionLoss` when no server answered in time.
    public func start() async throws(ZooKeeperError) {
        guard case .idle = phase else { return }
        phase = .connecting
        runner = Task { await self.runSessions() }
        _ = try await connectedOutgoing()
    }

    /// The current session's id and password, which another client can resume (as ZooKeeper's
    /// `getSessionId` and `getSessionPasswd`); nil without a session.
    public var credentials: ZooKeeperSessionCredentials? {
        sessionID == 0 ? nil : ZooKeeperSessionCredentials(sessionID: sessionID, password: password)
    }

    /// The session timeout the server granted.
    public var sessionTimeout: Duration { negotiatedTimeout }

    /// Ends the session (its ephemeral nodes go at once) and the connection. Later calls throw
    /// `.closed`.
    public func close() async {
        switch phase {
        case .closing, .closed: return
        case .idle, .connecting, .connected: break
        }
        if case .connected = phase {
            phase = .closing
            _ = try? await send(.closeSession, path: "/", watch: nil, outgoing: outgoing)
        }
        phase = .closed
        connection?.close()
        runner?.cancel()
        await runner?.value
        let failed = pending
        pending = [:]
        for (_, request) in failed { request.continuation.resume(returning: .failure(.closed)) }
        emit(.closed)
        eventSink.finish()
    }

    var isRunning: Bool {
        switch phase {
        case .idle, .closing, .closed: false
        case .connecting, .connected: true
        }
    }

    func emit(_ event: ZooKeeperEvent) {
        eventSink.yield(event)
    }

    func nextServer() -> Endpoint {
        defer { serverIndex = (serverIndex + 1) % servers.count }
        return servers[serverIndex]
    }

    /// Sends `request` and returns the decoded reply body, or throws the reply's error. A
    /// failed multi returns its results so the caller can name the failing op.
    func call(
        _ request: ZooKeeperRequest, path: String, watch: (ZooKeeperWatchRegistry.Kind, String)? = nil
    ) async throws(ZooKeeperError) -> ZooKeeperResponseBody {
        let outgoing = try await connectedOutgoing()
        var reply = try await send(request, path: path, watch: watch, outgoing: outgoing)
        if reply.header.err != .ok {
            if request.opCode == .multi, let body = try? ZooKeeperResponseBody(jute: &reply.body, answering: .multi) {
                return body
            }
            throw ZooKeeperError(code: reply.header.err, path: path)
        }
        do {
            return try ZooKeeperResponseBody(jute: &reply.body, answering: request.opCode)
        } catch {
            throw .malformedReply("\(request.opCode): \(error)")
        }
    }

    private func send(
        _ request: ZooKeeperRequest, path: String, watch: (ZooKeeperWatchRegistry.Kind, String)?,
        outgoing: AsyncStream<ByteBuffer>.Continuation?
    ) async throws(ZooKeeperError) -> Reply {
        guard let outgoing else { throw .connectionLoss }
        let xid = nextXid
        nextXid = nextXid == Int32.max ? 1 : nextXid + 1
        var frame = ByteBuffer()
        ZooKeeperRequestFrame(xid: xid, request: request).write(to: &frame)
        let result = await withCheckedContinuation { continuation in
            pending[xid] = Pending(opCode: request.opCode, watch: watch, continuation: continuation)
            if case .terminated = outgoing.yield(frame) {
                pending[xid] = nil
                continuation.resume(returning: .failure(.connectionLoss))
            }
        }
        return try result.get()
    }

    /// The open connection's writer, waiting for a reconnect when there is none.
    private func connectedOutgoing() async throws(ZooKeeperError) -> AsyncStream<ByteBuffer>.Continuation {
        let deadline = ContinuousClock.now + configuration.requestConnectionWait
        while true {
            switch phase {
            case .closing, .closed, .idle:
                throw .closed
            case .connected:
                if let outgoing { return outgoing }
            case .connecting:
                break
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { throw .connectionLoss }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Creates the chroot and its parents if they are missing, so a fresh ensemble can be used
    /// with any connect string (Kafka does the same at startup).
    public func createChrootIfMissing() async throws(ZooKeeperError) {
        var prefix = ""
        for segment in connectString.chroot.split(separator: "/") {
            prefix += "/" + segment
            do throws(ZooKeeperError) {
                _ = try await call(.create(ZooKeeperCreateRequest(path: prefix)), path: prefix)
            } catch .nodeExists {
                continue
            }
        }
    }
}

/// What resumes a session on another connection.
public struct ZooKeeperSessionCredentials: Hashable, Sendable {
    /// The session's id.
    public var sessionID: Int64
    /// The password the server handed out with it.
    public var password: [UInt8]

    /// Names a session.
    public init(sessionID: Int64, password: [UInt8]) {
        self.sessionID = sessionID
        self.password = password
    }
}
