import NIOCore
public import TernLogStore
public import TernProtocol
public import TernTransport

/// Encodes a Fetch response whose records stay where the log keeps them: file slices become
/// `FileRange` parts that the transport sends with `sendfile`, so fetched bytes never pass
/// through Swift.
///
/// The generated encoder writes everything except the records; this encoder frames the
/// message around it. Each partition is encoded by the generated code with null records, and
/// the null marker (and, in flexible versions, the empty tagged-field count after it) is cut
/// off and replaced by the real length prefix, the slices and the tag count. That relies on
/// the partitions, topics and response carrying no tagged fields, which holds for every
/// response the broker builds; others are encoded by copying (`encodedByCopying`).
public enum FetchResponseEncoder {
    /// The response body at `version` with `slices[t][p]` as the records of partition p of
    /// topic t (their `records` fields must be nil or empty).
    public static func encode(_ response: FetchResponse, slices: [[[LogSlice]]], version: Int16) throws -> FramePayload {
        guard canSplice(response, version: version) else {
            return try encodedByCopying(response, slices: slices, version: version)
        }
        let flexible = version >= 12
        var payload = FramePayload()
        var head = ByteBuffer()
        if version >= 1 { head.writeKafkaInteger(response.throttleTimeMs) }
        if version >= 7 {
            head.writeKafkaInteger(response.errorCode)
            head.writeKafkaInteger(response.sessionId)
        }
        head.writeKafkaArrayCount(response.responses.count, compact: flexible)
        for (topicIndex, topic) in response.responses.enumerated() {
            if version <= 12 { try head.writeKafkaString(topic.topic, compact: flexible, field: "Topic") }
            if version >= 13 { head.writeKafkaUUID(topic.topicId) }
            head.writeKafkaArrayCount(topic.partitions.count, compact: flexible)
            for (partitionIndex, partition) in topic.partitions.enumerated() {
                let parts = slices[topicIndex][partitionIndex]
                guard !parts.isEmpty else {
                    try partition.encode(into: &head, version: version)
                    continue
                }
                var bare = partition
                bare.records = nil
                var encoded = ByteBuffer()
                try bare.encode(into: &encoded, version: version)
                // Null records are varint 0 then tag count 0 (flexible), or int32 -1.
                let trailer = flexible ? 2 : 4
                var prefix = encoded.readSlice(length: encoded.readableBytes - trailer)!
                head.writeBuffer(&prefix)
                let length = parts.reduce(0) { $0 + $1.byteCount }
                if flexible { head.writeUnsignedVarint(UInt32(length + 1)) } else { head.writeKafkaInteger(Int32(length)) }
                payload.append(head)
                head = ByteBuffer()
                for part in parts { payload.append(framePart(part)) }
                if flexible { head.writeUnsignedVarint(0) }
            }
            if flexible { head.writeUnsignedVarint(0) }
        }
        if flexible { head.writeUnsignedVarint(0) }
        payload.append(head)
        return payload
    }

    /// The same bytes with the slices read into memory: for responses carrying tagged fields.
    public static func encodedByCopying(_ response: FetchResponse, slices: [[[LogSlice]]], version: Int16) throws -> FramePayload {
        var filled = response
        for topicIndex in filled.responses.indices {
            for partitionIndex in filled.responses[topicIndex].partitions.indices {
                let parts = slices[topicIndex][partitionIndex]
                guard !parts.isEmpty else { continue }
                var records = ByteBuffer()
                for part in parts {
                    var bytes = try part.readBytes()
                    records.writeBuffer(&bytes)
                }
                filled.responses[topicIndex].partitions[partitionIndex].records = records
            }
        }
        var buffer = ByteBuffer()
        try filled.encode(into: &buffer, version: version)
        return FramePayload(buffer)
    }

    private static func canSplice(_ response: FetchResponse, version: Int16) -> Bool {
        guard version < 12 || (response.unknownTaggedFields.isEmpty && response.nodeEndpoints.isEmpty) else { return false }
        return response.responses.allSatisfy { topic in
            (version < 12 || topic.unknownTaggedFields.isEmpty) && topic.partitions.allSatisfy { partition in
                (partition.records?.readableBytes ?? 0) == 0 && (version < 12 || (partition.unknownTaggedFields.isEmpty
                    && partition.divergingEpoch == .init() && partition.currentLeader == .init() && partition.snapshotId == .init()))
            }
        }
    }

    private static func framePart(_ slice: LogSlice) -> FramePayload.Part {
        switch slice {
        case .bytes(let buffer): .bytes(buffer)
        case .file(let file): .file(FileRange(descriptor: file.file.descriptor, offset: file.offset, length: file.length, owner: file.file))
        }
    }
}
