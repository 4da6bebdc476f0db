public import NIOCore
public import TernPrimitives

/// The broker's internal compacted topics (`__consumer_offsets`, `__transaction_state`) as the
/// coordinators that keep their state there see them. The replica manager implements it; tests
/// use an in-memory twin.
public protocol InternalTopicStore: Sendable {
    /// Creates the topic if absent (compacted, `partitionCount` partitions, `configs` on top)
    /// and returns once this broker hosts it. Existing topics are left as they are.
    func ensureTopic(_ name: String, partitionCount: Int32, configs: [String: String]) async throws(InternalTopicError)

    /// Appends one v2 batch (offsets relative from 0, CRC valid) as the partition's leader and
    /// returns its base offset once it is committed (acks=all).
    func append(_ batch: ByteBuffer, to partition: TopicPartition) async throws(InternalTopicError) -> Int64

    /// Whole batches from `offset` up to the high watermark, at most about `maxBytes` (at
    /// least one batch), and the high watermark; an empty buffer means caught up.
    func read(_ partition: TopicPartition, from offset: Int64, maxBytes: Int) async throws(InternalTopicError) -> InternalTopicRead

    /// Whether this broker currently leads the partition.
    func isLeader(of partition: TopicPartition) async -> Bool
}

/// What `InternalTopicStore.read` returns.
public struct InternalTopicRead: Sendable {
    /// Whole batches, back to back.
    public var batches: ByteBuffer
    /// The partition's high watermark.
    public var highWatermark: Int64

    /// A read result.
    public init(batches: ByteBuffer, highWatermark: Int64) {
        self.batches = batches
        self.highWatermark = highWatermark
    }
}

/// Why an internal topic operation failed.
public enum InternalTopicError: Error, Hashable, Sendable {
    /// This broker does not lead the partition (or no longer does).
    case notLeader(TopicPartition)
    /// The log failed; the message says how.
    case storage(String)
    /// The topic could not be created.
    case creationFailed(String)
}
