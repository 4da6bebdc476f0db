public import TernPrimitives

// The Raft core: one node of a replicated log, as a sans-IO state machine. Events go in (a timer
// tick, a message, a finished disk write, a client request) and actions come out (send, persist,
// apply, arm the timer). It never reads a clock, touches a socket or a file, or draws randomness
// from anywhere but its injected `SeededRandom`, so the simulator can drive the same struct the
// production actor drives. The design note for the module, with every departure from the paper,
// is in `Coordination.swift`.
//
// The type is split by facet: elections in `RaftNode+Election`, the leader's side of replication
// in `RaftNode+Replication`, the follower's in `RaftNode+Follower`, snapshots in
// `RaftNode+Snapshot`, read-index in `RaftNode+ReadIndex`, and durability (write tickets, held
// acknowledgements, applying committed entries) in `RaftNode+Persistence`.

/// One member of a Raft group, driven by events.
public struct RaftNode: Sendable {
    /// What the driver must do, in order, after an event.
    public enum Action: Hashable, Sendable {
        /// Send a message to a peer. Delivery may fail; the protocol retries.
        case send(RaftMessage, to: NodeID)
        /// Make a write durable, then call `persisted(upTo:now:)` with its ticket.
        case persist(PersistRequest)
        /// Apply these committed entries to the state machine, in order, before the next action.
        case apply([LogEntry])
        /// Replace the state machine with this snapshot, before the next action.
        case restoreSnapshot(Snapshot)
        /// A linearizable read may now be served from the state machine, which has applied at
        /// least `index`.
        case readReady(requestID: UInt64, index: LogIndex)
        /// A read could not be confirmed here.
        case readFailed(requestID: UInt64, ReadFailure)
        /// The known leader (or the term) changed; nil while there is none.
        case leaderChanged(NodeID?, term: Term)
        /// Call `tick(now:)` at `deadline`. Replaces any earlier deadline.
        case armTimer(deadline: Instant)
    }

    /// Why a read was refused.
    public enum ReadFailure: Hashable, Sendable {
        /// This node does not lead; ask `leaderHint` if known.
        case notLeader(leaderHint: NodeID?)
        /// Too many reads await confirmation; retry later.
        case tooManyPending
    }

    /// The answer to a proposal.
    public enum ProposeOutcome: Hashable, Sendable {
        /// The command was appended at `index` in `term`. It is committed when `apply` delivers
        /// an entry with this index and term; a different term there means it was lost.
        case accepted(index: LogIndex, term: Term)
        /// This node does not lead; ask `leaderHint` if known.
        case notLeader(leaderHint: NodeID?)
        /// Too many entries await commitment; retry later.
        case tooManyUncommitted
        /// The command exceeds `RaftLimits.entryBytesMax`.
        case tooLarge
    }

    /// The node's role, with what each role alone tracks.
    enum Role: Sendable {
        /// Following `leader`, or waiting for one to appear.
        case follower(leader: NodeID?)
        /// Collecting trial votes; `grants` includes this node.
        case preCandidate(grants: Set<NodeID>)
        /// Collecting votes; `grants` holds peers only, because this node's own vote counts
        /// once its hard state is durable.
        case candidate(grants: Set<NodeID>)
        /// Leading the term.
        case leader(LeaderState)
    }

    let configuration: RaftConfiguration
    var random: SeededRandom

    /// The latest term this node has seen.
    public internal(set) var term: Term
    /// The candidate this node voted for in `term`.
    public internal(set) var votedFor: NodeID?
    var role: Role
    var log: RaftLog
    /// The latest snapshot, kept in memory so a lagging follower can be sent it.
    var snapshot: Snapshot?
    /// The highest index known to be committed.
    public internal(set) var commitIndex: LogIndex
    /// The highest index handed to the application (by `apply` or `restoreSnapshot`).
    public internal(set) var appliedIndex: LogIndex
    /// Tickets, durability and acknowledgements held until a write is durable.
    var writes: WriteTracker
    /// A snapshot arriving in chunks.
    var incomingSnapshot: SnapshotAssembly?

    var electionDeadline: Instant
    /// When this node last heard from the leader it follows.
    var leaderContact: Instant

    /// Actions gathered during the current event.
    var output: [Action] = []
    var announcedDeadline: Instant?
    var announcedLeader: NodeID?
    var announcedTerm: Term?

    /// Creates a node from what its disk holds (`.empty` on first start). The driver restores
    /// its state machine from `durable.snapshot` itself; the node starts as a follower and
    /// learns the commit index from the leader.
    public init(configuration: RaftConfiguration, durable: DurableState, random: SeededRandom, now: Instant) {
        precondition(configuration.voters.contains(configuration.nodeID), "a node must be one of the voters")
        precondition(configuration.limits.isValid, "Raft limits must be positive and fit the wire format")
        precondition(configuration.heartbeatInterval > .zero && configuration.electionTimeout > configuration.heartbeatInterval,
                     "the heartbeat must be shorter than the election timeout")
        self.configuration = configuration
        self.random = random
        let snapshotIndex = durable.snapshot?.index ?? .zero
        log = RaftLog(snapshotIndex: snapshotIndex, snapshotTerm: durable.snapshot?.term ?? .zero, entries: durable.entries)
        snapshot = durable.snapshot
        // The write order (hard state before entries) keeps the term at least the last entry's;
        // a disk that breaks that promise still must not make the node accept an older term.
        term = max(durable.hardState.term, log.lastTerm)
        votedFor = term == durable.hardState.term ? durable.hardState.votedFor : nil
        role = .follower(leader: nil)
        commitIndex = snapshotIndex
        appliedIndex = snapshotIndex
        writes = WriteTracker(durableIndex: log.lastIndex, durableHardState: durable.hardState)
        writes.hardStateDirty = term != durable.hardState.term
        electionDeadline = now
        leaderContact = now
        electionDeadline = randomizedElectionDeadline(now: now)
    }

    // MARK: Observation

    /// This node's id.
    public var nodeID: NodeID { configuration.nodeID }

    /// The role in the current term.
    public var currentRole: RaftRole {
        switch role {
        case .follower: .follower
        case .preCandidate: .preCandidate
        case .candidate: .candidate
        case .leader: .leader
        }
    }

    /// The leader this node knows of in its current term.
    public var leaderID: NodeID? {
        switch role {
        case let .follower(leader): leader
        case .preCandidate, .candidate: nil
        case .leader: configuration.nodeID
        }
    }

    /// The last index folded into the local snapshot.
    public var snapshotIndex: LogIndex { log.snapshotIndex }

    /// The index of the last entry in memory.
    public var lastIndex: LogIndex { log.lastIndex }

    /// The highest index whose entry (or covering snapshot) is durable here.
    public var durableIndex: LogIndex { writes.durableIndex }

    /// The entry at `index`, if it is in memory (not compacted, not beyond the end).
    public func entry(at index: LogIndex) -> LogEntry? { log.entry(at: index) }

    /// The term at `index`: an entry's, or the snapshot's at `snapshotIndex`; nil when unknown.
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    // MARK: Events

    /// Starts the node: returns the first timer to arm, and persists a repaired hard state if
    /// recovery had to raise the term.
    public mutating func start(now: Instant) -> [Action] {
        finishEvent(now: now)
    }

    /// The armed deadline passed (or the driver calls early; nothing is due then).
    public mutating func tick(now: Instant) -> [Action] {
        switch role {
        case .follower, .preCandidate, .candidate:
            if now >= electionDeadline { startPreVote(now: now) }
        case let .leader(state):
            leaderTick(state, now: now)
        }
        return finishEvent(now: now)
    }

    /// A message arrived from `peer`. Messages from nodes outside the group, and messages with
    /// a term no real election could reach, are ignored.
    public mutating func receive(_ message: RaftMessage, from peer: NodeID, now: Instant) -> [Action] {
        guard configuration.voters.contains(peer), peer != configuration.nodeID,
              message.term < Term.ceiling
        else { return [] }
        if reconcileTerm(of: message, from: peer, now: now) {
            dispatch(message, from: peer, now: now)
        }
        return finishEvent(now: now)
    }

    /// Every write up to and including `ticket` is durable.
    public mutating func persisted(upTo ticket: PersistTicket, now: Instant) -> [Action] {
        precondition(ticket <= writes.issued, "\(ticket) was never issued (last \(writes.issued))")
        guard ticket > writes.completed else { return [] }
        completeWrites(upTo: ticket)
        switch role {
        case .follower, .preCandidate:
            break
        case .candidate:
            becomeLeaderIfElected(now: now)
        case var .leader(state):
            advanceCommit(&state)
            role = .leader(state)
        }
        return finishEvent(now: now)
    }

    /// A client asks to append `data`. Only the leader accepts.
    public mutating func propose(_ data: [UInt8], now: Instant) -> (outcome: ProposeOutcome, actions: [Action]) {
        let outcome: ProposeOutcome
        switch role {
        case let .follower(leader):
            outcome = .notLeader(leaderHint: leader)
        case .preCandidate, .candidate:
            outcome = .notLeader(leaderHint: nil)
        case var .leader(state):
            if data.count > configuration.limits.entryBytesMax {
                outcome = .tooLarge
            } else if log.lastIndex - commitIndex >= configuration.limits.uncommittedEntriesMax {
                outcome = .tooManyUncommitted
            } else {
                let entry = LogEntry(index: log.lastIndex.successor, term: term, kind: .command, data: data)
                appendAsLeader(entry, state: &state, now: now)
                role = .leader(state)
                outcome = .accepted(index: entry.index, term: term)
            }
        }
        return (outcome, finishEvent(now: now))
    }

    /// A client asks for a linearizable read. `readReady` follows once the leader has confirmed
    /// it still leads and the state machine has caught up; `readFailed` if it cannot.
    public mutating func readIndex(requestID: UInt64, now: Instant) -> [Action] {
        switch role {
        case let .follower(leader):
            output.append(.readFailed(requestID: requestID, .notLeader(leaderHint: leader)))
        case .preCandidate, .candidate:
            output.append(.readFailed(requestID: requestID, .notLeader(leaderHint: nil)))
        case var .leader(state):
            registerRead(requestID: requestID, state: &state, now: now)
            role = .leader(state)
        }
        return finishEvent(now: now)
    }

    /// The application took `snapshot` of its state through `snapshot.index` (at or below the
    /// applied index): the log before it can go.
    public mutating func compact(to snapshot: Snapshot, now: Instant) -> [Action] {
        compactLog(to: snapshot)
        return finishEvent(now: now)
    }

    // MARK: Dispatch

    private mutating func dispatch(_ message: RaftMessage, from peer: NodeID, now: Instant) {
        switch message {
        case let .preVoteRequest(request): handlePreVoteRequest(request, from: peer, now: now)
        case let .preVoteResponse(response): handlePreVoteResponse(response, from: peer, now: now)
        case let .voteRequest(request): handleVoteRequest(request, from: peer, now: now)
        case let .voteResponse(response): handleVoteResponse(response, from: peer, now: now)
        case let .appendRequest(request): handleAppendRequest(request, from: peer, now: now)
        case let .appendResponse(response): handleAppendResponse(response, from: peer, now: now)
        case let .snapshotChunk(chunk): handleSnapshotChunk(chunk, from: peer, now: now)
        case let .snapshotResponse(response): handleSnapshotResponse(response, from: peer, now: now)
        }
    }

    mutating func send(_ message: RaftMessage, to peer: NodeID) {
        output.append(.send(message, to: peer))
    }
}
