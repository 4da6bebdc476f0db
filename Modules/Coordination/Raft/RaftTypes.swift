public import TernPrimitives

// The small value types shared by the Raft core, its messages and its drivers. Terms and log
// indices get their own types so that one can never be passed where the other is expected;
// both are plain counters that start at zero, where zero means "nothing yet".

/// A Raft election term. Raft's word, kept distinct from Kafka's `leaderEpoch` (see the design
/// note in `Coordination.swift`).
public struct Term: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The term as a counter; zero is the term before any election.
    public var rawValue: UInt64

    /// Creates a term from its counter.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Creates a term from an integer literal, for tests and configuration.
    public init(integerLiteral value: UInt64) {
        rawValue = value
    }

    /// The term before any election.
    public static let zero = Term(0)

    /// Terms at or above this are refused from peers. Real elections never get near it, and
    /// adopting a term close to `UInt64.max` from a corrupt or hostile peer would leave no room
    /// for the next election.
    public static let ceiling = Term(1 << 62)

    /// The term after this one.
    public var successor: Term { Term(rawValue + 1) }

    public static func < (lhs: Term, rhs: Term) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "term \(rawValue)" }
}

/// The position of an entry in the replicated log. Index 1 holds the first entry; index 0 is the
/// empty prefix that every log shares.
public struct LogIndex: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The index as a counter.
    public var rawValue: UInt64

    /// Creates an index from its counter.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Creates an index from an integer literal, for tests.
    public init(integerLiteral value: UInt64) {
        rawValue = value
    }

    /// The empty prefix, before the first entry.
    public static let zero = LogIndex(0)

    /// Snapshot indices at or above this are refused from peers: no real log gets near it, and
    /// jumping a log close to `UInt64.max` would leave no room to append.
    public static let ceiling = LogIndex(1 << 62)

    /// The index after this one.
    public var successor: LogIndex { LogIndex(rawValue + 1) }

    /// The index before this one. Index zero has no predecessor; asking is our own bug.
    public var predecessor: LogIndex {
        precondition(rawValue > 0, "index 0 has no predecessor")
        return LogIndex(rawValue - 1)
    }

    /// The index `count` entries later.
    public static func + (lhs: LogIndex, rhs: Int) -> LogIndex {
        precondition(rhs >= 0, "log indices only move forward by a count")
        return LogIndex(lhs.rawValue + UInt64(rhs))
    }

    /// The number of entries from `rhs` (exclusive) to `lhs` (inclusive); zero when `lhs <= rhs`.
    public static func - (lhs: LogIndex, rhs: LogIndex) -> Int {
        lhs > rhs ? Int(lhs.rawValue - rhs.rawValue) : 0
    }

    public static func < (lhs: LogIndex, rhs: LogIndex) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "index \(rawValue)" }
}

/// One entry of the replicated log.
public struct LogEntry: Hashable, Sendable {
    /// What an entry carries. Only `command` entries reach the application's state machine as
    /// data; `noop` is the empty entry a new leader appends to commit its term (Raft §8).
    public enum Kind: UInt8, Hashable, Sendable {
        /// An application command proposed by a client.
        case command = 0
        /// A leader's first entry of its term; carries no data.
        case noop = 1
    }

    /// The entry's position in the log.
    public var index: LogIndex
    /// The term of the leader that created the entry.
    public var term: Term
    /// What the entry carries.
    public var kind: Kind
    /// The command's bytes; empty for `noop`.
    public var data: [UInt8]

    /// Creates an entry.
    public init(index: LogIndex, term: Term, kind: Kind = .command, data: [UInt8] = []) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }

    /// The bytes the entry costs in a message, used for the per-message byte bound.
    var encodedSize: Int { 8 + 1 + 4 + data.count }
}

/// The part of a node's state that must be durable before the node acts on it (Raft Figure 2):
/// the current term and the vote cast in it.
public struct HardState: Hashable, Sendable {
    /// The latest term this node has seen.
    public var term: Term
    /// The candidate this node voted for in `term`, if any.
    public var votedFor: NodeID?

    /// Creates a hard state.
    public init(term: Term, votedFor: NodeID?) {
        self.term = term
        self.votedFor = votedFor
    }

    /// The state of a node that has never run.
    public static let initial = HardState(term: .zero, votedFor: nil)
}

/// The application's state machine as of one log index: everything up to and including
/// `index` is folded into `data`, so the log before it can be discarded.
public struct Snapshot: Hashable, Sendable {
    /// The last log index the snapshot covers.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: Term
    /// The application's serialized state; opaque to Raft.
    public var data: [UInt8]

    /// Creates a snapshot.
    public init(index: LogIndex, term: Term, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }
}

/// Identifies one `PersistRequest`. Tickets rise by one per request within one run of a node;
/// the driver reports completion with `RaftNode.persisted(upTo:now:)`.
public struct PersistTicket: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The ticket as a counter; zero means "no write yet".
    public var rawValue: UInt64

    /// Creates a ticket from its counter.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: PersistTicket, rhs: PersistTicket) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "ticket \(rawValue)" }
}

/// A replacement of the durable log's tail: drop every entry at or after `from`, then append
/// `entries` (which, when not empty, start at `from`).
public struct LogWrite: Hashable, Sendable {
    /// The first index replaced.
    public var from: LogIndex
    /// The entries that take the place of the dropped tail, contiguous from `from`.
    public var entries: [LogEntry]

    /// Creates a log write.
    public init(from: LogIndex, entries: [LogEntry]) {
        self.from = from
        self.entries = entries
    }
}

/// One durable write the driver must perform, then report with `persisted(upTo:)`.
///
/// The driver applies the parts in this order: truncate the log from `log.from`, store
/// `snapshot` (dropping durable entries at or below its index), store `hardState`, append
/// `log.entries`. A crash may stop the write anywhere in that sequence, but a later part must
/// never be durable while an earlier one is not, and requests complete in ticket order.
public struct PersistRequest: Hashable, Sendable {
    /// The ticket to report when this write and every earlier one are durable.
    public var ticket: PersistTicket
    /// A new snapshot that replaces the stored one, if any.
    public var snapshot: Snapshot?
    /// A new hard state, if it changed.
    public var hardState: HardState?
    /// A change to the log's tail, if any.
    public var log: LogWrite?

    /// Creates a persist request.
    public init(ticket: PersistTicket, snapshot: Snapshot?, hardState: HardState?, log: LogWrite?) {
        self.ticket = ticket
        self.snapshot = snapshot
        self.hardState = hardState
        self.log = log
    }
}

/// What a node finds on its disk when it starts: the input to `RaftNode.init`.
public struct DurableState: Hashable, Sendable {
    /// The last durable hard state.
    public var hardState: HardState
    /// The last durable snapshot, if any.
    public var snapshot: Snapshot?
    /// The durable entries after the snapshot, contiguous.
    public var entries: [LogEntry]

    /// Creates a durable state.
    public init(hardState: HardState, snapshot: Snapshot?, entries: [LogEntry]) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// An empty disk: the state of a node that has never run.
    public static let empty = DurableState(hardState: .initial, snapshot: nil, entries: [])
}

/// The role a node plays in its current term, as seen from outside the core.
public enum RaftRole: Hashable, Sendable {
    /// Follows a leader, or waits for one.
    case follower
    /// Asks whether it could win an election, without raising its term (Raft thesis §9.6).
    case preCandidate
    /// Raised its term and asks for votes.
    case candidate
    /// Accepts proposals and replicates the log.
    case leader
}
