import NIOCore
import TernPrimitives
import TernProtocol

/// One entry of a segment's `.index` file: the last offset of a batch, relative to the
/// segment's base offset, and the file position where that batch starts. 8 bytes, both
/// big-endian int32, as in Kafka. Entries are sparse: one per `index.interval.bytes`.
struct OffsetIndexEntry: Equatable, Sendable {
    static let size = 8
    var relativeOffset: Int32
    var position: Int32

    init(relativeOffset: Int32, position: Int32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }

    init(bytes: UnsafeRawBufferPointer) {
        relativeOffset = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int32.self))
        position = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self))
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(relativeOffset)
        buffer.writeInteger(position)
    }
}

/// One entry of a segment's `.timeindex` file: the largest timestamp seen so far in the
/// segment and the (relative) last offset of the batch that first reached it. 12 bytes,
/// big-endian int64 + int32, as in Kafka. Timestamps strictly increase from entry to entry.
struct TimeIndexEntry: Equatable, Sendable {
    static let size = 12
    var timestamp: Int64
    var relativeOffset: Int32

    init(timestamp: Int64, relativeOffset: Int32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }

    init(bytes: UnsafeRawBufferPointer) {
        timestamp = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        relativeOffset = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int32.self))
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(timestamp)
        buffer.writeInteger(relativeOffset)
    }
}

/// The in-memory state of one segment: a `.log` file of whole batches starting at
/// `baseOffset`, and its two sparse indexes. Owned by one partition log's actor.
///
/// The active (last) segment keeps its offset index in memory, because every append and
/// nearly every fetch touches it; sealed segments answer lookups from their index files, so
/// memory stays flat however much a partition holds.
final class DiskSegment {
    /// Unique for the store's life; keys the descriptor cache.
    let id: UInt64
    /// The offset the segment's file is named after; no batch in it starts lower.
    let baseOffset: Int64
    /// The partition directory.
    let directory: String
    /// `directory/<20-digit base offset>`, built once: every append asks for a path, and
    /// formatting it each time showed in profiles of the append path.
    private let pathStem: String

    /// Bytes of whole batches in the `.log` file.
    var size: Int64 = 0
    /// One past the last offset in the segment (exact for the active segment; for a sealed
    /// one, the next segment's base offset is what bounds it).
    var nextOffset: Int64
    /// The largest batch max timestamp in the segment, -1 when none.
    var maxTimestamp: Int64 = -1
    /// The last offset of the batch that first reached `maxTimestamp`, -1 when none.
    var offsetOfMaxTimestamp: Int64 = -1
    /// False while `maxTimestamp` is as read from the time index's last entry at open (or
    /// kept from it by a truncation), not yet checked against the batch the entry names;
    /// see `verifyMaxTimestamp(of:)`. True when this process derived it from the batches.
    var maxTimestampVerified = true
    /// Wall-clock ms of the first append (or the first batch's timestamp after a restart),
    /// for `segment.ms`; nil while empty.
    var firstAppendWallClock: Int64?
    /// The first batch's max timestamp, seen by a scan at load: `segment.ms` counts from it
    /// after a restart, as Kafka's rolling-based timestamp does.
    var firstBatchTimestamp: Int64?
    /// Wall-clock ms of the last append (the file's mtime after a restart): what
    /// `retention.ms` goes by when the batches carry no timestamps, as in Kafka.
    var lastModifiedWallClock: Int64 = 0
    /// A prefix of the file whose batches are known to have correct CRCs (appended or
    /// scanned by this process), so reads verify each region of a sealed segment once.
    var verifiedBytes: Int64 = 0
    /// Where the bytes appended since the segment was loaded begin (they were CRC-checked
    /// on the way in), while a gap of unchecked bytes lies before them; nil otherwise.
    var verifiedTailStart: Int64?

    /// The end of the bytes that may still need a CRC check before being served.
    var uncheckedEnd: Int64 { verifiedTailStart ?? size }

    /// Notes the bytes in `[position, end)` as known good: they extend the checked prefix
    /// when they start inside it, and otherwise start or extend the checked tail.
    func noteVerified(at position: Int64, upTo end: Int64) {
        if verifiedBytes >= position {
            verifiedBytes = max(verifiedBytes, end)
            if let tail = verifiedTailStart, verifiedBytes >= tail {
                verifiedBytes = size
                verifiedTailStart = nil
            }
        } else if let tail = verifiedTailStart {
            if end >= tail { verifiedTailStart = min(tail, position) }
        } else if end == size {
            verifiedTailStart = position
        }
    }

    /// Entries in the `.index` file.
    var offsetIndexCount = 0
    /// Entries in the `.timeindex` file, and the last one's timestamp (-1 when empty).
    var timeIndexCount = 0
    var lastTimeIndexTimestamp: Int64 = -1
    /// Bytes appended since the last offset-index entry.
    var bytesSinceIndexEntry = 0
    /// The offset index, while the segment is active.
    var memoryIndex: [OffsetIndexEntry]?
    /// Encoded index entries not yet written to the index files (counted in
    /// `offsetIndexCount` and `timeIndexCount` already); see `writePendingIndexEntries`.
    var pendingOffsetEntries = ByteBuffer()
    var pendingTimeEntries = ByteBuffer()
    /// Whether a sealed segment's index files have been checked entry by entry.
    var indexesVerified = false
    /// Damaged positions already reported, so a corrupt region logs once, not per fetch.
    var reportedDamage: Set<Int64> = []

    init(id: UInt64, baseOffset: Int64, directory: String) {
        self.id = id
        self.baseOffset = baseOffset
        self.directory = directory
        pathStem = directory + "/" + Self.fileName(baseOffset: baseOffset)
        nextOffset = baseOffset
    }

    /// The path of one of the segment's files.
    func path(_ kind: SegmentFileKind) -> String {
        pathStem + kind.suffix
    }

    /// The cache key of one of the segment's files.
    func key(_ kind: SegmentFileKind) -> SegmentFileKey {
        SegmentFileKey(segmentID: id, kind: kind)
    }

    /// Whether the segment holds no batch.
    var isEmpty: Bool { size == 0 }

    /// The largest timestamp for `retention.ms`: the batches' maximum, or the last
    /// modification time when they carry none.
    var largestTimestamp: Int64 { maxTimestamp >= 0 ? maxTimestamp : lastModifiedWallClock }

    /// `offset - baseOffset` as an index stores it, or nil when it does not fit in an int32.
    func relative(_ offset: Int64) -> Int32? {
        let delta = offset - baseOffset
        return delta >= 0 && delta <= Int64(Int32.max) ? Int32(delta) : nil
    }

    /// Kafka's segment file name: the base offset as 20 zero-padded digits.
    static func fileName(baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The base offset a segment file name stands for, or nil for any other name.
    static func baseOffset(fileName: String, suffix: String) -> Int64? {
        guard fileName.hasSuffix(suffix) else { return nil }
        let stem = fileName.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(stem)
    }
}

/// Where an index's capacity stops new entries; `segment.index.bytes` over the entry size.
struct IndexCapacity {
    var offsetEntries: Int
    var timeEntries: Int

    init(indexBytesMax: Int) {
        offsetEntries = max(1, indexBytesMax / OffsetIndexEntry.size)
        timeEntries = max(1, indexBytesMax / TimeIndexEntry.size)
    }
}

extension DiskSegment {
    /// Whether either index has reached its capacity (a reason to roll).
    func indexesFull(_ capacity: IndexCapacity) -> Bool {
        offsetIndexCount >= capacity.offsetEntries || timeIndexCount >= capacity.timeEntries
    }

    /// Kafka's indexing rule for one batch placed at `position`, shared by appends and index
    /// rebuilds so both produce the same files: the batch's max timestamp updates the
    /// segment's; once more than `intervalBytes` have passed since the last entry, the batch
    /// gets an offset-index entry (its last offset and position) and the time index gets the
    /// segment's max timestamp so far, if that rose. New entries are encoded into the two
    /// buffers for the caller to write at the end of each file.
    func index(
        lastOffset: Int64, position: Int64, byteCount: Int, maxTimestamp batchMaxTimestamp: Int64,
        intervalBytes: Int, capacity: IndexCapacity,
        offsetEntries: inout ByteBuffer, timeEntries: inout ByteBuffer
    ) {
        observe(maxTimestamp: batchMaxTimestamp, lastOffset: lastOffset)
        if bytesSinceIndexEntry > intervalBytes, let relative = relative(lastOffset), position <= Int64(Int32.max) {
            if offsetIndexCount < capacity.offsetEntries {
                let entry = OffsetIndexEntry(relativeOffset: relative, position: Int32(position))
                entry.write(into: &offsetEntries)
                memoryIndex?.append(entry)
                offsetIndexCount += 1
            }
            if timeIndexCount < capacity.timeEntries {
                appendTimeEntryIfRaised(into: &timeEntries)
            }
            bytesSinceIndexEntry = 0
        }
        bytesSinceIndexEntry += byteCount
    }

    /// Raises the segment's max timestamp if a batch's is larger; the earliest batch to reach
    /// a maximum keeps it, so ties resolve to the earliest record.
    func observe(maxTimestamp batchMaxTimestamp: Int64, lastOffset: Int64) {
        if batchMaxTimestamp > maxTimestamp {
            maxTimestamp = batchMaxTimestamp
            offsetOfMaxTimestamp = lastOffset
        }
    }

    /// Adds the segment's max timestamp to the time index if it is above the last entry;
    /// called at each index point and, ignoring capacity, when the segment is sealed, so a
    /// sealed segment's last time-index entry is always its true maximum.
    func appendTimeEntryIfRaised(into timeEntries: inout ByteBuffer) {
        guard maxTimestamp > lastTimeIndexTimestamp, let relative = relative(offsetOfMaxTimestamp) else { return }
        TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: relative).write(into: &timeEntries)
        lastTimeIndexTimestamp = maxTimestamp
        timeIndexCount += 1
    }
}
