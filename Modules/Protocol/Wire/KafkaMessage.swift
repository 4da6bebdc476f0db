public import NIOCore

/// A Kafka request or response body, encodable and decodable at every version it supports.
///
/// Encoding has no side effects, so a retried request can be encoded again.
public protocol KafkaMessage: Hashable, Sendable {
    /// The API this message belongs to.
    static var apiKey: ApiKey { get }
    /// The versions this codec reads and writes.
    static var versions: ClosedRange<Int16> { get }
    /// The first version that uses the flexible encoding, or nil when none does.
    static var firstFlexibleVersion: Int16? { get }

    /// Decodes the message at `version` from the buffer's readable bytes.
    init(from buffer: inout ByteBuffer, version: Int16) throws(DecodeError)
    /// Appends the message encoded at `version`.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(EncodeError)
}

/// A request body; `Response` is the body the broker answers with.
public protocol KafkaRequest: KafkaMessage {
    /// The matching response type.
    associatedtype Response: KafkaResponse
}

/// A response body.
public protocol KafkaResponse: KafkaMessage {}

extension KafkaMessage {
    /// Decodes a message that must fill `buffer` exactly: leftover bytes are an error.
    public static func decodeWhole(_ buffer: ByteBuffer, version: Int16) throws(DecodeError) -> Self {
        guard versions.contains(version) else {
            throw .unsupportedVersion(apiKey: apiKey.rawValue, version: version)
        }
        var buffer = buffer
        let message = try Self(from: &buffer, version: version)
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
        return message
    }

    /// Encodes the message into a new buffer.
    public func encoded(version: Int16, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(EncodeError) -> ByteBuffer {
        guard Self.versions.contains(version) else {
            throw .unsupportedVersion(apiKey: Self.apiKey.rawValue, version: version)
        }
        var buffer = allocator.buffer(capacity: 256)
        try encode(into: &buffer, version: version)
        return buffer
    }

    /// Whether `version` uses the flexible encoding.
    public static func isFlexible(_ version: Int16) -> Bool {
        firstFlexibleVersion.map { version >= $0 } ?? false
    }
}
