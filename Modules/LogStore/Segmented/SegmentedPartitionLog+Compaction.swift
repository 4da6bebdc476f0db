#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernProtocol
import TernPrimitives

// Compaction with `LogCompactor`, by `MemoryLogState`'s rules: the key map covers every
// segment (the active one too), each sealed segment is rewritten keeping only the latest
// record per key, and a segment emptied this way is removed.
//
// A rewritten segment is swapped in crash-safely, like Kafka's cleaner:
// 1. write `<base>.log.cleaned`, `.index.cleaned`, `.timeindex.cleaned` and fsync them;
// 2. rename the index files to `.swap`, then the log to `.log.swap`: that last rename
//    commits the swap; fsync the directory;
// 3. rename the `.swap` files over the originals (indexes first, log last); fsync the
//    directory.
// At open, `.cleaned` files are deleted, and a `.log.swap` finishes step 3
// (`finishInterruptedCompaction`). Each rename replaces a file atomically, and a read
// holding the old segment's descriptor keeps reading the old file.
//
// The rewrite runs on the log's lane, so appends to this partition wait for it; Kafka runs
// its cleaner beside appends, which needs the segment list to change under a running pass.
extension SegmentedPartitionLog {
    func compact(now: Int64) async throws(LogStoreError) -> CompactionResult {
        try requireOpen()
        var result = CompactionResult(recordsRead: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0)
        guard config.cleanupPolicy.compacts, segments.count > 1 else { return result }
        var map = CompactionOffsetMap()
        for segment in segments {
            var scanner = try batchViews(of: segment)
            while let view = try nextView(&scanner, of: segment) {
                try context.compactor.indexKeys(of: view, into: &map)
            }
        }
        let tombstoneHorizon = now - config.deleteRetention.millisecondsClamped
        // Backwards, so removing an emptied segment does not shift the ones still to do.
        for index in stride(from: segments.count - 2, through: 0, by: -1) {
            let segment = segments[index]
            result.bytesBefore += segment.size
            guard let cleaned = try rewrite(segment, map: map, tombstoneHorizon: tombstoneHorizon, result: &result) else {
                result.bytesAfter += segment.size
                continue
            }
            result.bytesAfter += cleaned.size
            do throws(LogStoreError) {
                try swapIn(cleaned, replacing: segment)
                if cleaned.isEmpty {
                    try deleteFiles(of: cleaned)
                    segments.remove(at: index)
                } else {
                    segments[index] = cleaned
                }
            } catch {
                throw fail(error)
            }
        }
        return result
    }

    /// A scanner over every batch of a segment, CRC-checked, for `nextView`.
    private func batchViews(of segment: DiskSegment) throws(LogStoreError) -> BatchScanner {
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        return BatchScanner(handle: handle, from: 0, to: segment.size, mode: .verifiedWithBytes)
    }

    /// The next batch of a `batchViews` scan as a view, or nil at the end; damage throws.
    private func nextView(_ scanner: inout BatchScanner, of segment: DiskSegment) throws(LogStoreError) -> RecordBatchView? {
        switch try scanner.next() {
        case let .batch(batch):
            do throws(DecodeError) {
                return try RecordBatchView(buffer: batch.bytes ?? ByteBuffer(), verifyingChecksum: false)
            } catch {
                throw corruptLogError(segment, position: batch.position, reason: "\(error)")
            }
        case .end:
            return nil
        case let .damaged(position, reason):
            throw corruptLogError(segment, position: position, reason: reason)
        }
    }

    /// Writes the compacted form of a sealed segment into `.cleaned` files and returns it as
    /// a new segment (not yet swapped in), or nil when compaction removes nothing from it.
    private func rewrite(
        _ segment: DiskSegment, map: CompactionOffsetMap, tombstoneHorizon: Int64, result: inout CompactionResult
    ) throws(LogStoreError) -> DiskSegment? {
        let cleaned = DiskSegment(id: context.newSegmentID(), baseOffset: segment.baseOffset, directory: directory)
        cleaned.lastModifiedWallClock = segment.lastModifiedWallClock
        let capacity = IndexCapacity(indexBytesMax: config.indexBytesMax)
        let logPath = cleaned.path(.log) + Self.cleanedSuffix
        var output = CleanedLogWriter(handle: SegmentFileHandle(
            descriptor: try POSIXFile.open(logPath, flags: O_RDWR | O_CREAT | O_TRUNC), path: logPath
        ))
        var offsetEntries = ByteBuffer()
        var timeEntries = ByteBuffer()
        var changed = false
        var scanner = try batchViews(of: segment)
        while let view = try nextView(&scanner, of: segment) {
            let compacted = try context.compactor.compact(view, map: map, dropTombstones: view.maxTimestamp < tombstoneHorizon)
            result.recordsRead += compacted.recordsRead
            result.recordsRemoved += compacted.recordsRemoved
            if compacted.recordsRemoved > 0 { changed = true }
            guard let bytes = compacted.bytes else { continue }
            cleaned.index(
                lastOffset: view.lastOffset, position: output.size, byteCount: bytes.readableBytes,
                maxTimestamp: view.maxTimestamp, intervalBytes: config.indexIntervalBytes, capacity: capacity,
                offsetEntries: &offsetEntries, timeEntries: &timeEntries
            )
            try output.append(bytes)
        }
        guard changed else {
            try POSIXFile.remove(logPath)
            return nil
        }
        try output.finish()
        cleaned.appendTimeEntryIfRaised(into: &timeEntries)
        cleaned.size = output.size
        cleaned.verifiedBytes = cleaned.size
        cleaned.indexesVerified = true
        try writeDurably(offsetEntries, to: cleaned.path(.offsetIndex) + Self.cleanedSuffix)
        try writeDurably(timeEntries, to: cleaned.path(.timeIndex) + Self.cleanedSuffix)
        return cleaned
    }

    /// Steps 2 and 3 of the swap (see the top of this file).
    private func swapIn(_ cleaned: DiskSegment, replacing original: DiskSegment) throws(LogStoreError) {
        let order: [SegmentFileKind] = [.offsetIndex, .timeIndex, .log]
        for kind in order {
            try POSIXFile.rename(cleaned.path(kind) + Self.cleanedSuffix, to: cleaned.path(kind) + Self.swapSuffix)
        }
        try POSIXFile.syncDirectory(directory)
        context.files.evict(segmentID: original.id)
        durability.unsyncedSealed.removeAll { $0 === original }
        for kind in order {
            try POSIXFile.rename(cleaned.path(kind) + Self.swapSuffix, to: cleaned.path(kind))
        }
        try POSIXFile.syncDirectory(directory)
    }

    /// Creates `path` holding `bytes`, synced to disk.
    private func writeDurably(_ bytes: ByteBuffer, to path: String) throws(LogStoreError) {
        let handle = SegmentFileHandle(descriptor: try POSIXFile.open(path, flags: O_RDWR | O_CREAT | O_TRUNC), path: path)
        let written = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(LogStoreError) in try POSIXFile.writeAll(handle.descriptor, raw, at: 0, path: path) }
        }
        try written.get()
        try POSIXFile.syncData(handle.descriptor, path: path)
    }
}

/// Streams a compacted segment's batches into its `.cleaned` file in 1 MiB writes, so a
/// rewrite never holds a whole segment in memory.
private struct CleanedLogWriter {
    let handle: SegmentFileHandle
    /// Bytes appended so far (written or pending).
    private(set) var size: Int64 = 0
    private var pending = ByteBuffer()
    private var written: Int64 = 0
    private static let writeBytes = 1 << 20

    init(handle: SegmentFileHandle) {
        self.handle = handle
    }

    mutating func append(_ bytes: ByteBuffer) throws(LogStoreError) {
        pending.writeImmutableBuffer(bytes)
        size += Int64(bytes.readableBytes)
        if pending.readableBytes >= Self.writeBytes { try writePending() }
    }

    /// Writes what is pending and syncs the file.
    mutating func finish() throws(LogStoreError) {
        try writePending()
        try POSIXFile.syncData(handle.descriptor, path: handle.path)
    }

    private mutating func writePending() throws(LogStoreError) {
        let handle = handle
        let at = written
        let result = pending.withUnsafeReadableBytes { raw in
            Result { () throws(LogStoreError) in try POSIXFile.writeAll(handle.descriptor, raw, at: at, path: handle.path) }
        }
        try result.get()
        written += Int64(pending.readableBytes)
        pending.clear()
    }
}
