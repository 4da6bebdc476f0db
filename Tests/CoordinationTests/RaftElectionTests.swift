// Goal: elections elect exactly who they should and nobody else. Method: drive single nodes
// and small hand-cranked clusters through timeouts and votes, and check roles, terms, and which
// messages leave before and after the hard state is durable.

import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftElectionTests {
    private func follower(id: NodeID = 2, voters: Set<NodeID> = [1, 2, 3], hardState: HardState = .initial) -> RaftNode {
        let configuration = RaftConfiguration(
            nodeID: id, voters: voters, electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(10))
        var node = RaftNode(
            configuration: configuration,
            durable: DurableState(hardState: hardState, snapshot: nil, entries: []),
            random: SeededRandom(seed: 9), now: .zero)
        _ = node.start(now: .zero)
        return node
    }

    @Test func tick_singleNode_electsItselfAndCommits() {
        let cluster = TestCluster(size: 1)
        cluster.elect(1)
        #expect(cluster[1].currentRole == .leader)
        #expect(cluster[1].term == 1)
        #expect(cluster[1].commitIndex == 1, "the no-op of term 1 commits on the node's own write")
        #expect(cluster.propose(1, [7]) == .accepted(index: 2, term: 1))
        cluster.run()
        #expect(cluster.applied[1]?.map(\.data) == [[], [7]])
    }

    @Test func tick_singleNode_ownVoteCountsOnlyOnceDurable() {
        let cluster = TestCluster(size: 1)
        cluster.autoPersist = false
        cluster.timeOut(1)
        #expect(cluster[1].currentRole == .candidate)
        #expect(cluster[1].term == 1)
        cluster.persist(1)
        #expect(cluster[1].currentRole == .leader)
    }

    @Test func receive_voteRequest_staleTerm_isRejected() {
        var node = follower(hardState: HardState(term: 3, votedFor: nil))
        let request = VoteRequest(term: 2, lastLogIndex: 10, lastLogTerm: 2)
        let actions = node.receive(.voteRequest(request), from: 1, now: .zero + .seconds(1))
        #expect(actions.sends.map(\.message) == [.voteResponse(VoteResponse(term: 3, granted: false))])
        #expect(actions.persists.isEmpty)
        #expect(node.term == 3)
        #expect(node.votedFor == nil)
    }

    @Test func receive_voteRequest_grant_isHeldUntilPersisted() {
        var node = follower()
        let request = VoteRequest(term: 1, lastLogIndex: 0, lastLogTerm: 0)
        let actions = node.receive(.voteRequest(request), from: 3, now: .zero + .seconds(1))
        #expect(actions.sends.isEmpty, "a vote may not leave before it is durable")
        let write = try! #require(actions.persists.first)
        #expect(write.hardState == HardState(term: 1, votedFor: 3))
        let released = node.persisted(upTo: write.ticket, now: .zero + .seconds(1))
        #expect(released.sends.map(\.message) == [.voteResponse(VoteResponse(term: 1, granted: true))])
    }

    @Test func persisted_heldVote_afterTermChange_isDropped() {
        var node = follower()
        let start = Instant.zero + .seconds(1)
        let vote = node.receive(.voteRequest(VoteRequest(term: 1, lastLogIndex: 0, lastLogTerm: 0)), from: 3, now: start)
        let newer = VoteRequest(term: 2, lastLogIndex: 0, lastLogTerm: 0)
        let second = node.receive(.voteRequest(newer), from: 1, now: start)
        let lastTicket = try! #require(second.persists.last?.ticket)
        #expect(vote.persists.count == 1)
        let released = node.persisted(upTo: lastTicket, now: start)
        #expect(released.sends.map(\.message) == [.voteResponse(VoteResponse(term: 2, granted: true))],
                "the term-1 vote is stale once the node is in term 2")
    }

    @Test func receive_voteRequest_candidateLogBehind_isRejected() {
        var node = follower(hardState: HardState(term: 2, votedFor: nil))
        let append = AppendRequest(
            term: 2, prevLogIndex: 0, prevLogTerm: 0,
            entries: [LogEntry(index: 1, term: 2, kind: .noop)], leaderCommit: 0, round: 1)
        _ = node.receive(.appendRequest(append), from: 1, now: .zero)
        let later = Instant.zero + .seconds(5)
        let actions = node.receive(.voteRequest(VoteRequest(term: 3, lastLogIndex: 5, lastLogTerm: 1)), from: 3, now: later)
        #expect(actions.sends.map(\.message) == [.voteResponse(VoteResponse(term: 3, granted: false))])
        #expect(node.term == 3, "the higher term is still adopted")
    }

    @Test func receive_preVoteRequest_neverChangesTerm() {
        var node = follower(hardState: HardState(term: 4, votedFor: nil))
        let actions = node.receive(
            .preVoteRequest(VoteRequest(term: 5, lastLogIndex: 0, lastLogTerm: 0)), from: 3, now: .zero + .seconds(1))
        #expect(actions.sends.map(\.message) == [.preVoteResponse(VoteResponse(term: 5, granted: true))])
        #expect(actions.persists.isEmpty)
        #expect(node.term == 4)
    }

    @Test func receive_preVoteRequest_healthyLeader_doesNotDisrupt() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        #expect(cluster[1].currentRole == .leader)
        let term = cluster[1].term
        // Node 3 stops hearing the leader (one-way loss) and times out again and again; its
        // trial votes still reach node 2, which hears the leader every heartbeat.
        cluster.cutLinks = [[1, 3]]
        var trialVotes = 0
        for _ in 0..<100 {
            cluster.advance(.milliseconds(10))
            trialVotes += cluster.network.filter { if case .preVoteRequest = $0.message { true } else { false } }.count
            cluster.run()
        }
        #expect(trialVotes > 0, "node 3 did ask")
        cluster.cutLinks = []
        cluster.advance(.milliseconds(10))
        cluster.run()
        #expect(cluster[1].currentRole == .leader)
        #expect(cluster[1].term == term, "no term was raised by a node that could not win")
        #expect(cluster[3].term == term)
        #expect(cluster[3].leaderID == 1)
    }

    @Test func receive_voteRequest_withinLease_isIgnored() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        let term = cluster[1].term
        let request = VoteRequest(term: term.successor, lastLogIndex: 100, lastLogTerm: term)
        let actions = cluster.nodes[2]!.receive(.voteRequest(request), from: 3, now: cluster.now)
        #expect(actions.sends.isEmpty)
        #expect(cluster[2].term == term)
    }

    @Test func tick_leaderCutOff_stepsDownByCheckQuorum() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        cluster.isolated = [1]
        for _ in 0..<25 {
            cluster.advance(.milliseconds(10))
            cluster.run()
        }
        #expect(cluster[1].currentRole != .leader)
        #expect(cluster[1].leaderID == nil)
    }

    @Test func tick_leaderWithMajority_keepsLeading() {
        let cluster = TestCluster(size: 5)
        cluster.elect(1)
        cluster.isolated = [4, 5]
        for _ in 0..<50 {
            cluster.advance(.milliseconds(10))
            cluster.run()
        }
        #expect(cluster[1].currentRole == .leader)
    }

    @Test func receive_appendResponse_higherTerm_leaderStepsDown() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        let term = cluster[1].term
        let response = AppendResponse(
            term: term.successor, result: .rejected(rejectedIndex: 0, conflictIndex: 0, conflictTerm: 0), round: 0)
        cluster.record(1, cluster.nodes[1]!.receive(.appendResponse(response), from: 2, now: cluster.now))
        #expect(cluster[1].currentRole == .follower)
        #expect(cluster[1].term == term.successor)
    }

    @Test func elect_afterLeaderCrash_newLeaderHasCommittedEntries() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        #expect(cluster.propose(1, [1]) == .accepted(index: 2, term: 1))
        cluster.run()
        cluster.crash(1)
        cluster.elect(2)
        #expect(cluster[2].currentRole == .leader)
        #expect(cluster[2].entry(at: 2)?.data == [1])
        #expect(cluster[3].leaderID == 2)
    }
}
