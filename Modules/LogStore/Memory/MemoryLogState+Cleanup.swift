import NIOCore
import TernPrimitives
import TernProtocol

// Retention and compaction: the two ways Kafka's log cleaner shrinks a log, applied to whole
// sealed segments or to the batches in them. The active segment is never touched, as it is
// still being written.
extension MemoryLogState {
    /// Deletes sealed segments past `retention.ms`, then past `retention.bytes`, oldest
    /// first; see `PartitionLog.enforceRetention(now:)`.
    ///
    /// As in Kafka, each rule deletes only a prefix of the log: it stops at the first
    /// segment it would keep, so the log never gets holes. `retention.ms` deletes a segment
    /// whose largest timestamp is older than `now - retention.ms`; `retention.bytes` deletes
    /// the oldest segment while the log would still hold at least `retention.bytes` without
    /// it. The log start moves to the first segment left.
    mutating func enforceRetention(now: Int64) -> RetentionResult {
        var result = RetentionResult(segmentsDeleted: 0, bytesDeleted: 0, logStartOffset: logStartOffset)
        guard config.cleanupPolicy.deletes else { return result }
        if let retention = config.retentionDuration {
            let retentionMilliseconds = retention.millisecondsClamped
            while segments.count > 1, now - segments[0].largestTimestamp > retentionMilliseconds {
                record(deleteOldestSegment(), in: &result)
            }
        }
        if let retentionBytes = config.retentionBytes {
            var excess = Int64(size) - retentionBytes
            while segments.count > 1, excess - Int64(segments[0].size) >= 0 {
                let deleted = deleteOldestSegment()
                excess -= Int64(deleted.size)
                record(deleted, in: &result)
            }
        }
        result.logStartOffset = logStartOffset
        return result
    }

    private func record(_ deleted: MemorySegment, in result: inout RetentionResult) {
        result.segmentsDeleted += 1
        result.bytesDeleted += Int64(deleted.size)
    }

    /// Compacts the sealed segments; see `PartitionLog.compact(now:)`.
    ///
    /// The key map covers the active segment too, so a key rewritten there supersedes its
    /// older records in sealed segments now rather than after the next roll. Kafka builds
    /// the map only up to its first uncleanable offset (the active segment, the high
    /// watermark, open transactions, `min.compaction.lag.ms`); this store knows no high
    /// watermark or transactions yet, so only the active segment is left alone. A tombstone
    /// is dropped when its batch's `maxTimestamp` is older than `now - delete.retention.ms`.
    /// A sealed segment emptied by compaction is removed; the log start does not move.
    mutating func compact(now: Int64, compactor: LogCompactor) throws(LogStoreError) -> CompactionResult {
        var result = CompactionResult(recordsRead: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0)
        guard config.cleanupPolicy.compacts, segments.count > 1 else { return result }
        var map = CompactionOffsetMap()
        for segment in segments {
            for batch in segment.batches {
                try compactor.indexKeys(of: batch.view(), into: &map)
            }
        }
        let tombstoneHorizon = now - config.deleteRetention.millisecondsClamped
        // Walk backwards so removing an emptied segment does not shift the ones still to do.
        for index in stride(from: segments.count - 2, through: 0, by: -1) {
            let segment = segments[index]
            var kept: [MemoryBatch] = []
            for batch in segment.batches {
                let compacted = try compactor.compact(
                    batch.view(), map: map, dropTombstones: batch.maxTimestamp < tombstoneHorizon
                )
                result.recordsRead += compacted.recordsRead
                result.recordsRemoved += compacted.recordsRemoved
                guard let bytes = compacted.bytes else { continue }
                kept.append(compacted.recordsRemoved == 0 ? batch : try Self.storedBatch(bytes))
            }
            result.bytesBefore += Int64(segment.size)
            result.bytesAfter += Int64(kept.reduce(0) { $0 + $1.size })
            replaceSealedSegment(at: index, with: kept)
        }
        return result
    }

    /// A batch the compactor just encoded, captured for storage.
    private static func storedBatch(_ bytes: ByteBuffer) throws(LogStoreError) -> MemoryBatch {
        do {
            return MemoryBatch(try RecordBatchView(buffer: bytes))
        } catch {
            throw .invalidBatch("compaction produced an invalid batch: \(error)")
        }
    }
}
