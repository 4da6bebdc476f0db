// Goal: three `RaftReplicatedLog`s in one process behave as one replicated log: every node
// applies the same commands in the same order whichever node proposed them, an acknowledged
// proposal survives losing the leader, a restarted node catches up (from its log or by snapshot),
// a read barrier sees every write acknowledged before it, and cut links heal. Method: real
// runtimes (real clock, real timers) over `InProcessPeerHub`, with `ListStateMachine` as the
// application; every wait is bounded by `eventually`.

import Testing
import TernCoordination
import TernPrimitives

@Suite(.serialized) struct RaftRuntimeClusterTests {
    @Test func propose_fromEveryNode_appliedIdenticallyEverywhere() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        _ = try await cluster.awaitLeader()
        var expected: [String] = []
        for round in 0..<5 {
            for id in cluster.ids {
                let text = "r\(round)-n\(id.rawValue)"
                try await cluster.propose(text, via: id)
                expected.append(text)
            }
        }
        // Proposals return once applied at their origin; sequential proposals keep their order.
        try await cluster.awaitApplied(expected)
        await cluster.cleanUp()
    }

    @Test func propose_concurrentlyFromEveryNode_allAppliedInOneOrder() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        _ = try await cluster.awaitLeader()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in cluster.ids {
                let log = try #require(cluster.logs[id])
                let machine = try #require(cluster.machines[id])
                group.addTask {
                    for number in 0..<20 { try await proposeOnce("n\(id.rawValue)-\(number)", log: log, machine: machine) }
                }
            }
            try await group.waitForAll()
        }
        let reference = try #require(cluster.machines[cluster.ids[0]])
        try await eventually("node 1 applying 60 commands") { await reference.items.count == 60 }
        let order = await reference.strings
        #expect(Set(order).count == 60)
        try await cluster.awaitApplied(order)
        await cluster.cleanUp()
    }

    @Test func leaderStops_newLeaderElected_acknowledgedWritesKept() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        let first = try await cluster.awaitLeader()
        var acknowledged: [String] = []
        for number in 0..<10 {
            let text = "before-\(number)"
            try await cluster.propose(text, via: cluster.ids[number % 3])
            acknowledged.append(text)
        }
        await cluster.stop(first)
        let survivors = cluster.ids.filter { $0 != first }
        let second = try await cluster.awaitLeader(among: survivors)
        #expect(second != first)
        for number in 0..<10 {
            let text = "after-\(number)"
            try await cluster.propose(text, via: survivors[number % 2])
            acknowledged.append(text)
        }
        try await cluster.awaitApplied(acknowledged, on: survivors)
        // The old leader comes back from its storage and catches up.
        try await cluster.start(first)
        try await cluster.awaitApplied(acknowledged)
        await cluster.cleanUp()
    }

    @Test func readBarrier_onFollowerAfterWrite_seesTheWrite() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        let leader = try await cluster.awaitLeader()
        let followers = cluster.ids.filter { $0 != leader }
        for number in 0..<5 {
            try await cluster.propose("w\(number)", via: leader)
            // Another node's barrier must see what the leader acknowledged.
            for follower in followers {
                let log = try #require(cluster.logs[follower])
                try await log.readBarrier()
                let items = try #require(await cluster.machines[follower]?.strings)
                #expect(items.last == "w\(number)")
            }
        }
        let leaderLog = try #require(cluster.logs[leader])
        try await leaderLog.readBarrier()
        await cluster.cleanUp()
    }

    @Test func cutLinks_toOneFollower_majorityCommits_thenFollowerCatchesUp() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        let leader = try await cluster.awaitLeader()
        let lagging = try #require(cluster.ids.first { $0 != leader })
        cluster.hub.isolate(lagging, from: cluster.ids)
        var expected: [String] = []
        for number in 0..<10 {
            try await cluster.propose("cut-\(number)", via: leader)
            expected.append("cut-\(number)")
        }
        try await cluster.awaitApplied(expected, on: cluster.ids.filter { $0 != lagging })
        #expect(await cluster.machines[lagging]?.items.isEmpty == true)
        // The isolated node cannot serve a linearizable read.
        let isolatedLog = try #require(cluster.logs[lagging])
        await #expect(throws: ReplicationError.self) { try await isolatedLog.readBarrier() }
        cluster.hub.heal()
        try await cluster.awaitApplied(expected)
        await cluster.cleanUp()
    }

    @Test func isolatedLeader_isReplaced_andItsProposalsAreNotAcknowledged() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        let old = try await cluster.awaitLeader()
        try await cluster.propose("kept", via: old)
        cluster.hub.isolate(old, from: cluster.ids)
        let others = cluster.ids.filter { $0 != old }
        let new = try await cluster.awaitLeader(among: others)
        #expect(new != old)
        // The stranded leader must not acknowledge: either it has stepped down or its entry
        // cannot commit, and the caller learns the outcome is not a success.
        let oldLog = try #require(cluster.logs[old])
        await #expect(throws: ReplicationError.self) { try await oldLog.propose(Array("stranded".utf8)) }
        try await cluster.propose("after", via: others[0])
        cluster.hub.heal()
        try await cluster.awaitApplied(["kept", "after"])
        await cluster.cleanUp()
    }

    @Test func restartFromFiles_afterOthersCompacted_catchesUpBySnapshot() async throws {
        let cluster = RuntimeCluster(snapshotInterval: 5, useFiles: true)
        try await cluster.startAll()
        let leader = try await cluster.awaitLeader()
        let restarted = try #require(cluster.ids.first { $0 != leader })
        var expected: [String] = []
        for number in 0..<3 {
            try await cluster.propose("early-\(number)", via: leader)
            expected.append("early-\(number)")
        }
        try await cluster.awaitApplied(expected)
        await cluster.stop(restarted)
        for number in 0..<20 {
            try await cluster.propose("late-\(number)", via: leader)
            expected.append("late-\(number)")
        }
        try await cluster.start(restarted)
        try await cluster.awaitApplied(expected)
        // The leader compacted past what the restarted node had, so it needed a snapshot.
        let machine = try #require(cluster.machines[restarted])
        #expect(await machine.restores >= 1)
        // Every node restarts from its own files and ends where it was.
        await cluster.stopAll()
        for id in cluster.ids { try await cluster.start(id) }
        _ = try await cluster.awaitLeader()
        try await cluster.propose("final", via: leader)
        try await cluster.awaitApplied(expected + ["final"])
        await cluster.cleanUp()
    }

    @Test func leadershipChanges_andLeaderInbox_reachTheLeader() async throws {
        let cluster = RuntimeCluster()
        try await cluster.startAll()
        let leader = try await cluster.awaitLeader()
        let leaderLog = try #require(cluster.logs[leader])
        var views = leaderLog.leadershipChanges().makeAsyncIterator()
        let view = try #require(await views.next())
        #expect(view.isLocal && view.leader == leader)
        var inbox = leaderLog.leaderInbox().makeAsyncIterator()
        let follower = try #require(cluster.ids.first { $0 != leader })
        await cluster.logs[follower]?.sendToLeader(Array("ping".utf8))
        let received = try #require(await inbox.next())
        #expect(received.from == follower && received.message == Array("ping".utf8))
        await cluster.cleanUp()
    }

    @Test func shutdown_failsWaitersAndLaterCalls_withClosed() async throws {
        let cluster = RuntimeCluster(size: 1)
        try await cluster.startAll()
        _ = try await cluster.awaitLeader()
        try await cluster.propose("only", via: cluster.ids[0])
        let log = try #require(cluster.logs[cluster.ids[0]])
        await log.shutdown()
        await #expect(throws: ReplicationError.closed) { try await log.propose([1]) }
        await #expect(throws: ReplicationError.closed) { try await log.readBarrier() }
        await cluster.cleanUp()
    }
}
