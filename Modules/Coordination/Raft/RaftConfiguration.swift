public import TernPrimitives

/// Every bound the Raft core puts on memory and work. Network input can only grow a queue or a
/// buffer up to one of these, so a reviewer can see them all in one place.
public struct RaftLimits: Hashable, Sendable {
    /// Most entries in one AppendEntries message.
    public var appendEntriesMax: Int
    /// Most entry bytes in one AppendEntries message; a single larger entry still goes alone.
    public var appendBytesMax: Int
    /// Most AppendEntries messages the leader has in flight to one follower while pipelining.
    public var appendsInFlightMax: Int
    /// Most entries the leader holds beyond its commit index before refusing proposals.
    public var uncommittedEntriesMax: Int
    /// Largest command one entry may carry.
    public var entryBytesMax: Int
    /// Largest slice of a snapshot in one InstallSnapshot message.
    public var snapshotChunkBytesMax: Int
    /// Largest snapshot a follower will assemble from chunks.
    public var snapshotBytesMax: Int
    /// Most read-index requests the leader holds while it confirms leadership.
    public var readsPendingMax: Int
    /// Most outgoing messages held back until a write is durable; beyond it they are dropped
    /// and the peer's retry brings them back.
    public var heldMessagesMax: Int
    /// Most durable writes outstanding before a follower stops accepting new entries.
    public var writesInFlightMax: Int

    /// Creates limits.
    public init(
        appendEntriesMax: Int = 256,
        appendBytesMax: Int = 1 << 20,
        appendsInFlightMax: Int = 16,
        uncommittedEntriesMax: Int = 4096,
        entryBytesMax: Int = 1 << 20,
        snapshotChunkBytesMax: Int = 1 << 20,
        snapshotBytesMax: Int = 1 << 30,
        readsPendingMax: Int = 4096,
        heldMessagesMax: Int = 1024,
        writesInFlightMax: Int = 256
    ) {
        self.appendEntriesMax = appendEntriesMax
        self.appendBytesMax = appendBytesMax
        self.appendsInFlightMax = appendsInFlightMax
        self.uncommittedEntriesMax = uncommittedEntriesMax
        self.entryBytesMax = entryBytesMax
        self.snapshotChunkBytesMax = snapshotChunkBytesMax
        self.snapshotBytesMax = snapshotBytesMax
        self.readsPendingMax = readsPendingMax
        self.heldMessagesMax = heldMessagesMax
        self.writesInFlightMax = writesInFlightMax
    }

    /// True when every bound is positive and one message of each kind can carry what it must.
    public var isValid: Bool {
        appendEntriesMax > 0 && appendBytesMax > 0 && appendsInFlightMax > 0
            && uncommittedEntriesMax > 0 && entryBytesMax > 0 && snapshotChunkBytesMax > 0
            && snapshotBytesMax >= snapshotChunkBytesMax && readsPendingMax > 0
            && heldMessagesMax > 0 && writesInFlightMax > 0
            && appendEntriesMax <= Int(UInt32.max) && entryBytesMax <= Int(UInt32.max)
            && snapshotChunkBytesMax <= Int(UInt32.max)
    }
}

/// How one node of a Raft group is set up. Membership is static: every node of the group must be
/// given the same `voters`.
public struct RaftConfiguration: Hashable, Sendable {
    /// This node.
    public var nodeID: NodeID
    /// Every voting member, this node included.
    public var voters: Set<NodeID>
    /// The shortest election timeout. Each wait is drawn from [timeout, 2 × timeout), and a
    /// follower that heard from its leader within one timeout refuses to vote for anyone else.
    public var electionTimeout: Duration
    /// How often the leader sends heartbeats; well under the election timeout.
    public var heartbeatInterval: Duration
    /// The bounds on memory and work.
    public var limits: RaftLimits

    /// Creates a configuration.
    public init(
        nodeID: NodeID,
        voters: Set<NodeID>,
        electionTimeout: Duration = .milliseconds(300),
        heartbeatInterval: Duration = .milliseconds(50),
        limits: RaftLimits = RaftLimits()
    ) {
        self.nodeID = nodeID
        self.voters = voters
        self.electionTimeout = electionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.limits = limits
    }

    /// The other voters, in a fixed order so that message order replays from a seed.
    var peers: [NodeID] { voters.subtracting([nodeID]).sorted() }

    /// How many voters make a majority.
    var quorum: Int { voters.count / 2 + 1 }
}
