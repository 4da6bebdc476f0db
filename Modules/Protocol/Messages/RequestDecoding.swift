public import NIOCore

/// What a broker can make of one request frame.
public enum DecodedRequest: Sendable {
    /// A well-formed request of a known API and supported version.
    case request(RequestHeader, KafkaRequestBody)
    /// A known API at a version the codec does not implement. For ApiVersions the broker
    /// answers with `ApiVersionsResponse.unsupportedVersion(…)`; for others it closes the
    /// connection, as Apache Kafka does.
    case unsupportedVersion(RequestHeader)
    /// An API key Tern does not know; the connection should be closed.
    case unknownApiKey(RequestHeader)
}

extension DecodedRequest {
    /// Decodes a request frame (without its 4-byte length prefix).
    ///
    /// Bytes left after the body are ignored, as Apache Kafka ignores them: librdkafka 2.16
    /// sends a brokers-only Metadata v12 request with three such bytes, and a broker that
    /// refused it would break every confluent-kafka client.
    public static func decode(frame: ByteBuffer) throws(DecodeError) -> DecodedRequest {
        var trailingBytes = 0
        return try decode(frame: frame, trailingBytes: &trailingBytes)
    }

    /// Decodes a request frame and reports how many bytes followed the body, so a broker can
    /// log requests that carry them.
    public static func decode(frame: ByteBuffer, trailingBytes: inout Int) throws(DecodeError) -> DecodedRequest {
        var buffer = frame
        let header = try RequestHeader(from: &buffer)
        guard let apiKey = ApiKey(rawValue: header.apiKey) else { return .unknownApiKey(header) }
        guard apiKey.supportedVersions.contains(header.apiVersion) else { return .unsupportedVersion(header) }
        let body = try KafkaRequestBody.decode(apiKey: apiKey, version: header.apiVersion, from: &buffer)
        trailingBytes = buffer.readableBytes
        return .request(header, body)
    }
}

extension ApiVersionsResponse {
    /// The answer to an ApiVersions request of a version the broker does not support
    /// (KIP-511): error UNSUPPORTED_VERSION and the supported key ranges, to be encoded at
    /// version 0 behind a version-0 response header, which every client can read.
    public static func unsupportedVersion(supported: [ApiVersion]) -> ApiVersionsResponse {
        ApiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion.rawValue, apiKeys: supported)
    }
}

/// Encodes complete frames: the 4-byte length, the header, the body.
public enum KafkaFrame {
    /// A request frame for `body` at `version`.
    public static func request(
        _ body: some KafkaRequest, version: Int16, correlationId: Int32, clientId: String?
    ) throws(EncodeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(0))
        let header = RequestHeader(apiKey: type(of: body).apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: clientId)
        try header.encode(into: &buffer)
        try body.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }

    /// A response frame for `body` at `version`, with the header version its API calls for.
    public static func response(_ body: some KafkaResponse, version: Int16, correlationId: Int32) throws(EncodeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(0))
        let headerVersion = type(of: body).apiKey.responseHeaderVersion(version)
        ResponseHeader(correlationId: correlationId).encode(into: &buffer, version: headerVersion)
        try body.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }

    /// Takes one length-prefixed frame off the front of `buffer`, or returns nil when more bytes
    /// are needed. A negative length or one above `maximumBytes` throws: the connection must
    /// be closed at once, before anything is buffered for it.
    public static func readFrame(from buffer: inout ByteBuffer, maximumBytes: Int) throws(DecodeError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard length >= 0, Int(length) <= maximumBytes else {
            throw .invalidLength(Int64(length), context: "frame")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}
