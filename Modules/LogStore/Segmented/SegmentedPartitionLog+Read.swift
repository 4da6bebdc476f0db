#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernProtocol
import TernPrimitives

// Fetch. A read finds its first batch through the offset index plus a short walk of batch
// headers (61-byte preads, never whole records), then finds where to stop the same way:
// the index jumps close to the byte budget or `maxOffset`, and a few headers settle it.
// The result is one `FileSlice` per segment touched, for the transport to sendfile.
//
// Bytes the process did not write or scan itself (sealed segments after a restart) are
// CRC-checked before they are first handed out, and each segment remembers how far it has
// been checked, so a region costs one extra read per process lifetime. A damaged batch ends
// the read just before it, or fails it with `.corruptLog` when it is the first batch asked
// for; reads elsewhere in the log keep working.
extension SegmentedPartitionLog {
    /// Where one segment's part of a read lies.
    private struct SegmentRange {
        var start: Int64
        var end: Int64
        /// The read must not continue into the next segment (a limit was reached or a
        /// damaged batch was met).
        var stopped: Bool
    }

    func read(_ request: LogReadRequest) async throws(LogStoreError) -> LogReadResult {
        try requireOpen()
        guard request.fetchOffset >= logStartOffset, request.fetchOffset <= logEndOffset else {
            throw .offsetOutOfRange(requested: request.fetchOffset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        var slices: [LogSlice] = []
        var taken = 0
        var index = segmentIndex(holding: request.fetchOffset)
        var from = request.fetchOffset
        while index < segments.count, from < logEndOffset {
            let segment = segments[index]
            let range: SegmentRange
            do throws(LogStoreError) {
                range = try readRange(in: segment, from: from, request: request, taken: taken)
            } catch {
                // Damage after some batches were found: return those, and let the next fetch
                // (which starts at the damage) get the error.
                if case .corruptLog = error, !slices.isEmpty { break }
                throw error
            }
            if range.end > range.start {
                let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
                let length = Int(range.end - range.start)
                slices.append(.file(FileSlice(file: handle, offset: range.start, length: length)))
                taken += length
            }
            if range.stopped { break }
            index += 1
            if index < segments.count { from = segments[index].baseOffset }
        }
        return LogReadResult(slices: slices, offsets: offsets())
    }

    /// The index of the last segment whose base offset is at or below `offset`, or 0 when
    /// the offset lies below every segment (compaction may have emptied the first ones).
    func segmentIndex(holding offset: Int64) -> Int {
        max(0, Self.lastIndex(count: segments.count) { index in segments[index].baseOffset <= offset })
    }

    /// The byte range of `segment` a read takes, starting at the batch holding `from`.
    private func readRange(in segment: DiskSegment, from: Int64, request: LogReadRequest, taken: Int) throws(LogStoreError) -> SegmentRange {
        guard let start = try position(ofBatchHolding: from, in: segment) else {
            return SegmentRange(start: segment.size, end: segment.size, stopped: false)
        }
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        let maxOffset = request.maxOffset ?? .max
        let budget = Int64(request.maxBytes - taken)
        readAhead(segment, from: start, to: start + max(0, budget), handle: handle)
        var end = start
        // Every batch before an index entry that is within both limits is taken whole, so
        // the header walk starts at the furthest such entry.
        if budget > 0, let entry = try lastOffsetEntry(in: segment, where: { entry in
            Int64(entry.position) <= start + budget && segment.baseOffset + Int64(entry.relativeOffset) < maxOffset
        }), Int64(entry.position) > start {
            // A damaged entry could skip the limit checks; walking from `start` is safe.
            if try entryMatches(entry, in: segment, handle: handle) {
                end = Int64(entry.position)
            } else {
                try repairIndexes(of: segment)
            }
        }
        var stopped = false
        while end < segment.size {
            let header: RecordBatchHeader
            do throws(LogStoreError) {
                header = try readHeader(at: end, in: segment, handle: handle)
            } catch {
                // Damage after the first batch ends the read there; see `read(_:)`.
                guard case .corruptLog = error, end > start else { throw error }
                stopped = true
                break
            }
            if header.baseOffset >= maxOffset {
                stopped = true
                break
            }
            let firstOfRead = taken == 0 && end == start && request.minOneBatch
            if end - start + Int64(header.totalSize) > budget && !firstOfRead {
                stopped = true
                break
            }
            end += Int64(header.totalSize)
        }
        if end > segment.verifiedBytes && start < segment.uncheckedEnd,
           let damage = try verifyChecksums(of: segment, from: start, to: min(end, segment.uncheckedEnd), handle: handle) {
            guard damage > start else { throw corruptLogError(segment, position: damage, reason: "CRC mismatch") }
            return SegmentRange(start: start, end: damage, stopped: true)
        }
        readAheadMark.next = end
        return SegmentRange(start: start, end: end, stopped: stopped)
    }

    /// Starts the kernel reading, in the background, the part of `segment` a fetch of
    /// `[start, end)` takes and `readAheadBytes` after it, unless an earlier fetch already
    /// asked for them, so a consumer catching up from disk finds the next fetches' bytes
    /// cached or on their way.
    ///
    /// The kernel's own readahead does not manage this: a fetch reads batch headers at the
    /// far end of its range (61 bytes each) before the range itself is read, which looks like
    /// random access to it, so each fetch waited for small synchronous reads and then for its
    /// 1 MiB with little queued behind it. With a window of megabytes in flight, cold reads
    /// measured 2-3 times faster than before (and than a plain loop of 1 MiB preads). Asking
    /// once per half window costs about one fadvise per 4 MiB read, and none for a consumer
    /// at the log end, whose bytes are in the page cache anyway (the window is cut at the
    /// segment's end, and advice of under `readAheadBytesMin` is not given).
    private func readAhead(_ segment: DiskSegment, from start: Int64, to end: Int64, handle: SegmentFileHandle) {
        var mark = readAheadMark
        // Only a fetch starting where the last one ended continues its stream; any other
        // (another consumer, or one reading again what the kernel has since dropped) starts
        // a window of its own.
        let jumped = mark.segmentID != segment.id || start != mark.next
        if jumped {
            mark = ReadAheadMark(segmentID: segment.id, next: start, end: start)
        }
        let window = Self.readAheadBytes
        guard end + window / 2 > mark.end else { return }
        let from = mark.end
        let to = min(segment.size, end + window)
        // A small window at the end of the segment is just-appended bytes, still cached.
        guard to - from >= Self.readAheadBytesMin || (jumped && to > from) else { return }
        // Only advice: failure (which cannot happen with a valid descriptor and range) just
        // leaves the reads synchronous.
        _ = posix_fadvise(handle.descriptor, off_t(from), off_t(to - from), POSIX_FADV_WILLNEED)
        mark.end = to
        readAheadMark = mark
    }

    /// The file position of the first batch of `segment` whose last offset is at or above
    /// `offset`, or nil when there is none.
    func position(ofBatchHolding offset: Int64, in segment: DiskSegment) throws(LogStoreError) -> Int64? {
        guard segment.size > 0 else { return nil }
        guard offset > segment.baseOffset else { return 0 }
        let base = segment.baseOffset
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        // Entries name a batch's last offset: one at or below `offset` is at or before it.
        var entry = try lastOffsetEntry(in: segment, where: { base + Int64($0.relativeOffset) <= offset })
        // An entry pointing past its batch would make the walk skip records: check it.
        if let found = entry, try !entryMatches(found, in: segment, handle: handle) {
            try repairIndexes(of: segment)
            entry = try lastOffsetEntry(in: segment, where: { base + Int64($0.relativeOffset) <= offset })
        }
        var position = entry.map { Int64($0.position) } ?? 0
        while position < segment.size {
            let header = try readHeader(at: position, in: segment, handle: handle)
            if header.lastOffset >= offset { return position }
            position += Int64(header.totalSize)
        }
        return nil
    }

    /// Whether a batch starts at an index entry's position with the last offset the entry
    /// names. Checks pass for sound but wrong entries (monotonic, inside the file), so a
    /// mismatch is index damage, repaired from the log, not a reason to fail the read.
    private func entryMatches(_ entry: OffsetIndexEntry, in segment: DiskSegment, handle: SegmentFileHandle) throws(LogStoreError) -> Bool {
        do throws(LogStoreError) {
            let header = try readHeader(at: Int64(entry.position), in: segment, handle: handle, reportingDamage: false)
            return header.lastOffset == segment.baseOffset + Int64(entry.relativeOffset)
        } catch {
            guard case .corruptLog = error else { throw error }
            return false
        }
    }

    /// Rebuilds a segment's indexes after an entry did not match its log.
    private func repairIndexes(of segment: DiskSegment) throws(LogStoreError) {
        context.report("rebuilding the indexes of \(segment.path(.log)): an entry does not match its batch")
        _ = try reindex(segment, mode: .headers, asActive: segment.memoryIndex != nil)
    }

    /// Reads and checks the header of the batch at `position`: it must decode, fit inside
    /// the segment, and have offsets inside the segment's range.
    func readHeader(
        at position: Int64, in segment: DiskSegment, handle: SegmentFileHandle, reportingDamage: Bool = true
    ) throws(LogStoreError) -> RecordBatchHeader {
        func damage(_ reason: String) -> LogStoreError {
            reportingDamage
                ? corruptLogError(segment, position: position, reason: reason)
                : .corruptLog(partition, file: segment.path(.log), position: position, reason: reason)
        }
        headerScratch.clear()
        let descriptor = handle.descriptor
        let path = handle.path
        var failure: LogStoreError?
        headerScratch.writeWithUnsafeMutableBytes(minimumWritableBytes: RecordBatchHeader.size) { raw in
            do throws(LogStoreError) {
                let target = UnsafeMutableRawBufferPointer(rebasing: raw[0..<RecordBatchHeader.size])
                return try POSIXFile.read(descriptor, into: target, at: position, path: path)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        guard headerScratch.readableBytes == RecordBatchHeader.size else {
            throw damage("the file ends inside a batch header")
        }
        let header: RecordBatchHeader
        do {
            header = try RecordBatchHeader(decoding: headerScratch, at: headerScratch.readerIndex)
        } catch {
            throw damage("bad batch header: \(error)")
        }
        guard Int64(header.totalSize) <= segment.size - position else {
            throw damage("batch of \(header.totalSize) bytes runs past the segment end")
        }
        guard header.baseOffset >= segment.baseOffset, header.lastOffsetDelta >= 0, segment.relative(header.lastOffset) != nil else {
            throw damage("batch offsets \(header.baseOffset)+\(header.lastOffsetDelta) outside the segment")
        }
        return header
    }

    /// CRC-checks the batches in `[start, end)` not yet known good; returns the position
    /// of the first damaged batch, or nil. Extends the segment's checked prefix when the
    /// range touches it; other ranges are checked again on each read, until the prefix
    /// reaches them (consumers read forward, so it soon does).
    private func verifyChecksums(of segment: DiskSegment, from start: Int64, to end: Int64, handle: SegmentFileHandle) throws(LogStoreError) -> Int64? {
        let from = start <= segment.verifiedBytes ? segment.verifiedBytes : start
        var scanner = BatchScanner(handle: handle, from: from, to: end, mode: .verified)
        var damage: Int64?
        scan: while true {
            switch try scanner.next() {
            case .batch: continue
            case .end: break scan
            case let .damaged(position, reason):
                _ = corruptLogError(segment, position: position, reason: reason)
                damage = position
                break scan
            }
        }
        segment.noteVerified(at: from, upTo: damage ?? end)
        return damage
    }

    /// The error for damage in a segment file, reported once per damaged position.
    func corruptLogError(_ segment: DiskSegment, position: Int64, reason: String) -> LogStoreError {
        let error = LogStoreError.corruptLog(partition, file: segment.path(.log), position: position, reason: reason)
        if segment.reportedDamage.count < 64, segment.reportedDamage.insert(position).inserted {
            context.report("\(error)")
        }
        return error
    }
}
