// The Kafka error codes a group coordinator answers with. This module may not import TernProtocol
// (the broker's handlers translate both ways), so it keeps its own small enum whose raw values are
// Kafka's wire codes: a handler converts with `KafkaErrorCode(rawValue: code.rawValue)`.

/// A Kafka error code from the group coordinator's vocabulary, with Kafka's numeric value.
public enum GroupErrorCode: Int16, Hashable, Sendable, CaseIterable {
    /// UNKNOWN_SERVER_ERROR: an unexpected failure, such as a failed write of unknown cause.
    case unknownServerError = -1
    /// NONE.
    case noError = 0
    /// UNKNOWN_TOPIC_OR_PARTITION: the topic name cannot be stored (longer than a record allows).
    case unknownTopicOrPartition = 3
    /// OFFSET_METADATA_TOO_LARGE: the commit's metadata string exceeds `offset.metadata.max.bytes`.
    case offsetMetadataTooLarge = 12
    /// COORDINATOR_LOAD_IN_PROGRESS: the coordinator is still replaying `__consumer_offsets`.
    case coordinatorLoadInProgress = 14
    /// COORDINATOR_NOT_AVAILABLE: the group is gone or its log cannot take writes right now.
    case coordinatorNotAvailable = 15
    /// NOT_COORDINATOR: this broker no longer leads the group's `__consumer_offsets` partition.
    case notCoordinator = 16
    /// ILLEGAL_GENERATION: the request names a generation other than the group's current one.
    case illegalGeneration = 22
    /// INCONSISTENT_GROUP_PROTOCOL: the member's protocol type or protocols do not fit the group.
    case inconsistentGroupProtocol = 23
    /// INVALID_GROUP_ID: the group id is empty where the API requires one.
    case invalidGroupId = 24
    /// UNKNOWN_MEMBER_ID: the member id is not (or no longer) part of the group.
    case unknownMemberId = 25
    /// INVALID_SESSION_TIMEOUT: the session timeout lies outside the broker's allowed range.
    case invalidSessionTimeout = 26
    /// REBALANCE_IN_PROGRESS: the member must rejoin the group.
    case rebalanceInProgress = 27
    /// INVALID_COMMIT_OFFSET_SIZE: the commit's records were too large for the log.
    case invalidCommitOffsetSize = 28
    /// INVALID_REQUEST: a field is too long to be stored in a `__consumer_offsets` record.
    case invalidRequest = 42
    /// NON_EMPTY_GROUP: the group still has members.
    case nonEmptyGroup = 68
    /// GROUP_ID_NOT_FOUND: there is no such group.
    case groupIdNotFound = 69
    /// MEMBER_ID_REQUIRED: a new member must rejoin with the member id returned alongside.
    case memberIdRequired = 79
    /// GROUP_MAX_SIZE_REACHED: the group already holds `group.max.size` members.
    case groupMaxSizeReached = 81
    /// FENCED_INSTANCE_ID: another member id now owns this `group.instance.id`.
    case fencedInstanceId = 82
    /// GROUP_SUBSCRIBED_TO_TOPIC: offsets of a topic the group consumes cannot be deleted.
    case groupSubscribedToTopic = 86
    /// UNSTABLE_OFFSET_COMMIT: a commit for the partition is still being written.
    case unstableOffsetCommit = 88
}

/// Why the driver could not make an append to `__consumer_offsets` durable. The driver maps its
/// storage error to one of these; the coordinator turns it into the code each API expects.
public enum GroupAppendFailure: Hashable, Sendable {
    /// The partition could not take the write now (Kafka: UNKNOWN_TOPIC_OR_PARTITION,
    /// NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT).
    case partitionUnavailable
    /// This broker does not lead the partition any more (NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR).
    case notLeader
    /// The records exceed a size limit (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE).
    case recordTooLarge
    /// Anything else.
    case other

    /// The code a JoinGroup or SyncGroup answer carries when its group metadata write failed
    /// (Kafka's `appendGroupMetadataErrorToResponseError`).
    var groupMetadataError: GroupErrorCode {
        switch self {
        case .partitionUnavailable: .coordinatorNotAvailable
        case .notLeader: .notCoordinator
        case .recordTooLarge, .other: .unknownServerError
        }
    }

    /// The code each partition of an OffsetCommit answer carries when the write failed. Kafka
    /// reports oversized commits as INVALID_COMMIT_OFFSET_SIZE rather than a server error.
    var offsetCommitError: GroupErrorCode {
        switch self {
        case .partitionUnavailable: .coordinatorNotAvailable
        case .notLeader: .notCoordinator
        case .recordTooLarge: .invalidCommitOffsetSize
        case .other: .unknownServerError
        }
    }
}
