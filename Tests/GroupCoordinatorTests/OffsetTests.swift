// Goal: offset storage behaves as Kafka's: commits are validated against the group's generation
// and members, become visible only once durable, can be fetched, deleted (not from under a
// consumer group that subscribes to the topic) and expire on Kafka's retention rules, with
// tombstones for everything removed. Method: commit through `GroupHarness`, hold or fail
// appends, move the wall clock, and inspect fetch answers and the written log.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct OffsetTests {
    let t0 = TopicPartition(topic: "t", partition: 0)
    let t1 = TopicPartition(topic: "t", partition: 1)
    let u0 = TopicPartition(topic: "u", partition: 0)

    @Test func commitOffsets_simpleConsumerUnknownGroup_storedOnceDurable() {
        let harness = GroupHarness()
        harness.appendsCompleteImmediately = false
        let token = harness.commit([t0: 42, t1: 7], group: "simple", metadata: "m")
        #expect(harness.response(token) == nil)
        #expect(harness.manager.fetchOffsets(groupId: "simple", partitions: [t0], requireStable: false).partitions[t0] == .absent)
        #expect(harness.manager.fetchOffsets(groupId: "simple", partitions: [t0], requireStable: true).partitions[t0]?.error == .unstableOffsetCommit)
        harness.completeHeldAppends()
        #expect(harness.commitResult(token) == [t0: .noError, t1: .noError])
        let fetched = harness.manager.fetchOffsets(groupId: "simple", partitions: [t0, u0], requireStable: true)
        #expect(fetched.partitions[t0] == FetchedOffset(offset: 42, leaderEpoch: -1, metadata: "m", error: .noError))
        #expect(fetched.partitions[u0] == .absent)
        #expect(harness.manager.groups["simple"]?.state == .empty)
        #expect(harness.manager.groups["simple"]?.protocolType == nil)
        #expect(harness.log == [
            .offsetCommit(OffsetCommitKey(group: "simple", topic: "t", partition: 0),
                          OffsetAndMetadata(offset: 42, metadata: "m", commitTimestamp: harness.wallClock)),
            .offsetCommit(OffsetCommitKey(group: "simple", topic: "t", partition: 1),
                          OffsetAndMetadata(offset: 7, metadata: "m", commitTimestamp: harness.wallClock)),
        ])
    }

    @Test func commitOffsets_member_validatedAgainstGenerationAndMembership() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        #expect(harness.commitResult(harness.commit([t0: 1], memberId: ids[0], generation: 1)) == [t0: .noError])
        #expect(harness.commitResult(harness.commit([t0: 1], memberId: ids[0], generation: 2)) == [t0: .illegalGeneration])
        #expect(harness.commitResult(harness.commit([t0: 1], memberId: "stranger", generation: 1)) == [t0: .unknownMemberId])
        #expect(harness.commitResult(harness.commit([t0: 1])) == [t0: .unknownMemberId], "only members commit to a live group")
        #expect(harness.commitResult(harness.commit([t0: 1], group: "never-seen", memberId: "m", generation: 3)) == [t0: .illegalGeneration])
        harness.join(ids[0])
        #expect(harness.commitResult(harness.commit([t0: 5], memberId: ids[0], generation: 1)) == [t0: .noError],
                "commits are accepted while rebalancing; the next heartbeat tells the member")
    }

    @Test func commitOffsets_duringCompletingRebalance_isRebalanceInProgress() {
        let harness = GroupHarness()
        let member = harness.joinNewMember()
        harness.advance(by: .seconds(3))
        #expect(harness.commitResult(harness.commit([t0: 1], memberId: member.memberId, generation: 1)) == [t0: .rebalanceInProgress])
    }

    @Test func commitOffsets_member_keepsSessionAlive() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        for _ in 0..<3 {
            harness.advance(by: .seconds(8))
            harness.commit([t0: 1], memberId: ids[0], generation: 1)
        }
        #expect(harness.group?.state == .stable)
    }

    @Test func commitOffsets_metadataTooLarge_rejectsOnlyThatPartition() {
        let harness = GroupHarness(configuration: GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), offsetMetadataBytesMax: 3))
        let token = harness.commit([t0: 1], metadata: "four")
        #expect(harness.commitResult(token) == [t0: .offsetMetadataTooLarge])
        #expect(harness.log.isEmpty)
    }

    @Test func commitOffsets_appendFails_reportsMappedErrorAndKeepsOldOffset() {
        let harness = GroupHarness()
        harness.commit([t0: 1])
        harness.appendsCompleteImmediately = false
        let token = harness.commit([t0: 2])
        harness.completeHeldAppends(failure: .recordTooLarge)
        #expect(harness.commitResult(token) == [t0: .invalidCommitOffsetSize])
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: true).partitions[t0]?.offset == 1)
    }

    @Test func fetchOffsets_noPartitions_returnsEveryCommitted() {
        let harness = GroupHarness()
        harness.commit([t0: 1, u0: 3])
        let fetched = harness.manager.fetchOffsets(groupId: "g", partitions: nil, requireStable: false)
        #expect(Set(fetched.partitions.keys) == [t0, u0])
        #expect(harness.manager.fetchOffsets(groupId: "nope", partitions: nil, requireStable: false).partitions.isEmpty)
    }

    @Test func expire_retentionCheck_emptyGroupOffsetsAgeFromWhenGroupEmptied() {
        let config = GroupCoordinatorConfiguration(
            sessionTimeoutMin: .seconds(1), initialRebalanceDelay: .seconds(3), offsetsRetention: .seconds(86_400),
            offsetsRetentionCheckInterval: .seconds(600))
        let harness = GroupHarness(configuration: config)
        harness.perform(harness.manager.start(now: harness.now, wallClockMilliseconds: harness.wallClock))
        let ids = harness.stableGroup(1)
        harness.commit([t0: 10], memberId: ids[0], generation: 1)
        harness.advance(by: .seconds(3600))
        #expect(harness.heartbeat(ids[0], generation: 1) == .unknownMemberId, "the silent member was dropped long ago")
        #expect(harness.group?.state == .empty)
        let emptiedAt = harness.group?.currentStateTimestamp ?? 0
        // A day after the commit is not yet a day after the group emptied.
        harness.advance(by: .seconds(86_400 - 3600 + 60))
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: false).partitions[t0]?.offset == 10)
        harness.advance(by: .seconds(3600))
        #expect(harness.wallClock - emptiedAt >= 86_400_000)
        #expect(harness.manager.groups["g"] == nil, "an empty group without offsets is removed")
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: false).partitions[t0] == .absent)
        #expect(harness.log.suffix(2) == [
            .offsetCommit(OffsetCommitKey(group: "g", topic: "t", partition: 0), nil),
            .groupMetadata(groupId: "g", nil),
        ])
        #expect(harness.timers[.offsetsRetentionCheck] != nil, "the check re-arms itself")
    }

    @Test func expire_retentionCheck_stableConsumerGroupKeepsSubscribedTopics() {
        let config = GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), offsetsRetention: .seconds(100), offsetsRetentionCheckInterval: .seconds(50))
        let harness = GroupHarness(configuration: config)
        harness.perform(harness.manager.start(now: harness.now, wallClockMilliseconds: harness.wallClock))
        let ids = harness.stableGroup(1)
        harness.commit([t0: 1, u0: 2], memberId: ids[0], generation: 1)
        for _ in 0..<20 {
            harness.advance(by: .seconds(8))
            _ = harness.heartbeat(ids[0], generation: 1)
        }
        let fetched = harness.manager.fetchOffsets(groupId: "g", partitions: [t0, u0], requireStable: false)
        #expect(fetched.partitions[t0]?.offset == 1, "t is subscribed")
        #expect(fetched.partitions[u0] == .absent, "u is not, and its commit is older than the retention")
    }

    @Test func expire_explicitRetention_usesExpireTimestamp() {
        let config = GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), offsetsRetentionCheckInterval: .seconds(10))
        let harness = GroupHarness(configuration: config)
        harness.perform(harness.manager.start(now: harness.now, wallClockMilliseconds: harness.wallClock))
        harness.commit([t0: 1], retention: .seconds(15))
        guard case let .offsetCommit(_, offset?)? = harness.log.last else {
            Issue.record("the commit is written")
            return
        }
        #expect(offset.recordVersion == 1)
        harness.advance(by: .seconds(10))
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: false).partitions[t0]?.offset == 1)
        harness.advance(by: .seconds(10))
        #expect(harness.manager.groups["g"] == nil)
    }

    @Test func deleteOffsets_stableConsumerGroup_onlyTopicsItDoesNotConsume() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        harness.commit([t0: 1, u0: 2], memberId: ids[0], generation: 1)
        let token = harness.token()
        harness.perform(harness.manager.deleteOffsets(groupId: "g", partitions: [t0, u0], token: token, now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(token) == .offsetDelete(OffsetDeleteResult(error: .noError, partitions: [t0: .groupSubscribedToTopic, u0: .noError])))
        #expect(harness.log.last == .offsetCommit(OffsetCommitKey(group: "g", topic: "u", partition: 0), nil))
        #expect(harness.manager.fetchOffsets(groupId: "g", partitions: [t0, u0], requireStable: false).partitions[u0] == .absent)
    }

    @Test func deleteOffsets_nonConsumerGroupWithMembersOrUnknownGroup_isRefused() {
        let harness = GroupHarness()
        harness.join(protocolType: "connect", requiresKnownMemberId: false)
        let token = harness.token()
        harness.perform(harness.manager.deleteOffsets(groupId: "g", partitions: [t0], token: token, now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(token) == .offsetDelete(OffsetDeleteResult(error: .nonEmptyGroup, partitions: [:])))
        let unknown = harness.token()
        harness.perform(harness.manager.deleteOffsets(groupId: "nope", partitions: [t0], token: unknown, now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(unknown) == .offsetDelete(OffsetDeleteResult(error: .groupIdNotFound, partitions: [:])))
    }
}
