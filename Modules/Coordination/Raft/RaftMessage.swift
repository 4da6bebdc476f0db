// The messages Raft nodes exchange. The sender and recipient are not part of a message: the
// driver's transport knows which connection a frame came from and passes it to `receive(_:from:)`.

/// A request for a vote, real or trial (pre-vote).
public struct VoteRequest: Hashable, Sendable {
    /// The term the candidate stands in; for a pre-vote, the term it would stand in.
    public var term: Term
    /// The index of the candidate's last entry.
    public var lastLogIndex: LogIndex
    /// The term of the candidate's last entry.
    public var lastLogTerm: Term

    /// Creates a vote request.
    public init(term: Term, lastLogIndex: LogIndex, lastLogTerm: Term) {
        self.term = term
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
    }
}

/// The answer to a `VoteRequest`.
public struct VoteResponse: Hashable, Sendable {
    /// For a grant, the term asked about; for a refusal, the voter's own term, so that a
    /// candidate behind the times can catch up.
    public var term: Term
    /// Whether the vote (or trial vote) is given.
    public var granted: Bool

    /// Creates a vote response.
    public init(term: Term, granted: Bool) {
        self.term = term
        self.granted = granted
    }
}

/// AppendEntries: new entries for a follower, or an empty heartbeat.
public struct AppendRequest: Hashable, Sendable {
    /// The leader's term.
    public var term: Term
    /// The index of the entry just before `entries`.
    public var prevLogIndex: LogIndex
    /// The term of the entry at `prevLogIndex`.
    public var prevLogTerm: Term
    /// The entries to store, contiguous from `prevLogIndex + 1`.
    public var entries: [LogEntry]
    /// The leader's commit index.
    public var leaderCommit: LogIndex
    /// The leader's heartbeat round when it sent this message; the follower echoes it so the
    /// leader can confirm its leadership for read-index.
    public var round: UInt64

    /// Creates an append request.
    public init(
        term: Term, prevLogIndex: LogIndex, prevLogTerm: Term,
        entries: [LogEntry], leaderCommit: LogIndex, round: UInt64
    ) {
        self.term = term
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.entries = entries
        self.leaderCommit = leaderCommit
        self.round = round
    }
}

/// The answer to an `AppendRequest`.
public struct AppendResponse: Hashable, Sendable {
    /// How the follower's log compared with the leader's.
    public enum Result: Hashable, Sendable {
        /// The follower's log matches the leader's up to and including `matchIndex`, and those
        /// entries are durable.
        case success(matchIndex: LogIndex)
        /// The follower has no entry at `rejectedIndex` with the requested term. The hint lets
        /// the leader skip a whole term at a time instead of one index per round trip.
        case rejected(rejectedIndex: LogIndex, conflictIndex: LogIndex, conflictTerm: Term)
    }

    /// The follower's term.
    public var term: Term
    /// The outcome.
    public var result: Result
    /// The `round` of the request answered.
    public var round: UInt64

    /// Creates an append response.
    public init(term: Term, result: Result, round: UInt64) {
        self.term = term
        self.result = result
        self.round = round
    }
}

/// One slice of a snapshot, sent to a follower whose next entry the leader has compacted away.
public struct SnapshotChunk: Hashable, Sendable {
    /// The leader's term.
    public var term: Term
    /// The last index the snapshot covers.
    public var snapshotIndex: LogIndex
    /// The term of the entry at `snapshotIndex`.
    public var snapshotTerm: Term
    /// The byte offset of `data` within the snapshot.
    public var offset: UInt64
    /// The snapshot's whole size, so the follower can refuse one it could not hold.
    public var totalBytes: UInt64
    /// The slice itself.
    public var data: [UInt8]
    /// The leader's heartbeat round, echoed like `AppendRequest.round`.
    public var round: UInt64

    /// Creates a snapshot chunk.
    public init(
        term: Term, snapshotIndex: LogIndex, snapshotTerm: Term,
        offset: UInt64, totalBytes: UInt64, data: [UInt8], round: UInt64
    ) {
        self.term = term
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.offset = offset
        self.totalBytes = totalBytes
        self.data = data
        self.round = round
    }

    /// Whether this chunk ends the snapshot.
    public var isLast: Bool { offset + UInt64(data.count) == totalBytes }
}

/// The answer to a `SnapshotChunk`.
public struct SnapshotResponse: Hashable, Sendable {
    /// The follower's term.
    public var term: Term
    /// The snapshot the answer is about.
    public var snapshotIndex: LogIndex
    /// The byte offset the follower expects next; the leader resends from there.
    public var nextOffset: UInt64
    /// Whether the follower now holds the whole snapshot durably.
    public var installed: Bool
    /// The `round` of the chunk answered.
    public var round: UInt64

    /// Creates a snapshot response.
    public init(term: Term, snapshotIndex: LogIndex, nextOffset: UInt64, installed: Bool, round: UInt64) {
        self.term = term
        self.snapshotIndex = snapshotIndex
        self.nextOffset = nextOffset
        self.installed = installed
        self.round = round
    }
}

/// Every message of the protocol.
public enum RaftMessage: Hashable, Sendable {
    /// Asks whether the sender could win an election, without disturbing anyone's term.
    case preVoteRequest(VoteRequest)
    /// Answers a pre-vote.
    case preVoteResponse(VoteResponse)
    /// Asks for a vote.
    case voteRequest(VoteRequest)
    /// Answers a vote request.
    case voteResponse(VoteResponse)
    /// Replicates entries, or is a heartbeat when empty.
    case appendRequest(AppendRequest)
    /// Answers an append.
    case appendResponse(AppendResponse)
    /// Carries a slice of a snapshot.
    case snapshotChunk(SnapshotChunk)
    /// Answers a snapshot chunk.
    case snapshotResponse(SnapshotResponse)

    /// The term the message carries.
    public var term: Term {
        switch self {
        case let .preVoteRequest(request), let .voteRequest(request): request.term
        case let .preVoteResponse(response), let .voteResponse(response): response.term
        case let .appendRequest(request): request.term
        case let .appendResponse(response): response.term
        case let .snapshotChunk(chunk): chunk.term
        case let .snapshotResponse(response): response.term
        }
    }
}
