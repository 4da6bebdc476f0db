// The field encodings of Kafka's record schemas as `__transaction_state` uses them. Version 0 of
// the value is a classic struct: big-endian integers, strings with an int16 length, arrays with
// an int32 count (-1 for null). Version 1 is flexible (KIP-482): strings and arrays carry an
// unsigned varint of length + 1 (0 for null), and every struct ends with its tagged fields.
// Every length is checked against the bytes left before anything is allocated, so a corrupt
// record costs at most its own size and never traps.

import NIOCore

/// Why bytes could not be read as a `__transaction_state` record. Reading never traps.
public enum TransactionRecordDecodeError: Error, Hashable, Sendable {
    /// The input ended inside `field`.
    case truncated(field: String)
    /// The key or value version is not one this build reads.
    case unsupportedVersion(record: String, version: Int16)
    /// A length or count is negative where null is not allowed, or exceeds the bytes left.
    case invalidLength(field: String, length: Int64)
    /// A string is not valid UTF-8.
    case invalidString(field: String)
    /// The status byte names no transaction state.
    case unknownState(Int8)
}

/// Bounds on what the coordinator writes into records.
enum TransactionRecordLimits {
    /// Longest string a version 0 record field can hold (int16 length prefix).
    static let stringBytesMax = Int(Int16.max)
}

extension ByteBuffer {
    // MARK: - Classic (version 0) fields

    mutating func writeTransactionRecordString(_ value: String) {
        let bytes = value.utf8.count
        precondition(bytes <= TransactionRecordLimits.stringBytesMax, "strings are validated before they reach a record")
        writeInteger(Int16(bytes))
        writeString(value)
    }

    mutating func readTransactionRecordInteger<T: FixedWidthInteger>(_ field: String, as type: T.Type = T.self) throws(TransactionRecordDecodeError) -> T {
        guard let value = readInteger(as: T.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readTransactionRecordString(_ field: String) throws(TransactionRecordDecodeError) -> String {
        let length: Int16 = try readTransactionRecordInteger(field)
        guard length >= 0 else { throw .invalidLength(field: field, length: Int64(length)) }
        return try readTransactionRecordUTF8(field, length: Int(length))
    }

    /// Reads an int32 array count; nil for a null array. A count that could not fit in the bytes
    /// left, even if every element took only `elementBytesMin`, is refused.
    mutating func readTransactionRecordCount(_ field: String, elementBytesMin: Int) throws(TransactionRecordDecodeError) -> Int? {
        let count: Int32 = try readTransactionRecordInteger(field)
        if count == -1 { return nil }
        guard count >= 0, Int(count) <= readableBytes / max(elementBytesMin, 1) else {
            throw .invalidLength(field: field, length: Int64(count))
        }
        return Int(count)
    }

    // MARK: - Flexible (version 1) fields

    mutating func writeUnsignedVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeInteger(UInt8(rest))
    }

    mutating func readUnsignedVarint(_ field: String) throws(TransactionRecordDecodeError) -> UInt32 {
        var value: UInt32 = 0
        // Five bytes carry 35 bits; Kafka refuses a sixth, and so do we.
        for index in 0..<5 {
            let byte: UInt8 = try readTransactionRecordInteger(field)
            value |= UInt32(byte & 0x7F) << (7 * UInt32(index))
            if byte & 0x80 == 0 { return value }
        }
        throw .invalidLength(field: field, length: -1)
    }

    mutating func writeCompactString(_ value: String) {
        let bytes = value.utf8.count
        precondition(bytes <= TransactionRecordLimits.stringBytesMax, "strings are validated before they reach a record")
        writeUnsignedVarint(UInt32(bytes + 1))
        writeString(value)
    }

    mutating func readCompactString(_ field: String) throws(TransactionRecordDecodeError) -> String {
        let lengthPlusOne = try readUnsignedVarint(field)
        guard lengthPlusOne > 0 else { throw .invalidLength(field: field, length: -1) }
        return try readTransactionRecordUTF8(field, length: Int(lengthPlusOne - 1))
    }

    /// Writes a compact array count: `count + 1`, or 0 for null.
    mutating func writeCompactCount(_ count: Int?) {
        guard let count else {
            writeUnsignedVarint(0)
            return
        }
        writeUnsignedVarint(UInt32(count + 1))
    }

    /// Reads a compact array count; nil for a null array. Bounded like the classic count.
    mutating func readCompactCount(_ field: String, elementBytesMin: Int) throws(TransactionRecordDecodeError) -> Int? {
        let countPlusOne = try readUnsignedVarint(field)
        if countPlusOne == 0 { return nil }
        let count = Int(countPlusOne - 1)
        guard count <= readableBytes / max(elementBytesMin, 1) else {
            throw .invalidLength(field: field, length: Int64(count))
        }
        return count
    }

    /// Reads a struct's tagged fields, handing each tag and its bytes to `read`; unknown tags
    /// are skipped, as Kafka's readers skip them.
    mutating func readTaggedFields(
        _ field: String, _ read: (UInt32, inout ByteBuffer) throws(TransactionRecordDecodeError) -> Void
    ) throws(TransactionRecordDecodeError) {
        let count = try readUnsignedVarint(field)
        // A tagged field takes at least two bytes: its tag and its size.
        guard Int(count) <= readableBytes / 2 else { throw .invalidLength(field: field, length: Int64(count)) }
        for _ in 0..<count {
            let tag = try readUnsignedVarint(field)
            let size = try readUnsignedVarint(field)
            guard Int(size) <= readableBytes, var slice = readSlice(length: Int(size)) else {
                throw .truncated(field: field)
            }
            try read(tag, &slice)
        }
    }

    // MARK: - Shared

    private mutating func readTransactionRecordUTF8(_ field: String, length: Int) throws(TransactionRecordDecodeError) -> String {
        guard length <= readableBytes, let bytes = readBytes(length: length) else { throw .truncated(field: field) }
        // Decoding with validation: a lossy repair could make two corrupt ids collide.
        guard let value = String(validating: bytes, as: UTF8.self) else { throw .invalidString(field: field) }
        return value
    }
}
