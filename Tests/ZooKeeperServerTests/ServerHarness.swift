// Goal: run a whole ZooKeeper server (replica, one-node in-memory log, in-memory transport) and
// talk to it with real jute frames, so the tests read as client sessions. Time is a ManualClock;
// the only real waits are bounded guards against a hang (`frameWaitMax`).

import Logging
import NIOCore
import TernCoordination
import TernPrimitives
import TernTransport
@testable import TernZooKeeperServer
import TernZooKeeper

/// A hang guard, not a timing assertion: a frame that does not come within this fails the test.
let frameWaitMax = Duration.seconds(10)

struct TestTimeout: Error {}

/// One server on an in-memory transport, running while `body` runs.
struct ServerHarness {
    let transport: InMemoryTransport
    let clock: ManualClock
    let replica: ZooKeeperReplica
    let log: any ReplicatedLog
    let endpoint: Endpoint

    /// Runs a server on a one-node in-memory log, or on the log `makeLog` builds; waits for
    /// this node to lead first unless `awaitLeadership` is false.
    @discardableResult
    static func run<Result>(
        configuration: ZooKeeperServerConfiguration = ZooKeeperServerConfiguration(),
        makeLog: (ZooKeeperReplica) -> any ReplicatedLog = { MemoryReplicatedLog(localNode: NodeID(1), stateMachine: $0, compactionEntries: 50) },
        awaitLeadership: Bool = true,
        _ body: (ServerHarness) async throws -> Result
    ) async throws -> Result {
        let transport = InMemoryTransport()
        let clock = ManualClock()
        let replica = ZooKeeperReplica(
            node: NodeID(1), configuration: configuration, clock: clock, random: SeededRandom(seed: 7),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let log = makeLog(replica)
        let server = ZooKeeperServer(replica: replica, log: log)
        let frameServer = try await transport.bind(
            Endpoint(host: "127.0.0.1", port: 0), configuration: ZooKeeperServer.listenerConfiguration(configuration),
            service: server)
        let harness = ServerHarness(transport: transport, clock: clock, replica: replica, log: log, endpoint: frameServer.localEndpoint)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask { await frameServer.run() }
            // Leadership arrives through the log's stream; wait for it so sessions are timed.
            for _ in 0..<1000 where awaitLeadership { if await replica.isLeader { break }; try await Task.sleep(for: .milliseconds(1)) }
            defer { group.cancelAll() }
            return try await body(harness)
        }
    }

    /// Opens a connection and runs `body` with a client on it (not yet connected).
    @discardableResult
    func withClient<Result>(_ body: (ZooKeeperTestClient) async throws -> Result) async throws -> Result {
        try await transport.withConnection(to: endpoint) { connection in
            try await body(ZooKeeperTestClient(connection: connection))
        }
    }

    /// Runs a session check at the clock's current time.
    func checkSessions() async {
        await replica.tick()
    }
}

/// A ZooKeeper client that speaks raw jute frames, remembering which opcode each xid was so it
/// can decode replies, and setting aside watch events that arrive between replies.
final class ZooKeeperTestClient {
    let connection: any FrameConnection
    private var nextXid: Int32 = 1
    private var sent: [(xid: Int32, opCode: ZooKeeperOpCode)] = []
    private(set) var events: [(zxid: Int64, event: ZooKeeperWatcherEvent)] = []
    private(set) var sessionID: Int64 = 0
    private(set) var password: [UInt8] = Array(repeating: 0, count: 16)

    init(connection: any FrameConnection) {
        self.connection = connection
    }

    /// Sends a ConnectRequest and reads the ConnectResponse.
    @discardableResult
    func handshake(
        sessionID: Int64 = 0, password: [UInt8]? = nil, timeout: Int32 = 10_000, lastZxidSeen: Int64 = 0
    ) async throws -> ZooKeeperConnectResponse {
        let request = ZooKeeperConnectRequest(
            lastZxidSeen: lastZxidSeen, timeOut: timeout, sessionID: sessionID,
            password: password ?? Array(repeating: 0, count: 16), readOnly: false)
        var buffer = ByteBuffer()
        request.writeJute(to: &buffer)
        try await connection.send(FramePayload(buffer))
        guard var frame = try await nextFrame() else { throw TestTimeout() }
        let response = try ZooKeeperConnectResponse(jute: &frame)
        if response.timeOut > 0 {
            self.sessionID = response.sessionID
            self.password = response.password
        }
        return response
    }

    /// Sends a request without waiting; returns its xid.
    @discardableResult
    func send(_ request: ZooKeeperRequest, xid: Int32? = nil) async throws -> Int32 {
        let xid = xid ?? nextXid
        if xid > 0 { nextXid = xid + 1 }
        var buffer = ByteBuffer()
        ZooKeeperRequestFrame(xid: xid, request: request).write(to: &buffer)
        try await connection.send(FramePayload(buffer))
        sent.append((xid, request.opCode))
        return xid
    }

    /// Reads the reply to the oldest request still unanswered, keeping events met on the way.
    func reply() async throws -> (header: ZooKeeperReplyHeader, body: ZooKeeperResponseBody) {
        precondition(!sent.isEmpty, "no request awaits a reply")
        let expected = sent.removeFirst()
        while true {
            guard var frame = try await nextFrame() else { throw TestTimeout() }
            let header = try ZooKeeperReplyHeader(jute: &frame)
            if header.xid == ZooKeeperReplyHeader.notificationXid {
                events.append((header.zxid, try ZooKeeperWatcherEvent(jute: &frame)))
                continue
            }
            guard header.xid == expected.xid else { throw UnexpectedReply(expected: expected.xid, got: header.xid) }
            let body = header.err == .ok ? try ZooKeeperResponseBody(jute: &frame, answering: expected.opCode) : .empty
            return (header, body)
        }
    }

    /// Sends a request and reads its reply.
    func call(_ request: ZooKeeperRequest) async throws -> (header: ZooKeeperReplyHeader, body: ZooKeeperResponseBody) {
        try await send(request)
        return try await reply()
    }

    /// The next watch event, from those already read or from the wire.
    func event() async throws -> (zxid: Int64, event: ZooKeeperWatcherEvent) {
        if !events.isEmpty { return events.removeFirst() }
        guard var frame = try await nextFrame() else { throw TestTimeout() }
        let header = try ZooKeeperReplyHeader(jute: &frame)
        guard header.xid == ZooKeeperReplyHeader.notificationXid else { throw UnexpectedReply(expected: -1, got: header.xid) }
        return (header.zxid, try ZooKeeperWatcherEvent(jute: &frame))
    }

    /// True once the server has closed the connection; frames that still arrive are skipped.
    func isClosedByServer() async throws -> Bool {
        for _ in 0..<10_000 {
            guard try await nextFrame() != nil else { return true }
        }
        return false
    }

    /// The next inbound frame, nil when the connection ended.
    func nextFrame() async throws -> ByteBuffer? {
        let inbound = connection.inbound
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var iterator = inbound.makeAsyncIterator()
                return try await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: frameWaitMax)
                throw TestTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

struct UnexpectedReply: Error {
    var expected: Int32
    var got: Int32
}

extension ZooKeeperRequest {
    static func create(_ path: String, _ data: [UInt8] = [], flags: Int32 = 0, opCode: ZooKeeperOpCode = .create) -> Self {
        .create(ZooKeeperCreateRequest(opCode: opCode, path: path, data: data, flags: flags))
    }
}
