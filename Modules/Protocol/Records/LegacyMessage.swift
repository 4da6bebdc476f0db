public import NIOCore
public import TernPrimitives

/// A legacy message (magic 0 or 1), the format before v2 batches, as old clients send it.
///
/// Entry layout, big-endian: offset int64, messageSize int32, then the message: crc uint32,
/// magic int8, attributes int8, timestamp int64 (magic 1 only), key (int32 length, -1 for
/// null), value (int32 length, -1 for null). The CRC is CRC-32 (IEEE) over magic to the end.
///
/// A compressed message is a wrapper: its value is a whole inner message set, compressed
/// with the codec in attributes bits 0–2. `innerMessages(decompress:)` opens it.
///
/// Decoding keeps every field as sent, so the broker can report exactly what an old client
/// wrote before rejecting it or converting it to v2.
public struct LegacyMessage: Equatable, Sendable {
    /// The entry's offset (relative inside a magic-1 wrapper, see `innerMessages`).
    public var offset: Int64
    /// 0 or 1.
    public var magic: Int8
    /// The CRC-32 stored in the message.
    public var crc: UInt32
    /// Codec in bits 0–2; in magic 1, bit 3 is the timestamp type.
    public var attributes: Int8
    /// The timestamp, present only in magic 1.
    public var timestamp: Int64?
    /// The key, or `nil` for null.
    public var key: ByteBuffer?
    /// The value, or `nil` for null. For a wrapper, the compressed inner message set.
    public var value: ByteBuffer?

    /// Bytes of offset and size before each message.
    public static let logOverhead = 12

    /// Smallest message (crc through value length) for `magic`: 14 for v0, 22 for v1.
    public static func messageSizeMin(magic: Int8) -> Int {
        magic == 0 ? 14 : 22
    }

    /// Builds a message from its fields, for callers converting formats.
    public init(
        offset: Int64, magic: Int8, crc: UInt32, attributes: Int8, timestamp: Int64?,
        key: ByteBuffer?, value: ByteBuffer?
    ) {
        self.offset = offset
        self.magic = magic
        self.crc = crc
        self.attributes = attributes
        self.timestamp = timestamp
        self.key = key
        self.value = value
    }

    /// The codec id (0–7) from the attributes.
    public var compressionCodecID: Int { Int(attributes & 0x07) }

    /// The codec, or `nil` for an id legacy messages cannot use (zstd needs magic 2).
    public var compression: CompressionType? {
        guard let codec = CompressionType(rawValue: Int8(compressionCodecID)), codec != .zstd else { return nil }
        return codec
    }

    /// Whether the value holds a compressed inner message set.
    public var isCompressedWrapper: Bool { compressionCodecID != 0 }

    /// The timestamp type (magic 1 only; v0 messages have no timestamp).
    public var timestampType: TimestampType? {
        guard magic >= 1 else { return nil }
        return attributes & 0x08 == 0 ? .createTime : .logAppendTime
    }

    /// Decodes one entry (offset, size and message) filling `buffer`'s readable bytes.
    public init(decodingEntry buffer: ByteBuffer, verifyingChecksum: Bool = true) throws(DecodeError) {
        var entry = buffer
        guard let offset = entry.readInteger(as: Int64.self), let size = entry.readInteger(as: Int32.self) else {
            throw .truncated(needed: Self.logOverhead, available: buffer.readableBytes)
        }
        guard size >= 0, Int(size) == entry.readableBytes else {
            throw .invalidLength(Int64(size), context: "legacy message size for \(entry.readableBytes) bytes")
        }
        try self.init(offset: offset, message: entry, verifyingChecksum: verifyingChecksum)
    }

    private init(offset: Int64, message: ByteBuffer, verifyingChecksum: Bool) throws(DecodeError) {
        var body = message
        guard let crc = body.readInteger(as: UInt32.self), let magic = body.readInteger(as: Int8.self) else {
            throw .truncated(needed: 5, available: message.readableBytes)
        }
        guard magic == 0 || magic == 1 else { throw .invalidValue("legacy message magic \(magic)") }
        guard message.readableBytes >= Self.messageSizeMin(magic: magic) else {
            throw .invalidLength(Int64(message.readableBytes), context: "legacy message v\(magic) size")
        }
        if verifyingChecksum {
            let actual = CRC32IEEE.checksum(message, range: (message.readerIndex + 4)..<message.writerIndex)
            guard actual == crc else { throw .checksumMismatch(expected: crc, actual: actual) }
        }
        // The size check above guarantees attributes and (for v1) the timestamp are present.
        let attributes = body.readInteger(as: Int8.self) ?? 0
        let timestamp = magic == 1 ? body.readInteger(as: Int64.self) : nil
        let key = try Self.readNullableBytes(from: &body, context: "legacy message key")
        let value = try Self.readNullableBytes(from: &body, context: "legacy message value")
        guard body.readableBytes == 0 else { throw .trailingBytes(body.readableBytes) }
        self.init(
            offset: offset, magic: magic, crc: crc, attributes: attributes, timestamp: timestamp,
            key: key, value: value
        )
    }

    /// The messages this one stands for: itself if uncompressed, otherwise the inner
    /// messages of its decompressed value.
    ///
    /// Rules from Kafka's deep iteration: the wrapper's value must not be null, inner
    /// messages must share the wrapper's magic and must not be compressed themselves (only
    /// one level of nesting exists). In magic 1, inner offsets are relative and the wrapper
    /// carries the absolute offset of the last one; the returned messages carry absolute
    /// offsets. Timestamps are returned as sent: under LogAppendTime a broker should use
    /// the wrapper's timestamp instead of the inner ones.
    public func innerMessages(decompress: RecordDecompressor) throws(DecodeError) -> [LegacyMessage] {
        guard isCompressedWrapper else { return [self] }
        guard let codec = compression else {
            throw .invalidValue("legacy message compression codec id \(compressionCodecID)")
        }
        guard let value else { throw .invalidValue("compressed legacy message with a null value") }
        let inflated: [UInt8]
        do {
            inflated = try value.withUnsafeReadableBytes { try decompress(codec, $0) }
        } catch {
            throw .invalidValue("\(codec) decompression of legacy message failed: \(error)")
        }
        guard inflated.count <= Limits.batchDecompressedBytesMax else {
            throw .invalidLength(Int64(inflated.count), context: "decompressed legacy message set")
        }
        var inner = try Self.decodeInner(ByteBuffer(bytes: inflated), wrapperMagic: magic)
        if magic >= 1, let lastRelative = inner.last?.offset {
            // Wrapping arithmetic: the offsets come from the client and are not yet trusted.
            let absoluteBase = offset &- lastRelative
            for index in inner.indices {
                inner[index].offset = absoluteBase &+ inner[index].offset
            }
        }
        return inner
    }

    /// Decodes a decompressed inner set, which must hold whole, uncompressed messages of the
    /// wrapper's magic.
    private static func decodeInner(_ set: ByteBuffer, wrapperMagic: Int8) throws(DecodeError) -> [LegacyMessage] {
        var splitter = RecordBatchSplitter(records: set, trailingPartialBatch: .reject)
        var messages: [LegacyMessage] = []
        while let entry = try splitter.next() {
            guard case let .legacy(message) = entry, message.magic == wrapperMagic else {
                throw .invalidValue("inner message of a magic \(wrapperMagic) wrapper has a different magic")
            }
            guard !message.isCompressedWrapper else {
                throw .invalidValue("compressed legacy message nested inside another")
            }
            messages.append(message)
        }
        return messages
    }

    /// Reads an int32 length then that many bytes; a negative length means null.
    private static func readNullableBytes(from buffer: inout ByteBuffer, context: String) throws(DecodeError) -> ByteBuffer? {
        guard let length = buffer.readInteger(as: Int32.self) else {
            throw .truncated(needed: 4, available: buffer.readableBytes)
        }
        if length < 0 { return nil }
        guard let bytes = buffer.readSlice(length: Int(length)) else {
            throw .truncated(needed: Int(length), available: buffer.readableBytes)
        }
        return bytes
    }
}

/// Decoding of a whole legacy message set, for requests whose `records` field is known to
/// hold magic 0/1 messages only (old Produce versions).
public enum LegacyMessageSet {
    /// Every message in `buffer`, shallowly: compressed wrappers are returned as wrappers.
    /// Throws if the set holds a v2 batch or ends mid-message.
    public static func decode(_ buffer: ByteBuffer, verifyingChecksums: Bool = true) throws(DecodeError) -> [LegacyMessage] {
        var splitter = RecordBatchSplitter(records: buffer, trailingPartialBatch: .reject, verifyingChecksums: verifyingChecksums)
        var messages: [LegacyMessage] = []
        while let entry = try splitter.next() {
            guard case let .legacy(message) = entry else {
                throw .invalidValue("v2 record batch inside a legacy message set")
            }
            messages.append(message)
        }
        return messages
    }
}
