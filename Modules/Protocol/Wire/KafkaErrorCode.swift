/// Kafka's protocol error codes: every code Apache Kafka defines, from -1 (`UNKNOWN_SERVER_ERROR`)
/// through 135 (`STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED`, Kafka 4.x).
///
/// Responses carry these as a bare `Int16`. Decode with ``from(_:)``, which never fails: a code
/// this table lacks (one added by a newer Kafka) reads as ``unknownServerError``, as Kafka's own
/// clients do. Case names are Kafka's names in lowerCamelCase, except that code 0 (`NONE`) is
/// ``noError`` so that it cannot be confused with `Optional.none`. ``name`` gives Kafka's spelling,
/// ``isRetriable`` Kafka's retriable flag and ``message`` a one-line description.
public enum KafkaErrorCode: Int16, Sendable, CaseIterable {
    case unknownServerError = -1
    case noError = 0
    case offsetOutOfRange = 1
    case corruptMessage = 2
    case unknownTopicOrPartition = 3
    case invalidFetchSize = 4
    case leaderNotAvailable = 5
    case notLeaderOrFollower = 6
    case requestTimedOut = 7
    case brokerNotAvailable = 8
    case replicaNotAvailable = 9
    case messageTooLarge = 10
    case staleControllerEpoch = 11
    case offsetMetadataTooLarge = 12
    case networkException = 13
    case coordinatorLoadInProgress = 14
    case coordinatorNotAvailable = 15
    case notCoordinator = 16
    case invalidTopicException = 17
    case recordListTooLarge = 18
    case notEnoughReplicas = 19
    case notEnoughReplicasAfterAppend = 20
    case invalidRequiredAcks = 21
    case illegalGeneration = 22
    case inconsistentGroupProtocol = 23
    case invalidGroupId = 24
    case unknownMemberId = 25
    case invalidSessionTimeout = 26
    case rebalanceInProgress = 27
    case invalidCommitOffsetSize = 28
    case topicAuthorizationFailed = 29
    case groupAuthorizationFailed = 30
    case clusterAuthorizationFailed = 31
    case invalidTimestamp = 32
    case unsupportedSaslMechanism = 33
    case illegalSaslState = 34
    case unsupportedVersion = 35
    case topicAlreadyExists = 36
    case invalidPartitions = 37
    case invalidReplicationFactor = 38
    case invalidReplicaAssignment = 39
    case invalidConfig = 40
    case notController = 41
    case invalidRequest = 42
    case unsupportedForMessageFormat = 43
    case policyViolation = 44
    case outOfOrderSequenceNumber = 45
    case duplicateSequenceNumber = 46
    case invalidProducerEpoch = 47
    case invalidTxnState = 48
    case invalidProducerIdMapping = 49
    case invalidTransactionTimeout = 50
    case concurrentTransactions = 51
    case transactionCoordinatorFenced = 52
    case transactionalIdAuthorizationFailed = 53
    case securityDisabled = 54
    case operationNotAttempted = 55
    case kafkaStorageError = 56
    case logDirNotFound = 57
    case saslAuthenticationFailed = 58
    case unknownProducerId = 59
    case reassignmentInProgress = 60
    case delegationTokenAuthDisabled = 61
    case delegationTokenNotFound = 62
    case delegationTokenOwnerMismatch = 63
    case delegationTokenRequestNotAllowed = 64
    case delegationTokenAuthorizationFailed = 65
    case delegationTokenExpired = 66
    case invalidPrincipalType = 67
    case nonEmptyGroup = 68
    case groupIdNotFound = 69
    case fetchSessionIdNotFound = 70
    case invalidFetchSessionEpoch = 71
    case listenerNotFound = 72
    case topicDeletionDisabled = 73
    case fencedLeaderEpoch = 74
    case unknownLeaderEpoch = 75
    case unsupportedCompressionType = 76
    case staleBrokerEpoch = 77
    case offsetNotAvailable = 78
    case memberIdRequired = 79
    case preferredLeaderNotAvailable = 80
    case groupMaxSizeReached = 81
    case fencedInstanceId = 82
    case eligibleLeadersNotAvailable = 83
    case electionNotNeeded = 84
    case noReassignmentInProgress = 85
    case groupSubscribedToTopic = 86
    case invalidRecord = 87
    case unstableOffsetCommit = 88
    case throttlingQuotaExceeded = 89
    case producerFenced = 90
    case resourceNotFound = 91
    case duplicateResource = 92
    case unacceptableCredential = 93
    case inconsistentVoterSet = 94
    case invalidUpdateVersion = 95
    case featureUpdateFailed = 96
    case principalDeserializationFailure = 97
    case snapshotNotFound = 98
    case positionOutOfRange = 99
    case unknownTopicId = 100
    case duplicateBrokerRegistration = 101
    case brokerIdNotRegistered = 102
    case inconsistentTopicId = 103
    case inconsistentClusterId = 104
    case transactionalIdNotFound = 105
    case fetchSessionTopicIdError = 106
    case ineligibleReplica = 107
    case newLeaderElected = 108
    case offsetMovedToTieredStorage = 109
    case fencedMemberEpoch = 110
    case unreleasedInstanceId = 111
    case unsupportedAssignor = 112
    case staleMemberEpoch = 113
    case mismatchedEndpointType = 114
    case unsupportedEndpointType = 115
    case unknownControllerId = 116
    case unknownSubscriptionId = 117
    case telemetryTooLarge = 118
    case invalidRegistration = 119
    case transactionAbortable = 120
    case invalidRecordState = 121
    case shareSessionNotFound = 122
    case invalidShareSessionEpoch = 123
    case fencedStateEpoch = 124
    case invalidVoterKey = 125
    case duplicateVoter = 126
    case voterNotFound = 127
    case invalidRegularExpression = 128
    case rebootstrapRequired = 129
    case streamsInvalidTopology = 130
    case streamsInvalidTopologyEpoch = 131
    case streamsTopologyFenced = 132
    case shareSessionLimitReached = 133
    case groupDeletionFailed = 134
    case streamsTopologyDescriptionUpdateFailed = 135
}

/// An error that knows which Kafka error code answers it on the wire.
///
/// Module errors conform and map themselves to a code in one place; handlers put that code on the
/// affected topic or partition and let the rest of the request go ahead.
public protocol KafkaErrorConvertible: Error {
    /// The code a response carries for this error.
    var kafkaErrorCode: KafkaErrorCode { get }
}

extension KafkaErrorCode {
    /// The case for a raw code read from the wire; a code this table lacks becomes
    /// ``unknownServerError`` instead of trapping or failing.
    public static func from(_ raw: Int16) -> KafkaErrorCode {
        KafkaErrorCode(rawValue: raw) ?? .unknownServerError
    }

    /// Whether Apache Kafka marks this error retriable: a client may send the same request again
    /// (usually after refreshing metadata or finding the coordinator) and expect it to succeed.
    public var isRetriable: Bool {
        switch self {
        case .corruptMessage, .unknownTopicOrPartition, .leaderNotAvailable, .notLeaderOrFollower,
             .requestTimedOut, .replicaNotAvailable, .networkException, .coordinatorLoadInProgress,
             .coordinatorNotAvailable, .notCoordinator, .notEnoughReplicas,
             .notEnoughReplicasAfterAppend, .notController, .concurrentTransactions,
             .kafkaStorageError, .fetchSessionIdNotFound, .invalidFetchSessionEpoch, .listenerNotFound,
             .fencedLeaderEpoch, .unknownLeaderEpoch, .offsetNotAvailable,
             .preferredLeaderNotAvailable, .eligibleLeadersNotAvailable, .electionNotNeeded,
             .unstableOffsetCommit, .throttlingQuotaExceeded, .unknownTopicId, .inconsistentTopicId,
             .fetchSessionTopicIdError, .shareSessionNotFound, .invalidShareSessionEpoch,
             .shareSessionLimitReached: true
        case .unknownServerError, .noError, .offsetOutOfRange, .invalidFetchSize, .brokerNotAvailable,
             .messageTooLarge, .staleControllerEpoch, .offsetMetadataTooLarge, .invalidTopicException,
             .recordListTooLarge, .invalidRequiredAcks, .illegalGeneration, .inconsistentGroupProtocol,
             .invalidGroupId, .unknownMemberId, .invalidSessionTimeout, .rebalanceInProgress,
             .invalidCommitOffsetSize, .topicAuthorizationFailed, .groupAuthorizationFailed,
             .clusterAuthorizationFailed, .invalidTimestamp, .unsupportedSaslMechanism,
             .illegalSaslState, .unsupportedVersion, .topicAlreadyExists, .invalidPartitions,
             .invalidReplicationFactor, .invalidReplicaAssignment, .invalidConfig, .invalidRequest,
             .unsupportedForMessageFormat, .policyViolation, .outOfOrderSequenceNumber,
             .duplicateSequenceNumber, .invalidProducerEpoch, .invalidTxnState,
             .invalidProducerIdMapping, .invalidTransactionTimeout, .transactionCoordinatorFenced,
             .transactionalIdAuthorizationFailed, .securityDisabled, .operationNotAttempted,
             .logDirNotFound, .saslAuthenticationFailed, .unknownProducerId, .reassignmentInProgress,
             .delegationTokenAuthDisabled, .delegationTokenNotFound, .delegationTokenOwnerMismatch,
             .delegationTokenRequestNotAllowed, .delegationTokenAuthorizationFailed,
             .delegationTokenExpired, .invalidPrincipalType, .nonEmptyGroup, .groupIdNotFound,
             .topicDeletionDisabled, .unsupportedCompressionType, .staleBrokerEpoch, .memberIdRequired,
             .groupMaxSizeReached, .fencedInstanceId, .noReassignmentInProgress,
             .groupSubscribedToTopic, .invalidRecord, .producerFenced, .resourceNotFound,
             .duplicateResource, .unacceptableCredential, .inconsistentVoterSet, .invalidUpdateVersion,
             .featureUpdateFailed, .principalDeserializationFailure, .snapshotNotFound,
             .positionOutOfRange, .duplicateBrokerRegistration, .brokerIdNotRegistered,
             .inconsistentClusterId, .transactionalIdNotFound, .ineligibleReplica, .newLeaderElected,
             .offsetMovedToTieredStorage, .fencedMemberEpoch, .unreleasedInstanceId,
             .unsupportedAssignor, .staleMemberEpoch, .mismatchedEndpointType,
             .unsupportedEndpointType, .unknownControllerId, .unknownSubscriptionId,
             .telemetryTooLarge, .invalidRegistration, .transactionAbortable, .invalidRecordState,
             .fencedStateEpoch, .invalidVoterKey, .duplicateVoter, .voterNotFound,
             .invalidRegularExpression, .rebootstrapRequired, .streamsInvalidTopology,
             .streamsInvalidTopologyEpoch, .streamsTopologyFenced, .groupDeletionFailed,
             .streamsTopologyDescriptionUpdateFailed: false
        }
    }

    /// Kafka's name for the error, in upper snake case (`NOT_LEADER_OR_FOLLOWER`).
    public var name: String {
        switch self {
        case .unknownServerError: "UNKNOWN_SERVER_ERROR"
        case .noError: "NONE"
        case .offsetOutOfRange: "OFFSET_OUT_OF_RANGE"
        case .corruptMessage: "CORRUPT_MESSAGE"
        case .unknownTopicOrPartition: "UNKNOWN_TOPIC_OR_PARTITION"
        case .invalidFetchSize: "INVALID_FETCH_SIZE"
        case .leaderNotAvailable: "LEADER_NOT_AVAILABLE"
        case .notLeaderOrFollower: "NOT_LEADER_OR_FOLLOWER"
        case .requestTimedOut: "REQUEST_TIMED_OUT"
        case .brokerNotAvailable: "BROKER_NOT_AVAILABLE"
        case .replicaNotAvailable: "REPLICA_NOT_AVAILABLE"
        case .messageTooLarge: "MESSAGE_TOO_LARGE"
        case .staleControllerEpoch: "STALE_CONTROLLER_EPOCH"
        case .offsetMetadataTooLarge: "OFFSET_METADATA_TOO_LARGE"
        case .networkException: "NETWORK_EXCEPTION"
        case .coordinatorLoadInProgress: "COORDINATOR_LOAD_IN_PROGRESS"
        case .coordinatorNotAvailable: "COORDINATOR_NOT_AVAILABLE"
        case .notCoordinator: "NOT_COORDINATOR"
        case .invalidTopicException: "INVALID_TOPIC_EXCEPTION"
        case .recordListTooLarge: "RECORD_LIST_TOO_LARGE"
        case .notEnoughReplicas: "NOT_ENOUGH_REPLICAS"
        case .notEnoughReplicasAfterAppend: "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
        case .invalidRequiredAcks: "INVALID_REQUIRED_ACKS"
        case .illegalGeneration: "ILLEGAL_GENERATION"
        case .inconsistentGroupProtocol: "INCONSISTENT_GROUP_PROTOCOL"
        case .invalidGroupId: "INVALID_GROUP_ID"
        case .unknownMemberId: "UNKNOWN_MEMBER_ID"
        case .invalidSessionTimeout: "INVALID_SESSION_TIMEOUT"
        case .rebalanceInProgress: "REBALANCE_IN_PROGRESS"
        case .invalidCommitOffsetSize: "INVALID_COMMIT_OFFSET_SIZE"
        case .topicAuthorizationFailed: "TOPIC_AUTHORIZATION_FAILED"
        case .groupAuthorizationFailed: "GROUP_AUTHORIZATION_FAILED"
        case .clusterAuthorizationFailed: "CLUSTER_AUTHORIZATION_FAILED"
        case .invalidTimestamp: "INVALID_TIMESTAMP"
        case .unsupportedSaslMechanism: "UNSUPPORTED_SASL_MECHANISM"
        case .illegalSaslState: "ILLEGAL_SASL_STATE"
        case .unsupportedVersion: "UNSUPPORTED_VERSION"
        case .topicAlreadyExists: "TOPIC_ALREADY_EXISTS"
        case .invalidPartitions: "INVALID_PARTITIONS"
        case .invalidReplicationFactor: "INVALID_REPLICATION_FACTOR"
        case .invalidReplicaAssignment: "INVALID_REPLICA_ASSIGNMENT"
        case .invalidConfig: "INVALID_CONFIG"
        case .notController: "NOT_CONTROLLER"
        case .invalidRequest: "INVALID_REQUEST"
        case .unsupportedForMessageFormat: "UNSUPPORTED_FOR_MESSAGE_FORMAT"
        case .policyViolation: "POLICY_VIOLATION"
        case .outOfOrderSequenceNumber: "OUT_OF_ORDER_SEQUENCE_NUMBER"
        case .duplicateSequenceNumber: "DUPLICATE_SEQUENCE_NUMBER"
        case .invalidProducerEpoch: "INVALID_PRODUCER_EPOCH"
        case .invalidTxnState: "INVALID_TXN_STATE"
        case .invalidProducerIdMapping: "INVALID_PRODUCER_ID_MAPPING"
        case .invalidTransactionTimeout: "INVALID_TRANSACTION_TIMEOUT"
        case .concurrentTransactions: "CONCURRENT_TRANSACTIONS"
        case .transactionCoordinatorFenced: "TRANSACTION_COORDINATOR_FENCED"
        case .transactionalIdAuthorizationFailed: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
        case .securityDisabled: "SECURITY_DISABLED"
        case .operationNotAttempted: "OPERATION_NOT_ATTEMPTED"
        case .kafkaStorageError: "KAFKA_STORAGE_ERROR"
        case .logDirNotFound: "LOG_DIR_NOT_FOUND"
        case .saslAuthenticationFailed: "SASL_AUTHENTICATION_FAILED"
        case .unknownProducerId: "UNKNOWN_PRODUCER_ID"
        case .reassignmentInProgress: "REASSIGNMENT_IN_PROGRESS"
        case .delegationTokenAuthDisabled: "DELEGATION_TOKEN_AUTH_DISABLED"
        case .delegationTokenNotFound: "DELEGATION_TOKEN_NOT_FOUND"
        case .delegationTokenOwnerMismatch: "DELEGATION_TOKEN_OWNER_MISMATCH"
        case .delegationTokenRequestNotAllowed: "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"
        case .delegationTokenAuthorizationFailed: "DELEGATION_TOKEN_AUTHORIZATION_FAILED"
        case .delegationTokenExpired: "DELEGATION_TOKEN_EXPIRED"
        case .invalidPrincipalType: "INVALID_PRINCIPAL_TYPE"
        case .nonEmptyGroup: "NON_EMPTY_GROUP"
        case .groupIdNotFound: "GROUP_ID_NOT_FOUND"
        case .fetchSessionIdNotFound: "FETCH_SESSION_ID_NOT_FOUND"
        case .invalidFetchSessionEpoch: "INVALID_FETCH_SESSION_EPOCH"
        case .listenerNotFound: "LISTENER_NOT_FOUND"
        case .topicDeletionDisabled: "TOPIC_DELETION_DISABLED"
        case .fencedLeaderEpoch: "FENCED_LEADER_EPOCH"
        case .unknownLeaderEpoch: "UNKNOWN_LEADER_EPOCH"
        case .unsupportedCompressionType: "UNSUPPORTED_COMPRESSION_TYPE"
        case .staleBrokerEpoch: "STALE_BROKER_EPOCH"
        case .offsetNotAvailable: "OFFSET_NOT_AVAILABLE"
        case .memberIdRequired: "MEMBER_ID_REQUIRED"
        case .preferredLeaderNotAvailable: "PREFERRED_LEADER_NOT_AVAILABLE"
        case .groupMaxSizeReached: "GROUP_MAX_SIZE_REACHED"
        case .fencedInstanceId: "FENCED_INSTANCE_ID"
        case .eligibleLeadersNotAvailable: "ELIGIBLE_LEADERS_NOT_AVAILABLE"
        case .electionNotNeeded: "ELECTION_NOT_NEEDED"
        case .noReassignmentInProgress: "NO_REASSIGNMENT_IN_PROGRESS"
        case .groupSubscribedToTopic: "GROUP_SUBSCRIBED_TO_TOPIC"
        case .invalidRecord: "INVALID_RECORD"
        case .unstableOffsetCommit: "UNSTABLE_OFFSET_COMMIT"
        case .throttlingQuotaExceeded: "THROTTLING_QUOTA_EXCEEDED"
        case .producerFenced: "PRODUCER_FENCED"
        case .resourceNotFound: "RESOURCE_NOT_FOUND"
        case .duplicateResource: "DUPLICATE_RESOURCE"
        case .unacceptableCredential: "UNACCEPTABLE_CREDENTIAL"
        case .inconsistentVoterSet: "INCONSISTENT_VOTER_SET"
        case .invalidUpdateVersion: "INVALID_UPDATE_VERSION"
        case .featureUpdateFailed: "FEATURE_UPDATE_FAILED"
        case .principalDeserializationFailure: "PRINCIPAL_DESERIALIZATION_FAILURE"
        case .snapshotNotFound: "SNAPSHOT_NOT_FOUND"
        case .positionOutOfRange: "POSITION_OUT_OF_RANGE"
        case .unknownTopicId: "UNKNOWN_TOPIC_ID"
        case .duplicateBrokerRegistration: "DUPLICATE_BROKER_REGISTRATION"
        case .brokerIdNotRegistered: "BROKER_ID_NOT_REGISTERED"
        case .inconsistentTopicId: "INCONSISTENT_TOPIC_ID"
        case .inconsistentClusterId: "INCONSISTENT_CLUSTER_ID"
        case .transactionalIdNotFound: "TRANSACTIONAL_ID_NOT_FOUND"
        case .fetchSessionTopicIdError: "FETCH_SESSION_TOPIC_ID_ERROR"
        case .ineligibleReplica: "INELIGIBLE_REPLICA"
        case .newLeaderElected: "NEW_LEADER_ELECTED"
        case .offsetMovedToTieredStorage: "OFFSET_MOVED_TO_TIERED_STORAGE"
        case .fencedMemberEpoch: "FENCED_MEMBER_EPOCH"
        case .unreleasedInstanceId: "UNRELEASED_INSTANCE_ID"
        case .unsupportedAssignor: "UNSUPPORTED_ASSIGNOR"
        case .staleMemberEpoch: "STALE_MEMBER_EPOCH"
        case .mismatchedEndpointType: "MISMATCHED_ENDPOINT_TYPE"
        case .unsupportedEndpointType: "UNSUPPORTED_ENDPOINT_TYPE"
        case .unknownControllerId: "UNKNOWN_CONTROLLER_ID"
        case .unknownSubscriptionId: "UNKNOWN_SUBSCRIPTION_ID"
        case .telemetryTooLarge: "TELEMETRY_TOO_LARGE"
        case .invalidRegistration: "INVALID_REGISTRATION"
        case .transactionAbortable: "TRANSACTION_ABORTABLE"
        case .invalidRecordState: "INVALID_RECORD_STATE"
        case .shareSessionNotFound: "SHARE_SESSION_NOT_FOUND"
        case .invalidShareSessionEpoch: "INVALID_SHARE_SESSION_EPOCH"
        case .fencedStateEpoch: "FENCED_STATE_EPOCH"
        case .invalidVoterKey: "INVALID_VOTER_KEY"
        case .duplicateVoter: "DUPLICATE_VOTER"
        case .voterNotFound: "VOTER_NOT_FOUND"
        case .invalidRegularExpression: "INVALID_REGULAR_EXPRESSION"
        case .rebootstrapRequired: "REBOOTSTRAP_REQUIRED"
        case .streamsInvalidTopology: "STREAMS_INVALID_TOPOLOGY"
        case .streamsInvalidTopologyEpoch: "STREAMS_INVALID_TOPOLOGY_EPOCH"
        case .streamsTopologyFenced: "STREAMS_TOPOLOGY_FENCED"
        case .shareSessionLimitReached: "SHARE_SESSION_LIMIT_REACHED"
        case .groupDeletionFailed: "GROUP_DELETION_FAILED"
        case .streamsTopologyDescriptionUpdateFailed: "STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED"
        }
    }

    /// A one-line description of the error, for logs and error messages.
    public var message: String {
        switch self {
        case .unknownServerError: "The broker hit an unexpected error while handling the request."
        case .noError: "No error."
        case .offsetOutOfRange: "The requested offset lies outside the offsets the partition holds."
        case .corruptMessage:
            "A message failed its checksum, is oversized, lacks a key on a compacted topic, or is otherwise malformed."
        case .unknownTopicOrPartition: "This broker does not host the topic-partition."
        case .invalidFetchSize: "The fetch size asked for is not valid."
        case .leaderNotAvailable: "The partition has no leader right now, typically during a leader election."
        case .notLeaderOrFollower:
            "This broker is not the partition leader (for leader-only requests) or not a replica of it."
        case .requestTimedOut: "The request did not complete within its timeout."
        case .brokerNotAvailable: "The broker is not available."
        case .replicaNotAvailable: "The replica for the topic-partition is not available."
        case .messageTooLarge: "A message is larger than the broker's maximum accepted size."
        case .staleControllerEpoch: "The request came from a controller that has since been replaced."
        case .offsetMetadataTooLarge: "The metadata attached to an offset commit is too long."
        case .networkException: "The connection closed before a response arrived."
        case .coordinatorLoadInProgress: "The coordinator is still loading its state and cannot serve requests yet."
        case .coordinatorNotAvailable: "The coordinator is not available."
        case .notCoordinator: "This broker is not the coordinator for the given key."
        case .invalidTopicException: "The operation names a topic that is not valid."
        case .recordListTooLarge: "A record batch is larger than the broker's configured segment size."
        case .notEnoughReplicas: "The write was refused because fewer in-sync replicas exist than required."
        case .notEnoughReplicasAfterAppend: "The write was appended but reached fewer in-sync replicas than required."
        case .invalidRequiredAcks: "The produce request's acks value is not valid."
        case .illegalGeneration: "The group generation id given is not the current one."
        case .inconsistentGroupProtocol:
            "The member's protocols do not match the group's, or its protocol type or list is empty."
        case .invalidGroupId: "The group id is not valid."
        case .unknownMemberId: "The coordinator does not know this member."
        case .invalidSessionTimeout: "The session timeout is outside the range the broker allows."
        case .rebalanceInProgress: "The group is rebalancing and the member must rejoin."
        case .invalidCommitOffsetSize: "The offset commit data has an invalid size."
        case .topicAuthorizationFailed: "The client is not authorized to access the topic."
        case .groupAuthorizationFailed: "The client is not authorized to access the group."
        case .clusterAuthorizationFailed: "The client is not authorized for this cluster operation."
        case .invalidTimestamp: "A message timestamp is outside the accepted range."
        case .unsupportedSaslMechanism: "The broker does not offer the requested SASL mechanism."
        case .illegalSaslState: "The request is not allowed in the current SASL state."
        case .unsupportedVersion: "The broker does not support this API version."
        case .topicAlreadyExists: "A topic with this name already exists."
        case .invalidPartitions: "The partition count is not valid."
        case .invalidReplicationFactor: "The replication factor is below one or above the number of available brokers."
        case .invalidReplicaAssignment: "The replica assignment is not valid."
        case .invalidConfig: "The configuration is not valid."
        case .notController: "This broker is not the active controller."
        case .invalidRequest: "The request is malformed or was sent to a broker that cannot understand it."
        case .unsupportedForMessageFormat: "The broker's message format version does not support this request."
        case .policyViolation: "The request breaks a configured policy."
        case .outOfOrderSequenceNumber: "The producer sequence number arrived out of order."
        case .duplicateSequenceNumber: "The producer sequence number was already received."
        case .invalidProducerEpoch: "The producer used an epoch older than the current one."
        case .invalidTxnState: "The transactional operation is not valid in the transaction's current state."
        case .invalidProducerIdMapping: "The producer id is not the one assigned to this transactional id."
        case .invalidTransactionTimeout: "The transaction timeout exceeds the broker's maximum."
        case .concurrentTransactions: "Another operation on the same transaction is still in progress."
        case .transactionCoordinatorFenced:
            "The transaction coordinator sending markers is no longer current for the producer."
        case .transactionalIdAuthorizationFailed: "The client is not authorized to use the transactional id."
        case .securityDisabled: "Security features are turned off on this broker."
        case .operationNotAttempted:
            "The broker skipped this operation, usually because another in the same batch failed."
        case .kafkaStorageError: "A disk error occurred while accessing the log."
        case .logDirNotFound: "The requested log directory is not configured on the broker."
        case .saslAuthenticationFailed: "SASL authentication failed."
        case .unknownProducerId:
            "The broker holds no state for this producer id, for example after its records expired."
        case .reassignmentInProgress: "A partition reassignment is already in progress."
        case .delegationTokenAuthDisabled: "Delegation tokens are not enabled."
        case .delegationTokenNotFound: "The delegation token does not exist on the broker."
        case .delegationTokenOwnerMismatch: "The principal is not the token's owner or renewer."
        case .delegationTokenRequestNotAllowed: "Delegation token requests are refused on this kind of channel."
        case .delegationTokenAuthorizationFailed: "The client is not authorized for this delegation token operation."
        case .delegationTokenExpired: "The delegation token has expired."
        case .invalidPrincipalType: "The principal type is not supported."
        case .nonEmptyGroup: "The group still has members."
        case .groupIdNotFound: "No group with this id exists."
        case .fetchSessionIdNotFound: "The fetch session id is unknown."
        case .invalidFetchSessionEpoch: "The fetch session epoch is not the expected one."
        case .listenerNotFound: "The partition leader has no listener matching the one this request used."
        case .topicDeletionDisabled: "Deleting topics is disabled."
        case .fencedLeaderEpoch: "The leader epoch in the request is older than the broker's."
        case .unknownLeaderEpoch: "The leader epoch in the request is newer than the broker's."
        case .unsupportedCompressionType: "The client cannot handle the partition's compression type."
        case .staleBrokerEpoch: "The broker epoch in the request is out of date."
        case .offsetNotAvailable:
            "The new leader's high watermark has not caught up, so offsets are not yet safe to return."
        case .memberIdRequired: "The member must rejoin with the member id the coordinator assigned."
        case .preferredLeaderNotAvailable: "The preferred leader replica is not available."
        case .groupMaxSizeReached: "The group already has its maximum number of members."
        case .fencedInstanceId: "Another member with the same group instance id has replaced this one."
        case .eligibleLeadersNotAvailable: "No eligible leader is available for the partition."
        case .electionNotNeeded: "The partition does not need a leader election."
        case .noReassignmentInProgress: "No partition reassignment is in progress."
        case .groupSubscribedToTopic: "Offsets of a topic cannot be deleted while the group is subscribed to it."
        case .invalidRecord: "The broker's validation rejected a record."
        case .unstableOffsetCommit: "Pending transactional offsets must be resolved before offsets can be returned."
        case .throttlingQuotaExceeded: "The request exceeded the throttling quota."
        case .producerFenced: "A newer producer with the same transactional id has fenced this one."
        case .resourceNotFound: "The request refers to a resource that does not exist."
        case .duplicateResource: "The request names the same resource more than once."
        case .unacceptableCredential: "The requested credential does not meet the acceptance criteria."
        case .inconsistentVoterSet: "The sender or receiver of a voter-only request is not an expected voter."
        case .invalidUpdateVersion: "The update version is not valid."
        case .featureUpdateFailed: "The finalized features could not be updated because of an unexpected error."
        case .principalDeserializationFailure: "A forwarded request's principal could not be deserialized."
        case .snapshotNotFound: "The requested snapshot does not exist."
        case .positionOutOfRange: "The requested position is negative or past the end of the snapshot."
        case .unknownTopicId: "This broker does not host a topic with this id."
        case .duplicateBrokerRegistration: "Another broker already registered with this id."
        case .brokerIdNotRegistered: "No broker is registered with this id."
        case .inconsistentTopicId: "The topic id in the request does not match the log's topic id."
        case .inconsistentClusterId: "The cluster id in the request does not match the broker's."
        case .transactionalIdNotFound: "The transactional id does not exist."
        case .fetchSessionTopicIdError: "The fetch session mixed or changed topic ids inconsistently."
        case .ineligibleReplica: "The proposed ISR contains a replica that is not eligible."
        case .newLeaderElected: "The partition state was updated, but the leader changed meanwhile."
        case .offsetMovedToTieredStorage: "The requested offset now lives in tiered storage."
        case .fencedMemberEpoch: "The member epoch was fenced; the member must give up its partitions and rejoin."
        case .unreleasedInstanceId: "Another member still holds this instance id and must leave first."
        case .unsupportedAssignor: "The group does not support the assignor or its version range."
        case .staleMemberEpoch: "The member epoch is out of date; the member must heartbeat to learn the current one."
        case .mismatchedEndpointType: "The request reached an endpoint of the wrong type."
        case .unsupportedEndpointType: "This endpoint type is not supported yet."
        case .unknownControllerId: "The controller id is not known."
        case .unknownSubscriptionId: "The telemetry push used an unknown or outdated subscription id."
        case .telemetryTooLarge: "The telemetry push is larger than the broker accepts."
        case .invalidRegistration: "The controller judged the broker registration invalid."
        case .transactionAbortable: "The transaction hit an error; aborting it lets the transactional id be used again."
        case .invalidRecordState: "The record's state does not allow this acknowledgement."
        case .shareSessionNotFound: "The share session does not exist."
        case .invalidShareSessionEpoch: "The share session epoch is not the expected one."
        case .fencedStateEpoch: "The share coordinator refused the request because the state epoch did not match."
        case .invalidVoterKey: "The voter key does not match the receiving replica's key."
        case .duplicateVoter: "The voter is already in the voter set."
        case .voterNotFound: "The voter is not in the voter set."
        case .invalidRegularExpression: "The regular expression is not valid."
        case .rebootstrapRequired: "The client's metadata is stale and it should bootstrap again."
        case .streamsInvalidTopology: "The Streams topology supplied is not valid."
        case .streamsInvalidTopologyEpoch: "The Streams topology epoch supplied is not valid."
        case .streamsTopologyFenced: "The Streams topology epoch supplied is out of date."
        case .shareSessionLimitReached: "No new share session can be opened because the limit is reached."
        case .groupDeletionFailed: "The group could not be deleted; the per-group error message says why."
        case .streamsTopologyDescriptionUpdateFailed:
            "The broker could not apply the Streams topology description update."
        }
    }
}
