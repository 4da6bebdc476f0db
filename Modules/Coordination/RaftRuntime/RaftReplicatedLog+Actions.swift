import TernPrimitives

// Performing the core's actions, in order, and the work they start: writes, the timer, the
// state machine, snapshots.

extension RaftReplicatedLog {
    func perform(_ actions: [RaftNode.Action]) async {
        for action in actions {
            switch action {
            case let .send(message, peer):
                network.send(.raft(message), to: peer)
            case let .persist(request):
                queueWrite(request)
            case let .apply(entries):
                await apply(entries)
            case let .restoreSnapshot(snapshot):
                await stateMachine.restore(
                    StateMachineSnapshot(index: snapshot.index, term: snapshot.term, bytes: snapshot.data))
                appliedIndex = snapshot.index
                lastSnapshotAttempt = snapshot.index
                releaseAppliedReads()
            case let .readReady(requestID, index):
                readReady(coreRequestID: requestID, index: index)
            case let .readFailed(requestID, failure):
                readFailed(coreRequestID: requestID, failure: failure)
            case let .leaderChanged(leader, term):
                leaderChanged(leader, term: term)
            case let .armTimer(deadline):
                armTimer(deadline)
            }
        }
    }

    // MARK: Writes

    private func queueWrite(_ request: PersistRequest) {
        pendingWrites.append(request)
        guard writerTask == nil else { return }
        writerTask = Task { await self.drainWrites() }
    }

    /// Writes everything queued, one `persist` call (one sync) per batch, until the queue is
    /// empty. Requests that arrive during a sync form the next batch.
    private func drainWrites() async {
        while !pendingWrites.isEmpty {
            let batch = pendingWrites
            pendingWrites = []
            do {
                try await storage.persist(batch)
            } catch {
                pendingWrites = []
                writerTask = nil
                await halt(reason: "storage failed: \(error)")
                return
            }
            if let last = batch.last { enqueue(.persisted(last.ticket)) }
        }
        writerTask = nil
    }

    // MARK: Timer

    private func armTimer(_ deadline: Instant) {
        timerTask?.cancel()
        let delay = deadline - clock.now
        timerTask = Task {
            if delay > .zero {
                try? await Task.sleep(for: delay)
            }
            // A cancelled timer was replaced; a stale tick would be harmless, but is not needed.
            guard !Task.isCancelled else { return }
            self.enqueue(.tick)
        }
    }

    // MARK: The state machine

    private func apply(_ entries: [LogEntry]) async {
        var commands: [CommittedCommand] = []
        var resolved: [UInt64] = []
        for entry in entries {
            switch entry.kind {
            case .noop:
                continue
            case .command:
                if let tagged = ProposalTag.unwrap(entry.data) {
                    commands.append(CommittedCommand(index: entry.index, term: entry.term, command: tagged.command))
                    if tagged.tag.origin == localNode { resolved.append(tagged.tag.proposalID) }
                } else {
                    // Only our own leaders write entries, so this is a bug or a foreign log;
                    // every node sees the same bytes and applies them the same way.
                    options.log("raft entry \(entry.index.rawValue) carries no proposal tag; applied unchanged")
                    commands.append(CommittedCommand(index: entry.index, term: entry.term, command: entry.data))
                }
            }
        }
        if !commands.isEmpty {
            await stateMachine.apply(commands)
        }
        if let last = entries.last {
            appliedIndex = last.index
        }
        for proposalID in resolved {
            proposals.removeValue(forKey: proposalID)?.continuation.resume(returning: .success(()))
        }
        releaseAppliedReads()
    }

    /// Takes a state-machine snapshot and compacts the log when enough has been applied since
    /// the last one. Runs between events, when the state machine has applied exactly what the
    /// core handed out.
    func compactIfDue() async {
        guard case .running = phase,
              appliedIndex - max(node.snapshotIndex, lastSnapshotAttempt) >= options.snapshotInterval
        else { return }
        let index = appliedIndex
        lastSnapshotAttempt = index
        guard index == node.appliedIndex, let term = node.term(at: index) else { return }
        let taken = await stateMachine.snapshot()
        guard taken.bytes.count <= configuration.limits.snapshotBytesMax else {
            options.log("raft snapshot of \(taken.bytes.count) bytes exceeds snapshotBytesMax; log not compacted")
            return
        }
        await perform(node.compact(to: Snapshot(index: index, term: term, data: taken.bytes), now: clock.now))
    }

    // MARK: Leadership

    private func leaderChanged(_ leader: NodeID?, term: Term) {
        let view = Leadership(leader: leader, term: term, isLocal: leader == localNode)
        observers.publish(view)
        options.log("raft node \(localNode.rawValue): leader \(leader.map { "\($0.rawValue)" } ?? "none") in term \(term.rawValue)")
        // A new term may truncate what was appended or forwarded in an older one: the outcome is
        // unknown. A leader merely unknown for a while (this node is probing for an election)
        // changes nothing yet; the entry may still apply, and the term will tell if it cannot.
        for (proposalID, waiter) in proposals {
            if let sentTo = waiter.sentTo, sentTo.term != term || (leader != nil && leader != sentTo.leader) {
                proposals.removeValue(forKey: proposalID)
                waiter.continuation.resume(returning: .failure(.outcomeUnknown))
            }
        }
        // The leader asked for a read index may never answer; asking again is safe.
        for (readID, waiter) in reads {
            if let asked = waiter.forwardedTerm, asked != term, readsAwaitingApply[readID] == nil {
                reads.removeValue(forKey: readID)
                waiter.continuation.resume(returning: .failure(.noLeader))
            }
        }
    }
}
