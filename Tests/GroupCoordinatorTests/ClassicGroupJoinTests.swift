// Goal: JoinGroup and the join phase behave as Kafka's classic group coordinator does: member
// ids on demand, the initial rebalance delay and its extension, one generation for members that
// start together, leader choice, protocol selection and the JoinGroup error cases. Method: drive
// a `GroupMetadataManager` through `GroupHarness` with a hand-moved clock and inspect answers,
// timers and group state.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct ClassicGroupJoinTests {
    @Test func join_newDynamicMemberV4_getsMemberIdRequiredWithGeneratedId() {
        let harness = GroupHarness()
        let token = harness.join(client: "app")
        let result = harness.joinResult(token)
        #expect(result?.error == .memberIdRequired)
        #expect(result?.memberId.hasPrefix("app-") == true)
        #expect(result?.memberId.count == "app-".count + 36, "the suffix is a UUID")
        #expect(harness.group?.isPendingMember(result?.memberId ?? "") == true)
        #expect(harness.group?.state == .empty, "a pending member does not start a rebalance")
    }

    @Test func join_newDynamicMemberBeforeV4_joinsWithoutRoundTrip() {
        let harness = GroupHarness()
        let token = harness.join(requiresKnownMemberId: false)
        #expect(harness.response(token) == nil, "the join waits for the initial delay")
        #expect(harness.group?.state == .preparingRebalance)
        harness.advance(by: .seconds(3))
        #expect(harness.joinResult(token)?.generationId == 1)
    }

    @Test func join_singleMemberEmptyGroup_completesAtExactlyInitialDelay() {
        let harness = GroupHarness()
        harness.advance(by: .milliseconds(1234))
        let (memberId, token) = harness.joinNewMember()
        #expect(harness.timers[.join(groupId: "g")] == .zero + .milliseconds(1234) + .seconds(3))
        harness.advance(by: .seconds(3) - .nanoseconds(1))
        #expect(harness.response(token) == nil)
        harness.advance(by: .nanoseconds(1))
        let result = harness.joinResult(token)
        #expect(result?.error == .noError)
        #expect(result?.generationId == 1)
        #expect(result?.leaderId == memberId)
        #expect(result?.protocolName == "range")
        #expect(result?.members.map(\.memberId) == [memberId])
        #expect(harness.group?.state == .completingRebalance)
        #expect(harness.timers[.join(groupId: "g")] == nil)
    }

    @Test func join_twoMembersEmptyGroup_oneGenerationAndBothAssignedAfterLeaderSync() {
        let harness = GroupHarness()
        let first = harness.joinNewMember(client: "a")
        harness.advance(by: .seconds(1))
        let second = harness.joinNewMember(client: "b")
        // The second arrival extends the initial delay once: 3 s, then 3 s more.
        harness.advance(by: .seconds(2))
        #expect(harness.response(first.token) == nil)
        #expect(harness.timers[.join(groupId: "g")] == .zero + .seconds(6))
        harness.advance(by: .seconds(3))
        let leaderView = harness.joinResult(first.token)
        let followerView = harness.joinResult(second.token)
        #expect(leaderView?.generationId == 1 && followerView?.generationId == 1)
        #expect(leaderView?.leaderId == first.memberId && followerView?.leaderId == first.memberId)
        #expect(leaderView?.members.map(\.memberId) == [first.memberId, second.memberId])
        #expect(followerView?.members.isEmpty == true)

        let followerSync = harness.sync(second.memberId, generation: 1)
        #expect(harness.response(followerSync) == nil, "followers wait for the leader")
        let leaderSync = harness.sync(first.memberId, generation: 1, assignments: [first.memberId: [1], second.memberId: [2]])
        #expect(harness.syncResult(leaderSync) == SyncGroupResult(error: .noError, protocolType: "consumer", protocolName: "range", assignment: [1]))
        #expect(harness.syncResult(followerSync) == SyncGroupResult(error: .noError, protocolType: "consumer", protocolName: "range", assignment: [2]))
        #expect(harness.group?.state == .stable)
        #expect(harness.timers[.sync(groupId: "g")] == nil, "everyone synced")
        #expect(!harness.hasDuplicateAnswers)
    }

    @Test func join_leaderSync_answersOnlyOnceAssignmentIsDurable() {
        let harness = GroupHarness()
        let member = harness.joinNewMember()
        harness.advance(by: .seconds(3))
        harness.appendsCompleteImmediately = false
        let sync = harness.sync(member.memberId, generation: 1, assignments: [member.memberId: [9]])
        #expect(harness.response(sync) == nil)
        #expect(harness.group?.state == .completingRebalance)
        harness.completeHeldAppends()
        #expect(harness.syncResult(sync)?.assignment == [9])
        #expect(harness.group?.state == .stable)
        guard case let .groupMetadata("g", value?)? = harness.log.last else {
            Issue.record("the assignment is written as group metadata")
            return
        }
        #expect(value.generation == 1 && value.members.map(\.assignment) == [[9]])
    }

    @Test func join_membersKeepArriving_initialDelayEndsAtRebalanceTimeout() {
        let harness = GroupHarness()
        let first = harness.joinNewMember(client: "a", rebalance: .seconds(5))
        harness.advance(by: .seconds(1))
        let second = harness.joinNewMember(client: "b", rebalance: .seconds(5))
        harness.advance(by: .seconds(3))
        #expect(harness.timers[.join(groupId: "g")] == .zero + .seconds(5), "the extension is cut to the 2 s left")
        let third = harness.joinNewMember(client: "c", rebalance: .seconds(5))
        harness.advance(by: .seconds(1))
        for token in [first.token, second.token, third.token] {
            #expect(harness.joinResult(token)?.generationId == 1)
        }
        #expect(harness.now == .zero + .seconds(5))
    }

    @Test func join_thirdMemberToStableGroup_rebalancesAndHeartbeatsSayRebalanceInProgress() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let third = harness.joinNewMember(client: "c")
        #expect(harness.group?.state == .preparingRebalance)
        #expect(harness.timers[.join(groupId: "g")] == harness.now + .seconds(30), "no initial delay outside an empty group")
        #expect(harness.heartbeat(ids[0], generation: 1) == .rebalanceInProgress)
        #expect(harness.heartbeat(ids[1], generation: 1) == .rebalanceInProgress)
        let rejoinA = harness.join(ids[0])
        #expect(harness.response(rejoinA) == nil)
        let rejoinB = harness.join(ids[1])
        // Everyone is back: the phase ends at once, without waiting for the timeout.
        for token in [rejoinA, rejoinB, third.token] {
            #expect(harness.joinResult(token)?.generationId == 2)
        }
        #expect(harness.joinResult(rejoinA)?.members.count == 3, "the old leader stays leader")
        #expect(harness.group?.state == .completingRebalance)
    }

    @Test func join_stableFollowerWithSameProtocols_getsCurrentGenerationWithoutRebalance() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let token = harness.join(ids[1])
        #expect(harness.joinResult(token)?.generationId == 1)
        #expect(harness.joinResult(token)?.leaderId == ids[0])
        #expect(harness.group?.state == .stable)
    }

    @Test func join_stableLeaderRejoins_forcesRebalance() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        harness.join(ids[0])
        #expect(harness.group?.state == .preparingRebalance)
    }

    @Test func join_protocolSelection_mostVotesAmongProtocolsAllSupport() {
        let harness = GroupHarness()
        let offers: [[String]] = [["roundrobin", "range", "sticky"], ["range", "sticky"], ["sticky", "range"]]
        let tokens = offers.enumerated().map { index, names in
            harness.joinNewMember(client: "c\(index)", protocols: names.map { GroupProtocol(name: $0, metadata: [UInt8(index)]) }).token
        }
        harness.advance(by: .seconds(6))
        // roundrobin is not supported by everyone; range wins two votes to one.
        #expect(harness.joinResult(tokens[0])?.protocolName == "range")
        #expect(harness.joinResult(tokens[0])?.members.map(\.metadata) == [[0], [1], [2]])
    }

    @Test func join_protocolVoteTie_goesToLongestStandingMembersChoice() {
        let harness = GroupHarness()
        let a = harness.joinNewMember(client: "a", protocols: [GroupProtocol(name: "x"), GroupProtocol(name: "y")])
        _ = harness.joinNewMember(client: "b", protocols: [GroupProtocol(name: "y"), GroupProtocol(name: "x")])
        harness.advance(by: .seconds(6))
        #expect(harness.joinResult(a.token)?.protocolName == "x")
    }

    @Test func join_incompatibleProtocols_isInconsistentGroupProtocol() {
        let harness = GroupHarness()
        _ = harness.stableGroup(1)
        let otherType = harness.join(protocolType: "connect")
        #expect(harness.joinResult(otherType)?.error == .inconsistentGroupProtocol)
        let noCommonProtocol = harness.join(protocols: [GroupProtocol(name: "cooperative-sticky")])
        #expect(harness.joinResult(noCommonProtocol)?.error == .inconsistentGroupProtocol)
        let emptyGroupEmptyType = harness.join(group: "other", protocolType: "")
        #expect(harness.joinResult(emptyGroupEmptyType)?.error == .inconsistentGroupProtocol)
    }

    @Test func join_knownMemberIdForUnknownGroup_isUnknownMemberId() {
        let harness = GroupHarness()
        let token = harness.join("ghost-1")
        #expect(harness.joinResult(token)?.error == .unknownMemberId)
        #expect(harness.manager.groups.isEmpty)
    }

    @Test func join_invalidRequests_areRejectedBeforeTheGroup() {
        let harness = GroupHarness()
        #expect(harness.joinResult(harness.join(session: .milliseconds(500)))?.error == .invalidSessionTimeout)
        #expect(harness.joinResult(harness.join(session: .seconds(3600)))?.error == .invalidSessionTimeout)
        #expect(harness.joinResult(harness.join(group: ""))?.error == .invalidGroupId)
        #expect(harness.joinResult(harness.join(client: String(repeating: "x", count: 40_000)))?.error == .invalidRequest)
        #expect(harness.manager.groups.isEmpty)
    }

    @Test func join_groupAtMaxSize_newMemberIsRefused() {
        let harness = GroupHarness(configuration: GroupCoordinatorConfiguration(sessionTimeoutMin: .seconds(1), groupSizeMax: 1))
        let ids = harness.stableGroup(1)
        let token = harness.join(requiresKnownMemberId: false)
        #expect(harness.joinResult(token) == JoinGroupResult(error: .groupMaxSizeReached, memberId: ""))
        #expect(harness.group?.memberIds == ids)
        #expect(harness.group?.state == .stable)
    }

    @Test func expire_pendingMemberNeverRejoins_isDroppedAndJoinPhaseEnds() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        let pending = harness.join()
        let pendingId = harness.joinResult(pending)?.memberId ?? ""
        harness.join(ids[0])
        #expect(harness.group?.state == .preparingRebalance, "the leader's rejoin starts a rebalance")
        #expect(harness.group?.isPendingMember(pendingId) == true, "and the pending member holds it open")
        harness.advance(by: .seconds(10))
        #expect(harness.group?.isPendingMember(pendingId) == false)
        #expect(harness.group?.state == .completingRebalance)
        #expect(harness.group?.generationId == 2)
    }
}
