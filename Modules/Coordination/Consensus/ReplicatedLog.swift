public import TernPrimitives

// The seam between consensus and the state machines it replicates (the znode tree today). The
// Raft runtime implements `ReplicatedLog` and drives one `ReplicatedStateMachine`; the
// ZooKeeper server implements the state machine and proposes through the log. Neither side
// knows the other's concrete type, so the server runs unchanged on a one-node in-memory log in
// unit tests and on a 3- or 5-node Raft ensemble in production.

/// One committed command, delivered to the state machine in log order on every node.
public struct CommittedCommand: Hashable, Sendable {
    /// Where the command sits in the log; strictly increasing across deliveries.
    public var index: LogIndex
    /// The term it was proposed in; non-decreasing across deliveries.
    public var term: Term
    /// The proposer's bytes, unchanged.
    public var command: [UInt8]

    /// Creates a committed command.
    public init(index: LogIndex, term: Term, command: [UInt8]) {
        self.index = index
        self.term = term
        self.command = command
    }
}

/// A state machine's serialized state as of an applied index.
public struct StateMachineSnapshot: Hashable, Sendable {
    /// The last command the state reflects.
    public var index: LogIndex
    /// That command's term.
    public var term: Term
    /// The state machine's own encoding.
    public var bytes: [UInt8]

    /// Creates a snapshot.
    public init(index: LogIndex, term: Term, bytes: [UInt8]) {
        self.index = index
        self.term = term
        self.bytes = bytes
    }
}

/// Who leads, as one node currently sees it.
public struct Leadership: Hashable, Sendable {
    /// The leader, or nil while an election is running.
    public var leader: NodeID?
    /// The term the view belongs to.
    public var term: Term
    /// True when this node is the leader.
    public var isLocal: Bool

    /// Creates a leadership view.
    public init(leader: NodeID?, term: Term, isLocal: Bool) {
        self.leader = leader
        self.term = term
        self.isLocal = isLocal
    }
}

/// Why a proposal or a read barrier did not complete. After `.outcomeUnknown` the command may
/// still commit later; callers that cannot tell must deduplicate or give the client an error
/// that says so (ZooKeeper's connection loss).
public enum ReplicationError: Error, Hashable, Sendable {
    /// No leader is known right now; retry after the next leadership change.
    case noLeader
    /// The command was handed on but its fate is not known (leader lost, timeout).
    case outcomeUnknown
    /// The command exceeds the log's entry size limit.
    case tooLarge
    /// Too much is outstanding; retry later.
    case overloaded
    /// The log has been shut down.
    case closed
}

/// The application side: applies committed commands and snapshots itself. Calls arrive one at
/// a time, in log order.
public protocol ReplicatedStateMachine: Sendable {
    /// Applies committed commands. Must be deterministic: every node applies the same commands
    /// in the same order and must reach the same state.
    func apply(_ commands: [CommittedCommand]) async
    /// The state as of the last applied command, for log compaction and lagging followers.
    func snapshot() async -> StateMachineSnapshot
    /// Replaces the whole state with a snapshot (at start-up, or sent by the leader).
    func restore(_ snapshot: StateMachineSnapshot) async
}

/// The consensus side: a totally ordered, replicated log of opaque commands.
public protocol ReplicatedLog: Sendable {
    /// This node's id in the ensemble.
    var localNode: NodeID { get }

    /// Appends `command` through the leader (forwarding it when this node follows) and returns
    /// once it is committed and this node's state machine has applied it.
    func propose(_ command: [UInt8]) async throws(ReplicationError)

    /// Returns once this node's state machine has applied everything committed before the
    /// call began (read-index through the leader), so a read served afterwards is linearizable.
    func readBarrier() async throws(ReplicationError)

    /// The current leadership view, then every change to it.
    func leadershipChanges() -> AsyncStream<Leadership>

    /// Sends a small best-effort message to the current leader's `leaderInbox` (session
    /// keep-alives from followers). Dropped when there is no leader.
    func sendToLeader(_ message: [UInt8]) async

    /// Messages other nodes sent with `sendToLeader`, delivered while this node leads.
    func leaderInbox() -> AsyncStream<(from: NodeID, message: [UInt8])>
}
