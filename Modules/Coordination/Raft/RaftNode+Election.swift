import TernPrimitives

// Elections: term reconciliation for every message, pre-vote, votes, and the role changes.
//
// A node whose election timer fires first asks for trial votes for term + 1 without raising its
// own term (pre-vote, Raft thesis §9.6). Only with a majority of trial votes does it raise its
// term and ask for real votes. A node that heard from a leader within the minimum election
// timeout refuses both, so a node that was cut off and comes back cannot depose a healthy leader
// or inflate everyone's term. The leader's own half of that bargain is check-quorum in
// `RaftNode+Replication`: a leader that stops hearing from a majority steps down, so nobody is
// left deferring to a leader that no longer leads.

extension RaftNode {
    /// Brings the node's term in line with a message's and decides whether the message is
    /// handled further. Returns false when the message is stale or must be ignored.
    mutating func reconcileTerm(of message: RaftMessage, from peer: NodeID, now: Instant) -> Bool {
        let messageTerm = message.term
        if messageTerm > term {
            switch message {
            case .preVoteRequest:
                // A trial vote never moves a term: that is the point of pre-vote.
                return true
            case let .preVoteResponse(response) where response.granted:
                return true
            case .voteRequest:
                if isInLease(now: now) { return false }
                becomeFollower(term: messageTerm, leader: nil, now: now)
            case .appendRequest, .snapshotChunk:
                becomeFollower(term: messageTerm, leader: peer, now: now)
            case .preVoteResponse, .voteResponse, .appendResponse, .snapshotResponse:
                becomeFollower(term: messageTerm, leader: nil, now: now)
            }
            return true
        }
        if messageTerm < term {
            answerStale(message, from: peer)
            return false
        }
        return true
    }

    /// Answers a message from an older term so its sender learns the newer one: a deposed
    /// leader steps down and a lagging candidate stops. Stale responses need no answer.
    private mutating func answerStale(_ message: RaftMessage, from peer: NodeID) {
        switch message {
        case let .appendRequest(request):
            let result = AppendResponse.Result.rejected(
                rejectedIndex: request.prevLogIndex, conflictIndex: .zero, conflictTerm: .zero)
            send(.appendResponse(AppendResponse(term: term, result: result, round: request.round)), to: peer)
        case let .snapshotChunk(chunk):
            let response = SnapshotResponse(
                term: term, snapshotIndex: chunk.snapshotIndex, nextOffset: 0, installed: false, round: chunk.round)
            send(.snapshotResponse(response), to: peer)
        case .preVoteRequest:
            send(.preVoteResponse(VoteResponse(term: term, granted: false)), to: peer)
        case .voteRequest:
            send(.voteResponse(VoteResponse(term: term, granted: false)), to: peer)
        case .preVoteResponse, .voteResponse, .appendResponse, .snapshotResponse:
            break
        }
    }

    /// Whether this node believes a leader is alive: it then refuses to help elect another.
    func isInLease(now: Instant) -> Bool {
        switch role {
        case let .follower(leader):
            leader != nil && now < leaderContact + configuration.electionTimeout
        case .preCandidate, .candidate:
            false
        case .leader:
            // Check-quorum makes a leader step down once it cannot reach a majority, so while it
            // is leader its lease holds.
            true
        }
    }

    // MARK: Requests

    mutating func handlePreVoteRequest(_ request: VoteRequest, from peer: NodeID, now: Instant) {
        let granted = request.term > term
            && !isInLease(now: now)
            && log.isUpToDate(lastIndex: request.lastLogIndex, lastTerm: request.lastLogTerm)
        send(.preVoteResponse(VoteResponse(term: granted ? request.term : term, granted: granted)), to: peer)
    }

    mutating func handleVoteRequest(_ request: VoteRequest, from peer: NodeID, now: Instant) {
        // `reconcileTerm` has made request.term equal to ours.
        let isFreeToVote: Bool
        switch role {
        case let .follower(leader):
            // A follower that knows this term's leader keeps to it even if it never voted.
            isFreeToVote = votedFor == peer || (votedFor == nil && leader == nil)
        case .preCandidate:
            isFreeToVote = votedFor == peer || votedFor == nil
        case .candidate, .leader:
            isFreeToVote = false
        }
        let granted = isFreeToVote
            && log.isUpToDate(lastIndex: request.lastLogIndex, lastTerm: request.lastLogTerm)
        guard granted else {
            send(.voteResponse(VoteResponse(term: term, granted: false)), to: peer)
            return
        }
        if votedFor != peer {
            votedFor = peer
            writes.hardStateDirty = true
        }
        electionDeadline = randomizedElectionDeadline(now: now)
        // The vote is a promise; it leaves only once the vote is on disk.
        sendWhenDurable(.voteResponse(VoteResponse(term: term, granted: true)), to: peer)
    }

    // MARK: Responses

    mutating func handlePreVoteResponse(_ response: VoteResponse, from peer: NodeID, now: Instant) {
        switch role {
        case var .preCandidate(grants):
            guard response.granted, response.term == term.successor else { return }
            grants.insert(peer)
            role = .preCandidate(grants: grants)
            if grants.count >= configuration.quorum { startElection(now: now) }
        case .follower, .candidate, .leader:
            break
        }
    }

    mutating func handleVoteResponse(_ response: VoteResponse, from peer: NodeID, now: Instant) {
        switch role {
        case var .candidate(grants):
            guard response.granted, response.term == term else { return }
            grants.insert(peer)
            role = .candidate(grants: grants)
            becomeLeaderIfElected(now: now)
        case .follower, .preCandidate, .leader:
            break
        }
    }

    // MARK: Transitions

    /// The election timer fired: ask for trial votes for the next term.
    mutating func startPreVote(now: Instant) {
        role = .preCandidate(grants: [configuration.nodeID])
        electionDeadline = randomizedElectionDeadline(now: now)
        if configuration.quorum == 1 {
            startElection(now: now)
            return
        }
        let request = VoteRequest(term: term.successor, lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm)
        for peer in configuration.peers {
            send(.preVoteRequest(request), to: peer)
        }
    }

    /// A majority would vote for us: raise the term, vote for ourselves, ask for votes.
    mutating func startElection(now: Instant) {
        term = term.successor
        votedFor = configuration.nodeID
        writes.hardStateDirty = true
        role = .candidate(grants: [])
        electionDeadline = randomizedElectionDeadline(now: now)
        let request = VoteRequest(term: term, lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm)
        for peer in configuration.peers {
            send(.voteRequest(request), to: peer)
        }
    }

    /// Counts votes, our own only once it is durable, and takes the lead on a majority.
    mutating func becomeLeaderIfElected(now: Instant) {
        guard case let .candidate(grants) = role else { return }
        let ownVoteIsDurable = writes.durableHardState == HardState(term: term, votedFor: configuration.nodeID)
        guard grants.count + (ownVoteIsDurable ? 1 : 0) >= configuration.quorum else { return }
        becomeLeader(now: now)
    }

    private mutating func becomeLeader(now: Instant) {
        let noopIndex = log.lastIndex.successor
        var progress: [NodeID: Progress] = [:]
        for peer in configuration.peers {
            progress[peer] = Progress(next: noopIndex)
        }
        var state = LeaderState(
            progress: progress,
            round: 0,
            heartbeatDeadline: now + configuration.heartbeatInterval,
            checkQuorumDeadline: now + configuration.electionTimeout,
            activeSinceCheck: [],
            termStartIndex: noopIndex,
            reads: []
        )
        // Committing an entry of its own term is how a new leader learns which earlier entries
        // are committed (Raft §5.4.2, §8).
        appendAsLeader(LogEntry(index: noopIndex, term: term, kind: .noop), state: &state, now: now)
        role = .leader(state)
    }

    /// Follows `leader` (or nobody) in `newTerm`, which is at least the current term.
    mutating func becomeFollower(term newTerm: Term, leader: NodeID?, now: Instant) {
        precondition(newTerm >= term, "terms never go back")
        if newTerm > term {
            term = newTerm
            votedFor = nil
            writes.hardStateDirty = true
        }
        if case let .leader(state) = role {
            for read in state.reads {
                output.append(.readFailed(requestID: read.requestID, .notLeader(leaderHint: leader)))
            }
        }
        role = .follower(leader: leader)
        if leader != nil { leaderContact = now }
        electionDeadline = randomizedElectionDeadline(now: now)
    }

    /// A deadline drawn uniformly from [timeout, 2 × timeout) so that candidates rarely collide.
    mutating func randomizedElectionDeadline(now: Instant) -> Instant {
        let base = configuration.electionTimeout.nanosecondsClamped
        let jitter = Int64(random.next() % UInt64(max(base, 1)))
        return now + .nanoseconds(base + jitter)
    }
}
