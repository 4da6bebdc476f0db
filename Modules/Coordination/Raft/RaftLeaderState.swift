import TernPrimitives

// What a leader knows about each follower and about its own term. It exists only inside
// `RaftNode.Role.leader`, so it is dropped the moment the node stops leading.

/// The leader's view of one follower's log.
struct Progress: Sendable {
    /// How the leader is currently sending to this follower.
    enum Mode: Sendable {
        /// The follower's log position is unknown: one append at a time, each waiting for its
        /// answer (or a heartbeat interval) before the next. `sentAt` is nil when free to send.
        case probe(sentAt: Instant?)
        /// The follower is known to match up to `match`: appends are pipelined, at most
        /// `appendsInFlightMax` at once.
        case replicate(inflight: [InflightAppend])
        /// The entries the follower needs are compacted away: a snapshot is being streamed.
        case snapshot(SnapshotTransfer)
    }

    /// The highest index known to be durable on the follower and to match the leader's log.
    var match: LogIndex
    /// The next index to send.
    var next: LogIndex
    /// How entries are sent.
    var mode: Mode
    /// The highest heartbeat round the follower has answered in this term.
    var ackedRound: UInt64

    init(next: LogIndex) {
        match = .zero
        self.next = next
        mode = .probe(sentAt: nil)
        ackedRound = 0
    }
}

/// One pipelined append awaiting its answer.
struct InflightAppend: Sendable {
    /// The last index the append carried.
    var lastIndex: LogIndex
    /// When it was sent, so a lost one is noticed and the follower goes back to probing.
    var sentAt: Instant
}

/// A snapshot being streamed to one follower, one chunk in flight at a time.
struct SnapshotTransfer: Sendable {
    /// The snapshot being sent; when the leader compacts again the transfer restarts.
    var index: LogIndex
    /// The byte offset of the next chunk.
    var offset: UInt64
    /// When the chunk in flight was sent; nil when free to send.
    var sentAt: Instant?
}

/// A read-index request waiting for the leader to confirm it still leads (Raft thesis §6.4).
struct PendingRead: Sendable {
    /// The caller's identifier.
    var requestID: UInt64
    /// The commit index when the read was registered; nil until the leader has committed an
    /// entry of its own term, because before that its commit index may be stale.
    var index: LogIndex?
    /// The heartbeat round whose answers by a majority confirm leadership for this read.
    var round: UInt64
}

/// Everything only a leader tracks.
struct LeaderState: Sendable {
    /// One entry per follower.
    var progress: [NodeID: Progress]
    /// Raised for every heartbeat broadcast; echoed by followers.
    var round: UInt64
    /// When the next heartbeat is due.
    var heartbeatDeadline: Instant
    /// When the leader next checks that a majority has answered it.
    var checkQuorumDeadline: Instant
    /// Followers that answered since the last check-quorum.
    var activeSinceCheck: Set<NodeID>
    /// The index of this term's first entry (the no-op); once committed, the commit index is
    /// current and read-index may use it.
    var termStartIndex: LogIndex
    /// Reads awaiting confirmation or application, oldest first.
    var reads: [PendingRead]
}

/// A snapshot a follower is assembling from chunks.
struct SnapshotAssembly: Sendable {
    var index: LogIndex
    var term: Term
    var totalBytes: UInt64
    var data: [UInt8]

    func isFor(_ chunk: SnapshotChunk) -> Bool {
        index == chunk.snapshotIndex && term == chunk.snapshotTerm && totalBytes == chunk.totalBytes
    }
}
