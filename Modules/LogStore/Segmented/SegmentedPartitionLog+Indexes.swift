#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernPrimitives
import TernProtocol

// Index lookups, checks and rebuilds. An index is only ever a shortcut into its `.log`
// file, so any index that fails a check is rebuilt from the log rather than trusted or
// treated as fatal; only damage in the log itself is reported as `.corruptLog`.
extension SegmentedPartitionLog {
    /// Index files larger than this are damaged (Kafka caps `segment.index.bytes` at 2 GiB
    /// in theory; ours are written sparse and stay far smaller) and are not read whole.
    static let indexFileBytesMax: Int64 = 256 << 20

    /// The last offset-index entry for which `holds` is true, where the entries it holds for
    /// form a prefix; nil when it holds for none.
    func lastOffsetEntry(in segment: DiskSegment, where holds: (OffsetIndexEntry) -> Bool) throws(LogStoreError) -> OffsetIndexEntry? {
        if let memory = segment.memoryIndex {
            let found = Self.lastIndex(count: memory.count) { index in holds(memory[index]) }
            return found >= 0 ? memory[found] : nil
        }
        try writePendingIndexEntries(of: segment)
        try verifyIndexes(of: segment)
        guard segment.offsetIndexCount > 0 else { return nil }
        let handle = try context.files.handle(segment.key(.offsetIndex), path: segment.path(.offsetIndex))
        var entry: OffsetIndexEntry?
        let found = try Self.lastIndex(count: segment.offsetIndexCount) { (index: Int) throws(LogStoreError) -> Bool in
            let probe = try readEntry(handle, at: index, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:))
            if holds(probe) { entry = probe }
            return holds(probe)
        }
        return found >= 0 ? entry : nil
    }

    /// The last time-index entry for which `holds` is true (a prefix, as above), or nil.
    func lastTimeEntry(in segment: DiskSegment, where holds: (TimeIndexEntry) -> Bool) throws(LogStoreError) -> TimeIndexEntry? {
        try writePendingIndexEntries(of: segment)
        try verifyIndexes(of: segment)
        guard segment.timeIndexCount > 0 else { return nil }
        let handle = try context.files.handle(segment.key(.timeIndex), path: segment.path(.timeIndex))
        var entry: TimeIndexEntry?
        let found = try Self.lastIndex(count: segment.timeIndexCount) { (index: Int) throws(LogStoreError) -> Bool in
            let probe = try readEntry(handle, at: index, size: TimeIndexEntry.size, decode: TimeIndexEntry.init(bytes:))
            if holds(probe) { entry = probe }
            return holds(probe)
        }
        return found >= 0 ? entry : nil
    }

    /// Binary search: the largest index below `count` where `holds` is true, given that it
    /// is true for a prefix; -1 when it is true for none. The last probe that held is the
    /// answer, which is why callers remember it rather than probing again.
    static func lastIndex<Failure: Error>(count: Int, where holds: (Int) throws(Failure) -> Bool) throws(Failure) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            if try holds(middle) { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    private func readEntry<Entry>(
        _ handle: SegmentFileHandle, at index: Int, size: Int, decode: (UnsafeRawBufferPointer) -> Entry
    ) throws(LogStoreError) -> Entry {
        let result = withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { raw in
            Result { () throws(LogStoreError) -> Entry? in
                let count = try POSIXFile.read(handle.descriptor, into: raw, at: Int64(index * size), path: handle.path)
                return count == size ? decode(UnsafeRawBufferPointer(raw)) : nil
            }
        }
        guard let entry = try result.get() else {
            throw .corruptLog(partition, file: handle.path, position: Int64(index * size), reason: "index file shorter than its entries")
        }
        return entry
    }

    /// Checks a sealed segment's index files entry by entry the first time they are used,
    /// rebuilding them from the log if they are damaged. Loading checked only their sizes
    /// and last entries, which keeps opening a partition with many segments fast.
    func verifyIndexes(of segment: DiskSegment) throws(LogStoreError) {
        guard !segment.indexesVerified else { return }
        if let problem = try indexProblem(in: segment) {
            context.report("rebuilding the indexes of \(segment.path(.log)): \(problem)")
            _ = try reindex(segment, mode: .headers, asActive: false)
        }
        segment.indexesVerified = true
    }

    // MARK: Time-index entries against the log

    /// Checks, the first time it is needed, a segment max timestamp that was read from the
    /// time index's last entry rather than derived from the batches: the entry must name
    /// the last offset of a batch whose max timestamp it holds. On a mismatch the indexes
    /// are rebuilt from the log, as Kafka rebuilds an index that fails its sanity check.
    /// Unchecked, a damaged entry would expire a young segment under `retention.ms` or send
    /// ListOffsets to the wrong segment or past the log.
    func verifyMaxTimestamp(of segment: DiskSegment) throws(LogStoreError) {
        guard !segment.maxTimestampVerified else { return }
        if let problem = try maxTimestampProblem(of: segment) {
            context.report("rebuilding the indexes of \(segment.path(.log)): \(problem)")
            _ = try reindex(segment, mode: .headers, asActive: segment.memoryIndex != nil)
        }
        segment.maxTimestampVerified = true
    }

    /// What is wrong with a segment's max timestamp and its offset, or nil.
    private func maxTimestampProblem(of segment: DiskSegment) throws(LogStoreError) -> String? {
        guard !segment.isEmpty else { return nil }
        if segment.offsetOfMaxTimestamp < 0 {
            // No entry at all is right only when the batches carry no timestamps; the
            // first batch is the one looked at.
            let first = try header(ofBatchEndingAtOrAfter: segment.baseOffset, in: segment)
            guard let first, first.header.maxTimestamp >= 0 else { return nil }
            return "the time index is empty but the batches carry timestamps"
        }
        guard try timeEntryMatches(
            TimeIndexEntry(timestamp: segment.maxTimestamp, relativeOffset: Int32(truncatingIfNeeded: segment.offsetOfMaxTimestamp - segment.baseOffset)),
            in: segment
        ) != nil else { return "the last time-index entry does not match its batch" }
        return nil
    }

    /// The position of the batch a time-index entry names, when that batch exists and has
    /// the entry's timestamp as its max timestamp, or nil. Entries that pass the ordering
    /// checks can still be wrong; a wrong one would make ListOffsets skip records, so the
    /// entry a lookup uses is checked first, as offset-index entries are (`entryMatches`).
    func timeEntryMatches(_ entry: TimeIndexEntry, in segment: DiskSegment) throws(LogStoreError) -> Int64? {
        guard entry.relativeOffset >= 0 else { return nil }
        let offset = segment.baseOffset + Int64(entry.relativeOffset)
        guard let found = try header(ofBatchEndingAtOrAfter: offset, in: segment) else { return nil }
        return found.header.lastOffset == offset && found.header.maxTimestamp == entry.timestamp ? found.position : nil
    }

    /// The first batch of the segment whose last offset is at or above `offset`, with its
    /// position; nil when there is none or the log is damaged on the way (a check then
    /// fails and the rebuild finds the damage). A sealed segment whose index files are not
    /// yet verified is searched through its offset-index file directly, without reading it
    /// whole, so checking every segment's max timestamp stays cheap.
    private func header(ofBatchEndingAtOrAfter offset: Int64, in segment: DiskSegment) throws(LogStoreError) -> (position: Int64, header: RecordBatchHeader)? {
        do throws(LogStoreError) {
            let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
            var position: Int64
            if segment.memoryIndex == nil && !segment.indexesVerified, let start = try unverifiedWalkStart(toward: offset, in: segment, handle: handle) {
                position = start
            } else {
                guard let found = try self.position(ofBatchHolding: offset, in: segment) else { return nil }
                position = found
            }
            while position < segment.size {
                let header = try readHeader(at: position, in: segment, handle: handle, reportingDamage: false)
                if header.lastOffset >= offset { return (position, header) }
                position += Int64(header.totalSize)
            }
            return nil
        } catch {
            guard case .corruptLog = error else { throw error }
            return nil
        }
    }

    /// Where a header walk toward `offset` may start in a segment whose index files are not
    /// verified: the last offset-index entry at or below `offset` (binary search of the
    /// file), provided a batch ending at that offset starts where it says; nil when the
    /// entry does not match (the caller falls back to the verified path, which repairs).
    private func unverifiedWalkStart(toward offset: Int64, in segment: DiskSegment, handle: SegmentFileHandle) throws(LogStoreError) -> Int64? {
        guard segment.offsetIndexCount > 0 else { return 0 }
        let index = try context.files.handle(segment.key(.offsetIndex), path: segment.path(.offsetIndex))
        var entry: OffsetIndexEntry?
        _ = try Self.lastIndex(count: segment.offsetIndexCount) { (number: Int) throws(LogStoreError) -> Bool in
            let probe = try readEntry(index, at: number, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:))
            let holds = segment.baseOffset + Int64(probe.relativeOffset) <= offset
            if holds { entry = probe }
            return holds
        }
        guard let entry else { return 0 }
        guard entry.relativeOffset >= 0, entry.position >= 0, Int64(entry.position) < segment.size else { return nil }
        let header = try readHeader(at: Int64(entry.position), in: segment, handle: handle, reportingDamage: false)
        return header.lastOffset == segment.baseOffset + Int64(entry.relativeOffset) ? Int64(entry.position) : nil
    }

    /// What is wrong with a segment's index files, or nil when they are sound.
    private func indexProblem(in segment: DiskSegment) throws(LogStoreError) -> String? {
        guard let offsets = try readAllEntries(segment, kind: .offsetIndex, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:)),
              let times = try readAllEntries(segment, kind: .timeIndex, size: TimeIndexEntry.size, decode: TimeIndexEntry.init(bytes:))
        else { return "an index file is missing or not a whole number of entries" }
        guard offsets.count == segment.offsetIndexCount, times.count == segment.timeIndexCount else {
            return "an index file changed size since the log was opened"
        }
        return Self.indexEntriesProblem(offsets: offsets, times: times, logSize: segment.size)
    }

    /// The last entry of an index file holding `count` entries, read without the
    /// entry-by-entry check (opening uses it to size up sealed segments cheaply).
    func lastEntry<Entry>(
        of segment: DiskSegment, kind: SegmentFileKind, count: Int, size: Int, decode: (UnsafeRawBufferPointer) -> Entry
    ) throws(LogStoreError) -> Entry? {
        guard count > 0 else { return nil }
        try writePendingIndexEntries(of: segment)
        let handle = try context.files.handle(segment.key(kind), path: segment.path(kind))
        return try readEntry(handle, at: count - 1, size: size, decode: decode)
    }

    /// Every entry of an index file; nil when the file is missing or its size is not a
    /// whole number of entries.
    func readAllEntries<Entry>(
        _ segment: DiskSegment, kind: SegmentFileKind, size: Int, decode: (UnsafeRawBufferPointer) -> Entry
    ) throws(LogStoreError) -> [Entry]? {
        try writePendingIndexEntries(of: segment)
        let path = segment.path(kind)
        guard let fileSize = try POSIXFile.size(path: path), fileSize % Int64(size) == 0,
              fileSize <= Self.indexFileBytesMax
        else { return nil }
        let handle = try context.files.handle(segment.key(kind), path: path)
        var bytes = [UInt8](repeating: 0, count: Int(fileSize))
        let count = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(LogStoreError) in try POSIXFile.read(handle.descriptor, into: raw, at: 0, path: path) }
        }.get()
        guard count == bytes.count else { return nil }
        return bytes.withUnsafeBytes { raw in
            stride(from: 0, to: count, by: size).map { decode(UnsafeRawBufferPointer(rebasing: raw[$0..<($0 + size)])) }
        }
    }

    /// Re-derives a segment's indexes, next offset and max timestamp from its log file
    /// (up to `segment.size`), replacing both index files. Returns the damage that stopped
    /// the scan early, if any; the caller decides whether to cut the file there.
    ///
    /// With `learningEpochs` (crash recovery), each batch's leader epoch is assigned to the
    /// epoch cache too, as Kafka's recovery does, since an append's checkpoint update may
    /// not have reached the disk.
    func reindex(
        _ segment: DiskSegment, mode: BatchScanner.Mode, asActive: Bool, learningEpochs: Bool = false
    ) throws(LogStoreError) -> (position: Int64, reason: String)? {
        segment.offsetIndexCount = 0
        segment.timeIndexCount = 0
        segment.pendingOffsetEntries.clear()
        segment.pendingTimeEntries.clear()
        segment.lastTimeIndexTimestamp = -1
        segment.maxTimestamp = -1
        segment.offsetOfMaxTimestamp = -1
        segment.bytesSinceIndexEntry = 0
        segment.memoryIndex = asActive ? [] : nil
        segment.nextOffset = segment.baseOffset
        var offsetEntries = ByteBuffer()
        var timeEntries = ByteBuffer()
        let capacity = IndexCapacity(indexBytesMax: config.indexBytesMax)
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        var scanner = BatchScanner(handle: handle, from: 0, to: segment.size, mode: mode)
        var damage: (position: Int64, reason: String)?
        scan: while true {
            switch try scanner.next() {
            case let .batch(batch):
                let header = batch.header
                guard header.baseOffset >= segment.nextOffset, segment.relative(header.lastOffset) != nil else {
                    damage = (batch.position, "batch offsets \(header.baseOffset)...\(header.lastOffset) out of order")
                    break scan
                }
                if segment.nextOffset == segment.baseOffset && batch.position == 0 {
                    segment.firstBatchTimestamp = header.maxTimestamp
                }
                segment.index(
                    lastOffset: header.lastOffset, position: batch.position, byteCount: header.totalSize,
                    maxTimestamp: header.maxTimestamp, intervalBytes: config.indexIntervalBytes, capacity: capacity,
                    offsetEntries: &offsetEntries, timeEntries: &timeEntries
                )
                segment.nextOffset = header.lastOffset + 1
                if learningEpochs && header.partitionLeaderEpoch >= 0 {
                    epochs.assign(header.partitionLeaderEpoch, startOffset: header.baseOffset)
                }
            case .end:
                break scan
            case let .damaged(position, reason):
                damage = (position, reason)
                break scan
            }
        }
        if !asActive { segment.appendTimeEntryIfRaised(into: &timeEntries) }
        try replaceIndexFiles(of: segment, offsetEntries: offsetEntries, timeEntries: timeEntries)
        segment.indexesVerified = true
        segment.maxTimestampVerified = true
        return damage
    }

    /// Writes both index files afresh and makes them durable.
    private func replaceIndexFiles(of segment: DiskSegment, offsetEntries: ByteBuffer, timeEntries: ByteBuffer) throws(LogStoreError) {
        // Stale descriptors could point at files replaced outside the cache's view.
        context.files.evict(segmentID: segment.id)
        for (kind, entries) in [(SegmentFileKind.offsetIndex, offsetEntries), (.timeIndex, timeEntries)] {
            let path = segment.path(kind)
            let handle = SegmentFileHandle(descriptor: try POSIXFile.open(path, flags: O_RDWR | O_CREAT | O_TRUNC), path: path)
            let result = entries.withUnsafeReadableBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(handle.descriptor, raw, at: 0, path: path) }
            }
            try result.get()
            try POSIXFile.syncData(handle.descriptor, path: path)
            context.files.insert(handle, for: segment.key(kind))
        }
    }
}
