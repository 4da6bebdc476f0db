// Goal: responses that mix memory and file ranges arrive byte-exact, pushed frames
// interleave with responses, and a graceful shutdown answers what is in flight before it
// closes. Method: per `TransportKind`, a temp file served from the middle, handlers that
// wait on gates the test opens, and checks of what the client sees and when `run()` returns.

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization
import Testing
import TernPrimitives
import TernTransport

@Suite struct ShutdownAndPayloadTests {
    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func respond_fileRangeFromMiddle_arrivesByteExact(kind: TransportKind) async throws {
        var random = SeededRandom(seed: 11)
        let contents = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let path = "/tmp/tern-transport-\(getpid())-\(kind.rawValue).bin"
        defer { unlink(path) }
        let writer = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        try #require(writer >= 0)
        #expect(contents.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == contents.count)
        close(writer)
        let file = OpenFile(descriptor: open(path, O_RDONLY))
        try #require(file.descriptor >= 0)

        let range = FileRange(descriptor: file.descriptor, offset: 123_457, length: 500_000, owner: file)
        let service = FrameResponder { request, _ in
            var payload = FramePayload(request)
            payload.append(range)
            payload.append(ByteBuffer(string: "trailer"))
            return payload
        }
        try await withServer(kind, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                for id in Int32(0)..<3 { try await connection.send(request(id: id)) }
                let frames = try await readFrames(3, from: connection)
                for (id, frame) in zip(Int32(0)..., frames) {
                    var expected = requestBytes(id: id)
                    expected.writeBytes(contents[123_457..<623_457])
                    expected.writeString("trailer")
                    #expect(frame == expected)
                }
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func push_duringAndAfterRequest_interleavesWithResponses(kind: TransportKind) async throws {
        let service = FrameResponder { request, connection in
            try connection.push(FramePayload(ByteBuffer(string: "watch-before")))
            return FramePayload(request)
        }
        try await withServer(kind, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 1))
                let frames = try await readFrames(2, from: connection)
                #expect(frames == [ByteBuffer(string: "watch-before"), requestBytes(id: 1)])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func push_afterClose_throwsConnectionClosed(kind: TransportKind) async throws {
        let kept = ConnectionBox()
        let service = FrameResponder { request, connection in
            kept.store(connection)
            return FramePayload(request)
        }
        try await withServer(kind, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 1))
                _ = try await readFrames(1, from: connection)
                let serverSide = try #require(kept.connection)
                try serverSide.push(FramePayload(ByteBuffer(string: "event")))
                #expect(try await readFrames(1, from: connection) == [ByteBuffer(string: "event")])
                serverSide.close()
                let ended = await inboundEnds(connection)
                #expect(ended)
                #expect(throws: TransportError.connectionClosed) { try serverSide.push(FramePayload()) }
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func push_peerNotReading_backlogBoundClosesConnection(kind: TransportKind) async throws {
        let outcome = Mutex<TransportError?>(nil)
        let megabyte = ByteBuffer(repeating: 0x5A, count: 1 << 20)
        let service = FrameResponder { request, connection in
            // Socket and pipe buffers absorb a few frames; after that pushes queue up.
            for _ in 0..<256 {
                do throws(TransportError) {
                    try connection.push(FramePayload(megabyte))
                } catch {
                    outcome.withLock { $0 = error }
                    break
                }
            }
            return FramePayload(request)
        }
        let log = EventLog()
        let configuration = ServerConfiguration(pushedFramesMax: 4, log: log.sink)
        try await withServer(kind, configuration: configuration, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 1))
                try await log.waitForClose { $0 == .pushBacklogFull }
            }
        }
        #expect(outcome.withLock { $0 } == .pushBacklogFull)
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func shutdown_requestInFlight_answeredThenClosed(kind: TransportKind) async throws {
        let transport = kind.makeTransport()
        let arrivals = ArrivalLog()
        let gate = ShutdownSignal()
        let service = FrameResponder { request, _ in
            arrivals.record(request)
            await gate.wait()
            return FramePayload(request)
        }
        let log = EventLog()
        let server = try await transport.bind(
            kind.listenEndpoint, configuration: ServerConfiguration(log: log.sink), service: service
        )
        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await server.run() }
                try await transport.withConnection(to: server.localEndpoint) { connection in
                    try await connection.send(request(id: 7))
                    try await arrivals.waitForCount(1)
                    server.shutdown()
                    // The listener closes asynchronously; a connection that slips in before
                    // is closed unserved, and soon connecting fails outright.
                    try await withTimeout(.seconds(10)) {
                        while (try? await transport.withConnection(to: server.localEndpoint) { _ in }) != nil {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                    gate.trigger()
                    #expect(try await readFrames(1, from: connection).map(correlationID) == [7])
                    let ended = await inboundEnds(connection)
                    #expect(ended)
                }
                try await group.waitForAll()
            }
        }
        #expect(log.closeReasons == [.shutdown])
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func shutdown_handlerOutlastsDrainTimeout_connectionClosedAnyway(kind: TransportKind) async throws {
        let transport = kind.makeTransport()
        let arrivals = ArrivalLog()
        let never = ShutdownSignal()
        let service = FrameResponder { request, _ in
            arrivals.record(request)
            await never.wait()
            return FramePayload(request)
        }
        let log = EventLog()
        let configuration = ServerConfiguration(shutdownDrainTimeout: .milliseconds(200), log: log.sink)
        let server = try await transport.bind(kind.listenEndpoint, configuration: configuration, service: service)
        try await withTimeout {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await server.run() }
                try await transport.withConnection(to: server.localEndpoint) { connection in
                    try await connection.send(request(id: 1))
                    try await arrivals.waitForCount(1)
                    server.shutdown()
                    let ended = await inboundEnds(connection)
                    #expect(ended)
                }
                try await group.waitForAll()
            }
        }
        #expect(log.closeReasons == [.shutdownDrainTimedOut])
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func run_cancelled_closesConnectionsAndReturns(kind: TransportKind) async throws {
        let transport = kind.makeTransport()
        let server = try await transport.bind(kind.listenEndpoint, configuration: ServerConfiguration(), service: echoService)
        try await withTimeout {
            let running = Task { await server.run() }
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 1))
                _ = try await readFrames(1, from: connection)
                running.cancel()
                let ended = await inboundEnds(connection)
                #expect(ended)
            }
            await running.value
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func run_cancelledWhileConnectionsArrive_closesThemAll(kind: TransportKind) async throws {
        // Connections accepted but not yet taken by the accept loop must be closed too.
        for _ in 0..<5 {
            let transport = kind.makeTransport()
            let server = try await transport.bind(kind.listenEndpoint, configuration: ServerConfiguration(), service: echoService)
            try await withTimeout {
                let running = Task { await server.run() }
                await withTaskGroup(of: Void.self) { group in
                    for id in Int32(0)..<50 {
                        group.addTask {
                            // Refused, reset or answered are all fine; hanging or crashing is not.
                            _ = try? await transport.withConnection(to: server.localEndpoint) { connection in
                                try await connection.send(request(id: id))
                                return await inboundEnds(connection)
                            }
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                    running.cancel()
                }
                await running.value
            }
        }
    }
}

/// Hands the server-side connection to the test.
final class ConnectionBox: Sendable {
    private let stored = Mutex<ServerConnection?>(nil)

    func store(_ connection: ServerConnection) {
        stored.withLock { $0 = connection }
    }

    var connection: ServerConnection? { stored.withLock { $0 } }
}
