public import NIOCore

// Kafka's fixed-width and length-prefixed primitives, in their classic and compact
// ("flexible") forms. Reads consume bytes and throw `DecodeError` on short or malformed input;
// every length is checked against the readable bytes before anything is allocated.
extension ByteBuffer {
    /// Reads a big-endian integer.
    @inlinable
    public mutating func readKafkaInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(DecodeError) -> T {
        guard let value = readInteger(endianness: .big, as: T.self) else {
            throw .truncated(needed: MemoryLayout<T>.size, available: readableBytes)
        }
        return value
    }

    /// Appends a big-endian integer.
    @inlinable
    public mutating func writeKafkaInteger<T: FixedWidthInteger>(_ value: T) {
        writeInteger(value, endianness: .big)
    }

    /// Reads a boolean (any non-zero byte is true, as in Kafka).
    @inlinable
    public mutating func readKafkaBool() throws(DecodeError) -> Bool {
        try readKafkaInteger(as: UInt8.self) != 0
    }

    /// Appends a boolean as one byte.
    @inlinable
    public mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? 1 : 0 as UInt8)
    }

    /// Reads an IEEE 754 double, big-endian.
    @inlinable
    public mutating func readKafkaFloat64() throws(DecodeError) -> Double {
        Double(bitPattern: try readKafkaInteger(as: UInt64.self))
    }

    /// Appends an IEEE 754 double, big-endian.
    @inlinable
    public mutating func writeKafkaFloat64(_ value: Double) {
        writeKafkaInteger(value.bitPattern)
    }

    /// Reads a 16-byte UUID.
    @inlinable
    public mutating func readKafkaUUID() throws(DecodeError) -> KafkaUUID {
        let high = try readKafkaInteger(as: UInt64.self)
        let low = try readKafkaInteger(as: UInt64.self)
        return KafkaUUID(high: high, low: low)
    }

    /// Appends a 16-byte UUID.
    @inlinable
    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        writeKafkaInteger(value.high)
        writeKafkaInteger(value.low)
    }

    // MARK: Lengths

    /// Reads a length prefix: int16 (`wide == false`) or int32 in the classic form, unsigned
    /// varint + 1 in the compact form. Returns nil for null, throws for any other negative
    /// length or one longer than the bytes left.
    @inlinable
    mutating func readKafkaLength(compact: Bool, wide: Bool, context: StaticString) throws(DecodeError) -> Int? {
        let length: Int
        if compact {
            let raw = try readUnsignedVarint()
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else if wide {
            length = Int(try readKafkaInteger(as: Int32.self))
        } else {
            length = Int(try readKafkaInteger(as: Int16.self))
        }
        if length == -1 { return nil }
        guard length >= 0, length <= readableBytes else {
            throw .invalidLength(Int64(length), context: "\(context)")
        }
        return length
    }

    @inlinable
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, wide: Bool) {
        if compact {
            writeUnsignedVarint(length.map { UInt32($0 + 1) } ?? 0)
        } else if wide {
            writeKafkaInteger(Int32(length ?? -1))
        } else {
            writeKafkaInteger(Int16(length ?? -1))
        }
    }

    // MARK: Strings

    /// Reads a nullable string.
    @inlinable
    public mutating func readKafkaNullableString(compact: Bool) throws(DecodeError) -> String? {
        guard let length = try readKafkaLength(compact: compact, wide: false, context: "string") else { return nil }
        guard let string = readString(validatingUTF8Length: length) else { throw .invalidString }
        return string
    }

    /// Reads a string that may not be null.
    @inlinable
    public mutating func readKafkaString(compact: Bool) throws(DecodeError) -> String {
        guard let string = try readKafkaNullableString(compact: compact) else {
            throw .invalidLength(-1, context: "non-nullable string")
        }
        return string
    }

    /// Appends a nullable string; throws when it is longer than an int16 length can express.
    @inlinable
    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool, field: String) throws(EncodeError) {
        guard let value else {
            writeKafkaLength(nil, compact: compact, wide: false)
            return
        }
        let length = value.utf8.count
        guard length <= Int(Int16.max) else { throw .tooLong(field: field, length: length) }
        writeKafkaLength(length, compact: compact, wide: false)
        writeString(value)
    }

    /// Appends a string.
    @inlinable
    public mutating func writeKafkaString(_ value: String, compact: Bool, field: String) throws(EncodeError) {
        try writeKafkaNullableString(value, compact: compact, field: field)
    }

    /// Reads `length` bytes as UTF-8, or nil when they are not valid UTF-8.
    @inlinable
    mutating func readString(validatingUTF8Length length: Int) -> String? {
        guard let view = readBytes(length: length) else { return nil }
        return String(validating: view, as: UTF8.self)
    }

    // MARK: Bytes

    /// Reads nullable bytes (int32 or compact length).
    @inlinable
    public mutating func readKafkaNullableBytes(compact: Bool) throws(DecodeError) -> [UInt8]? {
        guard let length = try readKafkaLength(compact: compact, wide: true, context: "bytes") else { return nil }
        return readBytes(length: length)
    }

    /// Reads bytes that may not be null.
    @inlinable
    public mutating func readKafkaBytes(compact: Bool) throws(DecodeError) -> [UInt8] {
        guard let bytes = try readKafkaNullableBytes(compact: compact) else {
            throw .invalidLength(-1, context: "non-nullable bytes")
        }
        return bytes
    }

    /// Appends nullable bytes.
    @inlinable
    public mutating func writeKafkaNullableBytes(_ value: [UInt8]?, compact: Bool) {
        writeKafkaLength(value?.count, compact: compact, wide: true)
        if let value { writeBytes(value) }
    }

    /// Appends bytes.
    @inlinable
    public mutating func writeKafkaBytes(_ value: [UInt8], compact: Bool) {
        writeKafkaNullableBytes(value, compact: compact)
    }

    // MARK: Records

    /// Reads a nullable records field as a slice of this buffer: no copy, so a produce
    /// request's batches reach the log as the bytes the client sent.
    @inlinable
    public mutating func readKafkaNullableRecords(compact: Bool) throws(DecodeError) -> ByteBuffer? {
        guard let length = try readKafkaLength(compact: compact, wide: true, context: "records") else { return nil }
        return readSlice(length: length)
    }

    /// Reads a records field that may not be null.
    @inlinable
    public mutating func readKafkaRecords(compact: Bool) throws(DecodeError) -> ByteBuffer {
        guard let records = try readKafkaNullableRecords(compact: compact) else {
            throw .invalidLength(-1, context: "non-nullable records")
        }
        return records
    }

    /// Appends a nullable records field.
    @inlinable
    public mutating func writeKafkaNullableRecords(_ value: ByteBuffer?, compact: Bool) {
        writeKafkaLength(value?.readableBytes, compact: compact, wide: true)
        if let value { writeImmutableBuffer(value) }
    }

    /// Appends a records field.
    @inlinable
    public mutating func writeKafkaRecords(_ value: ByteBuffer, compact: Bool) {
        writeKafkaNullableRecords(value, compact: compact)
    }

    // MARK: Arrays

    /// Reads an array's element count, or nil for a null array. The count is checked against
    /// the bytes left, given the smallest size one element can have, so a hostile count cannot
    /// make us reserve memory.
    @inlinable
    public mutating func readKafkaArrayCount(compact: Bool, minElementSize: Int) throws(DecodeError) -> Int? {
        let count: Int
        if compact {
            let raw = try readUnsignedVarint()
            if raw == 0 { return nil }
            count = Int(raw) - 1
        } else {
            count = Int(try readKafkaInteger(as: Int32.self))
            if count == -1 { return nil }
        }
        guard count >= 0, count <= readableBytes / max(minElementSize, 1) else {
            throw .invalidLength(Int64(count), context: "array count")
        }
        return count
    }

    /// Appends an array's element count, or the null marker.
    @inlinable
    public mutating func writeKafkaArrayCount(_ count: Int?, compact: Bool) {
        writeKafkaLength(count, compact: compact, wide: true)
    }
}
