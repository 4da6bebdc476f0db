public import NIOCore
import TernPrimitives

/// The fixed 61-byte header of a v2 (magic 2) record batch.
///
/// Layout, big-endian, by byte offset: baseOffset int64 @0, batchLength int32 @8,
/// partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17, attributes int16 @21,
/// lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35,
/// producerId int64 @43, producerEpoch int16 @51, baseSequence int32 @53,
/// recordCount int32 @57; records start at 61.
///
/// `batchLength` counts the bytes after itself, so a batch occupies `batchLength + 12`
/// bytes. The CRC-32C covers attributes through the end of the batch, which leaves
/// baseOffset, batchLength, partitionLeaderEpoch and magic outside it: a broker can assign
/// offsets and stamp its leader epoch without recomputing the checksum.
public struct RecordBatchHeader: Hashable, Sendable {
    /// Bytes in the header, up to the first record.
    public static let size = 61
    /// Bytes before `batchLength` counts: baseOffset and batchLength themselves.
    public static let logOverhead = 12
    /// The magic byte of this format.
    public static let magic: Int8 = 2
    /// The smallest legal `batchLength`: a header with no records.
    public static let batchLengthMin = Int32(size - logOverhead)

    /// Offset of the first record (assigned by the leader; producers send 0).
    public var baseOffset: Int64
    /// Bytes from the partition leader epoch to the end of the batch.
    public var batchLength: Int32
    /// Epoch of the leader that appended the batch (-1 from producers).
    public var partitionLeaderEpoch: Int32
    /// The format version; always 2 for a decoded header.
    public var magic: Int8
    /// The CRC-32C stored in the batch (not necessarily a correct one).
    public var crc: UInt32
    /// Compression, timestamp type and transaction flags.
    public var attributes: RecordBatchAttributes
    /// Offset of the last record minus `baseOffset`.
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record, or the delete horizon when `hasDeleteHorizon` is set.
    public var baseTimestamp: Int64
    /// Largest record timestamp, or the log append time under `.logAppendTime`.
    public var maxTimestamp: Int64
    /// Idempotent/transactional producer id, or -1.
    public var producerId: Int64
    /// Producer epoch, or -1.
    public var producerEpoch: Int16
    /// Sequence number of the first record, or -1.
    public var baseSequence: Int32
    /// Number of records the batch claims to hold.
    public var recordCount: Int32

    /// Byte offsets of the header fields from the start of a batch.
    enum Offset {
        static let baseOffset = 0
        static let batchLength = 8
        static let partitionLeaderEpoch = 12
        static let magic = 16
        static let crc = 17
        static let attributes = 21
        static let lastOffsetDelta = 23
        static let baseTimestamp = 27
        static let maxTimestamp = 35
        static let producerId = 43
        static let producerEpoch = 51
        static let baseSequence = 53
        static let recordCount = 57
    }

    /// Offset of the last record. Wraps rather than traps on hostile values: a header is
    /// decoded before anything checks that its offsets make sense.
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// Bytes the whole batch occupies, header included.
    public var totalSize: Int { Int(batchLength) + Self.logOverhead }

    /// Builds a header from its fields; `write(into:)` encodes it.
    public init(
        baseOffset: Int64, batchLength: Int32, partitionLeaderEpoch: Int32, crc: UInt32,
        attributes: RecordBatchAttributes, lastOffsetDelta: Int32, baseTimestamp: Int64,
        maxTimestamp: Int64, producerId: Int64, producerEpoch: Int16, baseSequence: Int32,
        recordCount: Int32
    ) {
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = Self.magic
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordCount = recordCount
    }

    /// Decodes the header of the batch starting at absolute index `start` of `buffer`.
    ///
    /// Checks what the header alone can show: 61 bytes are present, magic is 2, batchLength
    /// is at least a bare header and within `Limits.batchBytesMax`, and recordCount is not
    /// negative or above `Limits.recordsPerBatchMax`. Whether the whole batch is present and
    /// whether the CRC matches are `RecordBatchView`'s concern.
    public init(decoding buffer: ByteBuffer, at start: Int) throws(DecodeError) {
        let available = buffer.writerIndex - start
        // Magic first: bytes in another format deserve "wrong magic", not "too short".
        guard start >= buffer.readerIndex, let magic = buffer.getInteger(at: start + Offset.magic, as: Int8.self) else {
            throw .truncated(needed: Self.size, available: max(0, available))
        }
        guard magic == Self.magic else {
            throw .invalidValue("record batch magic \(magic), expected \(Self.magic)")
        }
        guard available >= Self.size else { throw .truncated(needed: Self.size, available: available) }
        // One pointer access for all thirteen fields: reading them one by one through
        // `getInteger` costs a storage retain/release each, which showed up as a quarter of
        // the time to split and validate 16 KiB batches.
        let offset = start - buffer.readerIndex
        self = buffer.withUnsafeReadableBytes { raw in
            Self(parsing: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + Self.size)]))
        }
        guard batchLength >= Self.batchLengthMin, Int(batchLength) + Self.logOverhead <= Limits.batchBytesMax else {
            throw .invalidLength(Int64(batchLength), context: "record batch length")
        }
        guard recordCount >= 0, Int(recordCount) <= Limits.recordsPerBatchMax else {
            throw .invalidLength(Int64(recordCount), context: "record batch record count")
        }
    }

    /// Reads every field from exactly `Self.size` bytes, without validating any.
    private init(parsing raw: UnsafeRawBufferPointer) {
        precondition(raw.count == Self.size, "record batch header needs \(Self.size) bytes")
        func field<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T {
            T(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        baseOffset = field(Offset.baseOffset)
        batchLength = field(Offset.batchLength)
        partitionLeaderEpoch = field(Offset.partitionLeaderEpoch)
        magic = field(Offset.magic)
        crc = field(Offset.crc)
        attributes = RecordBatchAttributes(rawValue: field(Offset.attributes))
        lastOffsetDelta = field(Offset.lastOffsetDelta)
        baseTimestamp = field(Offset.baseTimestamp)
        maxTimestamp = field(Offset.maxTimestamp)
        producerId = field(Offset.producerId)
        producerEpoch = field(Offset.producerEpoch)
        baseSequence = field(Offset.baseSequence)
        recordCount = field(Offset.recordCount)
    }

    /// Appends the 61 header bytes exactly as the fields say, CRC included.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(baseOffset)
        buffer.writeInteger(batchLength)
        buffer.writeInteger(partitionLeaderEpoch)
        buffer.writeInteger(magic)
        buffer.writeInteger(crc)
        buffer.writeInteger(attributes.rawValue)
        buffer.writeInteger(lastOffsetDelta)
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producerId)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(baseSequence)
        buffer.writeInteger(recordCount)
    }
}
