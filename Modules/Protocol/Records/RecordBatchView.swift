public import NIOCore
public import TernPrimitives

/// Turns a compressed records section into the uncompressed one.
///
/// Injected by the caller because the protocol module must not depend on the codecs. The
/// compressed bytes are borrowed straight from the batch, valid only during the call. The
/// closure should refuse to inflate past `Limits.batchDecompressedBytesMax`; the decoder
/// checks the result against that limit too, but only after the closure has allocated it.
public typealias RecordDecompressor = (_ codec: CompressionType, _ compressed: UnsafeRawBufferPointer) throws -> [UInt8]

/// A zero-copy view of one v2 record batch: the header is decoded and the CRC checked, the
/// records are left as bytes until someone asks for them.
///
/// This is what the broker's produce path works with: it validates the header and checksum,
/// patches offsets and epochs in place, and stores `bytes` as they came.
public struct RecordBatchView: Sendable {
    /// The batch's bytes, exactly `header.totalSize` of them, with `readerIndex` 0.
    public private(set) var bytes: ByteBuffer
    /// The decoded header, kept in step with `bytes` by the setters.
    public private(set) var header: RecordBatchHeader

    /// Views `buffer`'s readable bytes, which must hold exactly one v2 batch.
    ///
    /// Throws `.truncated` if the batch is cut short, `.trailingBytes` if more follows (use
    /// `RecordBatchSplitter` for a `records` field holding several), `.invalidValue` for a
    /// magic other than 2, `.invalidLength` for an impossible length or record count, and
    /// `.checksumMismatch` when `verifyingChecksum` is set and the CRC is wrong.
    public init(buffer: ByteBuffer, verifyingChecksum: Bool = true) throws(DecodeError) {
        let start = buffer.readerIndex
        let available = buffer.readableBytes
        guard let length = buffer.getInteger(at: start + RecordBatchHeader.Offset.batchLength, as: Int32.self) else {
            throw .truncated(needed: RecordBatchHeader.logOverhead, available: available)
        }
        // Report a legacy message (magic 0/1) as such rather than as a bad length.
        if let magic = buffer.getInteger(at: start + RecordBatchHeader.Offset.magic, as: Int8.self),
           magic != RecordBatchHeader.magic {
            throw .invalidValue("record batch magic \(magic), expected \(RecordBatchHeader.magic)")
        }
        guard length >= RecordBatchHeader.batchLengthMin,
              Int(length) + RecordBatchHeader.logOverhead <= Limits.batchBytesMax
        else {
            throw .invalidLength(Int64(length), context: "record batch length")
        }
        let total = Int(length) + RecordBatchHeader.logOverhead
        guard available >= total else { throw .truncated(needed: total, available: available) }
        guard available == total else { throw .trailingBytes(available - total) }
        let header = try RecordBatchHeader(decoding: buffer, at: start)
        // The length check above guarantees the slice exists.
        guard let slice = buffer.getSlice(at: start, length: total) else {
            throw .truncated(needed: total, available: available)
        }
        try self.init(slice: slice, header: header, verifyingChecksum: verifyingChecksum)
    }

    /// Wraps a slice whose header the caller has decoded and whose length it has checked.
    init(slice: ByteBuffer, header: RecordBatchHeader, verifyingChecksum: Bool) throws(DecodeError) {
        bytes = slice
        self.header = header
        if verifyingChecksum {
            let actual = computedChecksum
            guard actual == header.crc else { throw .checksumMismatch(expected: header.crc, actual: actual) }
        }
    }

    /// Offset of the first record.
    public var baseOffset: Int64 { header.baseOffset }
    /// Offset of the last record: baseOffset + lastOffsetDelta.
    public var lastOffset: Int64 { header.lastOffset }
    /// Offset of the last record minus baseOffset.
    public var lastOffsetDelta: Int32 { header.lastOffsetDelta }
    /// Epoch of the leader that appended the batch.
    public var partitionLeaderEpoch: Int32 { header.partitionLeaderEpoch }
    /// Timestamp of the first record (or the delete horizon, see `hasDeleteHorizon`).
    public var baseTimestamp: Int64 { header.baseTimestamp }
    /// Largest record timestamp, or the log append time.
    public var maxTimestamp: Int64 { header.maxTimestamp }
    /// Idempotent/transactional producer id, or -1.
    public var producerId: Int64 { header.producerId }
    /// Producer epoch, or -1.
    public var producerEpoch: Int16 { header.producerEpoch }
    /// Sequence number of the first record, or -1.
    public var baseSequence: Int32 { header.baseSequence }
    /// Number of records the header claims.
    public var recordCount: Int32 { header.recordCount }
    /// The raw attributes.
    public var attributes: RecordBatchAttributes { header.attributes }
    /// The codec id (0–7) from the attributes, including unassigned ones.
    public var compressionCodecID: Int { header.attributes.compressionCodecID }
    /// The codec, or `nil` for an unassigned codec id.
    public var compression: CompressionType? { header.attributes.compression }
    /// Whose clock the timestamps come from.
    public var timestampType: TimestampType { header.attributes.timestampType }
    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool { header.attributes.isTransactional }
    /// Whether the batch holds control records.
    public var isControl: Bool { header.attributes.isControl }
    /// Whether baseTimestamp holds the compaction delete horizon.
    public var hasDeleteHorizon: Bool { header.attributes.hasDeleteHorizon }
    /// Bytes the batch occupies.
    public var totalSize: Int { bytes.readableBytes }

    /// The CRC-32C of the covered bytes (attributes to end), computed now.
    public var computedChecksum: UInt32 {
        CRC32C.checksum(bytes, range: RecordBatchHeader.Offset.attributes..<bytes.writerIndex)
    }

    /// Whether the stored CRC matches the bytes.
    public var hasValidChecksum: Bool { computedChecksum == header.crc }

    /// The records section after the header: encoded records, or one compressed blob.
    public var recordsBytes: ByteBuffer {
        bytes.getSlice(at: RecordBatchHeader.size, length: bytes.readableBytes - RecordBatchHeader.size) ?? ByteBuffer()
    }

    /// Sets the baseOffset. Outside the CRC, so the checksum stays valid.
    ///
    /// `bytes` is usually a slice of a larger buffer, and writing to it copies the batch
    /// out of shared storage. To patch without a copy, call
    /// `ByteBuffer.setRecordBatchBaseOffset(_:batchAt:)` on the buffer that owns the bytes.
    public mutating func setBaseOffset(_ baseOffset: Int64) {
        bytes.setRecordBatchBaseOffset(baseOffset, batchAt: 0)
        header.baseOffset = baseOffset
    }

    /// Sets the partitionLeaderEpoch. Outside the CRC, so the checksum stays valid.
    public mutating func setPartitionLeaderEpoch(_ epoch: Int32) {
        bytes.setRecordBatchPartitionLeaderEpoch(epoch, batchAt: 0)
        header.partitionLeaderEpoch = epoch
    }

    /// Sets the maxTimestamp and timestamp type, as a LogAppendTime topic requires, and
    /// recomputes the CRC because both are covered by it.
    public mutating func setMaxTimestamp(_ maxTimestamp: Int64, timestampType: TimestampType) {
        header.crc = bytes.setRecordBatchMaxTimestamp(maxTimestamp, timestampType: timestampType, batchAt: 0)
        header.maxTimestamp = maxTimestamp
        header.attributes.timestampType = timestampType
    }

    /// Decodes every record, decompressing first if the batch is compressed.
    ///
    /// `decompress` may be `nil` for batches known to be uncompressed; a compressed batch
    /// without one throws `.invalidValue`. Any error the closure throws becomes
    /// `.invalidValue` too, because to the broker it means the same thing: corrupt records.
    public func records(decompress: RecordDecompressor? = nil) throws(DecodeError) -> [Record] {
        let section = try uncompressedRecords(decompress: decompress)
        return try Record.decodeAll(from: section, count: Int(header.recordCount))
    }

    /// The records section with compression undone: a sequence of encoded records.
    public func uncompressedRecords(decompress: RecordDecompressor? = nil) throws(DecodeError) -> ByteBuffer {
        guard let codec = compression else {
            throw .invalidValue("record batch compression codec id \(compressionCodecID)")
        }
        if codec == .none { return recordsBytes }
        guard let decompress else {
            throw .invalidValue("record batch is \(codec)-compressed and no decompressor was given")
        }
        let inflated: [UInt8]
        do {
            inflated = try recordsBytes.withUnsafeReadableBytes { try decompress(codec, $0) }
        } catch {
            throw .invalidValue("\(codec) decompression failed: \(error)")
        }
        guard inflated.count <= Limits.batchDecompressedBytesMax else {
            throw .invalidLength(Int64(inflated.count), context: "decompressed record batch")
        }
        return ByteBuffer(bytes: inflated)
    }
}
