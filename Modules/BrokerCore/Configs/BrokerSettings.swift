/// The broker-level settings the request handlers and coordinators read, typed. Built by
/// `BrokerConfigCatalog.settings(in:)` from the same layers DescribeConfigs reports, so what a
/// client sees described is what the broker uses.
public struct BrokerSettings: Hashable, Sendable {
    /// `num.partitions`: partitions of a topic created without a count.
    public var numPartitions: Int32
    /// `default.replication.factor`: replicas of a topic created without a factor.
    public var defaultReplicationFactor: Int16
    /// `auto.create.topics.enable`.
    public var autoCreateTopicsEnable: Bool
    /// `delete.topic.enable`.
    public var deleteTopicEnable: Bool
    /// `offsets.topic.num.partitions`.
    public var offsetsTopicPartitions: Int32
    /// `offsets.topic.replication.factor`.
    public var offsetsTopicReplicationFactor: Int16
    /// `offsets.topic.segment.bytes`.
    public var offsetsTopicSegmentBytes: Int
    /// `offsets.retention.minutes`.
    public var offsetsRetention: Duration
    /// `transaction.state.log.num.partitions`.
    public var transactionStateLogPartitions: Int32
    /// `transaction.state.log.replication.factor`.
    public var transactionStateLogReplicationFactor: Int16
    /// `transaction.state.log.min.isr`.
    public var transactionStateLogMinInSyncReplicas: Int
    /// `transaction.state.log.segment.bytes`.
    public var transactionStateLogSegmentBytes: Int
    /// `transaction.max.timeout.ms`.
    public var transactionTimeoutMax: Duration
    /// `transactional.id.expiration.ms`.
    public var transactionalIdExpiration: Duration
    /// `group.initial.rebalance.delay.ms`.
    public var groupInitialRebalanceDelay: Duration
    /// `group.min.session.timeout.ms`.
    public var groupSessionTimeoutMin: Duration
    /// `group.max.session.timeout.ms`.
    public var groupSessionTimeoutMax: Duration
    /// `group.max.size`.
    public var groupSizeMax: Int
    /// `socket.request.max.bytes`.
    public var requestBytesMax: Int
}

extension BrokerConfigCatalog {
    /// The broker settings in `layers` (only the broker layers are read).
    public func settings(in layers: ConfigLayers) -> BrokerSettings {
        BrokerSettings(
            numPartitions: Int32(clamping: integer("num.partitions", layers)),
            defaultReplicationFactor: Int16(clamping: integer("default.replication.factor", layers)),
            autoCreateTopicsEnable: boolean("auto.create.topics.enable", layers),
            deleteTopicEnable: boolean("delete.topic.enable", layers),
            offsetsTopicPartitions: Int32(clamping: integer("offsets.topic.num.partitions", layers)),
            offsetsTopicReplicationFactor: Int16(clamping: integer("offsets.topic.replication.factor", layers)),
            offsetsTopicSegmentBytes: Int(integer("offsets.topic.segment.bytes", layers)),
            offsetsRetention: .seconds(integer("offsets.retention.minutes", layers) * 60),
            transactionStateLogPartitions: Int32(clamping: integer("transaction.state.log.num.partitions", layers)),
            transactionStateLogReplicationFactor: Int16(clamping: integer("transaction.state.log.replication.factor", layers)),
            transactionStateLogMinInSyncReplicas: Int(integer("transaction.state.log.min.isr", layers)),
            transactionStateLogSegmentBytes: Int(integer("transaction.state.log.segment.bytes", layers)),
            transactionTimeoutMax: .milliseconds(integer("transaction.max.timeout.ms", layers)),
            transactionalIdExpiration: .milliseconds(integer("transactional.id.expiration.ms", layers)),
            groupInitialRebalanceDelay: .milliseconds(integer("group.initial.rebalance.delay.ms", layers)),
            groupSessionTimeoutMin: .milliseconds(integer("group.min.session.timeout.ms", layers)),
            groupSessionTimeoutMax: .milliseconds(integer("group.max.session.timeout.ms", layers)),
            groupSizeMax: Int(integer("group.max.size", layers)),
            requestBytesMax: Int(integer("socket.request.max.bytes", layers)))
    }

    // Every config read here has a non-null default of its type; anything else is a catalog bug.

    private func integer(_ name: String, _ layers: ConfigLayers) -> Int64 {
        guard case .integer(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not an integer") }
        return value
    }

    private func boolean(_ name: String, _ layers: ConfigLayers) -> Bool {
        guard case .boolean(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not a boolean") }
        return value
    }
}
