// The simulated client and the end of a run. The client proposes uniquely numbered commands to
// the node it believes leads, retries any not yet acknowledged, and issues read-index reads. A
// proposal counts as acknowledged when some node applies it, which only happens once it is
// committed; from then on it must be in every node's applied sequence. After healing, the run
// converges when one leader is followed by all, nothing is pending, and every node applied the
// same state, which must include every acknowledged proposal.

import TernCoordination
import TernPrimitives

struct SimulatedClient {
    struct Proposal {
        var id: UInt64
        var lastAttempt: Instant?
    }

    struct Read {
        /// The highest index of a proposal acknowledged before the read was issued.
        var requiredIndex: LogIndex
        var node: NodeID
    }

    /// Most proposals outstanding at once; new ones wait.
    static let pendingMax = 64
    /// Most reads outstanding at once.
    static let readsMax = 32

    var pending: [Proposal] = []
    var nextProposalID: UInt64 = 1
    var nextReadID: UInt64 = 1
    private(set) var acknowledged: Set<UInt64> = []
    private(set) var acknowledgedIndexMax = LogIndex.zero
    var reads: [UInt64: Read] = [:]
    var readsServed = 0
    var leaderHint: NodeID?

    var acknowledgedCount: Int { acknowledged.count }

    mutating func observeApplied(_ entries: [LogEntry], at now: Instant) {
        for entry in entries {
            guard let id = Self.proposalID(in: entry), let position = pending.firstIndex(where: { $0.id == id }) else { continue }
            pending.remove(at: position)
            acknowledged.insert(id)
            acknowledgedIndexMax = max(acknowledgedIndexMax, entry.index)
        }
    }

    mutating func forgetReads(at node: NodeID) {
        reads = reads.filter { $0.value.node != node }
    }

    /// The command for proposal `id`: its number, then a few bytes so sizes vary.
    static func payload(for id: UInt64) -> [UInt8] {
        let number = (0..<8).map { UInt8(truncatingIfNeeded: id >> UInt64(56 - 8 * $0)) }
        return number + Array(repeating: UInt8(truncatingIfNeeded: id), count: Int(id % 23))
    }

    static func proposalID(in entry: LogEntry) -> UInt64? {
        guard entry.kind == .command, entry.data.count >= 8 else { return nil }
        return entry.data.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

extension RaftSimulation {
    private var retryAfter: Duration { options.electionTimeout * 3 }

    private var upNodes: [NodeID] { ids.filter { nodes[index($0)].raft != nil } }

    /// The believed leader, but a random node a third of the time: a deposed leader that
    /// still thinks it leads is exactly where a stale read or a lost write would show.
    private func target() -> NodeID? {
        if let hint = client.leaderHint, nodes[index(hint)].raft != nil, random.next() % 3 != 0 { return hint }
        let up = upNodes
        return up.isEmpty ? nil : up[Int(random.next() % UInt64(up.count))]
    }

    func proposeTick() {
        switch phase {
        case .faults:
            if client.pending.count < SimulatedClient.pendingMax {
                client.pending.append(SimulatedClient.Proposal(id: client.nextProposalID, lastAttempt: nil))
                client.nextProposalID += 1
            }
        case .converging:
            break
        case .converged:
            return
        }
        queue.schedule(.propose, at: now + options.proposalInterval)
        var submitted = 0
        for position in client.pending.indices where submitted < 4 {
            if let last = client.pending[position].lastAttempt, now < last + retryAfter { continue }
            submitted += 1
            submit(position)
        }
    }

    private func submit(_ position: Int) {
        guard let node = target() else { return }
        let id = client.pending[position].id
        var outcome = RaftNode.ProposeOutcome.notLeader(leaderHint: nil)
        perform(node) { raft, localNow in
            let (answer, actions) = raft.propose(SimulatedClient.payload(for: id), now: localNow)
            outcome = answer
            return actions
        }
        // Applying inside `perform` may already have acknowledged it and removed it.
        guard let current = client.pending.firstIndex(where: { $0.id == id }) else { return }
        switch outcome {
        case .accepted:
            client.pending[current].lastAttempt = now
        case let .notLeader(hint):
            client.leaderHint = hint
        case .tooManyUncommitted, .tooLarge:
            client.pending[current].lastAttempt = now
        }
    }

    func readTick() {
        if case .converged = phase { return }
        queue.schedule(.read, at: now + options.readInterval)
        guard client.reads.count < SimulatedClient.readsMax, let node = target() else { return }
        let id = client.nextReadID
        client.nextReadID += 1
        client.reads[id] = SimulatedClient.Read(requiredIndex: client.acknowledgedIndexMax, node: node)
        perform(node) { $0.readIndex(requestID: id, now: $1) }
    }

    func heal() {
        log("heal: faults off, every node up")
        phase = .converging(since: now)
        network.heal()
        for id in ids where nodes[index(id)].raft == nil {
            boot(id)
        }
        queue.schedule(.convergenceCheck, at: now + .milliseconds(50))
    }

    func convergenceCheck() {
        guard case let .converging(since) = phase else { return }
        if let leader = convergedLeader() {
            checkAcknowledgedEverywhere()
            log("converged under \(leader)")
            phase = .converged
            return
        }
        if now >= since + options.convergenceBudget {
            checker.fail("liveness: no convergence within \(options.convergenceBudget) of healing\n" + diagnosis())
            return
        }
        queue.schedule(.convergenceCheck, at: now + .milliseconds(50))
    }

    private func convergedLeader() -> NodeID? {
        let rafts = nodes.compactMap(\.raft)
        guard rafts.count == nodes.count, client.pending.isEmpty else { return nil }
        let leaders = rafts.filter { $0.currentRole == .leader }
        guard leaders.count == 1, let leader = leaders.first else { return nil }
        let digest = nodes[index(leader.nodeID)].application.digest
        for (node, raft) in zip(nodes, nodes.map(\.raft)) {
            guard let raft, raft.term == leader.term, raft.leaderID == leader.nodeID,
                  node.application.appliedIndex == leader.commitIndex, node.application.digest == digest
            else { return nil }
        }
        return leader.nodeID
    }

    /// No acknowledged proposal is lost: each is in the canonical applied sequence, which every
    /// node has now applied in full.
    private func checkAcknowledgedEverywhere() {
        var applied: Set<UInt64> = []
        for (entry, _) in checker.canonical {
            if let id = SimulatedClient.proposalID(in: entry) { applied.insert(id) }
        }
        let missing = client.acknowledged.subtracting(applied)
        if !missing.isEmpty {
            checker.fail("acknowledged proposals lost: \(missing.sorted().prefix(10))")
        }
        for id in ids where nodes[index(id)].application.appliedIndex < client.acknowledgedIndexMax {
            checker.fail("\(id) has not applied acknowledged index \(client.acknowledgedIndexMax)")
        }
        if nodes.contains(where: { $0.application.appliedIndex.rawValue != UInt64(checker.canonical.count) }) {
            checker.fail("a node's applied sequence stops short of the canonical \(checker.canonical.count)")
        }
    }

    private func diagnosis() -> String {
        var lines = ["pending proposals: \(client.pending.count), leader hint: \(client.leaderHint.map { "\($0)" } ?? "none")"]
        for id in ids {
            let node = nodes[index(id)]
            guard let raft = node.raft else {
                lines.append("\(id): down")
                continue
            }
            lines.append("\(id): \(raft.currentRole) \(raft.term) leader=\(raft.leaderID.map { "\($0)" } ?? "none") "
                + "commit=\(raft.commitIndex.rawValue) applied=\(node.application.appliedIndex.rawValue) "
                + "last=\(raft.lastIndex.rawValue) durable=\(raft.durableIndex.rawValue) "
                + "snapshot=\(raft.snapshotIndex.rawValue) writes=\(node.writes.count)")
        }
        return lines.joined(separator: "\n")
    }
}
