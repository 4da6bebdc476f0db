public import NIOCore

// Kafka's variable-length integers: unsigned LEB128 for compact lengths and tag numbers,
// zigzag-encoded varint/varlong inside records. A short read throws `.truncated`; more than
// the maximum number of continuation bytes throws `.varintTooLong` (a hostile peer could
// otherwise make us shift past the width of the integer).
extension ByteBuffer {
    /// Appends `value` as an unsigned varint (1–5 bytes).
    @inlinable
    public mutating func writeUnsignedVarint(_ value: UInt32) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    /// Reads an unsigned varint of at most 5 bytes.
    @inlinable
    public mutating func readUnsignedVarint() throws(DecodeError) -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else {
                throw .truncated(needed: 1, available: 0)
            }
            if shift == 28 && byte > 0x0F { throw .varintTooLong }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Appends `value` as an unsigned varlong (1–10 bytes).
    @inlinable
    public mutating func writeUnsignedVarlong(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    /// Reads an unsigned varlong of at most 10 bytes.
    @inlinable
    public mutating func readUnsignedVarlong() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else {
                throw .truncated(needed: 1, available: 0)
            }
            if shift == 63 && byte > 0x01 { throw .varintTooLong }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Appends `value` zigzag-encoded as a varint (Kafka's `varint`).
    @inlinable
    public mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// Reads a zigzag-encoded varint.
    @inlinable
    public mutating func readVarint() throws(DecodeError) -> Int32 {
        let raw = try readUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Appends `value` zigzag-encoded as a varlong (Kafka's `varlong`).
    @inlinable
    public mutating func writeVarlong(_ value: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Reads a zigzag-encoded varlong.
    @inlinable
    public mutating func readVarlong() throws(DecodeError) -> Int64 {
        let raw = try readUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// The number of bytes `value` takes as a zigzag varint.
    @inlinable
    public static func varintSize(_ value: Int32) -> Int {
        unsignedVarintSize(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// The number of bytes `value` takes as an unsigned varint.
    @inlinable
    public static func unsignedVarintSize(_ value: UInt32) -> Int {
        value == 0 ? 1 : (38 - value.leadingZeroBitCount) / 7
    }
}
