// The requests the group coordinator understands, in domain terms. The broker's handlers build
// these from the wire messages (whatever their version) and fill in what older versions lack,
// for example the rebalance timeout of a JoinGroup v0, which is its session timeout.

public import TernPrimitives

/// Identifies a request the driver holds open until an action answers it. The driver chooses
/// the values; the coordinator only hands them back.
public struct RequestToken: Hashable, Sendable, CustomStringConvertible {
    /// The driver's number for the request.
    public var rawValue: UInt64

    /// Wraps a driver-chosen number.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "request \(rawValue)" }
}

/// One protocol a member supports (for consumers, an assignor such as `range`), with the
/// member's metadata for it (for consumers, its serialized subscription).
public struct GroupProtocol: Hashable, Sendable {
    /// The protocol's name.
    public var name: String
    /// Opaque bytes the group leader reads.
    public var metadata: [UInt8]

    /// Creates a protocol entry.
    public init(name: String, metadata: [UInt8] = []) {
        self.name = name
        self.metadata = metadata
    }
}

/// A JoinGroup request.
public struct JoinGroupEvent: Hashable, Sendable {
    /// The group to join.
    public var groupId: String
    /// The member's id, or "" for a member that has none yet.
    public var memberId: String
    /// The static member's `group.instance.id`, or nil for a dynamic member.
    public var groupInstanceId: String?
    /// The client id from the request header.
    public var clientId: String
    /// The client's address, as DescribeGroups reports it.
    public var clientHost: String
    /// How long the member may go without a heartbeat.
    public var sessionTimeout: Duration
    /// How long the member may take to rejoin during a rebalance (v0: the session timeout).
    public var rebalanceTimeout: Duration
    /// The protocol type, `consumer` for Kafka consumers.
    public var protocolType: String
    /// The protocols the member supports, most preferred first.
    public var protocols: [GroupProtocol]
    /// Whether a new dynamic member must first fetch a member id (JoinGroup v4+).
    public var requiresKnownMemberId: Bool
    /// Whether the client understands `skipAssignment` (JoinGroup v9+).
    public var supportsSkippingAssignment: Bool

    /// Creates a JoinGroup request.
    public init(
        groupId: String, memberId: String = "", groupInstanceId: String? = nil,
        clientId: String, clientHost: String, sessionTimeout: Duration, rebalanceTimeout: Duration,
        protocolType: String, protocols: [GroupProtocol],
        requiresKnownMemberId: Bool = true, supportsSkippingAssignment: Bool = false
    ) {
        self.groupId = groupId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.sessionTimeout = sessionTimeout
        self.rebalanceTimeout = rebalanceTimeout
        self.protocolType = protocolType
        self.protocols = protocols
        self.requiresKnownMemberId = requiresKnownMemberId
        self.supportsSkippingAssignment = supportsSkippingAssignment
    }
}

/// A SyncGroup request. Only the leader's carries assignments.
public struct SyncGroupEvent: Hashable, Sendable {
    /// The group.
    public var groupId: String
    /// The generation the member joined.
    public var generationId: Int32
    /// The member's id.
    public var memberId: String
    /// The static member's instance id, if any.
    public var groupInstanceId: String?
    /// The protocol type the member expects (v5+), or nil when not sent.
    public var protocolType: String?
    /// The protocol name the member expects (v5+), or nil when not sent.
    public var protocolName: String?
    /// The leader's assignment for each member id.
    public var assignments: [String: [UInt8]]

    /// Creates a SyncGroup request.
    public init(
        groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil,
        protocolType: String? = nil, protocolName: String? = nil, assignments: [String: [UInt8]] = [:]
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }
}

/// A Heartbeat request.
public struct HeartbeatEvent: Hashable, Sendable {
    /// The group.
    public var groupId: String
    /// The generation the member believes is current.
    public var generationId: Int32
    /// The member's id.
    public var memberId: String
    /// The static member's instance id, if any.
    public var groupInstanceId: String?

    /// Creates a Heartbeat request.
    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }
}

/// A LeaveGroup request: one member for v0–2, a batch from v3 on.
public struct LeaveGroupEvent: Hashable, Sendable {
    /// One member to remove.
    public struct Member: Hashable, Sendable {
        /// The member's id, or "" to remove a static member by instance id alone (admin use).
        public var memberId: String
        /// The static member's instance id, if any.
        public var groupInstanceId: String?

        /// Names a leaving member.
        public init(memberId: String, groupInstanceId: String? = nil) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
        }
    }

    /// The group.
    public var groupId: String
    /// The members to remove, in request order.
    public var members: [Member]

    /// Creates a LeaveGroup request.
    public init(groupId: String, members: [Member]) {
        self.groupId = groupId
        self.members = members
    }
}

/// An OffsetCommit request (non-transactional).
public struct OffsetCommitEvent: Hashable, Sendable {
    /// One partition's committed position.
    public struct Partition: Hashable, Sendable {
        /// The partition.
        public var topicPartition: TopicPartition
        /// The next offset the group will consume.
        public var offset: Int64
        /// The leader epoch of the last consumed record, or -1 when unknown (v6+).
        public var leaderEpoch: Int32
        /// Client metadata stored with the offset; nil is stored as "".
        public var metadata: String?

        /// Creates a partition entry.
        public init(topicPartition: TopicPartition, offset: Int64, leaderEpoch: Int32 = -1, metadata: String? = nil) {
            self.topicPartition = topicPartition
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.metadata = metadata
        }
    }

    /// The group.
    public var groupId: String
    /// The committer's generation, or -1 for a commit outside group management.
    public var generationId: Int32
    /// The committer's member id, or "".
    public var memberId: String
    /// The static member's instance id, if any.
    public var groupInstanceId: String?
    /// An explicit retention (OffsetCommit v2–4 `retention_time_ms`), or nil for the broker's.
    /// An explicit value is stored as an expire timestamp, so it survives config changes.
    public var retention: Duration?
    /// The partitions, in request order.
    public var partitions: [Partition]

    /// Creates an OffsetCommit request.
    public init(
        groupId: String, generationId: Int32 = -1, memberId: String = "", groupInstanceId: String? = nil,
        retention: Duration? = nil, partitions: [Partition]
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.retention = retention
        self.partitions = partitions
    }
}
