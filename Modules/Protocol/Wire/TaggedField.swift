public import NIOCore

/// A tagged field this codec does not know, kept so a message re-encodes to its own bytes.
public struct TaggedField: Hashable, Sendable {
    /// The field's tag number.
    public var tag: UInt32
    /// The field's encoded value, without the tag and size prefix.
    public var data: ByteBuffer

    /// Creates an unknown tagged field.
    public init(tag: UInt32, data: ByteBuffer) {
        self.tag = tag
        self.data = data
    }
}

/// Collects the tagged fields of one structure and writes the section in tag order.
///
/// Known fields are written only when they differ from their default (Apache Kafka does the
/// same, and some deployed clients misparse defaults that are written out).
public struct TaggedFieldWriter {
    private var fields: [TaggedField] = []

    /// Creates an empty section.
    public init() {}

    /// Adds a known field whose value is already encoded in `data`.
    public mutating func append(tag: UInt32, data: ByteBuffer) {
        fields.append(TaggedField(tag: tag, data: data))
    }

    /// Writes the count, then every field (known and `unknown`) in ascending tag order.
    public func write(into buffer: inout ByteBuffer, unknown: [TaggedField]) {
        if fields.isEmpty && unknown.isEmpty {
            buffer.writeInteger(UInt8(0))
            return
        }
        var all = fields + unknown
        all.sort { $0.tag < $1.tag }
        buffer.writeUnsignedVarint(UInt32(all.count))
        for field in all {
            buffer.writeUnsignedVarint(field.tag)
            buffer.writeUnsignedVarint(UInt32(field.data.readableBytes))
            buffer.writeImmutableBuffer(field.data)
        }
    }
}

extension ByteBuffer {
    /// Reads the header of a tagged-field section: the number of fields, checked against the
    /// bytes left (each field takes at least two) and `Limits.taggedFieldsMax`.
    @inlinable
    public mutating func readTaggedFieldCount() throws(DecodeError) -> Int {
        let count = Int(try readUnsignedVarint())
        guard count <= readableBytes / 2, count <= 1024 else {
            throw .invalidLength(Int64(count), context: "tagged field count")
        }
        return count
    }

    /// Reads one tagged field's tag and its value as a slice.
    @inlinable
    public mutating func readTaggedField() throws(DecodeError) -> (tag: UInt32, data: ByteBuffer) {
        let tag = try readUnsignedVarint()
        let size = Int(try readUnsignedVarint())
        guard let data = readSlice(length: size) else {
            throw .truncated(needed: size, available: readableBytes)
        }
        return (tag, data)
    }
}
