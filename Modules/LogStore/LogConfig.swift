/// How a partition's log is kept: the subset of Kafka's topic configs that concern storage.
/// Every field has Kafka's default.
public struct LogConfig: Hashable, Sendable {
    /// `segment.bytes`: roll to a new segment once the active one would exceed this.
    public var segmentBytes: Int = 1 << 30
    /// `segment.ms`: roll once the active segment's first batch is this old.
    public var segmentDuration: Duration = .seconds(7 * 24 * 3600)
    /// `retention.bytes`: delete the oldest whole segments while the log is larger; nil = no limit.
    public var retentionBytes: Int64?
    /// `retention.ms`: delete whole segments whose newest record is older; nil = keep forever.
    public var retentionDuration: Duration? = .seconds(7 * 24 * 3600)
    /// `cleanup.policy`.
    public var cleanupPolicy: CleanupPolicy = .delete
    /// `delete.retention.ms`: how long a compacted log keeps tombstones.
    public var deleteRetention: Duration = .seconds(24 * 3600)
    /// `index.interval.bytes`: bytes between entries of the sparse offset and time indexes.
    public var indexIntervalBytes: Int = 4096
    /// `segment.index.bytes`: the most an index file may hold; a full index rolls the segment.
    public var indexBytesMax: Int = 10 * 1024 * 1024
    /// When appended data is forced to disk.
    public var durability: Durability = .flushPolicy(messages: nil, interval: nil)

    /// Kafka's defaults.
    public init() {}
}

/// `cleanup.policy`.
public enum CleanupPolicy: String, Hashable, Sendable, CaseIterable {
    /// Delete old segments by time and size.
    case delete
    /// Keep the latest record per key.
    case compact
    /// Both.
    case compactAndDelete = "compact,delete"

    /// Whether the cleaner compacts this log.
    public var compacts: Bool { self != .delete }
    /// Whether retention deletes old segments of this log.
    public var deletes: Bool { self != .compact }
}

/// When appends are made durable.
public enum Durability: Hashable, Sendable {
    /// Kafka's model: the OS writes back on its own; an explicit flush happens after
    /// `messages` records (`flush.messages`) or `interval` (`flush.ms`), when set. An append is
    /// acknowledged once it is in the page cache; durability comes from replication.
    case flushPolicy(messages: Int?, interval: Duration?)
    /// Every append is acknowledged only after an fsync that covers it. Concurrent appends
    /// share one fsync (group commit).
    case fsyncBeforeAcknowledge
}
