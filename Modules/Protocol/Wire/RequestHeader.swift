public import NIOCore

/// The header in front of every request body.
///
/// Version 0 has the key, version and correlation id; version 1 adds the client id, which is
/// always a classic int16-length string, even in version 2; version 2 adds tagged fields.
/// Which version a request uses follows from its API key and version (`ApiKey.requestHeaderVersion`).
public struct RequestHeader: Hashable, Sendable {
    /// The API the body belongs to, as sent (it may be a key Tern does not know).
    public var apiKey: Int16
    /// The body's version.
    public var apiVersion: Int16
    /// Echoed in the response so the client can match it.
    public var correlationId: Int32
    /// The client's self-chosen name; null when absent.
    public var clientId: String?
    /// Tagged fields this codec does not know.
    public var unknownTaggedFields: [TaggedField]

    /// Creates a header.
    public init(apiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String? = nil, unknownTaggedFields: [TaggedField] = []) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// The header version this request uses: from the API table when the key is known,
    /// otherwise 1 (enough to read the correlation id and answer).
    public var headerVersion: Int16 {
        ApiKey(rawValue: apiKey)?.requestHeaderVersion(apiVersion) ?? 1
    }

    /// Decodes a header, choosing its version from the key and version it starts with.
    public init(from buffer: inout ByteBuffer) throws(DecodeError) {
        let apiKey = try buffer.readKafkaInteger(as: Int16.self)
        let apiVersion = try buffer.readKafkaInteger(as: Int16.self)
        let correlationId = try buffer.readKafkaInteger(as: Int32.self)
        self.init(apiKey: apiKey, apiVersion: apiVersion, correlationId: correlationId)
        let version = headerVersion
        if version >= 1 {
            clientId = try buffer.readKafkaNullableString(compact: false)
        }
        if version >= 2 {
            let count = try buffer.readTaggedFieldCount()
            for _ in 0..<count {
                let (tag, data) = try buffer.readTaggedField()
                unknownTaggedFields.append(TaggedField(tag: tag, data: data))
            }
        }
    }

    /// Appends the header in the version its key and version call for.
    public func encode(into buffer: inout ByteBuffer) throws(EncodeError) {
        buffer.writeKafkaInteger(apiKey)
        buffer.writeKafkaInteger(apiVersion)
        buffer.writeKafkaInteger(correlationId)
        let version = headerVersion
        if version >= 1 {
            try buffer.writeKafkaNullableString(clientId, compact: false, field: "ClientId")
        }
        if version >= 2 {
            TaggedFieldWriter().write(into: &buffer, unknown: unknownTaggedFields)
        }
    }
}

/// The header in front of every response body: the correlation id, plus tagged fields in
/// version 1 (flexible responses other than ApiVersions).
public struct ResponseHeader: Hashable, Sendable {
    /// The correlation id of the request this answers.
    public var correlationId: Int32
    /// Tagged fields this codec does not know.
    public var unknownTaggedFields: [TaggedField]

    /// Creates a header.
    public init(correlationId: Int32, unknownTaggedFields: [TaggedField] = []) {
        self.correlationId = correlationId
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// Decodes a header of the given version (0 or 1).
    public init(from buffer: inout ByteBuffer, version: Int16) throws(DecodeError) {
        self.init(correlationId: try buffer.readKafkaInteger(as: Int32.self))
        if version >= 1 {
            let count = try buffer.readTaggedFieldCount()
            for _ in 0..<count {
                let (tag, data) = try buffer.readTaggedField()
                unknownTaggedFields.append(TaggedField(tag: tag, data: data))
            }
        }
    }

    /// Appends the header in the given version (0 or 1).
    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        buffer.writeKafkaInteger(correlationId)
        if version >= 1 {
            TaggedFieldWriter().write(into: &buffer, unknown: unknownTaggedFields)
        }
    }
}
