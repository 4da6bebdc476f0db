import NIOCore
import TernProtocol

/// One stored batch: its bytes as appended (compressed, offsets stamped), plus the header
/// fields the log consults often, so reads and retention never re-parse headers.
///
/// A leader's batch that fills most of the buffer it arrived in is kept where it lies, with
/// its first 16 bytes (base offset, length, leader epoch: outside the CRC) as a stamped copy
/// in `stampedHead`: patching the shared request buffer would copy the whole batch, and the
/// fresh pages that copy lands in were, with the copy, a fifth of the broker's CPU at full
/// speed. A small batch in a large buffer is copied instead, so one record cannot pin a
/// whole receive buffer.
struct MemoryBatch: Sendable {
    /// The whole batch; when `stampedHead` is set, its first 16 bytes are as the producer
    /// sent them and `stampedHead` holds them as stored.
    private var appended: ByteBuffer
    private var stampedHead: ByteBuffer?
    /// The offset of its first record.
    var baseOffset: Int64
    /// The offset of its last record (baseOffset + lastOffsetDelta).
    var lastOffset: Int64
    /// The header's maxTimestamp (the append time for LogAppendTime batches).
    var maxTimestamp: Int64
    /// The leader epoch stamped into it.
    var leaderEpoch: Int32

    /// The bytes of a leader's stamp: base offset, batch length, partition leader epoch.
    static let stampedHeadBytes = 16

    /// Captures a validated batch whose bytes are final.
    init(_ view: RecordBatchView) {
        appended = view.bytes
        baseOffset = view.baseOffset
        lastOffset = view.lastOffset
        maxTimestamp = view.maxTimestamp
        leaderEpoch = view.partitionLeaderEpoch
    }

    /// Captures a validated batch as a leader stores it, at `baseOffset` with `epoch`,
    /// without touching the buffer it lies in.
    init(_ view: RecordBatchView, stampingBaseOffset baseOffset: Int64, epoch: Int32) {
        appended = view.bytes
        var head = ByteBuffer()
        head.reserveCapacity(Self.stampedHeadBytes)
        head.writeInteger(baseOffset)
        head.writeInteger(Int32(view.bytes.readableBytes - RecordBatchHeader.logOverhead))
        head.writeInteger(epoch)
        stampedHead = head
        self.baseOffset = baseOffset
        lastOffset = baseOffset + Int64(view.lastOffsetDelta)
        maxTimestamp = view.maxTimestamp
        leaderEpoch = epoch
    }

    /// Whether keeping `bytes` where they lie, rather than copying them, wastes at most as
    /// much memory as they use.
    static func worthKeepingInPlace(_ bytes: ByteBuffer) -> Bool {
        bytes.readableBytes > stampedHeadBytes && bytes.readableBytes * 2 >= bytes.storageCapacity
    }

    /// Bytes the batch occupies.
    var size: Int { appended.readableBytes }

    /// The stored bytes as they are sent: one slice, or the stamped head and the rest.
    func appendSlices(to slices: inout [LogSlice]) {
        guard let stampedHead else {
            slices.append(.bytes(appended))
            return
        }
        slices.append(.bytes(stampedHead))
        slices.append(.bytes(afterHead))
    }

    /// The appended bytes past the 16 a leader's stamp replaces.
    private var afterHead: ByteBuffer {
        appended.getSlice(at: appended.readerIndex + Self.stampedHeadBytes, length: size - Self.stampedHeadBytes)!
    }

    /// The stored bytes in one buffer (copied together when the head is stamped apart).
    var bytes: ByteBuffer {
        guard var head = stampedHead else { return appended }
        var rest = afterHead
        head.reserveCapacity(size)
        head.writeBuffer(&rest)
        return head
    }

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
