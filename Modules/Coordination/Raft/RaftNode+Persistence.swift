import TernPrimitives

// Durability. The node keeps two views of its state: the in-memory log and hard state, which
// change as events arrive, and what is known durable, which changes only when the driver reports
// a ticket done. Between the two sit the outstanding writes.
//
// - Every event that changes the log, the hard state or the snapshot ends by issuing one
//   `PersistRequest` covering all of it (`issueWrite`), so every in-memory change is in some
//   write by the time the event returns.
// - Messages that promise durability (a granted vote, an append success, an installed
//   snapshot) are held until the newest write at the time they were made is durable. A held
//   message made in an older term is dropped instead: after a term change the promise may no
//   longer be true (a newer leader may have truncated what it acknowledged).
// - The leader counts its own log toward the commit quorum only up to `durableIndex`, and a
//   candidate counts its own vote only once that vote is durable, so both follow the paper's
//   rule that a server responds only after updating stable storage (Figure 2), while the leader
//   still sends appends in parallel with its own write (Raft thesis §10.2.1).
// - Committed entries reach the application only once durable here, so a snapshot the
//   application takes never covers entries a restart could not read back.

/// The bookkeeping between the in-memory state and the durable state.
struct WriteTracker: Sendable {
    /// A write issued and not yet reported durable.
    struct Outstanding: Sendable {
        var ticket: PersistTicket
        /// Every in-memory entry through this index is durable once the write is, lowered when
        /// a later event truncates below it.
        var coversThrough: LogIndex
        /// The hard state the write stores, if it stores one.
        var hardState: HardState?
    }

    /// A message waiting for a write to become durable.
    struct Held: Sendable {
        var ticket: PersistTicket
        var term: Term
        var message: RaftMessage
        var peer: NodeID
    }

    var issued = PersistTicket(0)
    var completed = PersistTicket(0)
    var outstanding: [Outstanding] = []
    /// The highest index such that the in-memory log through it is durable.
    var durableIndex: LogIndex
    /// The last hard state known durable.
    var durableHardState: HardState
    var held: [Held] = []

    // Changes made by the current event, gathered into one write at its end.
    var hardStateDirty = false
    var snapshotDirty: Snapshot?
    var logDirtyFrom: LogIndex?
    var pendingHeld: [(message: RaftMessage, peer: NodeID)] = []

    init(durableIndex: LogIndex, durableHardState: HardState) {
        self.durableIndex = durableIndex
        self.durableHardState = durableHardState
    }
}

extension RaftNode {
    /// Notes that the in-memory log changed at or after `index`.
    mutating func markLogChanged(from index: LogIndex) {
        writes.logDirtyFrom = min(writes.logDirtyFrom ?? index, index)
    }

    /// Drops in-memory entries from `index` on. Whatever was durable past it no longer counts,
    /// and the outstanding writes that would have made it durable now cover less.
    mutating func truncateLog(from index: LogIndex) {
        precondition(index > commitIndex || index > log.lastIndex, "committed entries are never truncated")
        log.truncate(from: index)
        let kept = index.predecessor
        writes.durableIndex = min(writes.durableIndex, kept)
        for position in writes.outstanding.indices {
            writes.outstanding[position].coversThrough = min(writes.outstanding[position].coversThrough, kept)
        }
        markLogChanged(from: index)
    }

    /// Queues a message that may leave only once this event's writes are durable.
    mutating func sendWhenDurable(_ message: RaftMessage, to peer: NodeID) {
        writes.pendingHeld.append((message, peer))
    }

    /// Marks every write through `ticket` durable and releases what waited for it.
    mutating func completeWrites(upTo ticket: PersistTicket) {
        while let first = writes.outstanding.first, first.ticket <= ticket {
            writes.outstanding.removeFirst()
            writes.durableIndex = first.coversThrough
            if let hardState = first.hardState { writes.durableHardState = hardState }
        }
        writes.completed = ticket
        let ready = writes.held.prefix { $0.ticket <= ticket }
        writes.held.removeFirst(ready.count)
        for held in ready where held.term == term {
            send(held.message, to: held.peer)
        }
    }

    /// Ends every event: issues the write, holds or sends promises, applies what is committed
    /// and durable, serves reads, and tells the driver about the leader and the timer.
    mutating func finishEvent(now: Instant) -> [Action] {
        issueWrite()
        releaseOrHold()
        applyCommitted()
        if case var .leader(state) = role {
            serveReads(state: &state, now: now)
            role = .leader(state)
        }
        announce()
        let actions = output
        output = []
        return actions
    }

    private mutating func issueWrite() {
        let logWrite = writes.logDirtyFrom.map { dirtyFrom in
            // Entries at or below the snapshot are covered by it; never truncate into it.
            let from = max(dirtyFrom, log.snapshotIndex.successor)
            let entries = from <= log.lastIndex ? log.entries(from: from, through: log.lastIndex) : []
            return LogWrite(from: from, entries: entries)
        }
        let hardState = writes.hardStateDirty ? HardState(term: term, votedFor: votedFor) : nil
        let snapshotWrite = writes.snapshotDirty
        writes.logDirtyFrom = nil
        writes.hardStateDirty = false
        writes.snapshotDirty = nil
        guard logWrite != nil || hardState != nil || snapshotWrite != nil else { return }
        writes.issued = PersistTicket(writes.issued.rawValue + 1)
        writes.outstanding.append(
            WriteTracker.Outstanding(ticket: writes.issued, coversThrough: log.lastIndex, hardState: hardState))
        output.append(.persist(PersistRequest(
            ticket: writes.issued, snapshot: snapshotWrite, hardState: hardState, log: logWrite)))
    }

    private mutating func releaseOrHold() {
        let pending = writes.pendingHeld
        writes.pendingHeld = []
        for (message, peer) in pending {
            if writes.outstanding.isEmpty {
                send(message, to: peer)
            } else if writes.held.count < configuration.limits.heldMessagesMax {
                writes.held.append(WriteTracker.Held(ticket: writes.issued, term: term, message: message, peer: peer))
            }
            // Beyond the bound the promise is dropped; the peer asks again.
        }
    }

    private mutating func applyCommitted() {
        let applyThrough = min(commitIndex, writes.durableIndex)
        guard applyThrough > appliedIndex else { return }
        precondition(appliedIndex >= log.snapshotIndex, "applied entries are never behind the snapshot")
        output.append(.apply(log.entries(from: appliedIndex.successor, through: applyThrough)))
        appliedIndex = applyThrough
    }

    private mutating func announce() {
        let leader = leaderID
        if leader != announcedLeader || (leader != nil && term != announcedTerm) {
            announcedLeader = leader
            announcedTerm = term
            output.append(.leaderChanged(leader, term: term))
        }
        let deadline: Instant
        switch role {
        case .follower, .preCandidate, .candidate:
            deadline = electionDeadline
        case let .leader(state):
            deadline = min(state.heartbeatDeadline, state.checkQuorumDeadline)
        }
        if deadline != announcedDeadline {
            announcedDeadline = deadline
            output.append(.armTimer(deadline: deadline))
        }
    }
}
