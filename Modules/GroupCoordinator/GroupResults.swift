// The answers the group coordinator gives, in domain terms; the broker's handlers turn them into
// the wire responses of each version.

public import TernPrimitives

/// The answer to a JoinGroup request.
public struct JoinGroupResult: Hashable, Sendable {
    /// One member as the leader sees it.
    public struct Member: Hashable, Sendable {
        /// The member's id.
        public var memberId: String
        /// The static member's instance id, if any.
        public var groupInstanceId: String?
        /// The member's metadata for the selected protocol.
        public var metadata: [UInt8]

        /// Creates a member entry.
        public init(memberId: String, groupInstanceId: String?, metadata: [UInt8]) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.metadata = metadata
        }
    }

    /// The outcome.
    public var error: GroupErrorCode
    /// The generation joined, or -1 on error.
    public var generationId: Int32
    /// The group's protocol type, if known.
    public var protocolType: String?
    /// The selected protocol, if any.
    public var protocolName: String?
    /// The leader's member id, or "" when there is none.
    public var leaderId: String
    /// Whether the leader should skip computing an assignment (v9+, static leader rejoin).
    public var skipAssignment: Bool
    /// The member's id: assigned by the coordinator for a new member.
    public var memberId: String
    /// Every member with its metadata; non-empty only in the leader's answer.
    public var members: [Member]

    /// Creates a result.
    public init(
        error: GroupErrorCode, generationId: Int32 = -1, protocolType: String? = nil, protocolName: String? = nil,
        leaderId: String = "", skipAssignment: Bool = false, memberId: String, members: [Member] = []
    ) {
        self.error = error
        self.generationId = generationId
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leaderId = leaderId
        self.skipAssignment = skipAssignment
        self.memberId = memberId
        self.members = members
    }

    /// An error answer carrying only the member id.
    static func failure(_ error: GroupErrorCode, memberId: String) -> JoinGroupResult {
        JoinGroupResult(error: error, memberId: memberId)
    }
}

/// The answer to a SyncGroup request.
public struct SyncGroupResult: Hashable, Sendable {
    /// The outcome.
    public var error: GroupErrorCode
    /// The group's protocol type (v5+), set only on success.
    public var protocolType: String?
    /// The group's protocol (v5+), set only on success.
    public var protocolName: String?
    /// The member's assignment from the leader.
    public var assignment: [UInt8]

    /// Creates a result.
    public init(error: GroupErrorCode, protocolType: String? = nil, protocolName: String? = nil, assignment: [UInt8] = []) {
        self.error = error
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignment = assignment
    }
}

/// The answer to a LeaveGroup request.
public struct LeaveGroupResult: Hashable, Sendable {
    /// One member's outcome.
    public struct Member: Hashable, Sendable {
        /// The member id as requested.
        public var memberId: String
        /// The instance id as requested.
        public var groupInstanceId: String?
        /// The outcome for this member.
        public var error: GroupErrorCode

        /// Creates a member outcome.
        public init(memberId: String, groupInstanceId: String?, error: GroupErrorCode) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.error = error
        }
    }

    /// The request-wide outcome; v0–2 handlers report the single member's error here when it
    /// is `.noError`.
    public var error: GroupErrorCode
    /// Each member's outcome, in request order.
    public var members: [Member]

    /// Creates a result.
    public init(error: GroupErrorCode, members: [Member]) {
        self.error = error
        self.members = members
    }
}

/// One partition of an OffsetFetch answer.
public struct FetchedOffset: Hashable, Sendable {
    /// The committed offset, or -1 when there is none.
    public var offset: Int64
    /// The committed leader epoch, or -1.
    public var leaderEpoch: Int32
    /// The committed metadata, or "".
    public var metadata: String
    /// The partition's outcome.
    public var error: GroupErrorCode

    /// Creates a partition answer.
    public init(offset: Int64, leaderEpoch: Int32, metadata: String, error: GroupErrorCode) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.error = error
    }

    /// The answer for a partition with no committed offset.
    public static let absent = FetchedOffset(offset: -1, leaderEpoch: -1, metadata: "", error: .noError)
}

/// The answer to an OffsetFetch request for one group.
public struct OffsetFetchResult: Hashable, Sendable {
    /// The group-wide outcome.
    public var error: GroupErrorCode
    /// Each partition's committed offset: the requested ones, or every committed one when the
    /// request named none.
    public var partitions: [TopicPartition: FetchedOffset]

    /// Creates a result.
    public init(error: GroupErrorCode, partitions: [TopicPartition: FetchedOffset]) {
        self.error = error
        self.partitions = partitions
    }
}

/// The answer to an OffsetDelete request.
public struct OffsetDeleteResult: Hashable, Sendable {
    /// The group-wide outcome; when not `.noError` the partitions are empty.
    public var error: GroupErrorCode
    /// Each requested partition's outcome.
    public var partitions: [TopicPartition: GroupErrorCode]

    /// Creates a result.
    public init(error: GroupErrorCode, partitions: [TopicPartition: GroupErrorCode]) {
        self.error = error
        self.partitions = partitions
    }
}

/// One group as DescribeGroups reports it.
public struct GroupDescription: Hashable, Sendable {
    /// One member as DescribeGroups reports it.
    public struct Member: Hashable, Sendable {
        /// The member's id.
        public var memberId: String
        /// The static member's instance id, if any.
        public var groupInstanceId: String?
        /// The client id.
        public var clientId: String
        /// The client's address.
        public var clientHost: String
        /// The member's metadata for the selected protocol; empty unless the group is Stable.
        public var metadata: [UInt8]
        /// The member's current assignment.
        public var assignment: [UInt8]

        /// Creates a member entry.
        public init(memberId: String, groupInstanceId: String?, clientId: String, clientHost: String, metadata: [UInt8], assignment: [UInt8]) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.metadata = metadata
            self.assignment = assignment
        }
    }

    /// The group id.
    public var groupId: String
    /// The outcome for this group.
    public var error: GroupErrorCode
    /// Kafka's state name: `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable` or `Dead`.
    public var state: ClassicGroupState
    /// The protocol type, or "".
    public var protocolType: String
    /// The selected protocol when Stable, otherwise "".
    public var protocolData: String
    /// The members, in join order.
    public var members: [Member]

    /// Creates a description.
    public init(groupId: String, error: GroupErrorCode, state: ClassicGroupState, protocolType: String, protocolData: String, members: [Member]) {
        self.groupId = groupId
        self.error = error
        self.state = state
        self.protocolType = protocolType
        self.protocolData = protocolData
        self.members = members
    }
}

/// One group as ListGroups reports it.
public struct GroupListing: Hashable, Sendable {
    /// The group id.
    public var groupId: String
    /// The protocol type, or "" for a group used only for offsets.
    public var protocolType: String
    /// The group's state.
    public var state: ClassicGroupState

    /// Creates a listing.
    public init(groupId: String, protocolType: String, state: ClassicGroupState) {
        self.groupId = groupId
        self.protocolType = protocolType
        self.state = state
    }
}

/// What the coordinator answers a request with; carried by `GroupAction.respond`.
public enum GroupResponse: Hashable, Sendable {
    /// A JoinGroup answer.
    case join(JoinGroupResult)
    /// A SyncGroup answer.
    case sync(SyncGroupResult)
    /// A Heartbeat answer.
    case heartbeat(GroupErrorCode)
    /// A LeaveGroup answer.
    case leave(LeaveGroupResult)
    /// An OffsetCommit answer: every requested partition's outcome.
    case offsetCommit([TopicPartition: GroupErrorCode])
    /// An OffsetDelete answer.
    case offsetDelete(OffsetDeleteResult)
    /// A DeleteGroups answer: every requested group's outcome.
    case deleteGroups([String: GroupErrorCode])
}
