// Goal: a server answers pipelined requests in order, whatever order its handler finishes
// them in, for both transports. Method: each test runs once per `TransportKind` against a
// small service, talks to it through the `FrameConnection` API only, and compares what comes
// back byte for byte.

import NIOCore
import Synchronization
import Testing
import TernPrimitives
import TernProtocol
import TernTransport

@Suite struct ServingTests {
    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func send_echoRequests_answeredWithSameBytes(kind: TransportKind) async throws {
        try await withServer(kind, service: echoService) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                for id in Int32(0)..<3 { try await connection.send(request(id: id, body: "hello \(id)")) }
                let frames = try await readFrames(3, from: connection)
                #expect(frames == (Int32(0)..<3).map { requestBytes(id: $0, body: "hello \($0)") })
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func send_thousandPipelined_handlerFinishesOutOfOrder_responsesInRequestOrder(kind: TransportKind) async throws {
        let random = Mutex(SeededRandom(seed: 7))
        let service = FrameResponder { request, _ in
            let delay = random.withLock { $0.next() % 2_000 }
            try await Task.sleep(for: .microseconds(delay))
            return FramePayload(request)
        }
        let configuration = ServerConfiguration(inFlightRequestsMax: 64)
        try await withServer(kind, configuration: configuration, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for id in Int32(0)..<1_000 { try await connection.send(request(id: id, body: "#\(id)")) }
                    }
                    let frames = try await readFrames(1_000, from: connection)
                    #expect(frames.map(correlationID) == (Int32(0)..<1_000).map { $0 })
                    #expect(frames.last == requestBytes(id: 999, body: "#999"))
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func send_requestsWithoutResponse_laterRequestsStillAnswered(kind: TransportKind) async throws {
        // API key 0 plays Produce with acks=0: the handler returns nil.
        let service = FrameResponder { request, _ in
            request.getInteger(at: request.readerIndex, as: Int16.self) == 0 ? nil : FramePayload(request)
        }
        try await withServer(kind, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(apiKey: 0, id: 1))
                try await connection.send(request(apiKey: 0, id: 2))
                try await connection.send(request(id: 3))
                try await connection.send(request(apiKey: 0, id: 4))
                try await connection.send(request(id: 5))
                let frames = try await readFrames(2, from: connection)
                #expect(frames.map(correlationID) == [3, 5])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func send_echo_oneByteAtATime_decodes(kind: TransportKind) async throws {
        try await withServer(kind, service: echoService) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                let expected = requestBytes(id: 42, body: "fragmented across many writes")
                var frame = ByteBuffer()
                frame.writeInteger(Int32(expected.readableBytes))
                frame.writeImmutableBuffer(expected)
                for index in frame.readerIndex..<frame.writerIndex {
                    guard let byte = frame.getSlice(at: index, length: 1) else { continue }
                    try await connection.sendUnframed(byte)
                }
                let frames = try await readFrames(1, from: connection)
                #expect(frames == [expected])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread], [Int32(1_025), -1])
    func send_badLengthPrefix_closesConnection_serverKeepsServing(kind: TransportKind, length: Int32) async throws {
        let log = EventLog()
        let configuration = ServerConfiguration(requestFrameBytesMax: 1_024, log: log.sink)
        try await withServer(kind, configuration: configuration, service: echoService) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { bystander in
                let ended = try await transport.withConnection(to: server.localEndpoint) { offender in
                    var prefix = ByteBuffer()
                    prefix.writeInteger(length)
                    try await offender.sendUnframed(prefix)
                    return await inboundEnds(offender)
                }
                #expect(ended)
                let rejection = ConnectionCloseReason.frameRejected(.invalidLength(Int64(length), context: "frame"))
                try await log.waitForClose { $0 == rejection }
                // A frame at exactly the limit still passes on another connection.
                let body = String(repeating: "x", count: 1_024 - 6)
                try await bystander.send(request(id: 9, body: body))
                #expect(try await readFrames(1, from: bystander) == [requestBytes(id: 9, body: body)])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func idle_noTraffic_closesConnectionAfterTimeout(kind: TransportKind) async throws {
        let log = EventLog()
        let idleTimeout = Duration.seconds(1)
        let configuration = ServerConfiguration(idleTimeout: idleTimeout, log: log.sink)
        try await withServer(kind, configuration: configuration, service: echoService) { transport, server in
            let connected = ContinuousClock.now
            try await transport.withConnection(to: server.localEndpoint) { connection in
                let ended = await inboundEnds(connection, within: .seconds(10))
                #expect(ended)
            }
            // However slow this machine is, the server cannot have seen the connection before
            // the client started it, so the close cannot come sooner than the timeout after.
            #expect(ContinuousClock.now - connected >= idleTimeout)
            try await log.waitForClose { $0 == .idleTimeout }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func idle_steadyTraffic_connectionStaysOpen(kind: TransportKind) async throws {
        // A generous timeout against the 50 ms gaps, so a loaded machine stalling this test's
        // tasks for a while cannot fake an idle period.
        let log = EventLog()
        let configuration = ServerConfiguration(idleTimeout: .seconds(5), log: log.sink)
        try await withServer(kind, configuration: configuration, service: echoService) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                for id in Int32(0)..<20 {
                    try await connection.send(request(id: id))
                    #expect(try await readFrames(1, from: connection).map(correlationID) == [id])
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(!log.closeReasons.contains(.idleTimeout))
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func send_beyondInFlightLimit_nextRequestWaitsForAResponse(kind: TransportKind) async throws {
        let arrivals = ArrivalLog()
        let gates = (0..<6).map { _ in ShutdownSignal() }
        let service = FrameResponder { request, _ in
            arrivals.record(request)
            if let id = correlationID(of: request), gates.indices.contains(Int(id)) { await gates[Int(id)].wait() }
            return FramePayload(request)
        }
        let configuration = ServerConfiguration(inFlightRequestsMax: 4)
        try await withServer(kind, configuration: configuration, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                for id in Int32(0)..<6 { try await connection.send(request(id: id)) }
                try await arrivals.waitForCount(4)
                try await Task.sleep(for: .milliseconds(300))
                #expect(arrivals.arrived.sorted() == [0, 1, 2, 3])
                // Finishing a later request frees nothing: its response waits behind request 0.
                gates[3].trigger()
                try await Task.sleep(for: .milliseconds(100))
                #expect(arrivals.arrived.count == 4)
                gates[0].trigger()
                try await arrivals.waitForCount(5)
                #expect(arrivals.arrived.sorted() == [0, 1, 2, 3, 4])
                for gate in gates { gate.trigger() }
                #expect(try await readFrames(6, from: connection).map(correlationID) == [0, 1, 2, 3, 4, 5])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func respond_handlerThrows_closesConnection(kind: TransportKind) async throws {
        struct Refused: Error {}
        let log = EventLog()
        let service = FrameResponder { _, _ in throw Refused() }
        try await withServer(kind, configuration: ServerConfiguration(log: log.sink), service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 1))
                let ended = await inboundEnds(connection)
                #expect(ended)
            }
            try await log.waitForClose { reason in
                if case .handlerFailed = reason { return true }
                return false
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func accept_overConnectionLimit_extraConnectionClosed(kind: TransportKind) async throws {
        let configuration = ServerConfiguration(connectionsMax: 1)
        try await withServer(kind, configuration: configuration, service: echoService) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { first in
                try await first.send(request(id: 1))
                #expect(try await readFrames(1, from: first).map(correlationID) == [1])
                try await transport.withConnection(to: server.localEndpoint) { second in
                    let ended = await inboundEnds(second)
                    #expect(ended)
                }
                try await first.send(request(id: 2))
                #expect(try await readFrames(1, from: first).map(correlationID) == [2])
            }
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func connect_nothingListening_throwsConnectFailed(kind: TransportKind) async throws {
        let transport = kind.makeTransport()
        let server = try await transport.bind(kind.listenEndpoint, configuration: ServerConfiguration(), service: echoService)
        let endpoint = server.localEndpoint
        server.shutdown()
        await server.run()
        await #expect {
            try await transport.withConnection(to: endpoint) { _ in }
        } throws: { error in
            if case TransportError.connectFailed(endpoint, _) = error { return true }
            return false
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func bind_portZero_reportsDistinctBoundPorts(kind: TransportKind) async throws {
        let transport = kind.makeTransport()
        let first = try await transport.bind(kind.listenEndpoint, configuration: ServerConfiguration(), service: echoService)
        let second = try await transport.bind(kind.listenEndpoint, configuration: ServerConfiguration(), service: echoService)
        #expect(first.localEndpoint.port != 0 && second.localEndpoint.port != 0)
        #expect(first.localEndpoint != second.localEndpoint)
        await #expect(throws: TransportError.self) {
            try await transport.bind(first.localEndpoint, configuration: ServerConfiguration(), service: echoService)
        }
        for server in [first, second] {
            server.shutdown()
            await server.run()
        }
    }

    @Test(arguments: [TransportKind.inMemory, .tcp, .tcpOnIOThread])
    func connect_threeHundredConcurrentClients_allServed(kind: TransportKind) async throws {
        let configuration = ServerConfiguration(connectionsMax: 400)
        try await withServer(kind, configuration: configuration, service: echoService, limit: .seconds(60)) { transport, server in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<300 {
                    group.addTask {
                        try await transport.withConnection(to: server.localEndpoint) { connection in
                            for round in 0..<5 { try await connection.send(request(id: Int32(client * 10 + round))) }
                            let ids = try await readFrames(5, from: connection).compactMap(correlationID)
                            return ids == (0..<5).map { Int32(client * 10 + $0) } ? 1 : 0
                        }
                    }
                }
                var served = 0
                for try await result in group { served += result }
                #expect(served == 300)
            }
        }
    }
}
