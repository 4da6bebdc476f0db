public import NIOCore

/// One record of a v2 batch, as laid out inside the (possibly decompressed) records section:
///
///     length varint            bytes of the rest of the record
///     attributes int8          unused, always 0 today
///     timestampDelta varlong   relative to the batch's baseTimestamp
///     offsetDelta varint       relative to the batch's baseOffset
///     keyLength varint, key    -1 (any negative) means null
///     valueLength varint, value
///     headerCount varint, headers: keyLength varint, key UTF-8, valueLength varint, value
///
/// Keys and values are `ByteBuffer` slices of the batch (or of its decompressed bytes), so
/// decoding does not copy payloads.
public struct Record: Equatable, Sendable {
    /// The record's attribute byte (no bits are defined yet; kept as sent).
    public var attributes: Int8
    /// Timestamp minus the batch's baseTimestamp.
    public var timestampDelta: Int64
    /// Offset minus the batch's baseOffset.
    public var offsetDelta: Int32
    /// The key, or `nil` for a null key.
    public var key: ByteBuffer?
    /// The value, or `nil` for a null value (a tombstone under compaction).
    public var value: ByteBuffer?
    /// Application headers, in order; keys may repeat.
    public var headers: [RecordHeader]

    /// Smallest encoded record: seven one-byte fields. Used to bound counts before
    /// allocating arrays for them.
    static let encodedSizeMin = 7

    /// Builds a record.
    public init(
        attributes: Int8 = 0, timestampDelta: Int64 = 0, offsetDelta: Int32,
        key: ByteBuffer? = nil, value: ByteBuffer?, headers: [RecordHeader] = []
    ) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Reads one record, consuming exactly its bytes.
    ///
    /// The length prefix must cover the fields exactly: Kafka rejects a record whose fields
    /// end before or after its declared length, and so do we (`.trailingBytes`/`.truncated`).
    public static func decode(from buffer: inout ByteBuffer) throws(DecodeError) -> Record {
        let length = try buffer.readVarint()
        guard length >= Int32(encodedSizeMin - 1) else {
            throw .invalidLength(Int64(length), context: "record length")
        }
        guard var body = buffer.readSlice(length: Int(length)) else {
            throw .truncated(needed: Int(length), available: buffer.readableBytes)
        }
        guard let attributes = body.readInteger(as: Int8.self) else {
            throw .truncated(needed: 1, available: 0)
        }
        let timestampDelta = try body.readVarlong()
        let offsetDelta = try body.readVarint()
        let key = try readNullableBytes(from: &body, context: "record key")
        let value = try readNullableBytes(from: &body, context: "record value")
        let headerCount = try body.readVarint()
        // Each header takes at least two bytes (two zero lengths), which bounds the array.
        guard headerCount >= 0, Int(headerCount) <= body.readableBytes / 2 else {
            throw .invalidLength(Int64(headerCount), context: "record header count")
        }
        var headers: [RecordHeader] = []
        headers.reserveCapacity(Int(headerCount))
        for _ in 0..<headerCount {
            headers.append(try RecordHeader.decode(from: &body))
        }
        guard body.readableBytes == 0 else { throw .trailingBytes(body.readableBytes) }
        return Record(
            attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
            key: key, value: value, headers: headers
        )
    }

    /// Reads `count` records that must fill `section` exactly.
    static func decodeAll(from section: ByteBuffer, count: Int) throws(DecodeError) -> [Record] {
        var section = section
        guard count <= section.readableBytes / encodedSizeMin else {
            throw .invalidLength(Int64(count), context: "record count for \(section.readableBytes) bytes")
        }
        var records: [Record] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            records.append(try decode(from: &section))
        }
        guard section.readableBytes == 0 else { throw .trailingBytes(section.readableBytes) }
        return records
    }

    /// Appends the record, length prefix included.
    public func encode(into buffer: inout ByteBuffer) throws(EncodeError) {
        let bodySize = try encodedBodySize()
        buffer.writeVarint(bodySize)
        buffer.writeInteger(attributes)
        buffer.writeVarlong(timestampDelta)
        buffer.writeVarint(offsetDelta)
        Self.writeNullableBytes(key, into: &buffer)
        Self.writeNullableBytes(value, into: &buffer)
        buffer.writeVarint(Int32(headers.count))
        for header in headers {
            header.encode(into: &buffer)
        }
    }

    /// Bytes after the length prefix; throws if any length overflows a varint.
    private func encodedBodySize() throws(EncodeError) -> Int32 {
        var size = 1 + Self.varlongSize(timestampDelta) + ByteBuffer.varintSize(offsetDelta)
        size += try Self.nullableBytesSize(key, field: "record key")
        size += try Self.nullableBytesSize(value, field: "record value")
        guard headers.count <= Int32.max else { throw .tooLong(field: "record headers", length: headers.count) }
        size += ByteBuffer.varintSize(Int32(headers.count))
        for header in headers {
            size += try header.encodedSize()
            guard size <= Int32.max else { throw .tooLong(field: "record", length: size) }
        }
        guard size <= Int32.max else { throw .tooLong(field: "record", length: size) }
        return Int32(size)
    }

    /// Reads a varint length then that many bytes; a negative length means null.
    static func readNullableBytes(from buffer: inout ByteBuffer, context: String) throws(DecodeError) -> ByteBuffer? {
        let length = try buffer.readVarint()
        if length < 0 { return nil }
        guard let bytes = buffer.readSlice(length: Int(length)) else {
            throw .truncated(needed: Int(length), available: buffer.readableBytes)
        }
        return bytes
    }

    /// Writes a varint length (-1 for null) then the bytes.
    static func writeNullableBytes(_ bytes: ByteBuffer?, into buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeVarint(-1)
            return
        }
        buffer.writeVarint(Int32(bytes.readableBytes))
        buffer.writeImmutableBuffer(bytes)
    }

    /// Encoded size of nullable bytes; throws if the length does not fit a varint.
    static func nullableBytesSize(_ bytes: ByteBuffer?, field: String) throws(EncodeError) -> Int {
        guard let bytes else { return 1 }
        guard bytes.readableBytes <= Int32.max else { throw .tooLong(field: field, length: bytes.readableBytes) }
        return ByteBuffer.varintSize(Int32(bytes.readableBytes)) + bytes.readableBytes
    }

    /// Bytes `value` takes as a zigzag varlong.
    static func varlongSize(_ value: Int64) -> Int {
        let zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        return zigzag == 0 ? 1 : (70 - zigzag.leadingZeroBitCount) / 7
    }
}

/// A record header: a UTF-8 key and nullable bytes.
public struct RecordHeader: Equatable, Sendable {
    /// The header name. Kafka allows repeats.
    public var key: String
    /// The header value, or `nil` for null.
    public var value: ByteBuffer?

    /// Builds a header.
    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }

    /// Reads one header. A negative key length is an error (Kafka rejects it too), and so is
    /// a key that is not valid UTF-8, since it could not round-trip through `String`.
    static func decode(from buffer: inout ByteBuffer) throws(DecodeError) -> RecordHeader {
        let keyLength = try buffer.readVarint()
        guard keyLength >= 0 else { throw .invalidLength(Int64(keyLength), context: "record header key") }
        guard let keyBytes = buffer.readSlice(length: Int(keyLength)) else {
            throw .truncated(needed: Int(keyLength), available: buffer.readableBytes)
        }
        let key = keyBytes.withUnsafeReadableBytes { String(validating: $0, as: UTF8.self) }
        guard let key else { throw .invalidString }
        let value = try Record.readNullableBytes(from: &buffer, context: "record header value")
        return RecordHeader(key: key, value: value)
    }

    /// Appends the header.
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeVarint(Int32(key.utf8.count))
        buffer.writeString(key)
        Record.writeNullableBytes(value, into: &buffer)
    }

    /// Encoded size; throws if a length does not fit a varint.
    func encodedSize() throws(EncodeError) -> Int {
        let keyCount = key.utf8.count
        guard keyCount <= Int32.max else { throw .tooLong(field: "record header key", length: keyCount) }
        return ByteBuffer.varintSize(Int32(keyCount)) + keyCount
            + (try Record.nullableBytesSize(value, field: "record header value"))
    }
}
