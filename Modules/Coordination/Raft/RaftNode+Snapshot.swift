import TernPrimitives

// Snapshots: the application compacting the log, and the leader streaming its snapshot to a
// follower that needs entries the leader no longer has (InstallSnapshot, Raft §7).
//
// The leader sends one chunk of at most `snapshotChunkBytesMax` bytes at a time and waits for
// the answer, which names the offset the follower wants next; a lost chunk is resent after two
// heartbeat intervals. The follower assembles chunks in order (an out-of-order chunk is answered
// with the offset it expects), bounded by `snapshotBytesMax`, and acknowledges the whole only
// once the snapshot is durable. If the leader compacts again mid-transfer it restarts the
// transfer with the newer snapshot, and the follower starts over when it sees offset zero.

extension RaftNode {
    /// Sends the next chunk if none is in flight. Returns whether one went out.
    mutating func sendSnapshotChunk(to peer: NodeID, progress: inout Progress, round: UInt64, now: Instant) -> Bool {
        guard case var .snapshot(transfer) = progress.mode, transfer.sentAt == nil else { return false }
        guard let snapshot else {
            preconditionFailure("a follower is in snapshot mode only when a snapshot exists")
        }
        if transfer.index != snapshot.index {
            transfer = SnapshotTransfer(index: snapshot.index, offset: 0, sentAt: nil)
        }
        let total = snapshot.data.count
        let start = Int(min(transfer.offset, UInt64(total)))
        let end = min(start + configuration.limits.snapshotChunkBytesMax, total)
        let chunk = SnapshotChunk(
            term: term, snapshotIndex: snapshot.index, snapshotTerm: snapshot.term,
            offset: UInt64(start), totalBytes: UInt64(total), data: Array(snapshot.data[start..<end]), round: round
        )
        transfer.offset = UInt64(start)
        transfer.sentAt = now
        progress.mode = .snapshot(transfer)
        send(.snapshotChunk(chunk), to: peer)
        return true
    }

    mutating func handleSnapshotResponse(_ response: SnapshotResponse, from peer: NodeID, now: Instant) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        state.activeSinceCheck.insert(peer)
        progress.ackedRound = max(progress.ackedRound, response.round)
        if case var .snapshot(transfer) = progress.mode, response.snapshotIndex == transfer.index {
            if response.installed {
                // The snapshot covers only committed entries, which are in our log or snapshot.
                progress.match = max(progress.match, min(response.snapshotIndex, log.lastIndex))
                progress.next = progress.match.successor
                progress.mode = .probe(sentAt: nil)
            } else {
                transfer.offset = response.nextOffset
                transfer.sentAt = nil
                progress.mode = .snapshot(transfer)
            }
        }
        state.progress[peer] = progress
        advanceCommit(&state)
        sendAppend(to: peer, state: &state, now: now)
        role = .leader(state)
    }

    mutating func handleSnapshotChunk(_ chunk: SnapshotChunk, from peer: NodeID, now: Instant) {
        guard acceptLeader(peer, now: now) else { return }
        // A snapshot from a later term than its sender's, or near the end of the index space,
        // is garbage; adopting it would break the log's own invariants.
        guard chunk.snapshotTerm <= chunk.term, chunk.snapshotIndex < LogIndex.ceiling,
              chunk.totalBytes <= UInt64(configuration.limits.snapshotBytesMax),
              chunk.offset <= chunk.totalBytes,
              UInt64(chunk.data.count) <= chunk.totalBytes - chunk.offset
        else { return }
        let responseTerm = term
        let answer = { (nextOffset: UInt64, installed: Bool) in
            SnapshotResponse(
                term: responseTerm, snapshotIndex: chunk.snapshotIndex,
                nextOffset: nextOffset, installed: installed, round: chunk.round)
        }
        if chunk.snapshotIndex <= commitIndex {
            // We already have everything it covers; the leader can move on to entries.
            incomingSnapshot = nil
            sendWhenDurable(.snapshotResponse(answer(chunk.totalBytes, true)), to: peer)
            return
        }
        if chunk.offset == 0, incomingSnapshot?.isFor(chunk) != true {
            incomingSnapshot = SnapshotAssembly(
                index: chunk.snapshotIndex, term: chunk.snapshotTerm, totalBytes: chunk.totalBytes, data: [])
        }
        guard var assembly = incomingSnapshot, assembly.isFor(chunk),
              UInt64(assembly.data.count) == chunk.offset
        else {
            let expected = incomingSnapshot.map { $0.isFor(chunk) ? UInt64($0.data.count) : 0 } ?? 0
            send(.snapshotResponse(answer(expected, false)), to: peer)
            return
        }
        assembly.data.append(contentsOf: chunk.data)
        guard UInt64(assembly.data.count) == assembly.totalBytes else {
            incomingSnapshot = assembly
            send(.snapshotResponse(answer(UInt64(assembly.data.count), false)), to: peer)
            return
        }
        incomingSnapshot = nil
        installSnapshot(Snapshot(index: assembly.index, term: assembly.term, data: assembly.data))
        sendWhenDurable(.snapshotResponse(answer(assembly.totalBytes, true)), to: peer)
    }

    /// Replaces the state machine and the log's prefix with a snapshot from the leader.
    private mutating func installSnapshot(_ installed: Snapshot) {
        precondition(installed.index > commitIndex, "only a snapshot past the commit index is news")
        let keptTail = log.compact(through: installed.index, term: installed.term)
        if !keptTail {
            // Our tail disagrees with the snapshot, so none of it was committed: drop it. The
            // durable tail goes in the same write, before the snapshot, so a torn write never
            // leaves a stale tail hanging off the new snapshot.
            truncateLog(from: installed.index.successor)
            markLogChanged(from: installed.index.successor)
        }
        snapshot = installed
        writes.snapshotDirty = installed
        commitIndex = installed.index
        appliedIndex = installed.index
        output.append(.restoreSnapshot(installed))
    }

    /// The application's own snapshot: drop the applied prefix of the log.
    mutating func compactLog(to taken: Snapshot) {
        precondition(taken.index <= appliedIndex, "a snapshot can only cover applied entries")
        precondition(taken.data.count <= configuration.limits.snapshotBytesMax, "snapshot exceeds snapshotBytesMax")
        guard taken.index > log.snapshotIndex else { return }
        precondition(log.term(at: taken.index) == taken.term, "the snapshot's term must match the log")
        log.compact(through: taken.index, term: taken.term)
        snapshot = taken
        writes.snapshotDirty = taken
    }
}
