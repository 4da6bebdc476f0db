public import TernCompression
public import TernPrimitives

/// A `LogStore` that keeps every log in memory: for unit tests, the simulator and brokers
/// that need no durability.
///
/// Its logs behave exactly as `SegmentedLogStore`'s do (the contract tests run against
/// both), except that nothing outlives the store object. Within one store, closing a log
/// keeps its data: opening the partition again returns a new log object over the same data
/// (the closed one stays closed), as reopening a segment directory would. `deleteLog`
/// removes the data; `close()` ends the store.
public actor MemoryLogStore: LogStore {
    private let clock: any BrokerClock
    private let codecs: CompressionCodecs
    private var logs: [TopicPartition: MemoryPartitionLog] = [:]
    private var isClosed = false

    /// An empty store whose logs roll segments by `clock`'s wall clock and decompress with
    /// `codecs` (for ListOffsets by time and compaction).
    public init(clock: any BrokerClock = SystemClock(), codecs: CompressionCodecs = CompressionCodecs()) {
        self.clock = clock
        self.codecs = codecs
    }

    /// Opens the partition's log, creating it empty when absent.
    ///
    /// An open log is returned as it is and keeps its config (use `updateConfig` to change
    /// it); a closed one is reopened over its data with `config`.
    public func openLog(_ partition: TopicPartition, config: LogConfig) async throws(LogStoreError) -> any PartitionLog {
        if isClosed { throw .closed(partition) }
        guard let existing = logs[partition] else {
            return register(MemoryLogState(config: config), for: partition)
        }
        guard var state = await existing.stateIfClosed() else { return existing }
        // The await let other calls in: if one already reopened (or deleted) the partition
        // meanwhile, its outcome stands rather than a second log over the same data.
        if isClosed { throw .closed(partition) }
        if let current = logs[partition], current !== existing { return current }
        if logs[partition] == nil { state = MemoryLogState(config: config) }
        state.config = config
        return register(state, for: partition)
    }

    private func register(_ state: MemoryLogState, for partition: TopicPartition) -> MemoryPartitionLog {
        let log = MemoryPartitionLog(partition: partition, state: state, clock: clock, codecs: codecs)
        logs[partition] = log
        return log
    }

    /// Closes the partition's log and drops its data. Deleting an absent log does nothing.
    public func deleteLog(_ partition: TopicPartition) async throws(LogStoreError) {
        if isClosed { throw .closed(partition) }
        guard let log = logs.removeValue(forKey: partition) else { return }
        await log.close()
    }

    /// The partitions with a log in this store, open or closed, in order.
    public func existingPartitions() -> [TopicPartition] {
        logs.keys.sorted()
    }

    /// Closes every log; afterwards opening or deleting a log throws `.closed`.
    public func close() async {
        isClosed = true
        for log in logs.values {
            await log.close()
        }
    }
}
