import TernPrimitives

// The follower's side of log replication: the consistency check on AppendEntries, conflict
// truncation, and the commit index a follower may adopt.
//
// A success is a promise that the entries up to `matchIndex` are durable here, so it is held
// until the write carrying them completes (`sendWhenDurable`). A rejection promises nothing and
// goes at once, with a hint that lets the leader skip back a whole term.

extension RaftNode {
    mutating func handleAppendRequest(_ request: AppendRequest, from peer: NodeID, now: Instant) {
        guard acceptLeader(peer, now: now) else { return }
        guard isWellFormed(request) else { return }
        if !request.entries.isEmpty, writes.outstanding.count >= configuration.limits.writesInFlightMax {
            // The disk is behind; dropping the append makes the leader retry later instead of
            // queueing writes without bound.
            return
        }
        guard logMatches(index: request.prevLogIndex, term: request.prevLogTerm) else {
            rejectAppend(request, to: peer)
            return
        }
        for entry in request.entries where entry.index > log.snapshotIndex {
            if let existing = log.term(at: entry.index) {
                if existing == entry.term { continue }
                // A leader contradicting a committed entry is broken; refuse rather than undo
                // a commit.
                guard entry.index > commitIndex else { return }
                truncateLog(from: entry.index)
            }
            guard entry.term >= log.lastTerm, entry.term <= term else { return }
            log.append(entry)
            markLogChanged(from: entry.index)
        }
        // Only the prefix this request verified may be committed: entries past it could still
        // be an old leader's leftovers.
        let verifiedIndex = request.prevLogIndex + request.entries.count
        commitIndex = max(commitIndex, min(request.leaderCommit, verifiedIndex))
        let response = AppendResponse(term: term, result: .success(matchIndex: verifiedIndex), round: request.round)
        sendWhenDurable(.appendResponse(response), to: peer)
    }

    /// Adopts `peer` as this term's leader. Returns false when the message must be ignored: we
    /// lead this term ourselves, or already follow someone else in it. Either would mean two
    /// leaders in one term, which only a broken peer can cause, and never a reason to trap.
    mutating func acceptLeader(_ peer: NodeID, now: Instant) -> Bool {
        switch role {
        case .leader:
            return false
        case .preCandidate, .candidate:
            becomeFollower(term: term, leader: peer, now: now)
        case let .follower(leader):
            if leader == nil {
                becomeFollower(term: term, leader: peer, now: now)
            } else if leader != peer {
                return false
            }
        }
        leaderContact = now
        electionDeadline = randomizedElectionDeadline(now: now)
        return true
    }

    /// Whether the log holds (`index`, `term`). Anything at or below the snapshot is committed,
    /// and committed entries are the same on every log.
    private func logMatches(index: LogIndex, term expected: Term) -> Bool {
        if index <= log.snapshotIndex { return true }
        return log.term(at: index) == expected
    }

    /// Checks what the codec cannot: entries contiguous from the previous index, in the
    /// leader's term or earlier, with terms not decreasing.
    private func isWellFormed(_ request: AppendRequest) -> Bool {
        guard request.prevLogIndex.rawValue <= UInt64.max - UInt64(request.entries.count) else { return false }
        var previousTerm = request.prevLogTerm
        for (offset, entry) in request.entries.enumerated() {
            guard entry.index == request.prevLogIndex + (offset + 1),
                  entry.term >= previousTerm, entry.term <= request.term
            else { return false }
            previousTerm = entry.term
        }
        return true
    }

    private mutating func rejectAppend(_ request: AppendRequest, to peer: NodeID) {
        let conflictIndex: LogIndex
        let conflictTerm: Term
        if request.prevLogIndex > log.lastIndex {
            conflictIndex = log.lastIndex.successor
            conflictTerm = .zero
        } else {
            conflictTerm = log.term(at: request.prevLogIndex) ?? .zero
            conflictIndex = log.firstIndex(ofTermAt: request.prevLogIndex)
        }
        let result = AppendResponse.Result.rejected(
            rejectedIndex: request.prevLogIndex, conflictIndex: conflictIndex, conflictTerm: conflictTerm)
        send(.appendResponse(AppendResponse(term: term, result: result, round: request.round)), to: peer)
    }
}
