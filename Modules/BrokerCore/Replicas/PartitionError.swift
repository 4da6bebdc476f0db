public import TernLogStore
public import TernPrimitives
public import TernProtocol

/// Why an operation on a hosted partition failed; each maps to the code Kafka answers.
public enum PartitionError: Error, Sendable, KafkaErrorConvertible {
    /// No such topic or partition exists.
    case unknownTopicOrPartition(TopicPartition)
    /// The partition exists but this broker does not lead it.
    case notLeaderOrFollower(TopicPartition)
    /// The client's leader epoch is older than ours.
    case fencedLeaderEpoch(TopicPartition, requested: Int32, current: Int32)
    /// The client's leader epoch is newer than ours.
    case unknownLeaderEpoch(TopicPartition, requested: Int32, current: Int32)
    /// The offset lies outside the log.
    case offsetOutOfRange(TopicPartition, offset: Int64, logStart: Int64, logEnd: Int64)
    /// acks=all with fewer in-sync replicas than `min.insync.replicas`.
    case notEnoughReplicas(TopicPartition, inSync: Int, required: Int)
    /// The log failed.
    case storage(TopicPartition, LogStoreError)
    /// An idempotent producer's batch was refused by the producer state (fenced epoch,
    /// sequence gap, transactional batch), with Kafka's code and message.
    case producerState(TopicPartition, KafkaErrorCode, String)

    public var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .unknownTopicOrPartition: .unknownTopicOrPartition
        case .notLeaderOrFollower: .notLeaderOrFollower
        case .fencedLeaderEpoch: .fencedLeaderEpoch
        case .unknownLeaderEpoch: .unknownLeaderEpoch
        case .offsetOutOfRange: .offsetOutOfRange
        case .notEnoughReplicas: .notEnoughReplicas
        case .storage(_, let error): error.kafkaErrorCode
        case .producerState(_, let code, _): code
        }
    }
}
