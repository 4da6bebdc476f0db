import NIOCore
import TernCompression
import TernPrimitives
public import TernProtocol

/// Why a partition's records were refused before they reached the log.
public struct ProduceRejection: Error, Sendable {
    /// The partition-level code.
    public var errorCode: KafkaErrorCode
    /// Kafka's error message (Produce v8+).
    public var message: String
    /// Per-record errors (Produce v8+): relative record index and message.
    public var recordErrors: [(index: Int32, message: String)] = []
}

/// The batches of one partition in a Produce request, checked as Kafka's log validator checks
/// them and, where the topic's `compression.type` asks for another codec, recompressed.
///
/// Offsets are not assigned here: the log stamps them in place without decompressing. Records
/// are decoded only when something needs to look inside: recompression, or a configured
/// timestamp bound on CreateTime topics.
struct ProducedBatches {
    /// The batches to append, back to back.
    var bytes: ByteBuffer
    /// How many batches.
    var batchCount: Int

    /// Validates `records` for a topic with `settings`. `now` is wall-clock milliseconds.
    init(records: ByteBuffer?, settings: TopicSettings, codecs: CompressionCodecs, now: Int64) throws(ProduceRejection) {
        guard let records, records.readableBytes > 0 else {
            throw ProduceRejection(errorCode: .invalidRecord, message: "the request carries no record batch")
        }
        var splitter = RecordBatchSplitter(records: records, trailingPartialBatch: .reject, verifyingChecksums: true)
        // Batches that pass as they are stay in the request's buffer; the output is only
        // assembled, from a copy, once some batch was rebuilt (recompressed).
        var output: ByteBuffer?
        var consumed = 0
        var count = 0
        while true {
            let entry: RecordsEntry?
            do {
                entry = try splitter.next()
            } catch {
                throw ProduceRejection(errorCode: .corruptMessage, message: "record batch \(count) is corrupt: \(error)")
            }
            guard let entry else { break }
            guard case .batch(let view) = entry else {
                throw ProduceRejection(errorCode: .invalidRecord, message: "only message format v2 is accepted (Produce v3+)")
            }
            let rebuiltBatch = try Self.check(view, index: count, settings: settings, codecs: codecs, now: now)
            let rebuilt = rebuiltBatch != nil
            var batch = rebuiltBatch ?? view.bytes
            guard batch.readableBytes <= settings.maxMessageBytes else {
                throw ProduceRejection(errorCode: .messageTooLarge,
                                       message: "batch of \(batch.readableBytes) bytes exceeds max.message.bytes \(settings.maxMessageBytes)")
            }
            if rebuilt, output == nil {
                var copied = ByteBuffer()
                copied.reserveCapacity(records.readableBytes)
                var before = records.getSlice(at: records.readerIndex, length: consumed)!
                copied.writeBuffer(&before)
                output = copied
            }
            output?.writeBuffer(&batch)
            consumed += view.bytes.readableBytes
            count += 1
        }
        // The splitter accepts nothing but whole batches, so unchanged ones are all of `records`.
        bytes = output ?? records
        batchCount = count
    }

    /// Checks one batch; returns it rebuilt when it must be recompressed, nil when it passes as it is.
    private static func check(_ view: RecordBatchView, index: Int, settings: TopicSettings, codecs: CompressionCodecs, now: Int64) throws(ProduceRejection) -> ByteBuffer? {
        guard !view.isControl else {
            throw ProduceRejection(errorCode: .invalidRecord, message: "clients may not write control batches")
        }
        guard view.recordCount > 0, Int64(view.lastOffsetDelta) == Int64(view.recordCount) - 1 else {
            throw ProduceRejection(errorCode: .invalidRecord,
                                   message: "batch \(index) has \(view.recordCount) records but last offset delta \(view.lastOffsetDelta)")
        }
        if view.producerId >= 0, view.baseSequence < 0 || view.producerEpoch < 0 {
            throw ProduceRejection(errorCode: .invalidRecord,
                                   message: "batch \(index) of producer \(view.producerId) has sequence \(view.baseSequence) and epoch \(view.producerEpoch)")
        }
        guard let codec = view.compression else {
            throw ProduceRejection(errorCode: .corruptMessage, message: "batch \(index) names unknown codec \(view.compressionCodecID)")
        }
        let target: CompressionType = switch settings.compression {
        case .producer: codec
        case .codec(let type): type
        }
        let boundsSet = settings.timestampType == .createTime
            && (settings.timestampBeforeMax != .max || settings.timestampAfterMax != .max)
        guard target != codec || boundsSet else { return nil }

        let decompress = recordDecompressor(codecs, limit: settings.maxMessageBytes * 64)
        let batch: RecordBatch
        do {
            batch = try RecordBatch(view: view, decompress: decompress)
        } catch {
            throw ProduceRejection(errorCode: .corruptMessage, message: "batch \(index) records do not decode: \(error)")
        }
        if boundsSet { try checkTimestamps(batch, settings: settings, now: now) }
        guard target != codec else { return nil }
        return try recompress(batch, to: target, codecs: codecs)
    }

    private static func checkTimestamps(_ batch: RecordBatch, settings: TopicSettings, now: Int64) throws(ProduceRejection) {
        var errors: [(index: Int32, message: String)] = []
        for (position, record) in batch.records.enumerated() {
            let timestamp = batch.baseTimestamp &+ record.timestampDelta
            let tooOld = settings.timestampBeforeMax != .max && now &- timestamp > settings.timestampBeforeMax
            let tooNew = settings.timestampAfterMax != .max && timestamp &- now > settings.timestampAfterMax
            if tooOld || tooNew {
                errors.append((Int32(position), "timestamp \(timestamp) of record \(position) is out of range (now \(now))"))
            }
        }
        guard errors.isEmpty else {
            throw ProduceRejection(errorCode: .invalidTimestamp, message: "one or more records have been rejected due to invalid timestamp",
                                   recordErrors: errors)
        }
    }

    private static func recompress(_ batch: RecordBatch, to target: CompressionType, codecs: CompressionCodecs) throws(ProduceRejection) -> ByteBuffer {
        var rebuilt = batch
        let attributes = batch.attributes
        rebuilt.attributes = RecordBatchAttributes(
            compression: target, timestampType: attributes.timestampType, isTransactional: attributes.isTransactional,
            isControl: attributes.isControl, hasDeleteHorizon: attributes.hasDeleteHorizon)
        var buffer = ByteBuffer()
        do {
            try rebuilt.encode(into: &buffer, compression: target) { bytes in
                try codecs.codec(for: target).compress(bytes)
            }
        } catch {
            throw ProduceRejection(errorCode: .unknownServerError, message: "cannot recompress with \(target): \(error)")
        }
        return buffer
    }
}

/// A decompressor for record batches, bounded so a compression bomb fails instead of
/// exhausting memory.
func recordDecompressor(_ codecs: CompressionCodecs, limit: Int) -> RecordDecompressor {
    { codec, compressed in
        try codecs.codec(for: codec).decompress(Array(compressed), limit: limit)
    }
}
