import NIOCore
import TernProtocol

/// One stored batch: its bytes exactly as appended (compressed, offsets stamped), plus the
/// header fields the log consults often, so reads and retention never re-parse headers.
struct MemoryBatch: Sendable {
    /// The whole batch.
    var bytes: ByteBuffer
    /// The offset of its first record.
    var baseOffset: Int64
    /// The offset of its last record (baseOffset + lastOffsetDelta).
    var lastOffset: Int64
    /// The header's maxTimestamp (the append time for LogAppendTime batches).
    var maxTimestamp: Int64
    /// The leader epoch stamped into it.
    var leaderEpoch: Int32

    /// Captures a validated batch.
    init(_ view: RecordBatchView) {
        bytes = view.bytes
        baseOffset = view.baseOffset
        lastOffset = view.lastOffset
        maxTimestamp = view.maxTimestamp
        leaderEpoch = view.partitionLeaderEpoch
    }

    /// Bytes the batch occupies.
    var size: Int { bytes.readableBytes }

    /// The batch as a view again; its bytes were validated on the way in, so the CRC is not
    /// checked twice.
    func view() throws(LogStoreError) -> RecordBatchView {
        do {
            return try RecordBatchView(buffer: bytes, verifyingChecksum: false)
        } catch {
            throw .invalidBatch("stored batch at offset \(baseOffset) no longer parses: \(error)")
        }
    }
}

/// The in-memory counterpart of a segment file: a run of batches that rolls, is retained
/// and is compacted as a unit, exactly as `SegmentedLogStore`'s segments are.
struct MemorySegment: Sendable {
    /// The offset the segment was created at: the log end when it was rolled. Its batches
    /// start at or after it (later, when compaction removed the first ones).
    var baseOffset: Int64
    /// The batches, in offset order.
    private(set) var batches: [MemoryBatch] = []
    /// The sum of the batches' sizes.
    private(set) var size = 0
    /// Wall-clock ms when the first batch was appended; `segment.ms` counts from here.
    private(set) var firstAppendTime: Int64?
    /// Wall-clock ms of the latest append: the segment file's mtime, in effect.
    private(set) var lastAppendTime: Int64 = 0
    /// The largest batch maxTimestamp, or -1; kept up to date so retention and ListOffsets
    /// can skip a segment without looking at its batches.
    private var largestBatchTimestamp: Int64 = -1

    /// An empty segment starting at `baseOffset`.
    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    /// Whether the segment holds no batch.
    var isEmpty: Bool { batches.isEmpty }

    /// The largest batch timestamp, which `retention.ms` goes by. Like Kafka, a segment
    /// whose batches carry no timestamp falls back to its last modification time.
    var largestTimestamp: Int64 {
        largestBatchTimestamp >= 0 ? largestBatchTimestamp : lastAppendTime
    }

    /// Adds batches at the end.
    mutating func append(_ added: [MemoryBatch], now: Int64) {
        if firstAppendTime == nil { firstAppendTime = now }
        lastAppendTime = now
        batches.append(contentsOf: added)
        size += added.reduce(0) { $0 + $1.size }
        largestBatchTimestamp = max(largestBatchTimestamp, added.map(\.maxTimestamp).max() ?? -1)
    }

    /// The index of the first batch with an offset at or after `offset`, or `batches.count`.
    func firstBatchIndex(endingAtOrAfter offset: Int64) -> Int {
        var low = 0
        var high = batches.count
        while low < high {
            let middle = (low + high) / 2
            if batches[middle].lastOffset < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Removes the batches from index `index` on.
    mutating func removeBatches(from index: Int) {
        size -= batches[index...].reduce(0) { $0 + $1.size }
        batches.removeSubrange(index...)
        largestBatchTimestamp = batches.map(\.maxTimestamp).max() ?? -1
    }

    /// Replaces the batches with compacted ones; times are kept, as rewriting a segment file
    /// keeps the original's timestamps in Kafka.
    mutating func replaceBatches(_ compacted: [MemoryBatch]) {
        batches = compacted
        size = compacted.reduce(0) { $0 + $1.size }
        largestBatchTimestamp = compacted.map(\.maxTimestamp).max() ?? -1
    }
}
