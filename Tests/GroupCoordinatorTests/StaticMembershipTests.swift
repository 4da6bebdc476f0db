// Goal: static membership (KIP-345) behaves as in Kafka: a static member that restarts and
// rejoins without its member id takes its old place without a rebalance, the old id is fenced,
// a failed write undoes the swap, and static members survive a join phase they miss. Method:
// form a group of static members through `GroupHarness` and replay restarts.

import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct StaticMembershipTests {
    let both = [GroupProtocol(name: "range", metadata: subscription(["t"])), GroupProtocol(name: "sticky", metadata: subscription(["t"]))]

    /// Two static members, "a" (leader) and "b", Stable in generation 1 with assignments [1] and [2].
    func staticGroup(_ harness: GroupHarness) -> (a: String, b: String) {
        let a = harness.join(instance: "a", client: "a", protocols: both)
        let b = harness.join(instance: "b", client: "b", protocols: both)
        harness.advance(by: .seconds(6))
        let idA = harness.joinResult(a)?.memberId ?? ""
        let idB = harness.joinResult(b)?.memberId ?? ""
        harness.sync(idB, generation: 1, instance: "b")
        harness.sync(idA, generation: 1, instance: "a", assignments: [idA: [1], idB: [2]])
        return (idA, idB)
    }

    @Test func join_staticMemberRejoinsWithoutId_keepsGenerationAndAssignment() {
        let harness = GroupHarness()
        let (oldA, b) = staticGroup(harness)
        #expect(oldA.hasPrefix("a-"), "a static member's id starts with its instance id")
        let rejoin = harness.join(instance: "a", client: "a", protocols: both)
        let result = harness.joinResult(rejoin)
        let newA = result?.memberId ?? ""
        #expect(result?.error == .noError)
        #expect(newA != oldA)
        #expect(result?.generationId == 1)
        #expect(result?.leaderId == oldA, "before v9 the old leader id keeps the returning leader from assigning")
        #expect(result?.members.isEmpty == true)
        #expect(harness.group?.state == .stable)
        #expect(harness.group?.generationId == 1)
        #expect(harness.group?.memberIds == [newA, b])
        #expect(harness.group?.leaderId == newA)
        #expect(harness.heartbeat(oldA, generation: 1, instance: "a") == .fencedInstanceId)
        #expect(harness.heartbeat(newA, generation: 1, instance: "a") == .noError)
        #expect(harness.syncResult(harness.sync(newA, generation: 1, instance: "a"))?.assignment == [1])
        guard case let .groupMetadata("g", value?)? = harness.log.last else {
            Issue.record("the new member id is written")
            return
        }
        #expect(value.members.map(\.memberId) == [newA, b])
        #expect(value.members.map(\.assignment) == [[1], [2]])
        #expect(value.members.map(\.groupInstanceId) == ["a", "b"])
    }

    @Test func join_staticLeaderRejoinsV9_learnsLeadershipButSkipsAssignment() {
        let harness = GroupHarness()
        _ = staticGroup(harness)
        let rejoin = harness.join(instance: "a", client: "a", protocols: both, skipsAssignment: true)
        let result = harness.joinResult(rejoin)
        #expect(result?.skipAssignment == true)
        #expect(result?.leaderId == result?.memberId)
        #expect(result?.members.count == 2)
        #expect(harness.group?.state == .stable)
    }

    @Test func join_staticMemberOldIdAfterReplacement_isFenced() {
        let harness = GroupHarness()
        let (oldA, _) = staticGroup(harness)
        harness.join(instance: "a", client: "a", protocols: both)
        let stale = harness.join(oldA, instance: "a", client: "a", protocols: both)
        #expect(harness.joinResult(stale)?.error == .fencedInstanceId)
    }

    @Test func join_staticMemberChangesProtocolChoice_triggersRebalance() {
        let harness = GroupHarness()
        _ = staticGroup(harness)
        // Preferring sticky ties the vote one to one; the tie goes to "a", the first member.
        harness.join(instance: "a", client: "a", protocols: both.reversed())
        #expect(harness.group?.state == .preparingRebalance)
    }

    @Test func appended_staticReplacementWriteFails_revertsToOldMemberId() {
        let harness = GroupHarness()
        let (oldA, b) = staticGroup(harness)
        harness.appendsCompleteImmediately = false
        let rejoin = harness.join(instance: "a", client: "a", protocols: both)
        #expect(harness.response(rejoin) == nil, "answered only once the new id is durable")
        harness.completeHeldAppends(failure: .partitionUnavailable)
        let result = harness.joinResult(rejoin)
        #expect(result?.error == .coordinatorNotAvailable)
        #expect(result?.memberId == "")
        #expect(result?.leaderId == oldA)
        #expect(harness.group?.memberIds == [oldA, b])
        #expect(harness.group?.staticMemberId("a") == oldA)
        #expect(harness.heartbeat(oldA, generation: 1, instance: "a") == .noError)
    }

    @Test func completeJoin_staticLeaderMissesJoinPhase_isKeptAndRejoinedMemberLeads() {
        let harness = GroupHarness()
        let (a, b) = staticGroup(harness)
        let rejoinB = harness.join(b, instance: "b", client: "b", protocols: [both[0]])
        #expect(harness.group?.state == .preparingRebalance)
        for _ in 0..<3 {
            harness.advance(by: .seconds(8))
            _ = harness.heartbeat(a, generation: 1, instance: "a")
        }
        harness.advance(by: .seconds(6))
        let result = harness.joinResult(rejoinB)
        #expect(result?.generationId == 2)
        #expect(result?.leaderId == b)
        #expect(result?.members.map(\.memberId) == [a, b], "a static member keeps its place while absent")
    }

    @Test func leave_byInstanceIdAlone_removesStaticMember() {
        let harness = GroupHarness()
        let (_, b) = staticGroup(harness)
        let result = harness.leave([LeaveGroupEvent.Member(memberId: "", groupInstanceId: "a"),
                                    LeaveGroupEvent.Member(memberId: "", groupInstanceId: "zzz")])
        #expect(result?.members.map(\.error) == [.noError, .unknownMemberId])
        #expect(harness.group?.memberIds == [b])
        #expect(harness.group?.staticMemberId("a") == nil)
    }
}
