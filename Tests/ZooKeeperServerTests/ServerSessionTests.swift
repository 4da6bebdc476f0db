// Goal: sessions end to end over the in-memory transport: creation, resuming with id and
// password, refusal of a bad password, leader-side expiry removing ephemerals and firing
// watches, and a client's own closeSession. Expiry is driven by a ManualClock and an explicit
// session check, so nothing depends on real time.

import Testing
import TernPrimitives
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ServerSessionTests {
    @Test func connect_newSession_grantsNegotiatedTimeoutAndPassword() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                let response = try await client.handshake(timeout: 1)
                #expect(response.timeOut == ZooKeeperSessionTimeoutPolicy().minimum)
                #expect(response.sessionID >> 56 == 1)
                #expect(response.password.count == 16)
                #expect(response.readOnly == false)
                let ping = try await client.call(.ping)
                #expect(ping.header.err == .ok)
            }
        }
    }

    @Test func connect_resumeWithPassword_keepsSessionAndEphemerals() async throws {
        try await ServerHarness.run { server in
            let (id, password) = try await server.withClient { client in
                try await client.handshake()
                #expect(try await client.call(.create("/e", flags: 1)).header.err == .ok)
                return (client.sessionID, client.password)
            }
            try await server.withClient { client in
                let response = try await client.handshake(sessionID: id, password: password, timeout: 20_000)
                #expect(response.sessionID == id)
                #expect(response.timeOut == 20_000)
                let stat = try await client.call(.exists(path: "/e", watch: false))
                guard case .stat(let found) = stat.body else { Issue.record("no stat"); return }
                #expect(found.ephemeralOwner == id)
            }
        }
    }

    @Test func connect_wrongPassword_isRefusedAsExpired() async throws {
        try await ServerHarness.run { server in
            let id = try await server.withClient { client in
                try await client.handshake()
                return client.sessionID
            }
            try await server.withClient { client in
                let response = try await client.handshake(sessionID: id, password: Array(repeating: 9, count: 16))
                #expect(response.timeOut == 0)
                #expect(response.sessionID == 0)
                // Anything sent after the refusal closes the connection.
                try await client.send(.ping, xid: -2)
                #expect(try await client.isClosedByServer())
            }
        }
    }

    @Test func tick_sessionPastTimeout_expiresDeletesEphemeralsAndFiresWatches() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { watcher in
                try await watcher.handshake(timeout: 40_000)
                try await server.withClient { owner in
                    try await owner.handshake(timeout: 4_000)
                    #expect(try await owner.call(.create("/lock", flags: 1)).header.err == .ok)
                    #expect(try await watcher.call(.exists(path: "/lock", watch: true)).header.err == .ok)
                    // The watcher keeps itself alive; the owner goes quiet past its timeout.
                    server.clock.advance(by: .seconds(3))
                    #expect(try await watcher.call(.ping).header.err == .ok)
                    server.clock.advance(by: .seconds(2))
                    await server.checkSessions()
                    let event = try await watcher.event()
                    #expect(event.event.type == ZooKeeperWatchEventType.nodeDeleted.rawValue)
                    #expect(event.event.path == "/lock")
                    #expect(try await owner.isClosedByServer())
                    #expect(await server.replica.tree.session(owner.sessionID) == nil)
                    #expect(await server.replica.tree.session(watcher.sessionID) != nil)
                }
            }
        }
    }

    @Test func closeSession_repliesThenRefusesFurtherRequests() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                #expect(try await client.call(.create("/mine", flags: 1)).header.err == .ok)
                #expect(try await client.call(.closeSession).header.err == .ok)
                #expect(await server.replica.tree.node(at: "/mine") == nil)
                try await client.send(.ping, xid: -2)
                #expect(try await client.isClosedByServer())
            }
        }
    }

    @Test func connect_clientAheadOfServer_isClosedUnanswered() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                await #expect(throws: TestTimeout.self) { try await client.handshake(lastZxidSeen: 1 << 40) }
            }
        }
    }
}
