// The simulator's safety checkers, kept apart from the Raft core they watch. After every event
// the simulator shows them the nodes the event touched, and every applied entry, restored
// snapshot and served read. The first violation is kept as the run's failure.
//
// - Election safety: at most one leader per term.
// - Leader completeness: a node that becomes leader of term T holds every entry committed by a
//   leader of an earlier term.
// - Log matching: an (index, term) pair names one entry, with one predecessor term, on every
//   node, so two logs that share an entry share the whole prefix before it.
// - Committed entries never change: whatever any node saw committed at an index stays there.
// - State-machine safety: every node applies the same entry at each index, and its digest
//   after each index equals the canonical one (so applied sequences are prefixes of each other).
// - Linearizable reads: a read served at a node reflects every proposal acknowledged before the
//   read was issued.
// Map iteration order is never relied on: maps here are for lookups only.

import TernCoordination
import TernPrimitives

struct SafetyChecker {
    private struct EntryKey: Hashable {
        var index: LogIndex
        var term: Term
    }

    private struct Identity: Equatable {
        var kind: LogEntry.Kind
        var data: [UInt8]
        var previousTerm: Term
    }

    private struct LogSignature: Equatable {
        var snapshotIndex: LogIndex
        var lastIndex: LogIndex
        var lastTerm: Term?
        var commitIndex: LogIndex
    }

    private(set) var failure: String?
    private var leaders: [Term: NodeID] = [:]
    private var leadershipsChecked: Set<[UInt64]> = []
    private var identities: [EntryKey: Identity] = [:]
    private var committed: [LogIndex: LogEntry] = [:]
    /// The earliest term whose leader committed each index.
    private var committedInTerm: [LogIndex: Term] = [:]
    private var committedMax = LogIndex.zero
    private var leaderCommitSeen: [NodeID: LogIndex] = [:]
    private var signatures: [NodeID: LogSignature] = [:]
    /// The canonical applied sequence: entry and digest after applying it, for index k + 1.
    private(set) var canonical: [(entry: LogEntry, digest: UInt64)] = []
    private(set) var leaderTerms = 0

    mutating func fail(_ message: String) {
        if failure == nil { failure = message }
    }

    /// Looks at one node after an event touched it.
    mutating func observe(_ node: RaftNode) {
        let id = node.nodeID
        if node.currentRole == .leader {
            if let other = leaders[node.term], other != id {
                fail("election safety: \(other) and \(id) both lead \(node.term)")
            }
            if leaders[node.term] == nil { leaderTerms += 1 }
            leaders[node.term] = id
            let key = [UInt64(id.rawValue), node.term.rawValue]
            if !leadershipsChecked.contains(key) {
                leadershipsChecked.insert(key)
                leaderCompleteness(node)
            }
            recordLeaderCommits(node)
        } else {
            leaderCommitSeen[id] = nil
        }
        let signature = LogSignature(
            snapshotIndex: node.snapshotIndex, lastIndex: node.lastIndex,
            lastTerm: node.term(at: node.lastIndex), commitIndex: node.commitIndex)
        if signatures[id] != signature {
            signatures[id] = signature
            checkLog(node)
        }
        if node.appliedIndex > node.commitIndex {
            fail("\(id) applied \(node.appliedIndex) past its commit index \(node.commitIndex)")
        }
    }

    private mutating func leaderCompleteness(_ node: RaftNode) {
        guard committedMax > node.snapshotIndex else { return }
        for raw in (node.snapshotIndex.rawValue + 1)...committedMax.rawValue {
            let index = LogIndex(raw)
            guard let term = committedInTerm[index], term < node.term, let entry = committed[index] else { continue }
            if node.entry(at: index) != entry {
                fail("leader completeness: \(node.nodeID) leads \(node.term) without \(index) committed in \(term)")
                return
            }
        }
    }

    private mutating func recordLeaderCommits(_ node: RaftNode) {
        // What a new leader already knows committed was committed by earlier leaders.
        guard let seen = leaderCommitSeen[node.nodeID] else {
            leaderCommitSeen[node.nodeID] = node.commitIndex
            return
        }
        let from = max(seen, node.snapshotIndex)
        guard node.commitIndex > from else { return }
        for raw in (from.rawValue + 1)...node.commitIndex.rawValue {
            let index = LogIndex(raw)
            committedInTerm[index] = min(committedInTerm[index] ?? node.term, node.term)
        }
        leaderCommitSeen[node.nodeID] = node.commitIndex
    }

    /// Log matching over the node's whole in-memory log, and its committed prefix against
    /// everything seen committed before.
    private mutating func checkLog(_ node: RaftNode) {
        var previousTerm = node.term(at: node.snapshotIndex) ?? .zero
        var index = node.snapshotIndex.successor
        while index <= node.lastIndex {
            guard let entry = node.entry(at: index) else {
                fail("\(node.nodeID) has no entry at \(index) below its last index \(node.lastIndex)")
                return
            }
            let identity = Identity(kind: entry.kind, data: entry.data, previousTerm: previousTerm)
            let key = EntryKey(index: index, term: entry.term)
            if let known = identities[key], known != identity {
                fail("log matching: \(node.nodeID) holds a different entry or prefix at \(index) in \(entry.term)")
                return
            }
            identities[key] = identity
            if index <= node.commitIndex {
                if let known = committed[index], known != entry {
                    fail("committed entry changed: \(index) was \(known.term), \(node.nodeID) has \(entry.term)")
                    return
                }
                committed[index] = entry
                committedMax = max(committedMax, index)
            }
            previousTerm = entry.term
            index = index.successor
        }
    }

    /// Checks and folds entries a node applied; returns the application's new state.
    mutating func applied(_ entries: [LogEntry], by id: NodeID, to state: SimulatedApplication) -> SimulatedApplication {
        var state = state
        for entry in entries {
            guard entry.index == state.appliedIndex.successor else {
                fail("\(id) applied \(entry.index) after \(state.appliedIndex)")
                return state
            }
            state.apply(entry)
            let position = Int(entry.index.rawValue) - 1
            if position < canonical.count {
                if canonical[position].entry != entry || canonical[position].digest != state.digest {
                    fail("state machine safety: \(id) applied a different entry at \(entry.index)")
                    return state
                }
            } else if position == canonical.count {
                canonical.append((entry, state.digest))
            } else {
                fail("\(id) applied \(entry.index) beyond the canonical \(canonical.count)")
            }
            if let known = committed[entry.index], known != entry {
                fail("state machine safety: \(id) applied \(entry.index) unlike the committed one")
            }
        }
        return state
    }

    /// Checks a snapshot a node restored (from the leader or its own disk) against the
    /// canonical sequence.
    mutating func restored(_ snapshot: Snapshot, by id: NodeID) -> SimulatedApplication {
        guard let state = SimulatedApplication(restoring: snapshot) else {
            fail("\(id) restored a snapshot at \(snapshot.index) whose bytes are garbled")
            return SimulatedApplication()
        }
        let position = Int(snapshot.index.rawValue) - 1
        if position >= canonical.count || canonical[position].digest != state.digest {
            fail("state machine safety: \(id) restored a snapshot at \(snapshot.index) unlike the applied state")
        }
        return state
    }

    /// A read served at a node whose application is `state` must reflect every proposal
    /// acknowledged before it was issued.
    mutating func servedRead(at id: NodeID, index: LogIndex, state: SimulatedApplication, requiredIndex: LogIndex) {
        if state.appliedIndex < index {
            fail("read at \(id) served at \(index) before applying it (applied \(state.appliedIndex))")
        }
        if state.appliedIndex < requiredIndex {
            fail("stale read at \(id): applied \(state.appliedIndex), acknowledged \(requiredIndex) before the read")
        }
    }
}
