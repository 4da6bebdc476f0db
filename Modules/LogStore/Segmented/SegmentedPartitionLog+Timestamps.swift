import NIOCore
import TernPrimitives
import TernProtocol

// ListOffsets by time. Segment max timestamps pick the segment, its time index picks the
// batch to start from (the batch that first reached the largest indexed timestamp at or
// below the target: every batch before it is older), a walk of headers finds the first
// batch that reaches the target, and only that batch is read and decoded to name the exact
// record. Records below the log start are invisible, as in `MemoryLogState`.
//
// Both the segment max timestamps and the time-index entry a lookup starts from come from
// index files, which can be damaged in ways their ordering checks cannot see; each is
// checked against the batch it names before it is trusted (`verifyMaxTimestamp(of:)`,
// `timeEntryMatches`), and a mismatch rebuilds that segment's indexes from its log.
extension SegmentedPartitionLog {
    func offset(forTimestamp timestamp: Int64) async throws(LogStoreError) -> TimestampOffset? {
        try requireOpen()
        for (index, segment) in segments.enumerated() where !segment.isEmpty {
            if index + 1 < segments.count && segments[index + 1].baseOffset <= logStartOffset { continue }
            try verifyMaxTimestamp(of: segment)
            guard segment.largestTimestamp >= timestamp else { continue }
            let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
            var position = try walkStart(forTimestamp: timestamp, in: segment)
            while position < segment.size {
                let header = try readHeader(at: position, in: segment, handle: handle)
                if header.lastOffset >= logStartOffset && header.maxTimestamp >= timestamp {
                    let view = try readBatch(at: position, header: header, in: segment, handle: handle)
                    if let match = try visibleRecords(of: view, in: segment, at: position).first(where: { $0.timestamp >= timestamp }) {
                        return TimestampOffset(timestamp: match.timestamp, offset: match.offset, leaderEpoch: header.partitionLeaderEpoch)
                    }
                }
                position += Int64(header.totalSize)
            }
        }
        return nil
    }

    /// The record with the largest timestamp at or after the log start, the earliest one on
    /// ties. Segments are ranked by their max timestamp; only a segment straddling the log
    /// start is walked batch by batch, since its maximum may lie below the start. If the
    /// winning batch no longer holds a record with its header's max timestamp (compaction
    /// keeps the header), its latest record answers.
    func maxTimestampOffset() async throws(LogStoreError) -> TimestampOffset? {
        try requireOpen()
        var best: (timestamp: Int64, segment: DiskSegment, batch: BatchLocator)?
        for (index, segment) in segments.enumerated() where !segment.isEmpty {
            if index + 1 < segments.count && segments[index + 1].baseOffset <= logStartOffset { continue }
            try verifyMaxTimestamp(of: segment)
            if segment.baseOffset < logStartOffset {
                guard var position = try position(ofBatchHolding: logStartOffset, in: segment) else { continue }
                let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
                while position < segment.size {
                    let header = try readHeader(at: position, in: segment, handle: handle)
                    var timestamp: Int64? = header.maxTimestamp
                    if header.baseOffset < logStartOffset {
                        let view = try readBatch(at: position, header: header, in: segment, handle: handle)
                        timestamp = try visibleRecords(of: view, in: segment, at: position).map(\.timestamp).max()
                    }
                    if let timestamp, best.map({ timestamp > $0.timestamp }) ?? true {
                        best = (timestamp, segment, .position(position))
                    }
                    position += Int64(header.totalSize)
                }
            } else if best.map({ segment.maxTimestamp > $0.timestamp }) ?? true {
                // A segment whose batches never rose above -1 ranks by its first batch.
                let batch = segment.offsetOfMaxTimestamp >= 0 ? BatchLocator.holding(segment.offsetOfMaxTimestamp) : .position(0)
                best = (segment.maxTimestamp, segment, batch)
            }
        }
        guard let best else { return nil }
        let position: Int64
        switch best.batch {
        case let .position(found): position = found
        case let .holding(offset):
            guard let found = try self.position(ofBatchHolding: offset, in: best.segment) else { return nil }
            position = found
        }
        let handle = try context.files.handle(best.segment.key(.log), path: best.segment.path(.log))
        let header = try readHeader(at: position, in: best.segment, handle: handle)
        let view = try readBatch(at: position, header: header, in: best.segment, handle: handle)
        let records = try visibleRecords(of: view, in: best.segment, at: position)
        let exact = records.first { $0.timestamp == best.timestamp }
        let latest = records.max { $0.timestamp < $1.timestamp || ($0.timestamp == $1.timestamp && $0.offset > $1.offset) }
        guard let match = exact ?? latest else { return nil }
        return TimestampOffset(timestamp: match.timestamp, offset: match.offset, leaderEpoch: header.partitionLeaderEpoch)
    }

    /// Where the walk for `timestamp` starts in `segment`: the batch named by the last
    /// time-index entry at or below it (every batch before that one is older), once the
    /// entry is checked against that batch. A mismatch rebuilds the indexes and searches
    /// again; if even the rebuilt entry does not match (damage in the log), the walk starts
    /// at the beginning of the segment, which is slow but never skips a record.
    private func walkStart(forTimestamp timestamp: Int64, in segment: DiskSegment) throws(LogStoreError) -> Int64 {
        for attempt in 0..<2 {
            guard let entry = try lastTimeEntry(in: segment, where: { $0.timestamp <= timestamp }) else { return 0 }
            if let position = try timeEntryMatches(entry, in: segment) { return position }
            guard attempt == 0 else { break }
            context.report("rebuilding the indexes of \(segment.path(.log)): a time-index entry does not match its batch")
            _ = try reindex(segment, mode: .headers, asActive: segment.memoryIndex != nil)
        }
        return 0
    }

    /// How a candidate batch is found again: by position, or as the batch holding an offset.
    private enum BatchLocator {
        case position(Int64)
        case holding(Int64)
    }

    /// Reads a whole batch into memory and checks its CRC.
    func readBatch(at position: Int64, header: RecordBatchHeader, in segment: DiskSegment, handle: SegmentFileHandle) throws(LogStoreError) -> RecordBatchView {
        var buffer = ByteBuffer()
        var failure: LogStoreError?
        let descriptor = handle.descriptor
        let path = handle.path
        let size = header.totalSize
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            do throws(LogStoreError) {
                return try POSIXFile.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<size]), at: position, path: path)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        do {
            return try RecordBatchView(buffer: buffer, verifyingChecksum: true)
        } catch {
            throw corruptLogError(segment, position: position, reason: "\(error)")
        }
    }

    /// The offset and timestamp of each record of a batch at or after the log start. Under
    /// LogAppendTime every record's timestamp is the batch's max timestamp, the append time.
    private func visibleRecords(of view: RecordBatchView, in segment: DiskSegment, at position: Int64) throws(LogStoreError) -> [(offset: Int64, timestamp: Int64)] {
        let records: [Record]
        do {
            records = try view.records(decompress: context.codecs.recordDecompressor(limit: Limits.batchDecompressedBytesMax))
        } catch {
            throw corruptLogError(segment, position: position, reason: "cannot decode records: \(error)")
        }
        let appendTime = view.timestampType == .logAppendTime
        return records.compactMap { record in
            let offset = view.baseOffset + Int64(record.offsetDelta)
            guard offset >= logStartOffset else { return nil }
            return (offset, appendTime ? view.maxTimestamp : view.baseTimestamp &+ record.timestampDelta)
        }
    }
}
