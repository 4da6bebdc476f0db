public import TernPrimitives
public import TernProtocol

/// A broker as registered with the coordination service (Kafka's `/brokers/ids/<id>`).
public struct BrokerRegistration: Hashable, Sendable, Codable {
    /// The broker's `node.id`.
    public var id: Int32
    /// The host clients are told to connect to.
    public var host: String
    /// The port clients are told to connect to.
    public var port: Int32
    /// The broker's rack, if configured.
    public var rack: String?

    /// Describes a broker.
    public init(id: Int32, host: String, port: Int32, rack: String? = nil) {
        self.id = id
        self.host = host
        self.port = port
        self.rack = rack
    }
}

/// Who holds one partition: its replicas, and the leader and in-sync replicas the controller
/// last decided (Kafka's `/brokers/topics/<t>/partitions/<p>/state`).
public struct PartitionAssignment: Hashable, Sendable, Codable {
    /// Every replica, preferred leader first.
    public var replicas: [Int32]
    /// The leader, or -1 when no replica can lead.
    public var leader: Int32
    /// Raised each time the leader changes; stamped into batches the leader appends.
    public var leaderEpoch: Int32
    /// The replicas caught up with the leader.
    public var inSyncReplicas: [Int32]
    /// Raised on every change of this state, so writers can update it conditionally
    /// (ZooKeeper's znode version).
    public var partitionEpoch: Int32

    /// Describes a partition's state.
    public init(replicas: [Int32], leader: Int32, leaderEpoch: Int32 = 0, inSyncReplicas: [Int32], partitionEpoch: Int32 = 0) {
        self.replicas = replicas
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.inSyncReplicas = inSyncReplicas
        self.partitionEpoch = partitionEpoch
    }
}

/// A topic: its id, its partitions and the configs set on it (only those set; defaults come
/// from the broker).
public struct TopicMetadata: Hashable, Sendable {
    /// The topic's name.
    public var name: String
    /// The topic's id (KIP-516), fixed at creation.
    public var id: KafkaUUID
    /// The partitions, indexed by partition number.
    public var partitions: [PartitionAssignment]
    /// Topic-level config overrides (`retention.ms` → `"86400000"`).
    public var configs: [String: String]

    /// Describes a topic.
    public init(name: String, id: KafkaUUID, partitions: [PartitionAssignment], configs: [String: String] = [:]) {
        self.name = name
        self.id = id
        self.partitions = partitions
        self.configs = configs
    }
}

/// Everything the coordination service holds, as one immutable value. Brokers keep the latest
/// one they were told about and answer Metadata from it.
public struct ClusterMetadata: Hashable, Sendable {
    /// The cluster's id, fixed when the service first starts.
    public var clusterId: String
    /// The controller, or nil while none is elected.
    public var controllerId: Int32?
    /// Live brokers by id.
    public var brokers: [Int32: BrokerRegistration]
    /// Topics by name.
    public var topics: [String: TopicMetadata]
    /// Dynamic broker configs: key "" holds cluster-wide defaults, "<id>" one broker's.
    public var brokerConfigs: [String: [String: String]]
    /// Raised by every change, so a reader can tell two snapshots apart cheaply.
    public var version: Int64
    /// The first producer id not yet granted to a broker (Kafka's `/latest_producer_id_block`).
    public var nextProducerId: Int64

    /// Creates a snapshot.
    public init(
        clusterId: String, controllerId: Int32? = nil, brokers: [Int32: BrokerRegistration] = [:],
        topics: [String: TopicMetadata] = [:], brokerConfigs: [String: [String: String]] = [:], version: Int64 = 0,
        nextProducerId: Int64 = 0
    ) {
        self.nextProducerId = nextProducerId
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.brokers = brokers
        self.topics = topics
        self.brokerConfigs = brokerConfigs
        self.version = version
    }

    /// The topic with `id`, if any.
    public func topic(withId id: KafkaUUID) -> TopicMetadata? {
        topics.values.first { $0.id == id }
    }

    /// The state of one partition, if the topic and partition exist.
    public func assignment(of partition: TopicPartition) -> PartitionAssignment? {
        guard let topic = topics[partition.topic], partition.partition >= 0,
              Int(partition.partition) < topic.partitions.count else { return nil }
        return topic.partitions[Int(partition.partition)]
    }
}
