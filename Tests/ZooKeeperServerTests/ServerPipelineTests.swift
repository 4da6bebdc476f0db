// Goal: the ordering guarantees of the request pipeline: replies in request order for
// pipelined requests, reads that never overtake earlier writes of the same connection, watch
// events in zxid order and before any reply that could show their change, and watches re-sent
// with setWatches after a reconnect firing what the client missed.

import Testing
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ServerPipelineTests {
    @Test func pipelinedWritesAndReads_repliesInRequestOrder_readsSeeEarlierWrites() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { client in
                try await client.handshake()
                var expected: [Int32] = []
                for index in 0..<50 {
                    expected.append(try await client.send(.create("/n\(index)", [UInt8(index)])))
                    expected.append(try await client.send(.getData(path: "/n\(index)", watch: false)))
                    expected.append(try await client.send(.setData(path: "/n\(index)", data: [UInt8(index), 1], version: 0)))
                    expected.append(try await client.send(.exists(path: "/n\(index)", watch: false)))
                }
                for index in 0..<50 {
                    let create = try await client.reply()
                    #expect(create.header.xid == expected[index * 4])
                    #expect(create.body == .create(path: "/n\(index)"))
                    let read = try await client.reply()
                    guard case .data(let data, _) = read.body else { Issue.record("getData \(index): \(read.header.err)"); return }
                    #expect(data == [UInt8(index)])
                    #expect(try await client.reply().header.err == .ok)
                    let exists = try await client.reply()
                    guard case .stat(let stat) = exists.body else { Issue.record("exists \(index)"); return }
                    #expect(stat.version == 1)
                }
            }
        }
    }

    @Test func watches_fireOncePerRegistration_inZxidOrder_beforeLaterReplies() async throws {
        try await ServerHarness.run { server in
            try await server.withClient { watcher in
                try await watcher.handshake()
                try await server.withClient { writer in
                    try await writer.handshake()
                    #expect(try await writer.call(.create("/w", [0])).header.err == .ok)
                    #expect(try await watcher.call(.getData(path: "/w", watch: true)).header.err == .ok)
                    #expect(try await watcher.call(.getChildren(path: "/w", watch: true)).header.err == .ok)
                    #expect(try await watcher.call(.exists(path: "/x", watch: true)).header.err == .noNode)
                    #expect(try await writer.call(.setData(path: "/w", data: [1], version: -1)).header.err == .ok)
                    #expect(try await writer.call(.create("/w/c")).header.err == .ok)
                    #expect(try await writer.call(.create("/x")).header.err == .ok)
                    #expect(try await writer.call(.setData(path: "/w", data: [2], version: -1)).header.err == .ok)
                    // This read's reply must come after every event above.
                    let read = try await watcher.call(.getData(path: "/w", watch: false))
                    #expect(read.body.dataBytes == [2])
                    let events = watcher.events
                    #expect(events.map(\.event.type) == [
                        ZooKeeperWatchEventType.nodeDataChanged.rawValue, ZooKeeperWatchEventType.nodeChildrenChanged.rawValue,
                        ZooKeeperWatchEventType.nodeCreated.rawValue,
                    ])
                    #expect(events.map(\.event.path) == ["/w", "/w", "/x"])
                    #expect(events.map(\.zxid) == events.map(\.zxid).sorted())
                }
            }
        }
    }

    @Test func setWatches_afterReconnect_firesMissedChanges() async throws {
        try await ServerHarness.run { server in
            let (id, password, seen) = try await server.withClient { client in
                try await client.handshake()
                let created = try await client.call(.create("/s", [0]))
                return (client.sessionID, client.password, created.header.zxid)
            }
            try await server.withClient { other in
                try await other.handshake()
                #expect(try await other.call(.setData(path: "/s", data: [1], version: -1)).header.err == .ok)
            }
            try await server.withClient { client in
                try await client.handshake(sessionID: id, password: password, lastZxidSeen: seen)
                let reply = try await client.call(.setWatches(ZooKeeperSetWatches(relativeZxid: seen, dataWatches: ["/s"])))
                #expect(reply.header.err == .ok)
                let event = try await client.event()
                #expect(event.event.type == ZooKeeperWatchEventType.nodeDataChanged.rawValue)
                #expect(event.event.path == "/s")
            }
        }
    }
}

extension ZooKeeperResponseBody {
    var dataBytes: [UInt8]? {
        if case .data(let bytes, _) = self { return bytes }
        return nil
    }
}
