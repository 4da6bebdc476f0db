public import TernPrimitives
import TernCompression

/// A partition log held in memory, with the same observable behaviour as a
/// `SegmentedLogStore` log: batches are kept as appended (compressed, offsets stamped) in
/// segments that roll, are retained and are compacted by the same rules.
///
/// The rules live in `MemoryLogState`; this actor serialises access to it, reads the clock,
/// and refuses every call once the log is closed. Appends are durable as soon as they
/// return, whatever the config's `durability`, and `flush()` has nothing to do.
public actor MemoryPartitionLog: PartitionLog {
    /// The partition this log holds.
    public nonisolated let partition: TopicPartition
    private let clock: any BrokerClock
    private let codecs: CompressionCodecs
    private let compactor: LogCompactor
    private var state: MemoryLogState
    private var isClosed = false

    /// A log over `state`: a new empty one, or the data of a closed log being reopened.
    init(partition: TopicPartition, state: MemoryLogState, clock: any BrokerClock, codecs: CompressionCodecs) {
        self.partition = partition
        self.state = state
        self.clock = clock
        self.codecs = codecs
        compactor = LogCompactor(codecs: codecs, decompressedBytesMax: Limits.batchDecompressedBytesMax)
    }

    /// The log's data if it is closed, for a log reopening it; nil while it is open.
    func stateIfClosed() -> MemoryLogState? {
        isClosed ? state : nil
    }

    private func requireOpen() throws(LogStoreError) {
        if isClosed { throw .closed(partition) }
    }

    public func offsets() -> LogOffsets {
        state.offsets
    }

    public func append(_ batches: LogAppend) throws(LogStoreError) -> LogAppendInfo {
        try requireOpen()
        return try state.append(batches, now: clock.wallClockMilliseconds)
    }

    public func read(_ request: LogReadRequest) throws(LogStoreError) -> LogReadResult {
        try requireOpen()
        return try state.read(request)
    }

    public func offset(forTimestamp timestamp: Int64) throws(LogStoreError) -> TimestampOffset? {
        try requireOpen()
        return try state.offset(forTimestamp: timestamp, codecs: codecs)
    }

    public func maxTimestampOffset() throws(LogStoreError) -> TimestampOffset? {
        try requireOpen()
        return try state.maxTimestampOffset(codecs: codecs)
    }

    public func truncate(to offset: Int64) throws(LogStoreError) {
        try requireOpen()
        state.truncate(to: offset)
    }

    public func truncateFully(startingAt offset: Int64) throws(LogStoreError) {
        try requireOpen()
        state.truncateFully(startingAt: offset)
    }

    public func advanceLogStartOffset(to offset: Int64) throws(LogStoreError) -> Int64 {
        try requireOpen()
        return try state.advanceLogStartOffset(to: offset)
    }

    public func updateConfig(_ config: LogConfig) {
        state.config = config
    }

    public func flush() throws(LogStoreError) {
        try requireOpen()
    }

    public func enforceRetention(now: Int64) throws(LogStoreError) -> RetentionResult {
        try requireOpen()
        return state.enforceRetention(now: now)
    }

    public func compact(now: Int64) throws(LogStoreError) -> CompactionResult {
        try requireOpen()
        return try state.compact(now: now, compactor: compactor)
    }

    public func checkpointHighWatermark(_ offset: Int64) throws(LogStoreError) {
        try requireOpen()
        state.highWatermarkCheckpoint = offset
    }

    public func checkpointedHighWatermark() -> Int64? {
        state.highWatermarkCheckpoint
    }

    public func assignLeaderEpoch(_ epoch: Int32, startOffset: Int64) throws(LogStoreError) {
        try requireOpen()
        state.assignLeaderEpoch(epoch, startOffset: startOffset)
    }

    public func leaderEpochs() -> [LeaderEpochEntry] {
        state.epochs.entries
    }

    public func endOffset(forLeaderEpoch epoch: Int32) -> LeaderEpochEntry? {
        state.epochs.endOffset(for: epoch, logEndOffset: state.logEndOffset)
    }

    public func writeProducerSnapshot(_ snapshot: ProducerSnapshot) throws(LogStoreError) {
        try requireOpen()
        guard snapshot.offset >= 0, snapshot.offset <= state.logEndOffset else {
            throw .offsetOutOfRange(requested: snapshot.offset, logStart: state.logStartOffset, logEnd: state.logEndOffset)
        }
        guard snapshot.bytes.count <= ProducerSnapshot.bytesMax else {
            throw .invalidBatch("producer snapshot of \(snapshot.bytes.count) bytes exceeds \(ProducerSnapshot.bytesMax)")
        }
        state.producerSnapshot = snapshot
    }

    public func producerSnapshot() throws(LogStoreError) -> ProducerSnapshot? {
        try requireOpen()
        return state.producerSnapshot
    }

    public func appendAbortedTransaction(_ transaction: AbortedTransaction) throws(LogStoreError) {
        try requireOpen()
        state.abortedTransactions.append(transaction)
    }

    public func abortedTransactions(from startOffset: Int64, upTo upperBound: Int64) throws(LogStoreError) -> [AbortedTransaction] {
        try requireOpen()
        return state.abortedTransactions.overlapping(from: startOffset, upTo: upperBound)
    }

    /// Closes the log. Closing a closed log does nothing. The data stays with the store that
    /// opened it, so opening the partition again on that store returns it.
    public func close() {
        isClosed = true
    }
}
