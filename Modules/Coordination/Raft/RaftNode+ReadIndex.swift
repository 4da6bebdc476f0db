import TernPrimitives

// Linearizable reads without writing to the log (read-index, Raft thesis §6.4).
//
// The leader records its commit index as the read's index, starts a new heartbeat round, and
// serves the read once a majority (itself included) has answered a message of that round or a
// later one, and its state machine has applied the read's index. A majority answering in our
// term after the read arrived proves no newer leader could have committed anything yet; the
// read's index is then at least every write acknowledged before the read began.
//
// A new leader's commit index may lag entries an earlier leader committed, so reads wait until
// the leader has committed its term's no-op. Reads are served in arrival order: their indices
// and rounds only grow, so the oldest is always the first to become ready.

extension RaftNode {
    mutating func registerRead(requestID: UInt64, state: inout LeaderState, now: Instant) {
        guard state.reads.count < configuration.limits.readsPendingMax else {
            output.append(.readFailed(requestID: requestID, .tooManyPending))
            return
        }
        guard commitIndex >= state.termStartIndex else {
            state.reads.append(PendingRead(requestID: requestID, index: nil, round: 0))
            return
        }
        broadcastRound(state: &state, now: now)
        state.reads.append(PendingRead(requestID: requestID, index: commitIndex, round: state.round))
    }

    /// Gives waiting reads an index once this term has a commit, then releases every read that
    /// is confirmed and applied. Runs at the end of each event.
    mutating func serveReads(state: inout LeaderState, now: Instant) {
        if commitIndex >= state.termStartIndex, state.reads.contains(where: { $0.index == nil }) {
            broadcastRound(state: &state, now: now)
            for position in state.reads.indices where state.reads[position].index == nil {
                state.reads[position].index = commitIndex
                state.reads[position].round = state.round
            }
        }
        while let read = state.reads.first, let index = read.index,
              isRoundConfirmed(read.round, state: state), appliedIndex >= index {
            output.append(.readReady(requestID: read.requestID, index: index))
            state.reads.removeFirst()
        }
    }

    /// Whether a majority, counting the leader, has answered round `round` or a later one.
    private func isRoundConfirmed(_ round: UInt64, state: LeaderState) -> Bool {
        let answered = state.progress.values.count { $0.ackedRound >= round }
        return answered + 1 >= configuration.quorum
    }
}
