public import TernPrimitives
public import TernProtocol

/// What a broker asks of the cluster's metadata service. The embedded backend keeps the
/// metadata in-process; the ensemble and ZooKeeper backends keep it in Kafka's znode layout.
/// A broker never knows which one it has.
///
/// Writes are linearizable: once a call returns, every later `metadata()` of any broker of the
/// cluster reflects it. Conditional writes (`expectedPartitionEpoch`) let a controller update a
/// partition's state without overwriting a concurrent change.
public protocol CoordinationClient: Sendable {
    /// The latest metadata.
    func metadata() async -> ClusterMetadata

    /// Metadata snapshots, the current one first and then one after each change, until the
    /// client is closed. Each call returns a new stream; a slow reader sees only the latest.
    func updates() async -> AsyncStream<ClusterMetadata>

    /// Registers this broker as live for as long as the client stays open (an ephemeral node:
    /// a broker that dies is unregistered when its session expires). Fails with
    /// `.brokerIdInUse` when another live session holds the id.
    func registerBroker(_ broker: BrokerRegistration) async throws(CoordinationError)

    /// Tries to become the controller. Returns the controller's id: `brokerId` when it won,
    /// the current controller's when another broker holds it. The claim lasts as long as the
    /// client's session.
    func claimController(brokerId: Int32) async throws(CoordinationError) -> Int32

    /// Creates a topic. Fails with `.topicExists` when the name is taken.
    func createTopic(_ topic: TopicMetadata) async throws(CoordinationError)

    /// Deletes a topic and its configs. Fails with `.unknownTopic` when absent.
    func deleteTopic(named name: String) async throws(CoordinationError)

    /// Appends partitions to a topic. Fails with `.unknownTopic` when absent.
    func addPartitions(_ partitions: [PartitionAssignment], toTopic name: String) async throws(CoordinationError)

    /// Replaces a topic's config overrides (the whole map). Fails with `.unknownTopic`.
    func setTopicConfigs(_ configs: [String: String], forTopic name: String) async throws(CoordinationError)

    /// Replaces dynamic broker configs: `scope` "" for cluster-wide defaults, or a broker id.
    func setBrokerConfigs(_ configs: [String: String], scope: String) async throws(CoordinationError)

    /// Replaces a partition's state if its `partitionEpoch` is still `expectedPartitionEpoch`;
    /// the stored state gets `partitionEpoch` + 1, which is returned. Fails with
    /// `.partitionEpochMismatch` otherwise, and `.unknownTopic` when absent.
    func updatePartition(
        _ partition: TopicPartition, to assignment: PartitionAssignment, expectedPartitionEpoch: Int32
    ) async throws(CoordinationError) -> Int32

    /// Grants `count` producer ids that were never granted before, to any broker, and records
    /// the grant durably before returning (Kafka's producer id blocks).
    func allocateProducerIds(count: Int) async throws(CoordinationError) -> ClosedRange<Int64>

    /// Ends the session: this broker's registration and controller claim go at once.
    func close() async
}

/// Why a coordination call failed.
public enum CoordinationError: Error, Hashable, Sendable, KafkaErrorConvertible {
    /// A topic of that name exists.
    case topicExists(String)
    /// No topic of that name exists.
    case unknownTopic(String)
    /// Another live broker is registered with this id.
    case brokerIdInUse(Int32)
    /// A conditional partition update lost a race.
    case partitionEpochMismatch(TopicPartition, expected: Int32, actual: Int32)
    /// The service could not be reached or could not persist the change.
    case unavailable(String)
    /// The client was closed.
    case closed

    public var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .topicExists: .topicAlreadyExists
        case .unknownTopic: .unknownTopicOrPartition
        case .brokerIdInUse: .inconsistentClusterId
        case .partitionEpochMismatch: .fencedLeaderEpoch
        case .unavailable: .requestTimedOut
        case .closed: .brokerNotAvailable
        }
    }
}
