// Goal: compaction drops only what a snapshot covers, a follower that lags behind the compacted
// prefix is caught up by a chunked InstallSnapshot, and a node restarts from snapshot plus log.
// Method: small clusters with tiny chunk sizes so that one snapshot takes several chunks.

import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftSnapshotTests {
    private let snapshotBytes: [UInt8] = Array(0..<23)

    private func clusterWithLaggingFollower() -> TestCluster {
        let cluster = TestCluster(size: 3) { $0.limits.snapshotChunkBytesMax = 5 }
        cluster.elect(1)
        cluster.isolated = [3]
        for value in 0..<8 { _ = cluster.propose(1, [UInt8(value)]) }
        cluster.run()
        let snapshot = Snapshot(index: cluster[1].appliedIndex, term: cluster[1].term, data: snapshotBytes)
        cluster.record(1, cluster.nodes[1]!.compact(to: snapshot, now: cluster.now))
        cluster.run()
        return cluster
    }

    @Test func compact_appliedPrefix_dropsLogAndPersistsSnapshot() {
        let cluster = TestCluster(size: 1)
        cluster.elect(1)
        for value in 0..<4 { _ = cluster.propose(1, [UInt8(value)]) }
        cluster.run()
        let snapshot = Snapshot(index: 3, term: 1, data: [1, 2, 3])
        let actions = cluster.nodes[1]!.compact(to: snapshot, now: cluster.now)
        #expect(actions.persists.map(\.snapshot) == [snapshot])
        #expect(actions.persists.first?.log == nil)
        #expect(cluster[1].snapshotIndex == 3)
        #expect(cluster[1].entry(at: 3) == nil)
        #expect(cluster[1].entry(at: 4)?.data == [2])
    }

    @Test func receive_snapshotChunks_laggingFollower_installsSnapshot() {
        let cluster = clusterWithLaggingFollower()
        #expect(cluster[1].snapshotIndex == 9)
        cluster.isolated = []
        var chunks = 0
        for _ in 0..<10 {
            cluster.advance(.milliseconds(10))
            while !cluster.network.isEmpty {
                let envelope = cluster.network.removeFirst()
                if case .snapshotChunk = envelope.message { chunks += 1 }
                cluster.deliver(envelope)
                for id in cluster.ids { cluster.persist(id) }
            }
        }
        #expect(chunks >= 5, "23 bytes in chunks of at most 5")
        #expect(cluster.restored[3] == [Snapshot(index: 9, term: 1, data: snapshotBytes)])
        #expect(cluster[3].snapshotIndex == 9)
        #expect(cluster[3].commitIndex == 9)
        _ = cluster.propose(1, [99])
        cluster.run()
        cluster.advance(.milliseconds(10))
        cluster.run()
        #expect(cluster.applied[3]?.last?.data == [99], "replication continues after the snapshot")
    }

    @Test func receive_snapshotChunk_outOfOrder_answersExpectedOffset() {
        let configuration = RaftConfiguration(
            nodeID: 2, voters: [1, 2, 3], electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(10))
        var follower = RaftNode(configuration: configuration, durable: .empty, random: SeededRandom(seed: 1), now: .zero)
        let chunk = SnapshotChunk(
            term: 1, snapshotIndex: 5, snapshotTerm: 1, offset: 4, totalBytes: 8, data: [4, 5, 6, 7], round: 2)
        let actions = follower.receive(.snapshotChunk(chunk), from: 1, now: .zero)
        let expected = SnapshotResponse(term: 1, snapshotIndex: 5, nextOffset: 0, installed: false, round: 2)
        #expect(actions.sends.map(\.message).last == .snapshotResponse(expected))
        #expect(follower.snapshotIndex == 0)
    }

    @Test func receive_lastSnapshotChunk_ackIsHeldUntilPersisted() {
        let configuration = RaftConfiguration(
            nodeID: 2, voters: [1, 2, 3], electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(10))
        var follower = RaftNode(configuration: configuration, durable: .empty, random: SeededRandom(seed: 1), now: .zero)
        let first = SnapshotChunk(term: 1, snapshotIndex: 5, snapshotTerm: 1, offset: 0, totalBytes: 6, data: [0, 1, 2], round: 1)
        let second = SnapshotChunk(term: 1, snapshotIndex: 5, snapshotTerm: 1, offset: 3, totalBytes: 6, data: [3, 4, 5], round: 1)
        let partial = follower.receive(.snapshotChunk(first), from: 1, now: .zero)
        #expect(partial.sends.map(\.message) == [.snapshotResponse(
            SnapshotResponse(term: 1, snapshotIndex: 5, nextOffset: 3, installed: false, round: 1))])
        let actions = follower.receive(.snapshotChunk(second), from: 1, now: .zero)
        let snapshot = Snapshot(index: 5, term: 1, data: [0, 1, 2, 3, 4, 5])
        #expect(actions.contains(.restoreSnapshot(snapshot)))
        #expect(actions.sends.isEmpty)
        let write = try! #require(actions.persists.first)
        #expect(write.snapshot == snapshot)
        #expect(write.log == LogWrite(from: 6, entries: []), "a disagreeing tail is dropped with the snapshot")
        let released = follower.persisted(upTo: write.ticket, now: .zero)
        #expect(released.sends.map(\.message) == [.snapshotResponse(
            SnapshotResponse(term: 1, snapshotIndex: 5, nextOffset: 6, installed: true, round: 1))])
        #expect(follower.commitIndex == 5)
        #expect(follower.appliedIndex == 5)
    }

    @Test func restart_fromSnapshotAndLog_recoversBoth() {
        let cluster = clusterWithLaggingFollower()
        _ = cluster.propose(1, [42])
        cluster.run()
        cluster.crash(1)
        cluster.boot(1)
        let disk = cluster.disks[1]!
        #expect(disk.snapshot?.index == 9)
        #expect(cluster[1].snapshotIndex == 9)
        #expect(cluster[1].lastIndex == 10)
        #expect(cluster[1].entry(at: 10)?.data == [42])
        #expect(cluster[1].term == 1)
    }
}
