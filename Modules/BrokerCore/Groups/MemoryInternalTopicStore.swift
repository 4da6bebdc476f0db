// An in-memory `InternalTopicStore` for tests and single-process tools: every partition is a list
// of batches whose offsets the store assigns, this broker leads every partition unless told
// otherwise, and a test can make appends fail.

public import NIOCore
public import TernPrimitives
import TernProtocol

/// Internal topics held in memory, led by this broker.
public actor MemoryInternalTopicStore: InternalTopicStore {
    private struct Partition {
        var batches: [(lastOffset: Int64, bytes: ByteBuffer)] = []
        var logEndOffset: Int64 = 0
        var isLeader = true
    }

    private var topics: [String: [Partition]] = [:]
    private var configs: [String: [String: String]] = [:]
    private var appendFailure: InternalTopicError?

    /// An empty store.
    public init() {}

    public func ensureTopic(_ name: String, partitionCount: Int32, configs: [String: String]) async throws(InternalTopicError) {
        guard topics[name] == nil else { return }
        guard partitionCount > 0 else { throw .creationFailed("\(name) needs at least one partition, not \(partitionCount)") }
        topics[name] = Array(repeating: Partition(), count: Int(partitionCount))
        self.configs[name] = configs
    }

    public func append(_ batch: ByteBuffer, to partition: TopicPartition) async throws(InternalTopicError) -> Int64 {
        if let appendFailure { throw appendFailure }
        guard let index = index(of: partition), topics[partition.topic]?[index].isLeader == true else {
            throw .notLeader(partition)
        }
        var view: RecordBatchView
        do {
            view = try RecordBatchView(buffer: batch)
        } catch {
            throw .storage("invalid batch for \(partition): \(error)")
        }
        let baseOffset = topics[partition.topic]![index].logEndOffset
        view.setBaseOffset(baseOffset)
        topics[partition.topic]![index].batches.append((view.lastOffset, view.bytes))
        topics[partition.topic]![index].logEndOffset = view.lastOffset + 1
        return baseOffset
    }

    public func read(_ partition: TopicPartition, from offset: Int64, maxBytes: Int) async throws(InternalTopicError) -> InternalTopicRead {
        guard let index = index(of: partition), let log = topics[partition.topic]?[index] else { throw .notLeader(partition) }
        var buffer = ByteBuffer()
        for batch in log.batches where batch.lastOffset >= offset {
            // At least one batch, then whole batches while they fit.
            if buffer.readableBytes > 0, buffer.readableBytes + batch.bytes.readableBytes > maxBytes { break }
            buffer.writeImmutableBuffer(batch.bytes)
        }
        return InternalTopicRead(batches: buffer, highWatermark: log.logEndOffset)
    }

    public func isLeader(of partition: TopicPartition) async -> Bool {
        guard let index = index(of: partition) else { return false }
        return topics[partition.topic]?[index].isLeader ?? false
    }

    // MARK: - Test controls

    /// Makes this broker lead `partition` or not; appends to a partition it does not lead fail.
    public func setLeader(_ isLeader: Bool, of partition: TopicPartition) {
        guard let index = index(of: partition) else { return }
        topics[partition.topic]?[index].isLeader = isLeader
    }

    /// Makes every later append fail with `failure`, or succeed again when nil.
    public func failAppends(with failure: InternalTopicError?) {
        appendFailure = failure
    }

    /// The configs a topic was created with, or nil when it does not exist.
    public func configs(of topic: String) -> [String: String]? {
        configs[topic]
    }

    /// How many partitions a topic has, or nil when it does not exist.
    public func partitionCount(of topic: String) -> Int? {
        topics[topic]?.count
    }

    /// The batches of a partition, in offset order.
    public func batches(of partition: TopicPartition) -> [ByteBuffer] {
        guard let index = index(of: partition) else { return [] }
        return topics[partition.topic]?[index].batches.map(\.bytes) ?? []
    }

    private func index(of partition: TopicPartition) -> Int? {
        guard let count = topics[partition.topic]?.count, partition.partition >= 0, Int(partition.partition) < count else { return nil }
        return Int(partition.partition)
    }
}
