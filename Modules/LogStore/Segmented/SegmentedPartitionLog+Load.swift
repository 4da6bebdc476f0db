import NIOCore
import TernPrimitives
import TernProtocol

// Opening a partition directory. Sealed segments are taken as written: only their index
// files' sizes and last entries are checked (entry-by-entry checks, and the check of the
// max timestamp against its batch, wait for first use), so opening costs a few syscalls
// per segment however big the partition is. The active segment is where a crash leaves
// damage. After a clean shutdown its indexes are loaded and only the batches after the last
// index entry are walked, to find the log end; after a crash the whole active segment is
// scanned with CRCs, cut at the first torn or corrupt batch, and its indexes rebuilt, and
// so is every sealed segment at or above the recovery point (see `+RecoveryPoint`): a
// torn one is cut, and the segments after it are deleted.
extension SegmentedPartitionLog {
    /// Reads the log from its directory, creating the directory if needed; a second call
    /// on an open log does nothing.
    func load(recovering: Bool) throws(LogStoreError) {
        switch phase {
        case .open: return
        case .closed: throw .closed(partition)
        case let .failed(error): throw error
        case .unloaded: break
        }
        let created = !POSIXFile.isDirectory(directory)
        try POSIXFile.makeDirectory(directory)
        if created { durability.storeDirectoryUnsynced = true }
        try finishInterruptedCompaction()
        let names = try POSIXFile.list(directory)
        let bases = Set(names.compactMap { DiskSegment.baseOffset(fileName: $0, suffix: SegmentFileKind.log.suffix) }).sorted()
        try removeStrays(names, bases: Set(bases))
        let checkpointedStart = readCheckpointValue(CheckpointName.logStartOffset)
        highWatermark = readCheckpointValue(CheckpointName.highWatermark)
        epochs = loadEpochs()
        let loaded = epochs
        durability.checkpointedRecoveryPoint = readCheckpointValue(CheckpointName.recoveryPoint)
        // After a crash, a segment holding offsets at or above the recovery point may hold
        // writes that never reached the disk; below it everything was fsynced.
        let trustedBelow = recovering ? (durability.checkpointedRecoveryPoint ?? 0) : Int64.max
        segments = []
        for (index, base) in bases.enumerated() {
            let segment = DiskSegment(id: context.newSegmentID(), baseOffset: base, directory: directory)
            if let status = try POSIXFile.status(path: segment.path(.log)) {
                segment.size = status.size
                segment.lastModifiedWallClock = status.modifiedMilliseconds
            }
            if index == bases.count - 1 {
                try loadActive(segment, recovering: recovering)
            } else if bases[index + 1] > trustedBelow {
                if try recoverUnflushedSealed(segment, laterBases: bases[(index + 1)...]) {
                    segments.append(segment)
                    break
                }
            } else {
                try loadSealed(segment)
            }
            segments.append(segment)
        }
        if segments.isEmpty { segments = [try createSegment(baseOffset: max(0, checkpointedStart ?? 0))] }
        logEndOffset = active.nextOffset
        logStartOffset = max(checkpointedStart ?? 0, segments[0].baseOffset)
        durability.lastFlush = context.clock.now
        try loadRecoveryPoint(recovering: recovering)
        phase = .open
        // A crash can lose the tail a log start offset pointed into; nothing below the start
        // is readable anyway, so restart the log there, as Kafka's loader does.
        if logStartOffset > logEndOffset { try restart(at: logStartOffset) }
        epochs.truncate(fromEnd: logEndOffset)
        epochs.truncate(fromStart: logStartOffset)
        if epochs != loaded { try persistEpochs() }
        try discardProducerSnapshots(above: logEndOffset)
    }

    /// Scans a sealed segment above the recovery point after a crash, as the active one is
    /// scanned: every CRC, indexes rebuilt, leader epochs relearned. Returns true when it
    /// found damage: the segment is then cut there and becomes the active segment, and the
    /// later segments are deleted, as Kafka's recovery does (they were written after the
    /// lost bytes, so the log cannot continue through them).
    private func recoverUnflushedSealed(_ segment: DiskSegment, laterBases: ArraySlice<Int64>) throws(LogStoreError) -> Bool {
        guard let damage = try reindex(segment, mode: .verified, asActive: false, learningEpochs: true) else {
            segment.verifiedBytes = segment.size
            // Read back from the page cache, its bytes may still not be on disk (a process
            // crash): the next fsync round syncs them before the recovery point passes.
            durability.unsyncedSealed.append(segment)
            return false
        }
        context.report(
            "\(partition): recovery found \(segment.path(.log)) damaged at position \(damage.position) (\(damage.reason)); "
                + "deleting the \(laterBases.count) later segments from offset \(laterBases.first ?? segment.baseOffset)"
        )
        for base in laterBases.reversed() {
            try deleteFiles(of: DiskSegment(id: context.newSegmentID(), baseOffset: base, directory: directory))
        }
        try POSIXFile.syncDirectory(directory)
        try loadActive(segment, recovering: true)
        return true
    }

    /// Checks a sealed segment's index files cheaply and rebuilds them if that fails; its
    /// max timestamp comes from the time index's last entry, written when it was sealed.
    private func loadSealed(_ segment: DiskSegment) throws(LogStoreError) {
        if let problem = try indexSummaryProblem(segment) {
            context.report("rebuilding the indexes of \(segment.path(.log)): \(problem)")
            _ = try reindex(segment, mode: .headers, asActive: false)
        }
    }

    /// Reads the index files' sizes and last entries into the segment; returns what is wrong
    /// with them, or nil.
    private func indexSummaryProblem(_ segment: DiskSegment) throws(LogStoreError) -> String? {
        guard let offsetBytes = try POSIXFile.size(path: segment.path(.offsetIndex)),
              let timeBytes = try POSIXFile.size(path: segment.path(.timeIndex))
        else { return "an index file is missing" }
        guard offsetBytes % Int64(OffsetIndexEntry.size) == 0, timeBytes % Int64(TimeIndexEntry.size) == 0,
              offsetBytes <= Self.indexFileBytesMax, timeBytes <= Self.indexFileBytesMax
        else { return "an index file's size is not a whole number of entries" }
        segment.offsetIndexCount = Int(offsetBytes) / OffsetIndexEntry.size
        segment.timeIndexCount = Int(timeBytes) / TimeIndexEntry.size
        let finalOffsetEntry = try lastEntry(
            of: segment, kind: .offsetIndex, count: segment.offsetIndexCount, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:)
        )
        if let last = finalOffsetEntry, last.relativeOffset < 0 || last.position < 0 || Int64(last.position) >= segment.size {
            return "the last offset-index entry points outside the log"
        }
        let finalTimeEntry = try lastEntry(
            of: segment, kind: .timeIndex, count: segment.timeIndexCount, size: TimeIndexEntry.size, decode: TimeIndexEntry.init(bytes:)
        )
        if let last = finalTimeEntry {
            guard last.relativeOffset >= 0 else { return "the last time-index entry has a negative offset" }
            segment.maxTimestamp = last.timestamp
            segment.lastTimeIndexTimestamp = last.timestamp
            segment.offsetOfMaxTimestamp = segment.baseOffset + Int64(last.relativeOffset)
        }
        // Checked against its batch when first needed (`verifyMaxTimestamp(of:)`), which
        // keeps opening a partition of many segments to a few syscalls each.
        segment.maxTimestampVerified = false
        return nil
    }

    /// Loads the active segment: its indexes and tail after a clean shutdown, a full
    /// CRC scan after a crash (or when the clean path finds anything amiss).
    private func loadActive(_ segment: DiskSegment, recovering: Bool) throws(LogStoreError) {
        var cleanProblem: String?
        if !recovering {
            cleanProblem = try loadCleanActive(segment)
            if let cleanProblem { context.report("\(partition): scanning \(segment.path(.log)) in full: \(cleanProblem)") }
        }
        if recovering || cleanProblem != nil {
            if let damage = try reindex(segment, mode: .verified, asActive: true, learningEpochs: true) {
                context.report(
                    "\(partition): recovery cut \(segment.size - damage.position) bytes at position \(damage.position) of \(segment.path(.log)): \(damage.reason)"
                )
                let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
                try POSIXFile.truncate(handle.descriptor, to: damage.position, path: handle.path)
                try POSIXFile.syncData(handle.descriptor, path: handle.path)
                segment.size = damage.position
            }
            segment.verifiedBytes = segment.size
        }
        let now = context.clock.wallClockMilliseconds
        if !segment.isEmpty {
            let first = segment.firstBatchTimestamp ?? now
            segment.firstAppendWallClock = first >= 0 ? min(first, now) : now
        }
    }

    /// The clean-shutdown path for the active segment; returns a problem that calls for a
    /// full scan instead, or nil.
    private func loadCleanActive(_ segment: DiskSegment) throws(LogStoreError) -> String? {
        guard let offsets = try readAllEntries(segment, kind: .offsetIndex, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:)),
              let times = try readAllEntries(segment, kind: .timeIndex, size: TimeIndexEntry.size, decode: TimeIndexEntry.init(bytes:))
        else { return "an index file is missing or damaged" }
        if let problem = Self.indexEntriesProblem(offsets: offsets, times: times, logSize: segment.size) { return problem }
        segment.memoryIndex = offsets
        segment.offsetIndexCount = offsets.count
        segment.timeIndexCount = times.count
        segment.indexesVerified = true
        if let last = times.last {
            segment.maxTimestamp = last.timestamp
            segment.lastTimeIndexTimestamp = last.timestamp
            segment.offsetOfMaxTimestamp = segment.baseOffset + Int64(last.relativeOffset)
        }
        segment.maxTimestampVerified = false
        if let damage = try replayTail(of: segment) { return "\(damage.reason) at position \(damage.position)" }
        if !segment.isEmpty {
            let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
            var scanner = BatchScanner(handle: handle, from: 0, to: segment.size, mode: .headers)
            if case let .batch(first) = try scanner.next() { segment.firstBatchTimestamp = first.header.maxTimestamp }
        }
        return nil
    }

    /// Walks the batches after the segment's last offset-index entry (whose batch is already
    /// indexed) to the end of the log, applying the indexing rule, to find the segment's
    /// next offset and true max timestamp. Used on a clean open and after truncation.
    func replayTail(of segment: DiskSegment) throws(LogStoreError) -> (position: Int64, reason: String)? {
        let last = segment.memoryIndex?.last
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        var scanner = BatchScanner(handle: handle, from: last.map { Int64($0.position) } ?? 0, to: segment.size, mode: .headers)
        let capacity = IndexCapacity(indexBytesMax: config.indexBytesMax)
        segment.bytesSinceIndexEntry = 0
        segment.nextOffset = segment.baseOffset
        var indexedBatch = last
        while true {
            switch try scanner.next() {
            case let .batch(batch):
                let header = batch.header
                if let indexed = indexedBatch {
                    guard header.lastOffset == segment.baseOffset + Int64(indexed.relativeOffset) else {
                        return (batch.position, "the last index entry does not match its batch")
                    }
                    segment.observe(maxTimestamp: header.maxTimestamp, lastOffset: header.lastOffset)
                    segment.bytesSinceIndexEntry = header.totalSize
                    indexedBatch = nil
                } else {
                    guard header.baseOffset >= segment.nextOffset, segment.relative(header.lastOffset) != nil else {
                        return (batch.position, "batch offsets out of order")
                    }
                    segment.index(
                        lastOffset: header.lastOffset, position: batch.position, byteCount: header.totalSize,
                        maxTimestamp: header.maxTimestamp, intervalBytes: config.indexIntervalBytes, capacity: capacity,
                        offsetEntries: &segment.pendingOffsetEntries, timeEntries: &segment.pendingTimeEntries
                    )
                }
                segment.nextOffset = header.lastOffset + 1
            case .end:
                try writePendingIndexEntries(of: segment)
                return nil
            case let .damaged(position, reason):
                return (position, reason)
            }
        }
    }

    /// What is wrong with a segment's index entries, or nil: offsets and positions rise,
    /// positions lie inside the log, timestamps rise.
    static func indexEntriesProblem(offsets: [OffsetIndexEntry], times: [TimeIndexEntry], logSize: Int64) -> String? {
        for (index, entry) in offsets.enumerated() {
            let previous = index > 0 ? offsets[index - 1] : nil
            guard entry.relativeOffset >= 0, entry.position >= 0, Int64(entry.position) < logSize,
                  previous.map({ $0.relativeOffset < entry.relativeOffset && $0.position < entry.position }) ?? true
            else { return "offset index entry \(index) is out of order" }
        }
        for (index, entry) in times.enumerated() {
            let previous = index > 0 ? times[index - 1] : nil
            guard entry.relativeOffset >= 0,
                  previous.map({ $0.timestamp < entry.timestamp && $0.relativeOffset <= entry.relativeOffset }) ?? true
            else { return "time index entry \(index) is out of order" }
        }
        return nil
    }
}
