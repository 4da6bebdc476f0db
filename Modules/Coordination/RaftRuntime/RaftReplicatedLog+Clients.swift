public import TernPrimitives

// The `ReplicatedLog` side: callers' proposals and read barriers, the leader inbox, and the
// runtime's own messages between nodes (forwarded proposals, read-index requests).

extension RaftReplicatedLog {
    public func propose(_ command: [UInt8]) async throws(ReplicationError) {
        guard case .running = phase else { throw .closed }
        guard command.count + ProposalTag.encodedBytes <= configuration.limits.entryBytesMax else { throw .tooLarge }
        guard proposals.count + reads.count < options.waitersMax else { throw .overloaded }
        let proposalID = nextProposalID
        nextProposalID &+= 1
        let deadline = clock.now + options.proposalTimeout
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ReplicationError>, Never>) in
            // Checked again where the waiter is registered: `await` may suspend before the
            // body runs, and a halt meanwhile may already have failed every waiter.
            guard case .running = phase else { return continuation.resume(returning: .failure(.closed)) }
            proposals[proposalID] = ProposalWaiter(continuation: continuation, deadline: deadline, sentTo: nil)
            enqueue(.propose(proposalID: proposalID, command: command))
        }
        try result.get()
    }

    public func readBarrier() async throws(ReplicationError) {
        guard case .running = phase else { throw .closed }
        guard proposals.count + reads.count < options.waitersMax else { throw .overloaded }
        let readID = nextReadID
        nextReadID += 1
        let deadline = clock.now + options.readTimeout
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ReplicationError>, Never>) in
            guard case .running = phase else { return continuation.resume(returning: .failure(.closed)) }
            reads[readID] = ReadWaiter(continuation: continuation, deadline: deadline, forwardedTerm: nil)
            enqueue(.read(readID: readID))
        }
        try result.get()
    }

    public nonisolated func leadershipChanges() -> AsyncStream<Leadership> {
        observers.leadershipStream()
    }

    public func sendToLeader(_ message: [UInt8]) async {
        guard case .running = phase, message.count <= PeerEnvelope.leaderMessageBytesMax else { return }
        let leadership = observers.leadership
        if leadership.isLocal {
            observers.deliverToInbox(from: localNode, message)
        } else if let leader = leadership.leader {
            network.send(.leaderMessage(message), to: leader)
        }
    }

    public nonisolated func leaderInbox() -> AsyncStream<(from: NodeID, message: [UInt8])> {
        observers.inboxStream()
    }

    // MARK: Proposals

    /// Appends a local caller's command, or forwards it to the leader the core knows of.
    func proposeToCore(proposalID: UInt64, command: [UInt8], now: Instant) async {
        guard proposals[proposalID] != nil else { return }  // expired while queued
        let tag = ProposalTag(origin: localNode, proposalID: proposalID)
        let (outcome, actions) = node.propose(tag.wrap(command), now: now)
        switch outcome {
        case let .accepted(_, term):
            proposals[proposalID]?.sentTo = (localNode, term)
        case let .notLeader(leaderHint):
            if let leader = leaderHint, leader != localNode {
                proposals[proposalID]?.sentTo = (leader, node.term)
                network.send(.forwardProposal(proposalID: proposalID, command: command), to: leader)
            } else {
                failProposal(proposalID, .noLeader)
            }
        case .tooManyUncommitted:
            failProposal(proposalID, .overloaded)
        case .tooLarge:
            failProposal(proposalID, .tooLarge)
        }
        await perform(actions)
    }

    /// The leader's side of a forwarded proposal. Success needs no answer: the origin sees its
    /// tagged entry apply.
    private func proposeForwarded(proposalID: UInt64, command: [UInt8], from origin: NodeID, now: Instant) async {
        let tag = ProposalTag(origin: origin, proposalID: proposalID)
        guard command.count + ProposalTag.encodedBytes <= configuration.limits.entryBytesMax else {
            network.send(.proposalRefused(proposalID: proposalID, .tooLarge), to: origin)
            return
        }
        let (outcome, actions) = node.propose(tag.wrap(command), now: now)
        switch outcome {
        case .accepted:
            break
        case .notLeader:
            network.send(.proposalRefused(proposalID: proposalID, .notLeader), to: origin)
        case .tooManyUncommitted:
            network.send(.proposalRefused(proposalID: proposalID, .overloaded), to: origin)
        case .tooLarge:
            network.send(.proposalRefused(proposalID: proposalID, .tooLarge), to: origin)
        }
        await perform(actions)
    }

    private func failProposal(_ proposalID: UInt64, _ error: ReplicationError) {
        proposals.removeValue(forKey: proposalID)?.continuation.resume(returning: .failure(error))
    }

    // MARK: Reads

    /// Asks the core for a read index; a follower's core refuses with a leader hint, and the
    /// read then goes to that leader.
    func handOverRead(_ route: ReadRoute, now: Instant) async {
        if case let .local(readID) = route, reads[readID] == nil { return }  // expired while queued
        let coreID = nextCoreReadID
        nextCoreReadID += 1
        coreReads[coreID] = route
        await perform(node.readIndex(requestID: coreID, now: now))
    }

    func readReady(coreRequestID: UInt64, index: LogIndex) {
        switch coreReads.removeValue(forKey: coreRequestID) {
        case let .local(readID):
            // The core has handed out everything through `index`, and every action before this
            // one has been performed, so the state machine has applied it.
            reads.removeValue(forKey: readID)?.continuation.resume(returning: .success(()))
        case let .remote(peer, requestID):
            network.send(.readIndex(requestID: requestID, index: index), to: peer)
        case nil:
            break
        }
    }

    func readFailed(coreRequestID: UInt64, failure: RaftNode.ReadFailure) {
        switch coreReads.removeValue(forKey: coreRequestID) {
        case let .local(readID):
            switch failure {
            case let .notLeader(leaderHint):
                if let leader = leaderHint, leader != localNode, reads[readID] != nil {
                    reads[readID]?.forwardedTerm = node.term
                    network.send(.readIndexRequest(requestID: readID), to: leader)
                } else {
                    failRead(readID, .noLeader)
                }
            case .tooManyPending:
                failRead(readID, .overloaded)
            }
        case let .remote(peer, requestID):
            let refusal: PeerRefusal
            switch failure {
            case .notLeader: refusal = .notLeader
            case .tooManyPending: refusal = .overloaded
            }
            network.send(.readRefused(requestID: requestID, refusal), to: peer)
        case nil:
            break
        }
    }

    /// Resolves reads whose index the state machine has now applied.
    func releaseAppliedReads() {
        guard !readsAwaitingApply.isEmpty else { return }
        for (readID, index) in readsAwaitingApply where index <= appliedIndex {
            readsAwaitingApply.removeValue(forKey: readID)
            reads.removeValue(forKey: readID)?.continuation.resume(returning: .success(()))
        }
    }

    private func failRead(_ readID: UInt64, _ error: ReplicationError) {
        readsAwaitingApply.removeValue(forKey: readID)
        reads.removeValue(forKey: readID)?.continuation.resume(returning: .failure(error))
    }

    // MARK: Peers

    func receive(_ delivery: PeerDelivery, now: Instant) async {
        let peer = delivery.from
        guard configuration.voters.contains(peer), peer != localNode else {
            options.log("raft node \(localNode.rawValue): dropped an envelope from non-member \(peer.rawValue)")
            return
        }
        switch delivery.envelope {
        case let .raft(message):
            await perform(node.receive(message, from: peer, now: now))
        case let .forwardProposal(proposalID, command):
            await proposeForwarded(proposalID: proposalID, command: command, from: peer, now: now)
        case let .proposalRefused(proposalID, refusal):
            failProposal(proposalID, refusal.replicationError)
        case let .readIndexRequest(requestID):
            await handOverRead(.remote(peer: peer, requestID: requestID), now: now)
        case let .readIndex(readID, index):
            guard reads[readID] != nil else { return }
            readsAwaitingApply[readID] = index
            releaseAppliedReads()
        case let .readRefused(readID, refusal):
            failRead(readID, refusal.replicationError)
        case let .leaderMessage(message):
            if node.currentRole == .leader {
                observers.deliverToInbox(from: peer, message)
            }
        }
    }

    // MARK: Waiters

    func expireWaiters(now: Instant) {
        for (proposalID, waiter) in proposals where waiter.deadline <= now {
            proposals.removeValue(forKey: proposalID)
            waiter.continuation.resume(returning: .failure(.outcomeUnknown))
        }
        for (readID, waiter) in reads where waiter.deadline <= now {
            failRead(readID, .outcomeUnknown)
        }
    }

    func failAllWaiters(_ error: ReplicationError) {
        let pendingProposals = proposals
        let pendingReads = reads
        proposals = [:]
        reads = [:]
        readsAwaitingApply = [:]
        coreReads = [:]
        for waiter in pendingProposals.values { waiter.continuation.resume(returning: .failure(error)) }
        for waiter in pendingReads.values { waiter.continuation.resume(returning: .failure(error)) }
    }
}
