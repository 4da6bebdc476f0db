// Goal: transactional offset commits (TxnOffsetCommit) behave as Kafka's: the records go out in
// the producer's transactional batch, the offsets stay invisible (and unstable for
// require_stable fetches) until the transaction's marker, a commit marker applies them and an
// abort drops them, and replay of the log does the same. Method: drive the manager through
// `GroupHarness`, then a fresh manager with the records and markers replayed.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct TransactionalOffsetTests {
    let t0 = TopicPartition(topic: "t", partition: 0)
    let producer = TransactionalProducer(producerId: 42, producerEpoch: 3)

    private func commitTransactional(_ harness: GroupHarness, _ offsets: [TopicPartition: Int64], group: String = "g") -> RequestToken {
        let token = harness.token()
        let commit = OffsetCommitEvent(groupId: group, generationId: -1, memberId: "", retention: nil,
                                       partitions: offsets.keys.sorted().map { .init(topicPartition: $0, offset: offsets[$0] ?? 0) })
        harness.perform(harness.manager.commitTransactionalOffsets(
            TransactionalOffsetCommitEvent(commit: commit, producer: producer), token: token, now: harness.now,
            wallClockMilliseconds: harness.wallClock))
        return token
    }

    @Test func txnCommit_pendingUntilCommitMarker_thenVisible() {
        let harness = GroupHarness()
        #expect(harness.commitResult(harness.commit([t0: 5])) == [t0: .noError])
        harness.appendsCompleteImmediately = false
        let token = commitTransactional(harness, [t0: 9])
        #expect(harness.response(token) == nil)
        harness.completeHeldAppends()
        #expect(harness.commitResult(token) == [t0: .noError])
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: false).partitions[t0]?.offset == 5)
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: true).partitions[t0]?.error == .unstableOffsetCommit)
        harness.manager.completeTransaction(producerId: 42, committed: true, now: harness.now, wallClockMilliseconds: harness.wallClock)
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: true).partitions[t0]?.offset == 9)
    }

    @Test func txnCommit_abortMarker_dropsTheOffsets() {
        let harness = GroupHarness()
        #expect(harness.commitResult(commitTransactional(harness, [t0: 9], group: "fresh")) == [t0: .noError])
        harness.manager.completeTransaction(producerId: 42, committed: false, now: harness.now, wallClockMilliseconds: harness.wallClock)
        let fetched = harness.manager.fetchOffsets(groupId: "fresh", partitions: [t0], requireStable: true)
        #expect(fetched.partitions[t0] == .absent)
    }

    @Test func replay_transactionalRecordsWaitForTheirMarker() {
        let harness = GroupHarness()
        _ = commitTransactional(harness, [t0: 9])
        var loaded = GroupMetadataManager(random: SeededRandom(seed: 1))
        for record in harness.log { loaded.replayTransactional(record, producerId: 42) }
        _ = loaded.start(now: harness.now, wallClockMilliseconds: harness.wallClock)
        #expect(loaded.fetchOffsets(groupId: "g", partitions: [t0], requireStable: true).partitions[t0]?.error == .unstableOffsetCommit)
        loaded.completeTransaction(producerId: 42, committed: true, now: harness.now, wallClockMilliseconds: harness.wallClock)
        #expect(loaded.fetchOffsets(groupId: "g", partitions: [t0], requireStable: true).partitions[t0]?.offset == 9)
    }
}
