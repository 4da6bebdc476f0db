import TernCompression
import TernPrimitives
import TernProtocol

// ListOffsets by time. Batch headers narrow the search (a batch whose maxTimestamp is below
// the target holds no match), and only the batch that may hold the answer is decoded, since
// ListOffsets must name the exact record.
extension MemoryLogState {
    /// The first record at or after `log start` whose timestamp is at least `timestamp`.
    func offset(forTimestamp timestamp: Int64, codecs: CompressionCodecs) throws(LogStoreError) -> TimestampOffset? {
        for segment in segments where segment.largestTimestamp >= timestamp {
            for batch in segment.batches where batch.lastOffset >= logStartOffset && batch.maxTimestamp >= timestamp {
                let records = try visibleRecords(of: batch, codecs: codecs)
                if let match = records.first(where: { $0.timestamp >= timestamp }) {
                    return TimestampOffset(timestamp: match.timestamp, offset: match.offset, leaderEpoch: batch.leaderEpoch)
                }
            }
        }
        return nil
    }

    /// The record with the largest timestamp at or after the log start, the earliest one on
    /// ties.
    ///
    /// Batches are ranked by their header's maxTimestamp (only a batch straddling the log
    /// start is decoded to rank it, since its maximum may lie below the start), then the
    /// winner is decoded to find the record. Compaction keeps a batch's maxTimestamp even if
    /// it removed the record that had it; the latest record left in the winning batch then
    /// answers.
    func maxTimestampOffset(codecs: CompressionCodecs) throws(LogStoreError) -> TimestampOffset? {
        var best: (timestamp: Int64, batch: MemoryBatch)?
        try forEachBatch(from: logStartOffset) { (batch) throws(LogStoreError) -> Bool in
            var timestamp = batch.maxTimestamp
            if batch.baseOffset < logStartOffset {
                guard let largest = try visibleRecords(of: batch, codecs: codecs).map(\.timestamp).max() else { return true }
                timestamp = largest
            }
            if best.map({ timestamp > $0.timestamp }) ?? true { best = (timestamp, batch) }
            return true
        }
        guard let best else { return nil }
        let records = try visibleRecords(of: best.batch, codecs: codecs)
        let exact = records.first { $0.timestamp == best.timestamp }
        let latest = records.max { $0.timestamp < $1.timestamp || ($0.timestamp == $1.timestamp && $0.offset > $1.offset) }
        guard let match = exact ?? latest else { return nil }
        return TimestampOffset(timestamp: match.timestamp, offset: match.offset, leaderEpoch: best.batch.leaderEpoch)
    }

    /// The offset and timestamp of each record of `batch` at or after the log start.
    ///
    /// A CreateTime record's timestamp is the batch's baseTimestamp plus its delta; under
    /// LogAppendTime every record's timestamp is the batch's maxTimestamp, the append time.
    private func visibleRecords(of batch: MemoryBatch, codecs: CompressionCodecs) throws(LogStoreError) -> [(offset: Int64, timestamp: Int64)] {
        let view = try batch.view()
        let records: [Record]
        do {
            records = try view.records(decompress: codecs.recordDecompressor(limit: Limits.batchDecompressedBytesMax))
        } catch {
            throw .invalidBatch("cannot decode records of the batch at offset \(batch.baseOffset): \(error)")
        }
        let appendTime = view.timestampType == .logAppendTime
        return records.compactMap { record in
            let offset = view.baseOffset + Int64(record.offsetDelta)
            guard offset >= logStartOffset else { return nil }
            return (offset, appendTime ? view.maxTimestamp : view.baseTimestamp + record.timestampDelta)
        }
    }
}
