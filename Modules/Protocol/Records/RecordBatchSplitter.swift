public import NIOCore
import TernPrimitives

/// One item found in a `records` field.
public enum RecordsEntry: Sendable {
    /// A complete v2 batch, header validated (and CRC, if the splitter verifies them).
    case batch(RecordBatchView)
    /// A complete legacy (magic 0 or 1) message, CRC validated if the splitter verifies.
    case legacy(LegacyMessage)
    /// The field ended in the middle of a batch. Fetch responses do this on purpose (the
    /// broker cuts at `max.bytes`); it is always the last entry.
    case partial(PartialBatch)
}

/// The cut-off tail of a `records` field.
public struct PartialBatch: Equatable, Sendable {
    /// Bytes of the batch that are present.
    public var bytesAvailable: Int
    /// The full size the batch declares, or `nil` when even its 12-byte offset and length
    /// prefix is cut off.
    public var bytesDeclared: Int?

    /// Describes a cut-off tail.
    public init(bytesAvailable: Int, bytesDeclared: Int?) {
        self.bytesAvailable = bytesAvailable
        self.bytesDeclared = bytesDeclared
    }
}

/// Walks a `records` field (zero or more concatenated batches, as in Produce and Fetch) and
/// yields each batch without decoding its records.
///
/// Every entry, whatever its magic, starts with offset int64 and size int32, and has its
/// magic byte at offset 16; that is how v2 batches and legacy messages are told apart. The
/// size is checked against the smallest legal entry and `Limits.batchBytesMax` before
/// anything else, so a hostile size cannot make us wait for or allocate gigabytes.
///
/// After an error or a partial entry, `next()` returns `nil`.
public struct RecordBatchSplitter: Sendable {
    /// What to do when the field ends inside a batch.
    public enum TrailingPartialBatch: Sendable {
        /// Throw `.truncated`, as a Produce request must hold whole batches.
        case reject
        /// Yield `.partial`, as Fetch responses may be cut at the size limit.
        case allow
    }

    /// The smallest entry Kafka accepts: a v0 message with empty key and value has a size
    /// field of 14. Anything smaller is corrupt whatever its magic.
    public static let entrySizeMin = 14

    private var remaining: ByteBuffer
    private let trailingPartialBatch: TrailingPartialBatch
    private let verifyingChecksums: Bool

    /// Prepares to walk `records`' readable bytes.
    public init(records: ByteBuffer, trailingPartialBatch: TrailingPartialBatch = .reject, verifyingChecksums: Bool = true) {
        remaining = records
        self.trailingPartialBatch = trailingPartialBatch
        self.verifyingChecksums = verifyingChecksums
    }

    /// Bytes not yet split off.
    public var bytesRemaining: Int { remaining.readableBytes }

    /// The next entry, or `nil` at the end of the field.
    public mutating func next() throws(DecodeError) -> RecordsEntry? {
        guard remaining.readableBytes > 0 else { return nil }
        do {
            return try split()
        } catch {
            remaining = ByteBuffer()
            throw error
        }
    }

    /// Every entry in `records`. The count is bounded by the field's size over the
    /// smallest entry, so the array cannot outgrow its input.
    public static func entries(
        in records: ByteBuffer, trailingPartialBatch: TrailingPartialBatch = .reject, verifyingChecksums: Bool = true
    ) throws(DecodeError) -> [RecordsEntry] {
        var splitter = RecordBatchSplitter(
            records: records, trailingPartialBatch: trailingPartialBatch, verifyingChecksums: verifyingChecksums
        )
        var entries: [RecordsEntry] = []
        while let entry = try splitter.next() {
            entries.append(entry)
        }
        return entries
    }

    private mutating func split() throws(DecodeError) -> RecordsEntry {
        let start = remaining.readerIndex
        let available = remaining.readableBytes
        guard let size = remaining.getInteger(at: start + RecordBatchHeader.Offset.batchLength, as: Int32.self) else {
            return try partial(PartialBatch(bytesAvailable: available, bytesDeclared: nil))
        }
        guard size >= Self.entrySizeMin, Int(size) + RecordBatchHeader.logOverhead <= Limits.batchBytesMax else {
            throw .invalidLength(Int64(size), context: "record batch length")
        }
        let total = Int(size) + RecordBatchHeader.logOverhead
        guard available >= total else {
            return try partial(PartialBatch(bytesAvailable: available, bytesDeclared: total))
        }
        // total >= 26 > 16, so the magic byte and the whole entry are present.
        guard let magic = remaining.getInteger(at: start + RecordBatchHeader.Offset.magic, as: Int8.self),
              let slice = remaining.readSlice(length: total)
        else {
            throw .truncated(needed: total, available: available)
        }
        switch magic {
        case RecordBatchHeader.magic:
            // A v2 size below a bare header is corruption, not a short read.
            guard size >= RecordBatchHeader.batchLengthMin else {
                throw .invalidLength(Int64(size), context: "record batch length")
            }
            let header = try RecordBatchHeader(decoding: slice, at: slice.readerIndex)
            return .batch(try RecordBatchView(slice: slice, header: header, verifyingChecksum: verifyingChecksums))
        case 0, 1:
            return .legacy(try LegacyMessage(decodingEntry: slice, verifyingChecksum: verifyingChecksums))
        default:
            throw .invalidValue("record batch magic \(magic)")
        }
    }

    private mutating func partial(_ tail: PartialBatch) throws(DecodeError) -> RecordsEntry {
        remaining = ByteBuffer()
        switch trailingPartialBatch {
        case .allow: return .partial(tail)
        case .reject: throw .truncated(needed: tail.bytesDeclared ?? RecordBatchHeader.logOverhead, available: tail.bytesAvailable)
        }
    }
}
