// Goal: the client speaks ZooKeeper's protocol as Apache ZooKeeper 3.8 expects: sessions and
// ephemeral nodes live and die together, one-shot watches fire once, a chroot is invisible to
// the user, multi is all-or-nothing with the failing op named, a restarted server sees the
// same session resumed with its watches, and an expired session is reported and replaced.
// Method: a real ZooKeeper process (see ApacheZooKeeper.swift); each test uses its own chroot.

import NIOCore
import Testing
import TernTransport
import TernTransportNIO
import TernZooKeeper
import TernZooKeeperClient

@Suite(.enabled(if: ApacheZooKeeper.isInstalled, "Debian package zookeeper (/usr/share/java/zookeeper.jar) is not installed"))
struct ZooKeeperClientTests {
    @Test func create_ephemeral_goesWhenItsSessionCloses() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("ephemeral")
        let owner = try await startedClient(server, chroot: chroot)
        let observer = try await startedClient(server, chroot: chroot)
        #expect(try await owner.create("/node", data: Array("hi".utf8), mode: .ephemeral) == "/node")
        let stat = try #require(try await observer.exists("/node", watch: true))
        #expect(stat.ephemeralOwner == (await owner.sessionID))
        let recorder = EventRecorder(observer.events)

        await owner.close()
        #expect(await recorder.waitFor(.watch(.nodeDeleted, path: "/node")))
        #expect(try await observer.exists("/node") == nil)
        await observer.close()
    }

    @Test func getData_watch_firesOnceForTwoChanges() async throws {
        let server = try await SharedZooKeeper.get()
        let client = try await startedClient(server, chroot: uniqueChroot("watch"))
        let recorder = EventRecorder(client.events)
        _ = try await client.create("/config", data: [1])
        let (data, stat) = try await client.getData("/config", watch: true)
        #expect(data == [1] && stat.version == 0)
        try await client.setData("/config", data: [2], version: 0)
        try await client.setData("/config", data: [3])
        #expect(await recorder.waitFor(.watch(.nodeDataChanged, path: "/config")))
        try await client.sync()
        #expect(!recorder.events.contains(.watch(.nodeDataChanged, path: "/config")), "one-shot: the second change fired nothing")
        _ = try await client.getChildren("/", watch: true)
        _ = try await client.create("/child")
        #expect(await recorder.waitFor(.watch(.nodeChildrenChanged, path: "/")))
        await client.close()
    }

    @Test func operations_errors_areTyped() async throws {
        let server = try await SharedZooKeeper.get()
        let client = try await startedClient(server, chroot: uniqueChroot("errors"))
        await #expect(throws: ZooKeeperError.noNode("/missing")) { try await client.getData("/missing") }
        _ = try await client.create("/a")
        await #expect(throws: ZooKeeperError.nodeExists("/a")) { try await client.create("/a") }
        await #expect(throws: ZooKeeperError.badVersion("/a")) { try await client.setData("/a", data: [], version: 7) }
        _ = try await client.create("/a/b")
        await #expect(throws: ZooKeeperError.notEmpty("/a")) { try await client.delete("/a") }
        _ = try await client.create("/e", mode: .ephemeral)
        await #expect(throws: ZooKeeperError.noChildrenForEphemerals("/e/x")) { try await client.create("/e/x") }
        _ = try await client.create("/seqs")
        let first = try await client.create("/seqs/n-", mode: .persistentSequential)
        let second = try await client.create("/seqs/n-", mode: .ephemeralSequential)
        #expect(first == "/seqs/n-0000000000" && second == "/seqs/n-0000000001")
        #expect(try await client.getChildren("/") == ["a", "e", "seqs"])
        let (children, stat) = try await client.getChildrenAndStat("/a")
        #expect(children == ["b"] && stat.numChildren == 1)
        await client.close()
        await #expect(throws: ZooKeeperError.closed) { try await client.exists("/a") }
    }

    @Test func multi_oneOpFails_appliesNothingAndNamesTheOp() async throws {
        let server = try await SharedZooKeeper.get()
        let client = try await startedClient(server, chroot: uniqueChroot("multi"))
        _ = try await client.create("/x", data: [0])
        await #expect(throws: ZooKeeperError.multiFailed(index: 1, .badVersion("/x"))) {
            try await client.multi([
                .create(ZooKeeperCreateRequest(path: "/y")),
                .setData(path: "/x", data: [1], version: 5),
            ])
        }
        #expect(try await client.exists("/y") == nil)
        let results = try await client.multi([
            .create(ZooKeeperCreateRequest(path: "/y")),
            .setData(path: "/x", data: [1], version: 0),
            .check(path: "/y", version: 0),
        ])
        #expect(results.count == 3)
        #expect(results.first == .create(path: "/y"), "create results come back without the chroot")
        #expect(try await client.getData("/x").data == [1])
        await client.close()
    }

    @Test func pipelined_manyConcurrentRequests_eachGetsItsOwnReply() async throws {
        let server = try await SharedZooKeeper.get()
        let client = try await startedClient(server, chroot: uniqueChroot("pipeline"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await client.create("/n\(index)", data: Array("\(index)".utf8)) }
            }
            try await group.waitForAll()
        }
        let values = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<200 {
                group.addTask { (index, try await client.getData("/n\(index)").data) }
            }
            return try await group.reduce(into: [Int: [UInt8]]()) { $0[$1.0] = $1.1 }
        }
        #expect(values.count == 200)
        #expect(values.allSatisfy { String(decoding: $0.value, as: UTF8.self) == "\($0.key)" })
        await client.close()
    }

    @Test func serverRestart_sessionResumesWithEphemeralsAndWatches() async throws {
        let server = try ApacheZooKeeper()
        defer { server.destroy() }
        try await server.start()
        let client = try await startedClient(server, sessionTimeout: .seconds(10))
        let recorder = EventRecorder(client.events)
        let session = await client.sessionID
        _ = try await client.create("/eph", mode: .ephemeral)
        _ = try await client.create("/watched", data: [0])
        _ = try await client.getData("/watched", watch: true)

        await server.stop()
        #expect(await recorder.waitFor(.disconnected))
        try await server.start()
        #expect(await recorder.waitFor(.connected(sessionID: session)), "the same session resumed")
        #expect(try await client.exists("/eph") != nil)
        let other = try await startedClient(server)
        try await other.setData("/watched", data: [1])
        #expect(await recorder.waitFor(.watch(.nodeDataChanged, path: "/watched")), "setWatches re-armed the watch")
        #expect(!recorder.events.contains(.expired))
        await other.close()
        await client.close()
    }

    @Test func sessionClosedElsewhere_isReportedExpiredAndReplaced() async throws {
        let server = try await SharedZooKeeper.get()
        let chroot = uniqueChroot("expiry")
        let client = try await startedClient(server, chroot: chroot, sessionTimeout: .seconds(4))
        let recorder = EventRecorder(client.events)
        _ = try await client.create("/eph", mode: .ephemeral)
        let credentials = try #require(await client.credentials)

        // The owner may reconnect and take the session back before the close is processed
        // (the server then drops the second connection); so try a few times.
        var expired = false
        for _ in 0..<5 where !expired {
            try await closeSession(credentials, on: server)
            expired = await recorder.waitFor(.expired, within: .seconds(3))
        }
        #expect(expired)
        let replaced = await recorder.waitFor { event in
            if case .connected(let session) = event { session != credentials.sessionID } else { false }
        }
        #expect(replaced == .connected(sessionID: await client.sessionID), "a new session followed the expiry")
        #expect(try await client.exists("/eph") == nil, "the old session's ephemeral is gone")
        _ = try await client.create("/eph", mode: .ephemeral)
        await client.close()
    }
}
