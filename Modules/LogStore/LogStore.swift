public import TernPrimitives

/// Opens, creates and deletes the logs of the partitions a broker hosts.
///
/// Two implementations share one contract (Tests/LogStoreTests/LogContractTests): the
/// durable `SegmentedLogStore` (Kafka's on-disk layout) and `MemoryLogStore`.
public protocol LogStore: Sendable {
    /// Opens the partition's log, creating it when absent, and recovers it if the store was
    /// not shut down cleanly. Opening an open log returns the same log.
    func openLog(_ partition: TopicPartition, config: LogConfig) async throws(LogStoreError) -> any PartitionLog

    /// Closes and removes the partition's log and every file of it.
    func deleteLog(_ partition: TopicPartition) async throws(LogStoreError)

    /// The partitions that have a log in this store, open or not.
    func existingPartitions() async throws(LogStoreError) -> [TopicPartition]

    /// Opens many partitions' logs as `openLog` opens each, for a broker starting with
    /// thousands of partitions; an implementation may open several at once. Every partition
    /// maps to its log or to the error that stopped it, and one failure stops no other.
    func openLogs(_ partitions: [TopicPartition: LogConfig]) async -> [TopicPartition: Result<any PartitionLog, LogStoreError>]

    /// Flushes and closes every log and marks the shutdown clean, so the next open skips
    /// recovery. The store may not be used afterwards.
    func close() async throws(LogStoreError)

    /// The executor a task that mostly calls into this store's logs should prefer
    /// (`withTaskExecutorPreference`), for a store whose logs run on threads of their own;
    /// nil when any executor will do.
    var preferredTaskExecutor: (any TaskExecutor)? { get }
}

extension LogStore {
    /// No preference.
    public var preferredTaskExecutor: (any TaskExecutor)? { nil }

    /// Opens the logs one at a time.
    public func openLogs(_ partitions: [TopicPartition: LogConfig]) async -> [TopicPartition: Result<any PartitionLog, LogStoreError>] {
        var logs: [TopicPartition: Result<any PartitionLog, LogStoreError>] = [:]
        for (partition, config) in partitions {
            do throws(LogStoreError) {
                logs[partition] = .success(try await openLog(partition, config: config))
            } catch {
                logs[partition] = .failure(error)
            }
        }
        return logs
    }
}

/// The log of one partition: an append-only sequence of record batches, addressed by offset.
///
/// Offsets run from `logStartOffset` (the first offset still kept) to `logEndOffset` (the
/// offset the next record will get). Reads return whole batches, as stored.
public protocol PartitionLog: AnyObject, Sendable {
    /// The partition this log holds.
    var partition: TopicPartition { get }

    /// The current bounds of the log.
    func offsets() async -> LogOffsets

    /// Appends one or more whole v2 batches and returns once they are as durable as the
    /// config's `durability` asks. The log checks each batch's framing, and its CRC unless
    /// the append's `validation` says the caller already did (`.crcVerifiedByCaller`).
    func append(_ batches: LogAppend) async throws(LogStoreError) -> LogAppendInfo

    /// Reads whole batches from the one containing `fetchOffset`.
    func read(_ request: LogReadRequest) async throws(LogStoreError) -> LogReadResult

    /// The first record whose timestamp is at or after `timestamp` (ListOffsets by time),
    /// or nil when every record is older.
    func offset(forTimestamp timestamp: Int64) async throws(LogStoreError) -> TimestampOffset?

    /// The record with the largest timestamp (ListOffsets MAX_TIMESTAMP); the earliest such
    /// record on ties. Nil for an empty log.
    func maxTimestampOffset() async throws(LogStoreError) -> TimestampOffset?

    /// Removes every batch that holds an offset at or after `offset` (a follower whose log
    /// diverged from the leader's). The new log end is the base offset of the first batch
    /// removed, or unchanged when nothing is.
    func truncate(to offset: Int64) async throws(LogStoreError)

    /// Empties the log and restarts it at `offset` (a follower too far behind the leader).
    func truncateFully(startingAt offset: Int64) async throws(LogStoreError)

    /// Raises the log start offset (DeleteRecords) and deletes the segments wholly below it.
    /// Returns the new log start offset; lowering it is a no-op.
    func advanceLogStartOffset(to offset: Int64) async throws(LogStoreError) -> Int64

    /// Applies a changed topic config from now on.
    func updateConfig(_ config: LogConfig) async

    /// Forces every appended byte to disk.
    func flush() async throws(LogStoreError)

    /// Deletes whole segments past `retention.ms` or `retention.bytes` (never the active
    /// one), if the cleanup policy deletes. `now` is wall-clock milliseconds.
    func enforceRetention(now: Int64) async throws(LogStoreError) -> RetentionResult

    /// Compacts the sealed segments (keeps the latest record per key; drops tombstones older
    /// than `delete.retention.ms`), if the cleanup policy compacts. `now` is wall-clock ms.
    func compact(now: Int64) async throws(LogStoreError) -> CompactionResult

    /// Persists the high watermark so a restarted broker resumes from it.
    func checkpointHighWatermark(_ offset: Int64) async throws(LogStoreError)

    /// The last checkpointed high watermark, or nil when none was ever written.
    func checkpointedHighWatermark() async -> Int64?

    /// Records that `epoch` begins at `startOffset` in the leader-epoch cache (persisted).
    /// Entries at or above the epoch or offset are replaced.
    func assignLeaderEpoch(_ epoch: Int32, startOffset: Int64) async throws(LogStoreError)

    /// The leader-epoch cache, oldest first.
    func leaderEpochs() async -> [LeaderEpochEntry]

    /// OffsetForLeaderEpoch, as Kafka's leader-epoch cache answers it: the largest epoch ≤
    /// `epoch` in the cache and the offset where it ended (the next epoch's start, or the log
    /// end for the latest); for an epoch older than every entry, that epoch with the earliest
    /// entry's start offset. Nil where Kafka answers UNDEFINED: an empty cache, a negative
    /// epoch, or one newer than the latest.
    func endOffset(forLeaderEpoch epoch: Int32) async -> LeaderEpochEntry?

    /// Replaces the producer-state snapshot with `snapshot`, whose offset must lie in
    /// [0, logEndOffset]; durable when this returns (temporary file, fsync, rename, directory
    /// fsync for a durable store). A snapshot larger than `ProducerSnapshot.bytesMax` throws
    /// `.invalidBatch`.
    func writeProducerSnapshot(_ snapshot: ProducerSnapshot) async throws(LogStoreError)

    /// The latest producer-state snapshot, or nil when none was written or truncation has
    /// since removed batches below its offset. `truncate(to:)` below the snapshot's offset
    /// and `truncateFully(startingAt:)` discard it; raising the log start keeps it (Kafka
    /// keeps producer state until it expires, whatever retention deletes).
    func producerSnapshot() async throws(LogStoreError) -> ProducerSnapshot?

    /// Records an aborted transaction (its abort marker already appended), unless an abort at
    /// or after its marker is recorded already. The index is not fsynced: a broker rebuilds
    /// the entries it lost from the log while restoring producer state. Truncation drops the
    /// entries whose marker it removes.
    func appendAbortedTransaction(_ transaction: AbortedTransaction) async throws(LogStoreError)

    /// The aborted transactions whose [firstOffset, lastOffset] meets [startOffset,
    /// upperBound), oldest abort first (a read_committed Fetch).
    func abortedTransactions(from startOffset: Int64, upTo upperBound: Int64) async throws(LogStoreError) -> [AbortedTransaction]

    /// Closes the log's files; the log may not be used afterwards.
    func close() async throws(LogStoreError)
}
