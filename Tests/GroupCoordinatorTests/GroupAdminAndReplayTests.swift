// Goal: the admin APIs answer as Kafka's do, and a coordinator that replays what another wrote
// to `__consumer_offsets` ends up with the same groups and offsets, ready to carry on. Method:
// build groups through `GroupHarness`, query them, then replay the harness's log into a fresh
// `GroupMetadataManager` (through the record bytes, as a restart would) and compare.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct GroupAdminAndReplayTests {
    let t0 = TopicPartition(topic: "t", partition: 0)

    @Test func describeGroup_stable_reportsProtocolMetadataAndAssignments() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let description = harness.manager.describeGroup("g")
        #expect(description.state == .stable && description.state.rawValue == "Stable")
        #expect(description.protocolType == "consumer" && description.protocolData == "range")
        #expect(description.members.map(\.memberId) == ids)
        #expect(description.members.map(\.assignment) == [[0], [1]])
        #expect(description.members.allSatisfy { $0.metadata == subscription(["t"]) && $0.clientHost == "/10.0.0.1" })
    }

    @Test func describeGroup_rebalancing_omitsMetadata() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        harness.join(ids[0])
        let description = harness.manager.describeGroup("g")
        #expect(description.state == .preparingRebalance && description.protocolData == "")
        #expect(description.members.first?.metadata == [])
    }

    @Test func describeGroup_unknown_isDeadWithoutError() {
        let description = GroupHarness().manager.describeGroup("nope")
        #expect(description == GroupDescription(groupId: "nope", error: .noError, state: .dead, protocolType: "", protocolData: "", members: []))
    }

    @Test func listGroups_stateFilter_matchesKafkaNamesIgnoringCase() {
        let harness = GroupHarness()
        _ = harness.stableGroup(1)
        harness.commit([t0: 1], group: "offsets-only")
        #expect(harness.manager.listGroups().map(\.groupId) == ["g", "offsets-only"])
        #expect(harness.manager.listGroups(statesFilter: ["stable"]) == [GroupListing(groupId: "g", protocolType: "consumer", state: .stable)])
        #expect(harness.manager.listGroups(statesFilter: ["EMPTY"]) == [GroupListing(groupId: "offsets-only", protocolType: "", state: .empty)])
        #expect(harness.manager.listGroups(statesFilter: ["Dead"]).isEmpty)
    }

    @Test func deleteGroups_onlyEmptyGroupsAreDeletedWithTombstones() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        harness.commit([t0: 5], memberId: ids[0], generation: 1)
        harness.commit([t0: 1], group: "idle")
        let token = harness.token()
        harness.perform(harness.manager.deleteGroups(["g", "idle", "nope"], token: token, now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(token) == .deleteGroups(["g": .nonEmptyGroup, "idle": .noError, "nope": .groupIdNotFound]))
        #expect(harness.manager.groups["idle"] == nil)
        #expect(harness.log.last == .offsetCommit(OffsetCommitKey(group: "idle", topic: "t", partition: 0), nil),
                "a group that never had a generation wrote no metadata to tombstone")
        _ = harness.leave([LeaveGroupEvent.Member(memberId: ids[0])])
        let again = harness.token()
        harness.perform(harness.manager.deleteGroups(["g"], token: again, now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(again) == .deleteGroups(["g": .noError]))
        #expect(harness.log.suffix(2) == [.offsetCommit(OffsetCommitKey(group: "g", topic: "t", partition: 0), nil), .groupMetadata(groupId: "g", nil)])
    }

    @Test func replay_logOfARun_rebuildsSameGroupsAndOffsets() throws {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        harness.commit([t0: 10], memberId: ids[0], generation: 1)
        harness.commit([t0: 3], group: "simple")
        harness.commit([t0: 4], group: "simple")
        harness.commit([t0: 1], group: "doomed")
        let token = harness.token()
        harness.perform(harness.manager.deleteGroups(["doomed"], token: token, now: harness.now, wallClockMilliseconds: harness.wallClock))

        let restarted = try replayed(harness.log)
        let original = try #require(harness.manager.groups["g"])
        let reloaded = try #require(restarted.groups["g"])
        #expect(reloaded.state == .stable)
        #expect(reloaded.generationId == original.generationId)
        #expect(reloaded.leaderId == original.leaderId)
        #expect(reloaded.protocolType == "consumer" && reloaded.protocolName == "range")
        #expect(reloaded.allMembers.map(\.memberId) == original.allMembers.map(\.memberId))
        #expect(reloaded.allMembers.map(\.assignment) == original.allMembers.map(\.assignment))
        #expect(reloaded.allMembers.map(\.sessionTimeout) == original.allMembers.map(\.sessionTimeout))
        #expect(reloaded.subscribedTopics == ["t"])
        #expect(reloaded.currentStateTimestamp == original.currentStateTimestamp)
        #expect(restarted.fetchOffsets(groupId: "g", partitions: nil, requireStable: false)
                == harness.manager.fetchOffsets(groupId: "g", partitions: nil, requireStable: false))
        #expect(restarted.fetchOffsets(groupId: "simple", partitions: [t0], requireStable: false).partitions[t0]?.offset == 4)
        #expect(restarted.groups["simple"]?.state == .empty)
        #expect(restarted.groups["doomed"] == nil)
        #expect(restarted.fetchOffsets(groupId: "doomed", partitions: nil, requireStable: false).partitions.isEmpty)
    }

    @Test func start_afterReplay_membersGetAFullSessionThenCarryOn() throws {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        var restarted = try replayed(harness.log)
        let actions = restarted.start(now: .zero + .seconds(100), wallClockMilliseconds: harness.wallClock)
        #expect(actions.contains(.scheduleTimer(.heartbeat(groupId: "g", memberId: ids[0]), deadline: .zero + .seconds(110))))
        #expect(actions.contains(.scheduleTimer(.offsetsRetentionCheck, deadline: .zero + .seconds(700))))
        let token = RequestToken(1)
        let answer = restarted.heartbeat(HeartbeatEvent(groupId: "g", generationId: 1, memberId: ids[0]), token: token,
                                         now: .zero + .seconds(101), wallClockMilliseconds: harness.wallClock)
        #expect(answer.contains(.respond(token, .heartbeat(.noError))))
    }

    @Test func replay_groupTombstoneWithOffsetsLeft_keepsOffsetsUnderSimpleGroup() {
        var manager = GroupMetadataManager(configuration: .testing, random: SeededRandom(seed: 1))
        let value = GroupMetadataValue(protocolType: "consumer", generation: 3, protocolName: nil, leader: nil, currentStateTimestamp: 5, members: [])
        manager.replay(.groupMetadata(groupId: "g", value), now: .zero, wallClockMilliseconds: 0)
        manager.replay(.offsetCommit(OffsetCommitKey(group: "g", topic: "t", partition: 0), OffsetAndMetadata(offset: 8, commitTimestamp: 1)), now: .zero, wallClockMilliseconds: 0)
        #expect(manager.groups["g"]?.generationId == 3 && manager.groups["g"]?.state == .empty)
        manager.replay(.groupMetadata(groupId: "g", nil), now: .zero, wallClockMilliseconds: 0)
        #expect(manager.groups["g"] == nil)
        _ = manager.start(now: .zero, wallClockMilliseconds: 0)
        #expect(manager.groups["g"]?.protocolType == nil)
        #expect(manager.fetchOffsets(groupId: "g", partitions: [t0], requireStable: false).partitions[t0]?.offset == 8)
    }

    /// A fresh coordinator that has replayed `log`, each record through its bytes.
    private func replayed(_ log: [GroupCoordinatorRecord]) throws -> GroupMetadataManager {
        var manager = GroupMetadataManager(configuration: .testing, random: SeededRandom(seed: 99))
        for record in log {
            let decoded = try #require(try GroupCoordinatorRecord(key: record.key, value: record.value))
            manager.replay(decoded, now: .zero, wallClockMilliseconds: 0)
        }
        return manager
    }
}
