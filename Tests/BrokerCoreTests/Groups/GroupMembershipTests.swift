// Goal: the membership APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) carry a consumer group
// through its life over the wire at the versions real clients use: two members join and get
// their assignments, a third joining makes heartbeats answer REBALANCE_IN_PROGRESS, members
// leave. Method: `GroupFixture` sends each request through the routes; requests that wait (a
// join phase, a follower's sync) run as tasks while the test moves the manual clock.

import Testing
import TernBrokerCore
import TernGroupCoordinator
import TernProtocol

/// Two members that went through join and sync together.
struct FormedGroup {
    var leader: String
    var follower: String
    var generation: Int32
}

extension GroupFixture {
    /// Joins two dynamic members the v5 way (member id first, then the real join), syncs them
    /// with assignments `[1]` (leader) and `[2]` (follower), and checks each step.
    func formGroup(_ group: String) async throws -> FormedGroup {
        var ids: [String] = []
        for client in ["consumer-a", "consumer-b"] {
            let first = try await send(joinRequest(group), version: 5, clientId: client)
            #expect(first.errorCode == KafkaErrorCode.memberIdRequired.rawValue)
            #expect(first.memberId.hasPrefix(client + "-"))
            ids.append(first.memberId)
        }
        let joins = ids.map { id in Task { try await send(joinRequest(group, memberId: id), version: 5, clientId: "c") } }
        try await waitForParked(2)
        try await advanceUntilAnswered()
        let answers = try await [joins[0].value, joins[1].value]
        #expect(answers.map(\.errorCode) == [0, 0])
        #expect(answers[0].generationId == answers[1].generationId)
        #expect(answers[0].leader == answers[1].leader)
        #expect(answers.map(\.protocolName) == ["range", "range"])
        let leader = answers[0].leader
        let follower = ids.first { $0 != leader } ?? ""
        let leaderAnswer = try #require(answers.first { $0.memberId == leader })
        #expect(Set(leaderAnswer.members.map(\.memberId)) == Set(ids))
        #expect(leaderAnswer.members.allSatisfy { $0.metadata == subscription(["orders"]) })
        #expect(answers.first { $0.memberId == follower }?.members.isEmpty == true)

        let generation = answers[0].generationId
        let followerSync = Task {
            try await send(SyncGroupRequest(groupId: group, generationId: generation, memberId: follower,
                                            protocolType: "consumer", protocolName: "range"), version: 5)
        }
        try await waitForParked(1)
        let leaderSync = try await send(SyncGroupRequest(
            groupId: group, generationId: generation, memberId: leader, protocolType: "consumer", protocolName: "range",
            assignments: [.init(memberId: leader, assignment: [1]), .init(memberId: follower, assignment: [2])]), version: 5)
        let followerAnswer = try await followerSync.value
        #expect(leaderSync.errorCode == 0 && followerAnswer.errorCode == 0)
        #expect(leaderSync.assignment == [1])
        #expect(followerAnswer.assignment == [2])
        #expect(followerAnswer.protocolType == "consumer" && followerAnswer.protocolName == "range")
        return FormedGroup(leader: leader, follower: follower, generation: generation)
    }
}

@Suite struct GroupMembershipTests {
    @Test func joinSyncHeartbeatLeave_threeConsumers_rebalanceAndLeaveOverTheWire() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("orders-app")

        for member in [formed.leader, formed.follower] {
            let beat = try await fixture.send(
                HeartbeatRequest(groupId: "orders-app", generationId: formed.generation, memberId: member), version: 4)
            #expect(beat.errorCode == 0)
        }

        // A third consumer arrives: its join waits, and the others are told to rejoin.
        let third = try await fixture.send(joinRequest("orders-app"), version: 4, clientId: "consumer-c")
        #expect(third.errorCode == KafkaErrorCode.memberIdRequired.rawValue)
        let thirdJoin = Task { try await fixture.send(joinRequest("orders-app", memberId: third.memberId), version: 4) }
        try await fixture.waitForParked(1)
        let beat = try await fixture.send(
            HeartbeatRequest(groupId: "orders-app", generationId: formed.generation, memberId: formed.leader), version: 2)
        #expect(beat.errorCode == KafkaErrorCode.rebalanceInProgress.rawValue)

        // The first two leave together (v3 batch); the third's join phase then ends with it alone.
        let leave = try await fixture.send(LeaveGroupRequest(groupId: "orders-app", members: [
            .init(memberId: formed.leader), .init(memberId: formed.follower), .init(memberId: "ghost"),
        ]), version: 3)
        #expect(leave.errorCode == 0)
        #expect(leave.members.map(\.errorCode) == [0, 0, KafkaErrorCode.unknownMemberId.rawValue])
        try await fixture.advanceUntilAnswered()
        let joined = try await thirdJoin.value
        #expect(joined.errorCode == 0)
        #expect(joined.generationId == formed.generation + 1)
        #expect(joined.leader == third.memberId)
        #expect(joined.members.map(\.memberId) == [third.memberId])
    }

    @Test func leaveGroup_v0UnknownMember_foldsTheMemberErrorIntoTheTopLevel() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("g")
        let unknown = try await fixture.send(LeaveGroupRequest(groupId: "g", memberId: "nobody"), version: 0)
        #expect(unknown.errorCode == KafkaErrorCode.unknownMemberId.rawValue)
        let known = try await fixture.send(LeaveGroupRequest(groupId: "g", memberId: formed.follower), version: 2)
        #expect(known.errorCode == 0)
    }

    @Test func joinGroup_v0_noMemberIdRoundTripAndRebalanceTimeoutFromSession() async throws {
        let fixture = try await GroupFixture.started()
        let join = Task { try await fixture.send(joinRequest("legacy"), version: 0) }
        try await fixture.waitForParked(1)
        try await fixture.advanceUntilAnswered()
        let answer = try await join.value
        #expect(answer.errorCode == 0)
        #expect(answer.generationId == 1)
        #expect(answer.leader == answer.memberId)
        #expect(answer.protocolName == "range")
        let description = try await fixture.send(DescribeGroupsRequest(groups: ["legacy"]), version: 0).groups[0]
        #expect(description.groupState == "CompletingRebalance")
        #expect(description.members.map(\.clientHost) == ["/10.0.0.7"])
    }

    @Test func joinGroup_emptyGroupId_isInvalidGroupIdAtEveryVersion() async throws {
        let fixture = try await GroupFixture.started()
        for version: Int16 in [0, 4, 6, 9] {
            let answer = try await fixture.send(joinRequest(""), version: version)
            #expect(answer.errorCode == KafkaErrorCode.invalidGroupId.rawValue)
        }
        let beat = try await fixture.send(HeartbeatRequest(groupId: "", generationId: 1, memberId: "m"), version: 0)
        #expect(beat.errorCode == KafkaErrorCode.invalidGroupId.rawValue)
    }

    @Test func joinGroup_v9StaticMember_skipsMemberIdRequired() async throws {
        let fixture = try await GroupFixture.started()
        let join = Task { try await fixture.send(joinRequest("static", instance: "host-1"), version: 9) }
        try await fixture.waitForParked(1)
        try await fixture.advanceUntilAnswered()
        let answer = try await join.value
        #expect(answer.errorCode == 0)
        #expect(answer.memberId.hasPrefix("host-1-"))
        #expect(answer.protocolType == "consumer")
        #expect(answer.members.map(\.groupInstanceId) == ["host-1"])
    }

    @Test func syncGroup_v5WithoutProtocolType_isInconsistentGroupProtocol() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("g")
        let answer = try await fixture.send(
            SyncGroupRequest(groupId: "g", generationId: formed.generation, memberId: formed.leader, protocolName: "range"), version: 5)
        #expect(answer.errorCode == KafkaErrorCode.inconsistentGroupProtocol.rawValue)
        let older = try await fixture.send(
            SyncGroupRequest(groupId: "g", generationId: formed.generation, memberId: formed.leader), version: 4)
        #expect(older.errorCode == 0)
        #expect(older.assignment == [1])
    }

    @Test func heartbeat_afterSessionTimeout_isUnknownMember() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("g")
        // The follower stays silent past its 10 s session; the leader keeps beating.
        for _ in 0..<4 {
            await fixture.advance(by: .seconds(3))
            _ = try await fixture.send(HeartbeatRequest(groupId: "g", generationId: formed.generation, memberId: formed.leader), version: 1)
        }
        let late = try await fixture.send(
            HeartbeatRequest(groupId: "g", generationId: formed.generation, memberId: formed.follower), version: 1)
        #expect(late.errorCode == KafkaErrorCode.unknownMemberId.rawValue)
    }
}
