// Goal: the runtime works over real sockets: three nodes on 127.0.0.1 through the NIO transport
// elect a leader, replicate proposals from every node, and shrug off a hostile connection.
// Method: one cluster per test with `TCPPeerNetwork` on free loopback ports; garbage is sent with
// the same transport to one node's Raft listener, which must close that connection only.

import Foundation
import NIOCore
import Synchronization
import Testing
import TernCoordination
import TernPrimitives
import TernTransport
import TernTransportNIO

@Suite(.serialized) struct RaftRuntimeTCPTests {
    /// A loopback port nothing listens on right now (bound and released by the kernel's choice).
    private static func freePort() async throws -> Int {
        let transport = NIOTransport()
        let server = try await transport.bind(
            Endpoint(host: "127.0.0.1", port: 0), configuration: ServerConfiguration(),
            service: FrameResponder { _, _ in nil })
        let port = server.localEndpoint.port
        server.shutdown()
        await server.run()
        return port
    }

    @Test func threeNodesOverTCP_replicateProposals_andSurviveGarbage() async throws {
        let ids = [NodeID(1), NodeID(2), NodeID(3)]
        var endpoints: [NodeID: Endpoint] = [:]
        for id in ids { endpoints[id] = Endpoint(host: "127.0.0.1", port: try await Self.freePort()) }
        let transport = NIOTransport()
        var logs: [NodeID: RaftReplicatedLog] = [:]
        var machines: [NodeID: ListStateMachine] = [:]
        let nodeOneLog = Mutex<[String]>([])
        for id in ids {
            let machine = ListStateMachine()
            machines[id] = machine
            let log = RaftReplicatedLog(
                configuration: testRaftConfiguration(node: id, voters: Set(ids)),
                storage: MemoryRaftStorage(),
                network: TCPPeerNetwork(
                    localNode: id, peers: endpoints, transport: transport,
                    log: { line in if id == ids[0] { nodeOneLog.withLock { $0.append(line) } } }),
                stateMachine: machine)
            logs[id] = log
            try await log.start()
        }

        // Garbage to node 1's Raft listener: a bad hello on one connection, a good hello then an
        // undecodable envelope on another. Each must close only its own connection.
        let target = try #require(endpoints[ids[0]])
        try await transport.withConnection(to: target) { connection in
            var junk = ByteBuffer()
            junk.writeString("GET / HTTP/1.1\r\n\r\n")
            try await connection.send(FramePayload(junk))
        }
        try await transport.withConnection(to: target) { connection in
            var hello = ByteBuffer()
            hello.writeInteger(UInt32(0x5452_4654))
            hello.writeInteger(UInt8(1))
            hello.writeInteger(ids[1].rawValue)
            try await connection.send(FramePayload(hello))
            var junk = ByteBuffer()
            junk.writeBytes([PeerEnvelope.codecVersion, 99, 1, 2, 3])
            try await connection.send(FramePayload(junk))
        }
        try await eventually("node 1 logging both hostile connections") {
            let lines = nodeOneLog.withLock { $0 }
            return lines.contains { $0.contains("bad hello") } && lines.contains { $0.contains("undecodable frame") }
        }

        var expected: [String] = []
        for round in 0..<3 {
            for id in ids {
                let text = "tcp-\(round)-\(id.rawValue)"
                try await proposeOnce(text, log: try #require(logs[id]), machine: try #require(machines[id]))
                expected.append(text)
            }
        }
        for id in ids {
            let machine = try #require(machines[id])
            try await eventually("node \(id.rawValue) applying over TCP") { await machine.strings == expected }
        }
        for id in ids { await logs[id]?.shutdown() }
    }

    @Test func deadPeerOverTCP_othersCommit_thenItJoinsAndCatchesUp() async throws {
        let ids = [NodeID(1), NodeID(2), NodeID(3)]
        var endpoints: [NodeID: Endpoint] = [:]
        for id in ids { endpoints[id] = Endpoint(host: "127.0.0.1", port: try await Self.freePort()) }
        let transport = NIOTransport()
        var logs: [NodeID: RaftReplicatedLog] = [:]
        var machines: [NodeID: ListStateMachine] = [:]
        func start(_ id: NodeID) async throws {
            let machine = ListStateMachine()
            machines[id] = machine
            let log = RaftReplicatedLog(
                configuration: testRaftConfiguration(node: id, voters: Set(ids)),
                storage: MemoryRaftStorage(),
                network: TCPPeerNetwork(localNode: id, peers: endpoints, transport: transport),
                stateMachine: machine)
            logs[id] = log
            try await log.start()
        }
        // Node 3 is down: its peers keep failing to connect, and must still commit together.
        try await start(ids[0])
        try await start(ids[1])
        var expected: [String] = []
        for number in 0..<6 {
            let text = "two-of-three-\(number)"
            let origin = ids[number % 2]
            try await proposeOnce(text, log: try #require(logs[origin]), machine: try #require(machines[origin]))
            expected.append(text)
        }
        // Node 3 appears; the others' reconnect loops find it and it catches up.
        try await start(ids[2])
        for id in ids {
            let machine = try #require(machines[id])
            try await eventually("node \(id.rawValue) applying over TCP") { await machine.strings == expected }
        }
        for id in ids { await logs[id]?.shutdown() }
    }
}
