public import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol

extension TopicConfigCatalog {
    /// The typed settings of a topic whose overrides and broker defaults are `layers`.
    ///
    /// Kafka's "unset" encodings become nil: `retention.ms=-1` and a negative
    /// `retention.bytes` mean no limit, and `flush.messages`/`flush.ms` at Long.MAX mean the OS
    /// decides when to write back. `message.timestamp.before.max.ms` and `.after.max.ms` fall
    /// back to the deprecated `message.timestamp.difference.max.ms` while they are at their
    /// default, as Kafka 3.9 does.
    public func settings(in layers: ConfigLayers) -> TopicSettings {
        TopicSettings(
            log: logConfig(in: layers),
            maxMessageBytes: Int(integer("max.message.bytes", in: layers)),
            compression: compression(in: layers),
            timestampType: string("message.timestamp.type", in: layers) == "LogAppendTime" ? .logAppendTime : .createTime,
            timestampBeforeMax: timestampLimit("message.timestamp.before.max.ms", in: layers),
            timestampAfterMax: timestampLimit("message.timestamp.after.max.ms", in: layers),
            minInSyncReplicas: Int(integer("min.insync.replicas", in: layers)),
            uncleanLeaderElection: boolean("unclean.leader.election.enable", in: layers))
    }

    /// The typed settings of `topicOverrides` on the broker `configuration` describes, with the
    /// dynamic broker configs of `metadata`.
    public func settings(
        topicOverrides: [String: String], metadata: ClusterMetadata, configuration: BrokerConfiguration
    ) -> TopicSettings {
        settings(in: ConfigLayers(topicOverrides: topicOverrides, metadata: metadata, configuration: configuration))
    }

    private func logConfig(in layers: ConfigLayers) -> LogConfig {
        var log = LogConfig()
        log.segmentBytes = Int(integer("segment.bytes", in: layers))
        log.segmentDuration = .milliseconds(integer("segment.ms", in: layers))
        let retentionBytes = integer("retention.bytes", in: layers)
        log.retentionBytes = retentionBytes < 0 ? nil : retentionBytes
        let retentionMilliseconds = integer("retention.ms", in: layers)
        log.retentionDuration = retentionMilliseconds < 0 ? nil : .milliseconds(retentionMilliseconds)
        log.cleanupPolicy = cleanupPolicy(list("cleanup.policy", in: layers))
        log.deleteRetention = .milliseconds(integer("delete.retention.ms", in: layers))
        log.indexIntervalBytes = Int(integer("index.interval.bytes", in: layers))
        log.indexBytesMax = Int(integer("segment.index.bytes", in: layers))
        let flushMessages = integer("flush.messages", in: layers)
        let flushMilliseconds = integer("flush.ms", in: layers)
        // flush.messages=1 asks for an fsync before every append is acknowledged, which Kafka
        // does one append at a time; the log store's fsync-before-acknowledge mode keeps that
        // promise with group commit (one fsync for the appends that arrived meanwhile).
        log.durability = flushMessages == 1 ? .fsyncBeforeAcknowledge : .flushPolicy(
            messages: flushMessages == .max ? nil : Int(flushMessages),
            interval: flushMilliseconds == .max ? nil : .milliseconds(flushMilliseconds))
        return log
    }

    private func cleanupPolicy(_ policies: [String]) -> CleanupPolicy {
        switch (policies.contains("compact"), policies.contains("delete")) {
        case (true, true): .compactAndDelete
        case (true, false): .compact
        // Validation refuses an empty list; a stored one still deletes rather than keeping
        // data forever unseen.
        case (false, _): .delete
        }
    }

    private func compression(in layers: ConfigLayers) -> TopicCompression {
        switch string("compression.type", in: layers) {
        case "producer": .producer
        case "uncompressed": .codec(.none)
        case let name: CompressionType(name: name).map(TopicCompression.codec) ?? .producer
        }
    }

    private func timestampLimit(_ name: String, in layers: ConfigLayers) -> Int64 {
        let limit = integer(name, in: layers)
        return limit == .max ? integer("message.timestamp.difference.max.ms", in: layers) : limit
    }
}
