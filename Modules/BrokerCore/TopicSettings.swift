public import TernLogStore
public import TernPrimitives
public import TernProtocol

/// The effective configuration of one topic: its overrides over the broker's defaults, typed.
/// Built by the config catalog; read by Produce (validation, timestamps, recompression), by
/// the replica manager (the log's config) and by the controller (min ISR, unclean election).
public struct TopicSettings: Hashable, Sendable {
    /// What the log store needs: segments, retention, cleanup, flush.
    public var log: LogConfig
    /// `max.message.bytes`: the largest batch accepted, after any recompression.
    public var maxMessageBytes: Int
    /// `compression.type`.
    public var compression: TopicCompression
    /// `message.timestamp.type`.
    public var timestampType: TimestampType
    /// `message.timestamp.before.max.ms`: how far a CreateTime timestamp may lie in the past.
    public var timestampBeforeMax: Int64
    /// `message.timestamp.after.max.ms`: how far a CreateTime timestamp may lie in the future.
    public var timestampAfterMax: Int64
    /// `min.insync.replicas`: acks=all writes need this many in-sync replicas.
    public var minInSyncReplicas: Int
    /// `unclean.leader.election.enable`.
    public var uncleanLeaderElection: Bool

    /// Settings with Kafka's defaults.
    public init(
        log: LogConfig = LogConfig(), maxMessageBytes: Int = 1_048_588, compression: TopicCompression = .producer,
        timestampType: TimestampType = .createTime, timestampBeforeMax: Int64 = .max, timestampAfterMax: Int64 = .max,
        minInSyncReplicas: Int = 1, uncleanLeaderElection: Bool = false
    ) {
        self.log = log
        self.maxMessageBytes = maxMessageBytes
        self.compression = compression
        self.timestampType = timestampType
        self.timestampBeforeMax = timestampBeforeMax
        self.timestampAfterMax = timestampAfterMax
        self.minInSyncReplicas = minInSyncReplicas
        self.uncleanLeaderElection = uncleanLeaderElection
    }
}

/// A topic's `compression.type`.
public enum TopicCompression: Hashable, Sendable {
    /// Keep each batch as the producer compressed it.
    case producer
    /// Store batches with this codec, recompressing those that differ (`uncompressed` is `.none`).
    case codec(CompressionType)
}
