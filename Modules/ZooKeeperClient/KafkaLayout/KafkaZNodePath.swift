public import TernPrimitives

/// The paths of Kafka's ZooKeeper-mode layout that the coordination client reads and writes,
/// all relative to the chroot.
public enum KafkaZNodePath {
    /// Live brokers, one ephemeral child each.
    public static let brokerIds = "/brokers/ids"
    /// Topics, one persistent child each.
    public static let topics = "/brokers/topics"
    /// Topic config overrides.
    public static let topicConfigs = "/config/topics"
    /// Dynamic broker configs.
    public static let brokerConfigs = "/config/brokers"
    /// The elected controller (ephemeral).
    public static let controller = "/controller"
    /// The controller election counter.
    public static let controllerEpoch = "/controller_epoch"
    /// The last producer id block granted.
    public static let producerIdBlock = "/latest_producer_id_block"
    /// The cluster id.
    public static let clusterId = "/cluster/id"
    /// The persistent nodes Kafka creates at startup; everything else hangs below them.
    public static let persistent = [
        "/brokers", brokerIds, topics, "/brokers/seqid", "/config", topicConfigs, brokerConfigs, "/config/changes",
        "/config/users", "/config/clients", "/admin", "/admin/delete_topics", "/cluster", "/isr_change_notification",
        "/log_dir_event_notification", producerIdBlock,
    ]

    /// `/brokers/ids/<id>`.
    public static func broker(_ id: Int32) -> String { "\(brokerIds)/\(id)" }
    /// `/brokers/topics/<topic>`.
    public static func topic(_ name: String) -> String { "\(topics)/\(name)" }
    /// `/brokers/topics/<topic>/partitions`.
    public static func partitions(_ topic: String) -> String { "\(topics)/\(topic)/partitions" }
    /// `/brokers/topics/<topic>/partitions/<p>`.
    public static func partition(_ partition: TopicPartition) -> String { "\(partitions(partition.topic))/\(partition.partition)" }
    /// `/brokers/topics/<topic>/partitions/<p>/state`.
    public static func partitionState(_ partition: TopicPartition) -> String { "\(Self.partition(partition))/state" }
    /// `/config/topics/<topic>`.
    public static func topicConfig(_ name: String) -> String { "\(topicConfigs)/\(name)" }
    /// `/config/brokers/<id>`, or `/config/brokers/<default>` for the cluster-wide scope "".
    public static func brokerConfig(scope: String) -> String { "\(brokerConfigs)/\(brokerConfigNode(scope: scope))" }

    /// The node name of a broker config scope: Kafka writes the cluster-wide one as `<default>`.
    public static func brokerConfigNode(scope: String) -> String { scope.isEmpty ? "<default>" : scope }
    /// The scope of a `/config/brokers` child.
    public static func brokerConfigScope(node: String) -> String { node == "<default>" ? "" : node }
}
