public import NIOCore

/// The body of one outbound frame, as a sequence of parts. The transport writes the 4-byte
/// big-endian length prefix itself, computed from the parts, so a Fetch response can mix
/// encoded bytes with file ranges whose bytes never pass through Swift.
public struct FramePayload: Sendable {
    /// One piece of a frame body.
    public enum Part: Sendable {
        /// Bytes already in memory.
        case bytes(ByteBuffer)
        /// A range of a file, sent with `sendfile` where the transport can.
        case file(FileRange)
    }

    /// The parts in the order they are written.
    public private(set) var parts: [Part]
    /// The body's length: the value of the length prefix.
    public private(set) var byteCount: Int

    /// An empty body.
    public init() {
        parts = []
        byteCount = 0
    }

    /// A body of one in-memory buffer.
    public init(_ bytes: ByteBuffer) {
        parts = [.bytes(bytes)]
        byteCount = bytes.readableBytes
    }

    /// A body made of `parts`.
    public init(parts: [Part]) {
        self.init()
        for part in parts { append(part) }
    }

    /// A body taken from a complete frame that already carries its length prefix, as
    /// `KafkaFrame.request` and `KafkaFrame.response` build them; nil when the prefix does not
    /// match the bytes that follow it.
    public init?(lengthPrefixed frame: ByteBuffer) {
        var frame = frame
        guard let length = frame.readInteger(as: Int32.self), Int(length) == frame.readableBytes else { return nil }
        self.init(frame)
    }

    /// Appends a part.
    public mutating func append(_ part: Part) {
        switch part {
        case .bytes(let buffer): byteCount += buffer.readableBytes
        case .file(let range): byteCount += range.length
        }
        parts.append(part)
    }

    /// Appends in-memory bytes.
    public mutating func append(_ bytes: ByteBuffer) {
        append(.bytes(bytes))
    }

    /// Appends a file range.
    public mutating func append(_ range: FileRange) {
        append(.file(range))
    }

    /// The frame as one buffer: length prefix, then every part, with file ranges read into
    /// memory. For transports without `sendfile`; throws when the body cannot be framed.
    public func encodedFrame() throws(TransportError) -> ByteBuffer {
        guard byteCount <= Int(Int32.max) else { throw .frameTooLarge(bytes: byteCount, limit: Int(Int32.max)) }
        var frame = ByteBuffer()
        frame.reserveCapacity(4 + byteCount)
        frame.writeInteger(Int32(byteCount))
        for part in parts {
            switch part {
            case .bytes(var buffer): frame.writeBuffer(&buffer)
            case .file(let range):
                var bytes = try range.readBytes()
                frame.writeBuffer(&bytes)
            }
        }
        return frame
    }
}
