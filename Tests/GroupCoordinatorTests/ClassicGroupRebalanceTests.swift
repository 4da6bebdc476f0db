// Goal: members that fall silent, leave or lag are handled as Kafka does: session timeouts and
// LeaveGroup trigger rebalances, members that miss the join or sync phase are dropped, stale
// generations and strangers are refused, and a failed assignment write sends everyone back to
// JoinGroup. Method: form groups through `GroupHarness`, then move the clock and send requests.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct ClassicGroupRebalanceTests {
    @Test func expire_sessionTimeout_removesSilentMemberAndRebalances() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        harness.advance(by: .seconds(6))
        #expect(harness.heartbeat(ids[0], generation: 1) == .noError)
        harness.advance(by: .seconds(5))
        // ids[1] last showed life at its SyncGroup, 11 s ago, with a 10 s session.
        #expect(harness.group?.memberIds == [ids[0]])
        #expect(harness.group?.state == .preparingRebalance)
        #expect(harness.heartbeat(ids[0], generation: 1) == .rebalanceInProgress)
        let rejoin = harness.join(ids[0])
        let result = harness.joinResult(rejoin)
        #expect(result?.generationId == 2)
        #expect(result?.members.map(\.memberId) == [ids[0]])
    }

    @Test func heartbeat_regularly_keepsMemberPastSessionTimeout() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        for _ in 0..<5 {
            harness.advance(by: .seconds(8))
            #expect(harness.heartbeat(ids[0], generation: 1) == .noError)
        }
        #expect(harness.group?.state == .stable)
    }

    @Test func leave_member_triggersRebalanceWithoutIt() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(3)
        let result = harness.leave([LeaveGroupEvent.Member(memberId: ids[1])])
        #expect(result == LeaveGroupResult(error: .noError, members: [.init(memberId: ids[1], groupInstanceId: nil, error: .noError)]))
        #expect(harness.group?.state == .preparingRebalance)
        #expect(harness.timers[.heartbeat(groupId: "g", memberId: ids[1])] == nil)
        let a = harness.join(ids[0])
        let c = harness.join(ids[2])
        #expect(harness.joinResult(a)?.generationId == 2)
        #expect(harness.joinResult(c)?.generationId == 2)
        #expect(harness.joinResult(a)?.members.map(\.memberId) == [ids[0], ids[2]])
    }

    @Test func leave_batchWithStranger_reportsPerMemberAndRemovesTheKnown() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let result = harness.leave([LeaveGroupEvent.Member(memberId: "stranger"), LeaveGroupEvent.Member(memberId: ids[1])])
        #expect(result?.members.map(\.error) == [.unknownMemberId, .noError])
        #expect(harness.group?.memberIds == [ids[0]])
    }

    @Test func leave_lastMember_groupBecomesEmptyWithNewGenerationWritten() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        _ = harness.leave([LeaveGroupEvent.Member(memberId: ids[0])])
        #expect(harness.group?.state == .empty)
        #expect(harness.group?.generationId == 2)
        guard case let .groupMetadata("g", value?)? = harness.log.last else {
            Issue.record("an empty generation is recorded")
            return
        }
        #expect(value.generation == 2 && value.members.isEmpty && value.protocolName == nil)
        #expect(value.protocolType == "consumer", "the empty group keeps its protocol type")
    }

    @Test func leave_unknownGroup_isUnknownMemberIdForTheRequest() {
        let harness = GroupHarness()
        #expect(harness.leave([LeaveGroupEvent.Member(memberId: "m")], group: "nope")?.error == .unknownMemberId)
    }

    @Test func expire_rebalanceTimeout_dropsLiveMembersThatDidNotRejoin() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let followerRejoin = harness.join(ids[1])
        #expect(harness.group?.state == .stable, "an unchanged follower does not rebalance")
        #expect(harness.joinResult(followerRejoin)?.generationId == 1)
        let leaderRejoin = harness.join(ids[0])
        #expect(harness.group?.state == .preparingRebalance)
        // The follower stays alive but ignores the rebalance, so only the timeout ends the phase.
        for _ in 0..<3 {
            harness.advance(by: .seconds(8))
            #expect(harness.heartbeat(ids[1], generation: 1) == .rebalanceInProgress)
        }
        harness.advance(by: .seconds(6) - .nanoseconds(1))
        #expect(harness.response(leaderRejoin) == nil)
        harness.advance(by: .nanoseconds(1))
        #expect(harness.joinResult(leaderRejoin)?.generationId == 2)
        #expect(harness.group?.memberIds == [ids[0]])
        #expect(harness.heartbeat(ids[1], generation: 1) == .unknownMemberId)
    }

    @Test func expire_leaderSessionLapsesDuringRebalance_rejoinedMemberLeads() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let follower = harness.join(ids[1], protocols: [GroupProtocol(name: "range", metadata: subscription(["t", "u"]))])
        harness.advance(by: .seconds(30))
        #expect(harness.joinResult(follower)?.leaderId == ids[1])
        #expect(harness.joinResult(follower)?.members.map(\.memberId) == [ids[1]])
    }

    @Test func expire_syncTimeout_removesMembersThatNeverSynced() {
        let harness = GroupHarness()
        let a = harness.joinNewMember(client: "a")
        let b = harness.joinNewMember(client: "b")
        harness.advance(by: .seconds(6))
        let deadline = harness.timers[.sync(groupId: "g")]
        #expect(deadline == harness.now + .seconds(30))
        harness.sync(a.memberId, generation: 1, assignments: [a.memberId: [1], b.memberId: [2]])
        #expect(harness.group?.state == .stable)
        // b keeps its session alive with heartbeats but never sends SyncGroup.
        for _ in 0..<4 {
            harness.advance(by: .seconds(8))
            _ = harness.heartbeat(b.memberId, generation: 1)
            _ = harness.heartbeat(a.memberId, generation: 1)
        }
        #expect(harness.group?.memberIds == [a.memberId])
        #expect(harness.group?.state == .preparingRebalance)
    }

    @Test func sync_wrongGenerationOrStranger_isRefused() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(1)
        #expect(harness.syncResult(harness.sync(ids[0], generation: 7))?.error == .illegalGeneration)
        #expect(harness.syncResult(harness.sync("stranger", generation: 1))?.error == .unknownMemberId)
        #expect(harness.syncResult(harness.sync(ids[0], generation: 1, group: "nope"))?.error == .unknownMemberId)
        #expect(harness.heartbeat(ids[0], generation: 0) == .illegalGeneration)
        #expect(harness.heartbeat("stranger", generation: 1) == .unknownMemberId)
        #expect(harness.heartbeat(ids[0], generation: 1, instance: "not-mine") == .unknownMemberId)
    }

    @Test func sync_duringJoinPhase_isRebalanceInProgress() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        harness.join(ids[0])
        #expect(harness.syncResult(harness.sync(ids[1], generation: 1))?.error == .rebalanceInProgress)
    }

    @Test func join_duringCompletingRebalance_parkedSyncsAreToldToRejoin() {
        let harness = GroupHarness()
        let a = harness.joinNewMember(client: "a")
        let b = harness.joinNewMember(client: "b")
        harness.advance(by: .seconds(6))
        let followerSync = harness.sync(b.memberId, generation: 1)
        _ = harness.joinNewMember(client: "c")
        #expect(harness.syncResult(followerSync)?.error == .rebalanceInProgress)
        #expect(harness.group?.state == .preparingRebalance)
        #expect(harness.timers[.sync(groupId: "g")] == nil)
        _ = a
    }

    @Test func appended_assignmentWriteFails_everyoneIsToldToRejoin() {
        let harness = GroupHarness()
        let a = harness.joinNewMember(client: "a")
        let b = harness.joinNewMember(client: "b")
        harness.advance(by: .seconds(6))
        let followerSync = harness.sync(b.memberId, generation: 1)
        harness.appendsCompleteImmediately = false
        let leaderSync = harness.sync(a.memberId, generation: 1, assignments: [a.memberId: [1], b.memberId: [2]])
        harness.completeHeldAppends(failure: .notLeader)
        #expect(harness.syncResult(leaderSync) == SyncGroupResult(error: .notCoordinator))
        #expect(harness.syncResult(followerSync) == SyncGroupResult(error: .notCoordinator))
        #expect(harness.group?.state == .preparingRebalance)
    }

    @Test func appended_assignmentForOldGeneration_isIgnored() {
        let harness = GroupHarness()
        let a = harness.joinNewMember(client: "a")
        harness.advance(by: .seconds(3))
        harness.appendsCompleteImmediately = false
        let leaderSync = harness.sync(a.memberId, generation: 1, assignments: [a.memberId: [1]])
        _ = harness.joinNewMember(client: "b")
        #expect(harness.syncResult(leaderSync)?.error == .rebalanceInProgress)
        harness.completeHeldAppends()
        #expect(harness.group?.state == .preparingRebalance)
        #expect(!harness.hasDuplicateAnswers)
    }

    @Test func expire_newMemberJoinTimeout_dropsNewMemberStillParked() {
        let harness = GroupHarness(configuration: GroupCoordinatorConfiguration(
            sessionTimeoutMin: .seconds(1), initialRebalanceDelay: .seconds(3), newMemberJoinTimeout: .seconds(20)))
        let ids = harness.stableGroup(2)
        // The leader is parked in a long join phase: past its session, which is allowed.
        let leaderRejoin = harness.join(ids[0], rebalance: .seconds(60))
        let newcomer = harness.joinNewMember(client: "late", rebalance: .seconds(60))
        for _ in 0..<4 {
            harness.advance(by: .seconds(8))
            #expect(harness.heartbeat(ids[1], generation: 1) == .rebalanceInProgress)
        }
        #expect(harness.joinResult(newcomer.token)?.error == .unknownMemberId)
        #expect(harness.group?.memberIds == ids)
        #expect(harness.response(leaderRejoin) == nil, "the follower still holds the phase open")
        #expect(harness.group?.state == .preparingRebalance)
    }

    @Test func join_duplicateJoinWhileParked_answersTheReplacedRequest() {
        let harness = GroupHarness()
        let member = harness.joinNewMember()
        let again = harness.join(member.memberId)
        #expect(harness.joinResult(member.token)?.error == .rebalanceInProgress)
        harness.advance(by: .seconds(3))
        #expect(harness.joinResult(again)?.generationId == 1)
        #expect(!harness.hasDuplicateAnswers)
    }

    @Test func heartbeat_betweenJoinAnswerAndSync_isNoErrorAndKeepsSession() {
        let harness = GroupHarness()
        let member = harness.joinNewMember()
        harness.advance(by: .seconds(3))
        #expect(harness.group?.state == .completingRebalance)
        #expect(harness.heartbeat(member.memberId, generation: 1) == .noError)
        #expect(harness.timers[.heartbeat(groupId: "g", memberId: member.memberId)] == harness.now + .seconds(10))
    }

    @Test func leave_pendingMember_releasesTheJoinPhase() {
        let harness = GroupHarness()
        let ids = harness.stableGroup(2)
        let pendingId = harness.joinResult(harness.join())?.memberId ?? ""
        let a = harness.join(ids[0])
        let b = harness.join(ids[1])
        #expect(harness.response(a) == nil, "the pending member holds the phase open")
        let result = harness.leave([LeaveGroupEvent.Member(memberId: pendingId)])
        #expect(result?.members.first?.error == .noError)
        #expect(harness.joinResult(a)?.generationId == 2)
        #expect(harness.joinResult(b)?.generationId == 2)
        #expect(harness.timers[.heartbeat(groupId: "g", memberId: pendingId)] == nil)
    }

    @Test func expire_staleTimer_isIgnored() {
        let harness = GroupHarness()
        let member = harness.joinNewMember()
        // A driver that fires the join timer early must not end the initial delay.
        harness.perform(harness.manager.expire(.join(groupId: "g"), now: harness.now, wallClockMilliseconds: harness.wallClock))
        #expect(harness.response(member.token) == nil)
        harness.perform(harness.manager.expire(.heartbeat(groupId: "nope", memberId: "x"), now: harness.now, wallClockMilliseconds: harness.wallClock))
        harness.advance(by: .seconds(3))
        #expect(harness.joinResult(member.token)?.generationId == 1)
    }
}
