// Goal: tests can make the in-memory transport misbehave for one API key (drop, delay, fail,
// answer) and put it right again. Method: an echo server behind an `InMemoryTransport`,
// faults installed and removed between requests, and checks of what the client receives.

import NIOCore
import Testing
import TernTransport

@Suite struct InMemoryFaultTests {
    private let endpoint = Endpoint(host: "broker-1", port: 9092)

    @Test func fault_drop_noResponse_connectionStaysOpen() async throws {
        let transport = InMemoryTransport()
        let fault = transport.installFault(.drop, apiKey: 3)
        try await withServer(transport, at: endpoint, service: echoService) { server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(apiKey: 3, id: 1))
                try await connection.send(request(apiKey: 18, id: 2))
                #expect(try await readFrames(1, from: connection).map(correlationID) == [2])
                transport.removeFault(fault)
                try await connection.send(request(apiKey: 3, id: 3))
                #expect(try await readFrames(1, from: connection).map(correlationID) == [3])
            }
        }
    }

    @Test func fault_delay_responseLate_orderKept() async throws {
        let transport = InMemoryTransport()
        transport.installFault(.delay(.milliseconds(200)), apiKey: 1)
        try await withServer(transport, at: endpoint, service: echoService) { server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                let start = ContinuousClock.now
                try await connection.send(request(apiKey: 1, id: 1))
                try await connection.send(request(apiKey: 18, id: 2))
                #expect(try await readFrames(2, from: connection).map(correlationID) == [1, 2])
                #expect(ContinuousClock.now - start >= .milliseconds(200))
            }
        }
    }

    @Test func fault_fail_closesConnection() async throws {
        let transport = InMemoryTransport()
        transport.installFault(.fail, apiKey: 0)
        let log = EventLog()
        try await withServer(transport, at: endpoint, configuration: ServerConfiguration(log: log.sink), service: echoService) { server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(apiKey: 0, id: 1))
                let ended = await inboundEnds(connection)
                #expect(ended)
            }
            try await log.waitForClose { $0 == .faultInjected }
        }
    }

    @Test func fault_respond_answersInsteadOfHandler_onceWithTimes() async throws {
        let transport = InMemoryTransport()
        transport.installFault(.respond { request in
            var answer = ByteBuffer(string: "error for ")
            answer.writeInteger(correlationID(of: request) ?? -1)
            return FramePayload(answer)
        }, apiKey: 3, times: 1)
        try await withServer(transport, at: endpoint, service: echoService) { server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(apiKey: 3, id: 5))
                try await connection.send(request(apiKey: 3, id: 6))
                var expected = ByteBuffer(string: "error for ")
                expected.writeInteger(Int32(5))
                #expect(try await readFrames(2, from: connection) == [expected, requestBytes(apiKey: 3, id: 6)])
            }
        }
    }

    @Test func fault_answer_onlyAtNamedServer() async throws {
        let transport = InMemoryTransport()
        let other = Endpoint(host: "broker-2", port: 9092)
        transport.installFault(.answer(FramePayload(ByteBuffer(string: "canned"))), apiKey: 18, server: other)
        try await withServer(transport, at: endpoint, service: echoService) { server in
            try await withServer(transport, at: other, service: echoService) { otherServer in
                try await transport.withConnection(to: server.localEndpoint) { connection in
                    try await connection.send(request(id: 1))
                    #expect(try await readFrames(1, from: connection) == [requestBytes(id: 1)])
                }
                try await transport.withConnection(to: otherServer.localEndpoint) { connection in
                    try await connection.send(request(id: 1))
                    #expect(try await readFrames(1, from: connection) == [ByteBuffer(string: "canned")])
                }
            }
        }
    }

    @Test func connect_backlogFull_waitsThenTimesOut() async throws {
        let transport = InMemoryTransport()
        let server = try await transport.bind(endpoint, configuration: ServerConfiguration(), service: echoService)
        // Nobody runs the server, so connections stay queued until the backlog is full.
        for _ in 0..<256 {
            try await transport.withConnection(to: endpoint) { _ in }
        }
        let start = ContinuousClock.now
        await #expect(throws: TransportError.connectTimedOut(endpoint)) {
            try await transport.withConnection(to: self.endpoint, configuration: ClientConfiguration(connectTimeout: .milliseconds(100))) { _ in }
        }
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        server.shutdown()
        try await withTimeout { await server.run() }
    }

    @Test func fault_removeAll_restoresHandler() async throws {
        let transport = InMemoryTransport()
        transport.installFault(.drop, apiKey: 18)
        transport.installFault(.fail, apiKey: 18)
        transport.removeAllFaults()
        try await withServer(transport, at: endpoint, service: echoService) { server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 4))
                #expect(try await readFrames(1, from: connection).map(correlationID) == [4])
            }
        }
    }
}
