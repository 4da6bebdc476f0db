// TernZooKeeperClient: a ZooKeeper client over TernTransport, and the broker's `zk://`
// coordination backend built on it, which keeps cluster metadata under the znode layout Kafka
// used in ZooKeeper mode. It works against Tern's coordinator ensemble and Apache ZooKeeper.
//
// DESIGN NOTE PLACEHOLDER (written below with the coordination client).
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
