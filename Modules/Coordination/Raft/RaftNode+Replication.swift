import TernPrimitives

// The leader's side of log replication: sending appends, heartbeats and retransmissions,
// handling answers, advancing the commit index, and check-quorum.
//
// Each follower is in one of three modes (see `Progress.Mode`). A follower whose position is
// unknown is probed one append at a time; once an append succeeds it is pipelined up to
// `appendsInFlightMax` appends; when the entries it needs are compacted it is sent the snapshot.
// A rejection carries a conflict hint (the term at the rejected index and where that term
// starts in the follower's log), so backtracking skips a term per round trip, not an index.
//
// Functions here take the leader state as `inout` from a local copy the caller extracted from
// `role` and writes back, because the state lives in the role enum's payload.

extension RaftNode {
    /// Appends an entry the leader created and offers it to every follower.
    mutating func appendAsLeader(_ entry: LogEntry, state: inout LeaderState, now: Instant) {
        log.append(entry)
        markLogChanged(from: entry.index)
        for peer in configuration.peers {
            sendAppend(to: peer, state: &state, now: now)
        }
        // A single-node group commits as soon as its own write is durable, in `persisted`.
    }

    /// Sends the follower what it needs next, if its mode allows. Returns whether a message
    /// went out, so a heartbeat can be skipped when it did.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, state: inout LeaderState, now: Instant) -> Bool {
        guard var progress = state.progress[peer] else { return false }
        defer { state.progress[peer] = progress }
        switch progress.mode {
        case .snapshot:
            return sendSnapshotChunk(to: peer, progress: &progress, round: state.round, now: now)
        case let .probe(sentAt):
            if sentAt != nil { return false }
        case let .replicate(inflight):
            if inflight.count >= configuration.limits.appendsInFlightMax { return false }
        }
        let prevIndex = progress.next.predecessor
        guard let prevTerm = log.term(at: prevIndex) else {
            // The follower needs entries we compacted: it gets the snapshot instead.
            precondition(snapshot != nil, "a compacted log always has its snapshot in memory")
            progress.mode = .snapshot(SnapshotTransfer(index: log.snapshotIndex, offset: 0, sentAt: nil))
            return sendSnapshotChunk(to: peer, progress: &progress, round: state.round, now: now)
        }
        let entries = log.slice(
            from: progress.next,
            countMax: configuration.limits.appendEntriesMax,
            bytesMax: configuration.limits.appendBytesMax
        )
        switch progress.mode {
        case .probe:
            progress.mode = .probe(sentAt: now)
        case var .replicate(inflight):
            guard let last = entries.last else { return false }
            inflight.append(InflightAppend(lastIndex: last.index, sentAt: now))
            progress.mode = .replicate(inflight: inflight)
            progress.next = last.index.successor
        case .snapshot:
            preconditionFailure("snapshot mode returned above")
        }
        let request = AppendRequest(
            term: term, prevLogIndex: prevIndex, prevLogTerm: prevTerm,
            entries: entries, leaderCommit: commitIndex, round: state.round
        )
        send(.appendRequest(request), to: peer)
        return true
    }

    /// An empty append at the follower's known match, so its success says nothing new but
    /// proves the follower still accepts this term, and lets it commit up to that match.
    private mutating func sendHeartbeat(to peer: NodeID, progress: Progress, round: UInt64) {
        // Below our snapshot the term is unknown; index zero matches every log.
        let prevIndex = log.term(at: progress.match) == nil ? LogIndex.zero : progress.match
        let prevTerm = log.term(at: prevIndex) ?? .zero
        let request = AppendRequest(
            term: term, prevLogIndex: prevIndex, prevLogTerm: prevTerm,
            entries: [], leaderCommit: commitIndex, round: round
        )
        send(.appendRequest(request), to: peer)
    }

    /// Starts a new heartbeat round: every follower gets one message carrying it.
    mutating func broadcastRound(state: inout LeaderState, now: Instant) {
        state.round += 1
        for peer in configuration.peers {
            retransmitIfStalled(peer: peer, state: &state, now: now)
            if !sendAppend(to: peer, state: &state, now: now), let progress = state.progress[peer] {
                sendHeartbeat(to: peer, progress: progress, round: state.round)
            }
        }
    }

    /// Frees a probe or snapshot chunk that got no answer, and drops a pipeline whose oldest
    /// append got none, back to probing from the known match.
    private func retransmitIfStalled(peer: NodeID, state: inout LeaderState, now: Instant) {
        guard var progress = state.progress[peer] else { return }
        let patience = configuration.heartbeatInterval + configuration.heartbeatInterval
        switch progress.mode {
        case let .probe(sentAt):
            if let sentAt, now >= sentAt + configuration.heartbeatInterval {
                progress.mode = .probe(sentAt: nil)
            }
        case let .replicate(inflight):
            if let oldest = inflight.first, now >= oldest.sentAt + patience {
                progress.next = progress.match.successor
                progress.mode = .probe(sentAt: nil)
            }
        case var .snapshot(transfer):
            if let sentAt = transfer.sentAt, now >= sentAt + patience {
                transfer.sentAt = nil
                progress.mode = .snapshot(transfer)
            }
        }
        state.progress[peer] = progress
    }

    /// The leader's timer: check-quorum first (a leader that lost its majority must not keep
    /// sending heartbeats that hold followers in its lease), then the heartbeat.
    mutating func leaderTick(_ leaderState: LeaderState, now: Instant) {
        var state = leaderState
        if now >= state.checkQuorumDeadline {
            guard state.activeSinceCheck.count + 1 >= configuration.quorum else {
                becomeFollower(term: term, leader: nil, now: now)
                return
            }
            state.activeSinceCheck = []
            state.checkQuorumDeadline = now + configuration.electionTimeout
        }
        if now >= state.heartbeatDeadline {
            broadcastRound(state: &state, now: now)
            state.heartbeatDeadline = now + configuration.heartbeatInterval
        }
        role = .leader(state)
    }

    mutating func handleAppendResponse(_ response: AppendResponse, from peer: NodeID, now: Instant) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        state.activeSinceCheck.insert(peer)
        progress.ackedRound = max(progress.ackedRound, response.round)
        let matchBefore = progress.match
        let commitBefore = commitIndex
        switch response.result {
        case let .success(matchIndex):
            recordSuccess(matchIndex: min(matchIndex, log.lastIndex), progress: &progress)
        case let .rejected(rejectedIndex, conflictIndex, conflictTerm):
            recordRejection(
                rejectedIndex: rejectedIndex, conflictIndex: conflictIndex, conflictTerm: conflictTerm,
                progress: &progress
            )
        }
        state.progress[peer] = progress
        advanceCommit(&state)
        let sent = sendAppend(to: peer, state: &state, now: now)
        // A follower whose acknowledgement arrives after the commit of those entries (the slower
        // one of a pair) heard of that commit before it matched them, so it could not adopt it.
        // Tell it now, unless a message just sent or the commit notice already does.
        if !sent, commitIndex == commitBefore, matchBefore < commitIndex, progress.match > matchBefore,
           let current = state.progress[peer] {
            sendHeartbeat(to: peer, progress: current, round: state.round)
        }
        role = .leader(state)
    }

    private func recordSuccess(matchIndex: LogIndex, progress: inout Progress) {
        // A success is never stale in a harmful way: within a term a follower only ever drops
        // entries that conflict with this leader's, and it acknowledged only durable ones.
        progress.match = max(progress.match, matchIndex)
        switch progress.mode {
        case .probe:
            // An answer at or past the probe's position locates the follower: start pipelining.
            // An older one (a heartbeat's) only frees the probe to be sent again.
            if matchIndex.successor >= progress.next {
                progress.next = progress.match.successor
                progress.mode = .replicate(inflight: [])
            } else {
                progress.mode = .probe(sentAt: nil)
            }
        case var .replicate(inflight):
            inflight.removeAll { $0.lastIndex <= progress.match }
            progress.next = max(progress.next, progress.match.successor)
            progress.mode = .replicate(inflight: inflight)
        case let .snapshot(transfer):
            if progress.match >= transfer.index {
                progress.next = progress.match.successor
                progress.mode = .probe(sentAt: nil)
            }
        }
    }

    private func recordRejection(
        rejectedIndex: LogIndex, conflictIndex: LogIndex, conflictTerm: Term, progress: inout Progress
    ) {
        // An answer to an append we have since moved past says nothing about the present.
        switch progress.mode {
        case .probe:
            guard rejectedIndex == progress.next.predecessor else { return }
        case .replicate:
            guard rejectedIndex > progress.match else { return }
        case .snapshot:
            return
        }
        var next = conflictIndex
        if conflictTerm > .zero, let last = log.lastIndex(ofTerm: conflictTerm, atOrBelow: rejectedIndex) {
            next = last.successor
        }
        // Clamped to our own log, so a hint from a confused peer cannot point past its end.
        progress.next = max(progress.match.successor, min(next, rejectedIndex, log.lastIndex.successor))
        progress.mode = .probe(sentAt: nil)
    }

    /// Commits the highest index durable on a majority, counting our own durable index, but
    /// only once it holds an entry of the current term (Raft §5.4.2: an older term's entry
    /// stored on a majority can still be overwritten).
    mutating func advanceCommit(_ state: inout LeaderState) {
        var matches = state.progress.values.map(\.match)
        matches.append(writes.durableIndex)
        matches.sort(by: >)
        let candidate = matches[configuration.quorum - 1]
        guard candidate > commitIndex, candidate >= state.termStartIndex else { return }
        precondition(log.term(at: candidate) == term, "an index past the term's start holds the term")
        commitIndex = candidate
        // A follower learns a commit only from a message that carries it. Tell every follower
        // now instead of at the next heartbeat, so a write proposed through a follower applies
        // there within a round trip rather than a heartbeat interval.
        for peer in configuration.peers {
            if let progress = state.progress[peer] {
                sendHeartbeat(to: peer, progress: progress, round: state.round)
            }
        }
    }
}
