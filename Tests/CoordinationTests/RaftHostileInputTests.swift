// Goal: no message from a peer, however wrong, makes a node trap: the core's preconditions guard
// our own invariants and must be unreachable from the network. Method: a live cluster (leader,
// followers, a compacted log) is fed seeded random messages whose fields mix plausible values
// near the nodes' real state with extreme ones, interleaved with normal traffic, timer ticks
// and completed writes. Safety is not checked here (a hostile peer can break Raft's
// assumptions); reaching the end is the point.

import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftHostileInputTests {
    private struct Fuzzer {
        var random: SeededRandom

        mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }

        /// A value near `base`, small, or extreme.
        mutating func number(near base: UInt64) -> UInt64 {
            switch pick(6) {
            case 0: UInt64.max
            case 1: (1 << 62) - 1
            case 2: random.next() % 8
            default: base &+ UInt64(pick(5)) &- 2
            }
        }

        mutating func message(term: Term, lastIndex: LogIndex) -> RaftMessage {
            let messageTerm = Term(number(near: term.rawValue))
            let index = LogIndex(number(near: lastIndex.rawValue))
            let otherTerm = Term(number(near: term.rawValue))
            let round = number(near: 3)
            switch pick(8) {
            case 0: return .preVoteRequest(VoteRequest(term: messageTerm, lastLogIndex: index, lastLogTerm: otherTerm))
            case 1: return .voteRequest(VoteRequest(term: messageTerm, lastLogIndex: index, lastLogTerm: otherTerm))
            case 2: return .preVoteResponse(VoteResponse(term: messageTerm, granted: pick(2) == 0))
            case 3: return .voteResponse(VoteResponse(term: messageTerm, granted: pick(2) == 0))
            case 4:
                let count = pick(4)
                let entries = (0..<count).map { offset in
                    LogEntry(index: LogIndex(index.rawValue &+ UInt64(offset) &+ 1), term: otherTerm, data: [UInt8(offset)])
                }
                return .appendRequest(AppendRequest(
                    term: messageTerm, prevLogIndex: index, prevLogTerm: otherTerm, entries: entries,
                    leaderCommit: LogIndex(number(near: lastIndex.rawValue)), round: round))
            case 5:
                let result: AppendResponse.Result = pick(2) == 0
                    ? .success(matchIndex: index)
                    : .rejected(rejectedIndex: index, conflictIndex: LogIndex(number(near: 1)), conflictTerm: otherTerm)
                return .appendResponse(AppendResponse(term: messageTerm, result: result, round: round))
            case 6:
                let total = number(near: 8) % 64
                let offset = number(near: 4)
                return .snapshotChunk(SnapshotChunk(
                    term: messageTerm, snapshotIndex: index, snapshotTerm: otherTerm,
                    offset: offset, totalBytes: total, data: Array(repeating: 1, count: pick(6)), round: round))
            default:
                return .snapshotResponse(SnapshotResponse(
                    term: messageTerm, snapshotIndex: index, nextOffset: number(near: 4),
                    installed: pick(2) == 0, round: round))
            }
        }
    }

    @Test(arguments: Array(UInt64(1)...8))
    func receive_randomHostileMessages_neverTraps(seed: UInt64) {
        let cluster = TestCluster(size: 3) { $0.limits.snapshotChunkBytesMax = 3 }
        cluster.elect(1)
        for value in 0..<6 { _ = cluster.propose(1, [UInt8(value)]) }
        cluster.run()
        let snapshot = Snapshot(index: cluster[1].appliedIndex, term: cluster[1].term, data: [1, 2, 3, 4, 5])
        cluster.record(1, cluster.nodes[1]!.compact(to: snapshot, now: cluster.now))
        var fuzzer = Fuzzer(random: SeededRandom(seed: seed))
        for step in 0..<8_000 {
            let target = cluster.ids[fuzzer.pick(3)]
            let sender = cluster.ids.filter { $0 != target }[fuzzer.pick(2)]
            let node = cluster.nodes[target]!
            let message = fuzzer.message(term: node.term, lastIndex: node.lastIndex)
            cluster.record(target, cluster.nodes[target]!.receive(message, from: sender, now: cluster.now))
            if step % 7 == 0 { cluster.persist(cluster.ids[fuzzer.pick(3)]) }
            if step % 11 == 0, !cluster.network.isEmpty { cluster.deliver(cluster.network.removeFirst()) }
            if step % 50 == 0 { cluster.advance(.milliseconds(fuzzer.pick(120))) }
            if step % 13 == 0, cluster[1].currentRole == .leader { _ = cluster.propose(1, [UInt8(step % 256)]) }
            if cluster.network.count > 1_000 { cluster.network.removeFirst(500) }
        }
        // Whatever state the nodes reached, they still answer ordinary events and keep their
        // own bookkeeping in order.
        cluster.advance(.milliseconds(500))
        for id in cluster.ids {
            let node = cluster.nodes[id]!
            #expect(node.snapshotIndex <= node.appliedIndex)
            #expect(node.appliedIndex <= node.commitIndex)
            #expect(node.durableIndex <= node.lastIndex)
        }
    }
}
