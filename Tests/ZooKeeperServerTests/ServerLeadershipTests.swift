// Goal: what depends on leadership and on the log failing: a follower passes its clients'
// liveness to the leader, a new leader times every session afresh, keep-alives from followers
// keep sessions alive, and a proposal or barrier whose outcome is unknown closes the client's
// connection (ZooKeeper's connection loss). Driven by a scripted log and a ManualClock.

import Testing
import TernCoordination
import TernPrimitives
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ServerLeadershipTests {
    private static let follower = Leadership(leader: NodeID(2), term: 1, isLocal: false)

    private static func scripted(_ view: Leadership) -> (ZooKeeperReplica) -> any ReplicatedLog {
        { ScriptedReplicatedLog(stateMachine: $0, leader: view) }
    }

    @Test func follower_clientActivity_isSentToLeaderAsKeepalive() async throws {
        try await ServerHarness.run(makeLog: Self.scripted(Self.follower), awaitLeadership: false) { server in
            try await server.withClient { client in
                try await client.handshake(timeout: 6_000)
                #expect(try await client.call(.ping).header.err == .ok)
                await server.checkSessions()
                // The send is a job of the server's task group: wait for it, bounded.
                let log = try #require(server.log as? ScriptedReplicatedLog)
                for _ in 0..<1000 { if await !log.sentToLeader.isEmpty { break }; try await Task.sleep(for: .milliseconds(2)) }
                let sent = await log.sentToLeader
                #expect(sent.count == 1)
                let keepalive = try SessionKeepalive(encoded: try #require(sent.first))
                #expect(keepalive.sessions.keys.contains(client.sessionID))
                #expect(await server.replica.tree.session(client.sessionID) != nil)
            }
        }
    }

    @Test func gainingLeadership_tracksSessionsFromThatMoment_thenExpiresThem() async throws {
        try await ServerHarness.run(makeLog: Self.scripted(Self.follower), awaitLeadership: false) { server in
            try await server.withClient { client in
                try await client.handshake(timeout: 4_000)
                server.clock.advance(by: .seconds(60))
                let log = try #require(server.log as? ScriptedReplicatedLog)
                await log.announce(Leadership(leader: NodeID(1), term: 2, isLocal: true))
                for _ in 0..<1000 { if await server.replica.isLeader { break }; try await Task.sleep(for: .milliseconds(2)) }
                await server.checkSessions()
                #expect(await server.replica.tree.session(client.sessionID) != nil)
                // A keep-alive from a follower pushes the deadline back.
                server.clock.advance(by: .seconds(3))
                await server.replica.receiveKeepalive(SessionKeepalive(sessions: [client.sessionID: -1]).encoded, from: NodeID(3))
                server.clock.advance(by: .seconds(3))
                await server.checkSessions()
                #expect(await server.replica.tree.session(client.sessionID) != nil)
                server.clock.advance(by: .seconds(2))
                await server.checkSessions()
                #expect(try await client.isClosedByServer())
                #expect(await server.replica.tree.session(client.sessionID) == nil)
            }
        }
    }

    @Test func propose_outcomeUnknown_closesConnection() async throws {
        let leader = Leadership(leader: NodeID(1), term: 1, isLocal: true)
        try await ServerHarness.run(makeLog: Self.scripted(leader)) { server in
            try await server.withClient { client in
                try await client.handshake()
                let log = try #require(server.log as? ScriptedReplicatedLog)
                await log.failProposals(with: .outcomeUnknown)
                try await client.send(.create("/lost"))
                #expect(try await client.isClosedByServer())
                #expect(await server.replica.tree.node(at: "/lost") == nil)
            }
        }
    }

    @Test func readBarrier_noLeader_closesConnection() async throws {
        let leader = Leadership(leader: NodeID(1), term: 1, isLocal: true)
        try await ServerHarness.run(makeLog: Self.scripted(leader)) { server in
            try await server.withClient { client in
                try await client.handshake()
                let log = try #require(server.log as? ScriptedReplicatedLog)
                await log.failBarriers(with: .noLeader)
                try await client.send(.getData(path: "/", watch: false))
                #expect(try await client.isClosedByServer())
            }
        }
    }
}
