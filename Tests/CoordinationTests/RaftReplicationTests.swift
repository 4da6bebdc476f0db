// Goal: log replication keeps the log-matching property, commits only what is safe, and
// acknowledges only what is durable. Method: feed single followers hand-built appends and check
// their answers and writes; run small clusters from hand-built disks to reproduce the paper's
// tricky cases (a conflicting tail, Figure 8).

import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftReplicationTests {
    private func node(_ id: NodeID = 2, term: Term, entries: [LogEntry]) -> RaftNode {
        let configuration = RaftConfiguration(
            nodeID: id, voters: [1, 2, 3], electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(10))
        var node = RaftNode(
            configuration: configuration,
            durable: DurableState(hardState: HardState(term: term, votedFor: nil), snapshot: nil, entries: entries),
            random: SeededRandom(seed: 3), now: .zero)
        _ = node.start(now: .zero)
        return node
    }

    private func entries(_ terms: [Term]) -> [LogEntry] {
        terms.enumerated().map { LogEntry(index: LogIndex(UInt64($0.offset + 1)), term: $0.element, data: [UInt8($0.offset)]) }
    }

    @Test func receive_appendRequest_conflictingTail_isTruncated() {
        var follower = node(term: 2, entries: entries([1, 1, 2, 2]))
        let request = AppendRequest(
            term: 3, prevLogIndex: 2, prevLogTerm: 1,
            entries: [LogEntry(index: 3, term: 3, data: [30]), LogEntry(index: 4, term: 3, data: [40])],
            leaderCommit: 2, round: 1)
        let actions = follower.receive(.appendRequest(request), from: 1, now: .zero)
        #expect(follower.entry(at: 3)?.term == 3)
        #expect(follower.entry(at: 4)?.data == [40])
        #expect(follower.lastIndex == 4)
        let write = try! #require(actions.persists.first)
        #expect(write.log == LogWrite(from: 3, entries: request.entries))
        #expect(write.hardState == HardState(term: 3, votedFor: nil))
    }

    @Test func receive_appendRequest_beforePersisted_sendsNoAck() {
        var follower = node(term: 1, entries: entries([1]))
        let request = AppendRequest(
            term: 1, prevLogIndex: 1, prevLogTerm: 1,
            entries: [LogEntry(index: 2, term: 1, data: [2])], leaderCommit: 1, round: 4)
        let actions = follower.receive(.appendRequest(request), from: 1, now: .zero)
        #expect(actions.sends.isEmpty, "an acknowledgement promises durability")
        #expect(follower.durableIndex == 1)
        let ticket = try! #require(actions.persists.first?.ticket)
        let released = follower.persisted(upTo: ticket, now: .zero)
        #expect(follower.durableIndex == 2)
        let ack = AppendResponse(term: 1, result: .success(matchIndex: 2), round: 4)
        #expect(released.sends.map(\.message) == [.appendResponse(ack)])
    }

    @Test func receive_appendRequest_committedButNotDurable_isNotApplied() {
        var follower = node(term: 1, entries: [])
        let request = AppendRequest(
            term: 1, prevLogIndex: 0, prevLogTerm: 0,
            entries: [LogEntry(index: 1, term: 1, data: [1])], leaderCommit: 1, round: 1)
        let actions = follower.receive(.appendRequest(request), from: 1, now: .zero)
        #expect(follower.commitIndex == 1)
        #expect(!actions.contains { if case .apply = $0 { true } else { false } })
        let released = follower.persisted(upTo: actions.persists[0].ticket, now: .zero)
        #expect(released.contains(.apply([LogEntry(index: 1, term: 1, data: [1])])))
    }

    @Test func receive_appendRequest_missingPrevious_rejectsWithConflictHint() {
        var follower = node(term: 3, entries: entries([1, 1, 2, 2, 2]))
        let mismatch = AppendRequest(term: 3, prevLogIndex: 5, prevLogTerm: 3, entries: [], leaderCommit: 0, round: 1)
        let first = follower.receive(.appendRequest(mismatch), from: 1, now: .zero)
        let hint = AppendResponse.Result.rejected(rejectedIndex: 5, conflictIndex: 3, conflictTerm: 2)
        #expect(first.sends.map(\.message) == [.appendResponse(AppendResponse(term: 3, result: hint, round: 1))])

        let beyond = AppendRequest(term: 3, prevLogIndex: 9, prevLogTerm: 3, entries: [], leaderCommit: 0, round: 2)
        let second = follower.receive(.appendRequest(beyond), from: 1, now: .zero)
        let short = AppendResponse.Result.rejected(rejectedIndex: 9, conflictIndex: 6, conflictTerm: 0)
        #expect(second.sends.map(\.message) == [.appendResponse(AppendResponse(term: 3, result: short, round: 2))])
    }

    @Test func receive_appendRequest_staleDuplicate_keepsLongerLog() {
        var follower = node(term: 1, entries: entries([1, 1, 1]))
        let old = AppendRequest(
            term: 1, prevLogIndex: 0, prevLogTerm: 0,
            entries: [LogEntry(index: 1, term: 1, data: [0])], leaderCommit: 0, round: 1)
        let actions = follower.receive(.appendRequest(old), from: 1, now: .zero)
        #expect(follower.lastIndex == 3, "a matching prefix never truncates")
        #expect(actions.persists.isEmpty)
        #expect(actions.sends.map(\.message) == [.appendResponse(AppendResponse(term: 1, result: .success(matchIndex: 1), round: 1))])
    }

    @Test func elect_divergentFollower_backtracksByTermAndConverges() {
        let cluster = TestCluster(size: 3)
        cluster.disks[1] = DurableState(hardState: HardState(term: 3, votedFor: nil), snapshot: nil, entries: entries([1, 1, 1, 3, 3]))
        cluster.disks[2] = cluster.disks[1]
        cluster.disks[3] = DurableState(hardState: HardState(term: 3, votedFor: nil), snapshot: nil, entries: entries([1, 1, 1, 2, 2, 2, 2, 2, 2, 2]))
        for id in cluster.ids { cluster.boot(id) }
        var rejections = 0
        cluster.timeOut(1)
        while !cluster.network.isEmpty {
            let envelope = cluster.network.removeFirst()
            if envelope.to == 1, case let .appendResponse(response) = envelope.message, case .rejected = response.result {
                rejections += 1
            }
            cluster.deliver(envelope)
            for id in cluster.ids { cluster.persist(id) }
        }
        #expect(cluster[1].currentRole == .leader)
        #expect(rejections <= 2, "one rejection skips the whole term-2 tail")
        for index in 1...6 {
            #expect(cluster[3].entry(at: LogIndex(UInt64(index))) == cluster[1].entry(at: LogIndex(UInt64(index))))
        }
        #expect(cluster[3].lastIndex == cluster[1].lastIndex)
    }

    /// Raft Figure 8: an entry from an earlier term that reaches a majority is not committed by
    /// that alone; only an entry of the leader's own term commits it.
    @Test func leader_earlierTermEntryOnMajority_isNotCommittedUntilCurrentTermEntryIs() {
        let cluster = TestCluster(size: 3) { $0.limits.appendEntriesMax = 1 }
        cluster.disks[1] = DurableState(hardState: HardState(term: 2, votedFor: nil), snapshot: nil, entries: entries([1, 2]))
        cluster.disks[2] = DurableState(hardState: HardState(term: 2, votedFor: nil), snapshot: nil, entries: entries([1]))
        cluster.disks[3] = cluster.disks[2]
        for id in cluster.ids { cluster.boot(id) }
        cluster.isolated = [3]
        cluster.timeOut(1)
        var sawOldEntryOnMajorityUncommitted = false
        while !cluster.network.isEmpty {
            cluster.deliver(cluster.network.removeFirst())
            for id in cluster.ids { cluster.persist(id) }
            let leader = cluster[1]
            #expect(leader.commitIndex == 0 || leader.commitIndex >= 3, "index 2 (term 2) alone never commits")
            if cluster[2].durableIndex >= 2, leader.commitIndex == 0, leader.currentRole == .leader {
                sawOldEntryOnMajorityUncommitted = true
            }
        }
        #expect(sawOldEntryOnMajorityUncommitted)
        #expect(cluster[1].commitIndex == 3)
        #expect(cluster[1].entry(at: 3)?.term == 3)
    }

    @Test func propose_follower_returnsLeaderHint() {
        let cluster = TestCluster(size: 3)
        cluster.elect(2)
        #expect(cluster.propose(1, [1]) == .notLeader(leaderHint: 2))
    }

    @Test func propose_tooManyUncommitted_isRefused() {
        let cluster = TestCluster(size: 3) { $0.limits.uncommittedEntriesMax = 3 }
        cluster.elect(1)
        cluster.isolated = [2, 3]
        #expect(cluster.propose(1, [1]) == .accepted(index: 2, term: 1))
        #expect(cluster.propose(1, [2]) == .accepted(index: 3, term: 1))
        #expect(cluster.propose(1, [3]) == .accepted(index: 4, term: 1))
        #expect(cluster.propose(1, [4]) == .tooManyUncommitted)
        #expect(cluster.propose(1, Array(repeating: 0, count: 2 << 20)) == .tooLarge)
    }

    @Test func restart_fromDurableState_recoversAndReappliesCommitted() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        for value in 0..<5 { _ = cluster.propose(1, [UInt8(value)]) }
        cluster.run()
        // Followers learn the new commit index from the next heartbeat.
        cluster.advance(.milliseconds(10))
        cluster.run()
        let before = cluster.applied[2]
        #expect(before?.count == 6)
        cluster.crash(2)
        cluster.boot(2)
        #expect(cluster[2].lastIndex == 6)
        #expect(cluster[2].term == cluster[1].term)
        #expect(cluster[2].commitIndex == 0, "the commit index is relearned from the leader")
        cluster.advance(.milliseconds(10))
        cluster.run()
        #expect(cluster.applied[2] == before)
    }

    @Test func crash_beforeWriteCompletes_losesOnlyUnacknowledgedEntries() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        cluster.autoPersist = false
        _ = cluster.propose(1, [9])
        // Node 2 receives the entry but crashes before its write lands: no ack ever left.
        while let envelope = cluster.network.first, envelope.to != 2 || !isAppend(envelope.message) {
            cluster.network.removeFirst()
        }
        cluster.deliver(cluster.network.removeFirst())
        #expect(cluster.network.filter { $0.to == 1 && $0.from == 2 }.isEmpty)
        cluster.crash(2)
        cluster.boot(2)
        #expect(cluster[2].lastIndex == 1)
    }

    private func isAppend(_ message: RaftMessage) -> Bool {
        if case let .appendRequest(request) = message { return !request.entries.isEmpty }
        return false
    }
}
