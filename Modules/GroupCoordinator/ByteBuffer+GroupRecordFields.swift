// The field encodings of Kafka's non-flexible record schemas, as `__consumer_offsets` uses them:
// big-endian integers, strings with an int16 length (-1 for null), bytes with an int32 length.
// Every length is checked against the bytes left before anything is allocated, so a corrupt
// record costs at most its own size.

import NIOCore

/// Why bytes could not be read as a `__consumer_offsets` record. Reading never traps.
public enum GroupRecordDecodeError: Error, Hashable, Sendable {
    /// The input ended inside `field`.
    case truncated(field: String)
    /// The record's version is not one this build reads.
    case unsupportedVersion(record: String, version: Int16)
    /// A length or count is negative where null is not allowed, or exceeds the bytes left.
    case invalidLength(field: String, length: Int32)
    /// A string is not valid UTF-8.
    case invalidString(field: String)
}

/// Bounds on what the coordinator writes into records.
enum GroupRecordLimits {
    /// Longest string a record field can hold (int16 length prefix), less room for the suffix the
    /// coordinator appends when it derives a member id from a client id.
    static let stringBytesMax = Int(Int16.max) - 64
}

extension ByteBuffer {
    mutating func writeRecordString(_ value: String) {
        let bytes = value.utf8.count
        precondition(bytes <= Int(Int16.max), "strings are validated against GroupRecordLimits before they reach a record")
        writeInteger(Int16(bytes))
        writeString(value)
    }

    mutating func writeRecordNullableString(_ value: String?) {
        guard let value else {
            writeInteger(Int16(-1))
            return
        }
        writeRecordString(value)
    }

    mutating func writeRecordBytes(_ value: [UInt8]) {
        writeInteger(Int32(value.count))
        writeBytes(value)
    }

    mutating func readRecordInt16(_ field: String) throws(GroupRecordDecodeError) -> Int16 {
        guard let value = readInteger(as: Int16.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readRecordInt32(_ field: String) throws(GroupRecordDecodeError) -> Int32 {
        guard let value = readInteger(as: Int32.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readRecordInt64(_ field: String) throws(GroupRecordDecodeError) -> Int64 {
        guard let value = readInteger(as: Int64.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readRecordNullableString(_ field: String) throws(GroupRecordDecodeError) -> String? {
        let length = try readRecordInt16(field)
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidLength(field: field, length: Int32(length)) }
        guard Int(length) <= readableBytes else { throw .truncated(field: field) }
        guard let bytes = readBytes(length: Int(length)) else { throw .truncated(field: field) }
        // Decoding with validation: a lossy repair would let a corrupt id match a live member.
        guard let value = String(validating: bytes, as: UTF8.self) else { throw .invalidString(field: field) }
        return value
    }

    mutating func readRecordString(_ field: String) throws(GroupRecordDecodeError) -> String {
        guard let value = try readRecordNullableString(field) else { throw .invalidLength(field: field, length: -1) }
        return value
    }

    /// Reads int32-prefixed bytes. Null (-1) reads as empty: old brokers wrote null assignments
    /// for members that never synced, and the field is non-nullable only by schema.
    mutating func readRecordBytes(_ field: String) throws(GroupRecordDecodeError) -> [UInt8] {
        let length = try readRecordInt32(field)
        if length == -1 { return [] }
        guard length >= 0 else { throw .invalidLength(field: field, length: length) }
        guard Int(length) <= readableBytes, let bytes = readBytes(length: Int(length)) else {
            throw .truncated(field: field)
        }
        return bytes
    }

    /// Reads an int32 array count, rejecting one that could not fit in the bytes left even if
    /// every element took only `elementBytesMin`.
    mutating func readRecordCount(_ field: String, elementBytesMin: Int) throws(GroupRecordDecodeError) -> Int {
        let count = try readRecordInt32(field)
        guard count >= 0, Int(count) <= readableBytes / max(elementBytesMin, 1) else {
            throw .invalidLength(field: field, length: count)
        }
        return Int(count)
    }
}
