public import TernCoordination
public import TernPrimitives
public import TernProtocol

/// One thing the coordination client keeps current by watching it: a znode, or a node's list
/// of children. Watch events map to keys; a key is reloaded (and its watch re-armed) by one
/// or two reads.
public enum KafkaSnapshotKey: Hashable, Sendable {
    case brokers, broker(Int32), controller, topics, topic(String), partitionState(TopicPartition)
    case topicConfigs, topicConfig(String), brokerConfigs, brokerConfig(node: String), producerIds

    /// Every root key: loading these (with their new children) loads the whole layout.
    public static let roots: Set<KafkaSnapshotKey> = [.brokers, .controller, .topics, .topicConfigs, .brokerConfigs, .producerIds]

    /// The key a watch event on `path` concerns, nil for paths outside the layout.
    public init?(watchedPath path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch parts.count {
        case 1 where parts[0] == "controller": self = .controller
        case 1 where parts[0] == "latest_producer_id_block": self = .producerIds
        case 2 where parts == ["brokers", "ids"]: self = .brokers
        case 2 where parts == ["brokers", "topics"]: self = .topics
        case 2 where parts == ["config", "topics"]: self = .topicConfigs
        case 2 where parts == ["config", "brokers"]: self = .brokerConfigs
        case 3 where parts[0] == "brokers" && parts[1] == "ids":
            guard let id = Int32(parts[2]) else { return nil }
            self = .broker(id)
        case 3 where parts[0] == "brokers" && parts[1] == "topics": self = .topic(parts[2])
        case 3 where parts[0] == "config" && parts[1] == "topics": self = .topicConfig(parts[2])
        case 3 where parts[0] == "config" && parts[1] == "brokers": self = .brokerConfig(node: parts[2])
        case 6 where parts[0] == "brokers" && parts[1] == "topics" && parts[3] == "partitions" && parts[5] == "state":
            guard let partition = Int32(parts[4]) else { return nil }
            self = .partitionState(TopicPartition(topic: parts[2], partition: partition))
        default: return nil
        }
    }
}

/// What the coordination client last read of each node, and the `ClusterMetadata` it makes.
/// Pure: the loader fills it, `snapshot` reads it.
public struct KafkaMetadataCache: Hashable, Sendable {
    /// A topic node: its id, its replicas by partition and the node's version.
    public struct TopicEntry: Hashable, Sendable {
        /// The topic id from `topic_id`.
        public var id: KafkaUUID
        /// Replica lists, indexed by partition.
        public var replicas: [[Int32]]
        /// The topic node's version.
        public var version: Int32

        /// Describes a topic node.
        public init(id: KafkaUUID, replicas: [[Int32]], version: Int32) {
            self.id = id
            self.replicas = replicas
            self.version = version
        }
    }

    /// A partition state node and its version (the partition epoch).
    public struct StateEntry: Hashable, Sendable {
        /// The state node's JSON.
        public var state: KafkaZNodeData.PartitionState
        /// The state node's version: the partition epoch.
        public var version: Int32

        /// Describes a state node.
        public init(state: KafkaZNodeData.PartitionState, version: Int32) {
            self.state = state
            self.version = version
        }
    }

    public var clusterId: String
    public var brokers: [Int32: BrokerRegistration] = [:]
    public var controllerId: Int32?
    public var topics: [String: TopicEntry] = [:]
    public var states: [TopicPartition: StateEntry] = [:]
    public var topicConfigs: [String: [String: String]] = [:]
    /// By node name (`<default>` or a broker id).
    public var brokerConfigs: [String: [String: String]] = [:]
    public var nextProducerId: Int64 = 0

    /// An empty cache of cluster `clusterId`.
    public init(clusterId: String) {
        self.clusterId = clusterId
    }

    /// Drops a topic and its partition states.
    public mutating func removeTopic(_ name: String) {
        topics[name] = nil
        states = states.filter { $0.key.topic != name }
    }

    /// The metadata the cache describes, stamped with `version`. A partition without a state
    /// node (a topic written by a tool before a controller saw it) has no leader.
    public func snapshot(version: Int64) -> ClusterMetadata {
        var result: [String: TopicMetadata] = [:]
        for (name, entry) in topics {
            let partitions = entry.replicas.enumerated().map { index, replicas in
                let state = states[TopicPartition(topic: name, partition: Int32(index))]
                return PartitionAssignment(
                    replicas: replicas, leader: state?.state.leader ?? -1, leaderEpoch: state?.state.leaderEpoch ?? 0,
                    inSyncReplicas: state?.state.isr ?? [], partitionEpoch: state?.version ?? 0)
            }
            result[name] = TopicMetadata(name: name, id: entry.id, partitions: partitions, configs: topicConfigs[name] ?? [:])
        }
        let scoped = Dictionary(uniqueKeysWithValues: brokerConfigs.map { (KafkaZNodePath.brokerConfigScope(node: $0.key), $0.value) })
        return ClusterMetadata(
            clusterId: clusterId, controllerId: controllerId, brokers: brokers, topics: result, brokerConfigs: scoped,
            version: version, nextProducerId: nextProducerId)
    }
}
