public import NIOCore

// Jute's binary archive: big-endian fixed-width integers, one-byte booleans, and int32 length
// prefixes for buffers, strings and vectors, where -1 means null. Reads consume bytes and throw
// `JuteDecodeError`; every length is checked against the readable bytes and `ZooKeeperLimits`
// before anything is allocated.
extension ByteBuffer {
    /// Reads a big-endian `int`.
    public mutating func readJuteInt32() throws(JuteDecodeError) -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else {
            throw .truncated(needed: 4, available: readableBytes)
        }
        return value
    }

    /// Reads a big-endian `long`.
    public mutating func readJuteInt64() throws(JuteDecodeError) -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else {
            throw .truncated(needed: 8, available: readableBytes)
        }
        return value
    }

    /// Reads a `boolean`: one byte, any non-zero value is true (Java's `readBoolean`).
    public mutating func readJuteBool() throws(JuteDecodeError) -> Bool {
        guard let value = readInteger(as: UInt8.self) else {
            throw .truncated(needed: 1, available: readableBytes)
        }
        return value != 0
    }

    /// Reads a `buffer`; a length of -1 is null.
    public mutating func readJuteBuffer() throws(JuteDecodeError) -> [UInt8]? {
        guard let length = try readJuteLength(context: "buffer") else { return nil }
        // The length was checked against readableBytes, so this read cannot come up short.
        return readBytes(length: length) ?? []
    }

    /// Reads a `ustring`; a length of -1 is null. Invalid UTF-8 is replaced rather than
    /// rejected, as Java's decoder does, so a bad path later fails path validation instead.
    public mutating func readJuteUString() throws(JuteDecodeError) -> String? {
        guard let length = try readJuteLength(context: "ustring") else { return nil }
        return readString(length: length) ?? ""
    }

    /// Reads a `vector<T>`; a count of -1 is null. `minElementBytes` is the smallest encoding of
    /// one element, so a count that could not possibly fit in the remaining bytes is refused
    /// before any storage is reserved.
    public mutating func readJuteVector<T>(
        minElementBytes: Int,
        _ readElement: (inout ByteBuffer) throws(JuteDecodeError) -> T
    ) throws(JuteDecodeError) -> [T]? {
        let count = try readJuteInt32()
        if count == -1 { return nil }
        guard count >= 0, Int(count) <= ZooKeeperLimits.vectorElementsMax,
              Int(count) <= readableBytes / max(minElementBytes, 1)
        else {
            throw .invalidLength(Int64(count), context: "vector")
        }
        var elements: [T] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    /// Reads a `vector<ustring>`, treating null as empty and null elements as empty strings.
    public mutating func readJuteStrings() throws(JuteDecodeError) -> [String] {
        try readJuteVector(minElementBytes: 4) { (buffer: inout ByteBuffer) throws(JuteDecodeError) -> String in
            try buffer.readJuteUString() ?? ""
        } ?? []
    }

    private mutating func readJuteLength(context: String) throws(JuteDecodeError) -> Int? {
        let length = try readJuteInt32()
        if length == -1 { return nil }
        guard length >= 0, Int(length) <= ZooKeeperLimits.frameBytesMax else {
            throw .invalidLength(Int64(length), context: context)
        }
        guard Int(length) <= readableBytes else {
            throw .truncated(needed: Int(length), available: readableBytes)
        }
        return Int(length)
    }

    /// Appends a big-endian `int`.
    public mutating func writeJuteInt32(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    /// Appends a big-endian `long`.
    public mutating func writeJuteInt64(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    /// Appends a `boolean` as one byte.
    public mutating func writeJuteBool(_ value: Bool) {
        writeInteger(value ? 1 : 0 as UInt8)
    }

    /// Appends a `buffer`, or -1 for nil.
    public mutating func writeJuteBuffer(_ bytes: [UInt8]?) {
        guard let bytes else {
            writeJuteInt32(-1)
            return
        }
        writeJuteInt32(Self.juteLength(bytes.count))
        writeBytes(bytes)
    }

    /// Appends a `ustring` as UTF-8, or -1 for nil.
    public mutating func writeJuteUString(_ string: String?) {
        guard let string else {
            writeJuteInt32(-1)
            return
        }
        writeJuteInt32(Self.juteLength(string.utf8.count))
        writeString(string)
    }

    /// Appends a `vector<T>`, or -1 for nil.
    public mutating func writeJuteVector<T>(_ elements: [T]?, _ writeElement: (inout ByteBuffer, T) -> Void) {
        guard let elements else {
            writeJuteInt32(-1)
            return
        }
        writeJuteInt32(Self.juteLength(elements.count))
        for element in elements {
            writeElement(&self, element)
        }
    }

    /// Appends a `vector<ustring>`.
    public mutating func writeJuteStrings(_ strings: [String]) {
        writeJuteVector(strings) { $0.writeJuteUString($1) }
    }

    // Everything we encode was decoded under `ZooKeeperLimits` or built by the tree, so a value
    // that does not fit an int32 prefix is our own bug, not bad input.
    private static func juteLength(_ count: Int) -> Int32 {
        precondition(count <= Int(Int32.max), "jute length \(count) does not fit an int32")
        return Int32(count)
    }
}

/// A record of ZooKeeper's jute schema that reads and writes itself in the binary archive form.
public protocol JuteRecord: Equatable, Sendable {
    /// Reads the record's fields in schema order.
    init(jute buffer: inout ByteBuffer) throws(JuteDecodeError)
    /// Appends the record's fields in schema order.
    func writeJute(to buffer: inout ByteBuffer)
}

extension JuteRecord {
    /// Decodes a record that must fill `bytes` exactly.
    public init(juteBytes bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        self = try Self(jute: &buffer)
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
    }

    /// The record's encoding.
    public var juteBytes: [UInt8] {
        var buffer = ByteBuffer()
        writeJute(to: &buffer)
        return Array(buffer.readableBytesView)
    }
}
