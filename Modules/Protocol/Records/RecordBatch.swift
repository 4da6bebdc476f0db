public import NIOCore
public import TernPrimitives

/// A fully decoded v2 record batch: the header fields plus its records.
///
/// Brokers mostly handle batches as `RecordBatchView`s and never decode them; this type is
/// for producers, tests, compaction and format conversion. `batchLength`, `crc` and
/// `recordCount` are not stored: encoding derives them, so they can never disagree.
public struct RecordBatch: Equatable, Sendable {
    /// Offset of the first record.
    public var baseOffset: Int64
    /// Epoch of the leader that appended the batch (-1 from producers).
    public var partitionLeaderEpoch: Int32
    /// Attributes; encoding overwrites the compression bits with the codec actually used.
    public var attributes: RecordBatchAttributes
    /// Offset of the last record minus baseOffset.
    ///
    /// Stored rather than derived because compaction can remove the last record while the
    /// batch must keep claiming its offset range.
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record (or the delete horizon).
    public var baseTimestamp: Int64
    /// Largest record timestamp, or the log append time.
    public var maxTimestamp: Int64
    /// Idempotent/transactional producer id, or -1.
    public var producerId: Int64
    /// Producer epoch, or -1.
    public var producerEpoch: Int16
    /// Sequence number of the first record, or -1.
    public var baseSequence: Int32
    /// The records, in offset order.
    public var records: [Record]

    /// Builds a batch. A nil `lastOffsetDelta` takes the last record's offsetDelta (0 when
    /// there are none), which is what a producer sends.
    public init(
        baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1,
        attributes: RecordBatchAttributes = RecordBatchAttributes(), lastOffsetDelta: Int32? = nil,
        baseTimestamp: Int64, maxTimestamp: Int64,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
        records: [Record]
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta ?? records.last?.offsetDelta ?? 0
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    /// Decodes the batch a view covers, records included.
    public init(view: RecordBatchView, decompress: RecordDecompressor? = nil) throws(DecodeError) {
        let header = view.header
        self.init(
            baseOffset: header.baseOffset, partitionLeaderEpoch: header.partitionLeaderEpoch,
            attributes: header.attributes, lastOffsetDelta: header.lastOffsetDelta,
            baseTimestamp: header.baseTimestamp, maxTimestamp: header.maxTimestamp,
            producerId: header.producerId, producerEpoch: header.producerEpoch,
            baseSequence: header.baseSequence, records: try view.records(decompress: decompress)
        )
    }

    /// Decodes one whole batch from `buffer`'s readable bytes, checking its CRC.
    public init(decoding buffer: ByteBuffer, decompress: RecordDecompressor? = nil) throws(DecodeError) {
        try self.init(view: RecordBatchView(buffer: buffer), decompress: decompress)
    }

    /// Appends the batch uncompressed, with correct length and CRC. The compression bits of
    /// `attributes` are written as 0 whatever they hold.
    public func encode(into buffer: inout ByteBuffer) throws(EncodeError) {
        var section = ByteBuffer()
        try encodeRecords(into: &section)
        try write(section: section, compression: .none, into: &buffer)
    }

    /// Appends the batch with its records section compressed by `compress`, which must
    /// produce the stream format Kafka expects for `compression` (see `CompressionType`).
    ///
    /// `.none` writes the records uncompressed without calling `compress`. Throws whatever
    /// `compress` throws, or `EncodeError` when a length overflows the format.
    public func encode(
        into buffer: inout ByteBuffer, compression: CompressionType,
        compress: ([UInt8]) throws -> [UInt8]
    ) throws {
        var section = ByteBuffer()
        try encodeRecords(into: &section)
        if compression != .none {
            section = ByteBuffer(bytes: try compress(Array(section.readableBytesView)))
        }
        try write(section: section, compression: compression, into: &buffer)
    }

    /// The batch encoded uncompressed into a fresh buffer.
    public func encoded() throws(EncodeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try encode(into: &buffer)
        return buffer
    }

    private func encodeRecords(into section: inout ByteBuffer) throws(EncodeError) {
        for record in records {
            try record.encode(into: &section)
        }
    }

    /// Writes header and section, then fills in batchLength and the CRC, which depend on
    /// everything after them.
    private func write(section: ByteBuffer, compression: CompressionType, into buffer: inout ByteBuffer) throws(EncodeError) {
        let total = RecordBatchHeader.size + section.readableBytes
        guard total - RecordBatchHeader.logOverhead <= Int32.max else {
            throw .tooLong(field: "record batch", length: total)
        }
        guard records.count <= Int32.max else { throw .tooLong(field: "record batch records", length: records.count) }
        var attributes = self.attributes
        attributes.compression = compression
        let header = RecordBatchHeader(
            baseOffset: baseOffset, batchLength: Int32(total - RecordBatchHeader.logOverhead),
            partitionLeaderEpoch: partitionLeaderEpoch, crc: 0, attributes: attributes,
            lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
            recordCount: Int32(records.count)
        )
        let start = buffer.writerIndex
        header.write(into: &buffer)
        buffer.writeImmutableBuffer(section)
        buffer.setRecordBatchCRC(batchAt: start)
    }
}
