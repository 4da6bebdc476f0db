// Committed offsets of one group, plus the commits still being written. Kafka keeps the two
// apart so an offset is visible only once durable, while a fetch that requires stable offsets
// can tell that a newer one is on its way.

import TernPrimitives

/// A committed offset as Kafka stores it.
public struct OffsetAndMetadata: Hashable, Sendable {
    /// The next offset to consume.
    public var offset: Int64
    /// The leader epoch of the last consumed record, if the client sent one.
    public var leaderEpoch: Int32?
    /// Client metadata.
    public var metadata: String
    /// Wall-clock milliseconds of the commit.
    public var commitTimestamp: Int64
    /// Wall-clock milliseconds after which the offset expires, when the committer asked for an
    /// explicit retention (old semantics, record version 1).
    public var expireTimestamp: Int64?

    /// Creates a committed offset.
    public init(offset: Int64, leaderEpoch: Int32? = nil, metadata: String = "", commitTimestamp: Int64, expireTimestamp: Int64? = nil) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.commitTimestamp = commitTimestamp
        self.expireTimestamp = expireTimestamp
    }
}

/// The offsets of one group.
struct GroupOffsets: Hashable, Sendable {
    /// Durable offsets.
    var committed: [TopicPartition: OffsetAndMetadata] = [:]
    /// How many commits of each partition are being written.
    var pending: [TopicPartition: Int] = [:]

    /// Transactional offsets written but not yet committed by a marker, by producer id.
    var transactional: [Int64: [TopicPartition: OffsetAndMetadata]] = [:]

    var isEmpty: Bool { committed.isEmpty && pending.isEmpty && transactional.isEmpty }

    /// Whether an offset of `partition` is being written or waits for its transaction.
    func isUnstable(_ partition: TopicPartition) -> Bool {
        pending[partition] != nil || transactional.values.contains { $0[partition] != nil }
    }

    mutating func beginCommit(_ partitions: some Sequence<TopicPartition>) {
        for partition in partitions { pending[partition, default: 0] += 1 }
    }

    /// Ends one write of `partition`; applies `offset` when the write succeeded.
    mutating func finishCommit(_ partition: TopicPartition, offset: OffsetAndMetadata?) {
        if let count = pending[partition] {
            pending[partition] = count > 1 ? count - 1 : nil
        }
        if let offset { committed[partition] = offset }
    }

    /// The offsets that have expired at `wallClockMilliseconds`. `base` gives the instant from
    /// which the retention runs for an offset without an explicit expire timestamp; partitions
    /// of `exempt` topics and those with a commit in flight never expire.
    func expired(
        wallClockMilliseconds: Int64, retention: Duration, exempt: Set<String>,
        base: (OffsetAndMetadata) -> Int64
    ) -> [TopicPartition] {
        let retentionMilliseconds = retention.millisecondsClamped
        return committed.compactMap { partition, offset in
            guard !exempt.contains(partition.topic), !isUnstable(partition) else { return nil }
            if let expireTimestamp = offset.expireTimestamp {
                return wallClockMilliseconds >= expireTimestamp ? partition : nil
            }
            return wallClockMilliseconds - base(offset) >= retentionMilliseconds ? partition : nil
        }.sorted()
    }
}
