public import NIOCore
public import TernCompression
public import TernProtocol

/// Kafka's log compaction for one log, as pure functions over batches: both stores run it
/// over their sealed segments, and neither needs to know how the other keeps bytes.
///
/// Compaction runs in two passes, as Kafka's cleaner does:
/// 1. ``indexKeys(of:into:)`` over every batch to consider, oldest first, builds a
///    ``CompactionOffsetMap`` of each key's latest offset.
/// 2. ``compact(_:map:dropTombstones:)`` rewrites each batch that may shrink, keeping only
///    records that are still the latest for their key.
///
/// Offsets never change. A rewritten batch keeps its base offset and `lastOffsetDelta` (so it
/// still claims its whole offset range), its producer fields, leader epoch, attributes and
/// both timestamps; every kept record keeps its offset and timestamp deltas. Kafka instead
/// recomputes `maxTimestamp` from the kept records; keeping it means a compacted segment is
/// never deleted by time earlier than it would have been uncompacted.
///
/// Tombstones (a key with a null value) delete their key. Callers pass `dropTombstones` true
/// for a batch whose `maxTimestamp` is older than `now - delete.retention.ms`: until then a
/// consumer that read the older value still gets to see the delete. Kafka (KIP-534) stamps a
/// delete horizon into the batch the first time it is cleaned instead; going by the batch's
/// own timestamp needs no extra state and keeps the rewrite free of header changes.
///
/// Departures from Kafka, all on the side of keeping data: records without a key are kept
/// (Kafka drops them, but a compacted topic refuses them at produce time, so they only come
/// from before a policy change); control batches are kept as they are; transactional data is
/// compacted like any other, and a batch emptied by compaction is removed even when it was a
/// producer's last batch (Kafka keeps an empty header to remember the producer's sequence).
public struct LogCompactor: Sendable {
    private let codecs: CompressionCodecs
    private let decompressedBytesMax: Int

    /// A compactor that decompresses with `codecs`, refusing to inflate a batch past
    /// `decompressedBytesMax` bytes, and recompresses with the same codecs.
    public init(codecs: CompressionCodecs, decompressedBytesMax: Int) {
        self.codecs = codecs
        self.decompressedBytesMax = decompressedBytesMax
    }

    /// Pass 1: for every keyed record in `batch`, remembers its offset as the latest for its
    /// key. Control batches hold transaction markers, not keyed data, so they only advance
    /// the map's covered range.
    ///
    /// Throws `.invalidBatch` when the records cannot be decoded or decompressed.
    public func indexKeys(of batch: RecordBatchView, into map: inout CompactionOffsetMap) throws(LogStoreError) {
        if !batch.isControl {
            for record in try records(of: batch) {
                guard let key = record.key else { continue }
                map.record(key: key, offset: batch.baseOffset + Int64(record.offsetDelta))
            }
        }
        map.covered(upTo: batch.lastOffset)
    }

    /// Pass 2: rewrites `batch` keeping only records that are the latest for their key (per
    /// `map`) and, when `dropTombstones` is true, dropping tombstones.
    ///
    /// Returns the batch's own bytes when nothing is removed (no re-encoding), the rewritten
    /// batch recompressed with the same codec when some records go, and nil bytes when none
    /// is left. Control batches and batches holding a record without a key are returned
    /// untouched. Throws `.invalidBatch` when the records cannot be decoded or re-encoded.
    public func compact(_ batch: RecordBatchView, map: CompactionOffsetMap, dropTombstones: Bool) throws(LogStoreError) -> CompactedBatch {
        if batch.isControl {
            return CompactedBatch(bytes: batch.bytes, recordsRead: Int(batch.recordCount), recordsRemoved: 0)
        }
        let records = try records(of: batch)
        let unchanged = CompactedBatch(bytes: batch.bytes, recordsRead: records.count, recordsRemoved: 0)
        if records.contains(where: { $0.key == nil }) { return unchanged }
        let kept = records.filter { record in
            Self.retains(record, of: batch, map: map, dropTombstones: dropTombstones)
        }
        if kept.count == records.count { return unchanged }
        let removed = records.count - kept.count
        if kept.isEmpty { return CompactedBatch(bytes: nil, recordsRead: records.count, recordsRemoved: removed) }
        let bytes = try encode(kept, like: batch)
        return CompactedBatch(bytes: bytes, recordsRead: records.count, recordsRemoved: removed)
    }

    /// Kafka's retention rule: keep what the first pass never saw, and otherwise only the
    /// latest record of each key, minus tombstones whose retention has passed.
    private static func retains(_ record: Record, of batch: RecordBatchView, map: CompactionOffsetMap, dropTombstones: Bool) -> Bool {
        let offset = batch.baseOffset + Int64(record.offsetDelta)
        if offset > map.latestOffsetIndexed { return true }
        guard let key = record.key else { return true }
        if let latest = map.latestOffset(forKey: key), offset < latest { return false }
        return !(dropTombstones && record.value == nil)
    }

    private func records(of batch: RecordBatchView) throws(LogStoreError) -> [Record] {
        do {
            return try batch.records(decompress: codecs.recordDecompressor(limit: decompressedBytesMax))
        } catch {
            throw .invalidBatch("cannot decode records of the batch at offset \(batch.baseOffset): \(error)")
        }
    }

    /// Encodes `records` with every header field of `original`, compressed as it was.
    private func encode(_ records: [Record], like original: RecordBatchView) throws(LogStoreError) -> ByteBuffer {
        guard let compression = original.compression else {
            throw .invalidBatch("batch at offset \(original.baseOffset) has unknown codec id \(original.compressionCodecID)")
        }
        let rewritten = RecordBatch(
            baseOffset: original.baseOffset, partitionLeaderEpoch: original.partitionLeaderEpoch,
            attributes: original.attributes, lastOffsetDelta: original.lastOffsetDelta,
            baseTimestamp: original.baseTimestamp, maxTimestamp: original.maxTimestamp,
            producerId: original.producerId, producerEpoch: original.producerEpoch,
            baseSequence: original.baseSequence, records: records
        )
        var buffer = ByteBuffer()
        do {
            try rewritten.encode(into: &buffer, compression: compression) { bytes in
                try codecs.compress(bytes, as: compression)
            }
        } catch {
            throw .invalidBatch("cannot re-encode the batch at offset \(original.baseOffset): \(error)")
        }
        return buffer
    }
}

/// What compacting one batch produced.
public struct CompactedBatch: Sendable {
    /// The batch to keep in place of the original (the original's bytes when nothing was
    /// removed), or nil when every record was removed and the batch goes.
    public var bytes: ByteBuffer?
    /// The records the batch held.
    public var recordsRead: Int
    /// The records removed from it.
    public var recordsRemoved: Int

    /// Describes a result.
    public init(bytes: ByteBuffer?, recordsRead: Int, recordsRemoved: Int) {
        self.bytes = bytes
        self.recordsRead = recordsRead
        self.recordsRemoved = recordsRemoved
    }
}
