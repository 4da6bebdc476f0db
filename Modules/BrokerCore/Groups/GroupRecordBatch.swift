// How group coordinator records travel through `__consumer_offsets`: each append is one
// uncompressed v2 batch of key/value records with CreateTime timestamps (the topic is compacted,
// so every record has a key; a nil value is a tombstone), and loading walks whatever batches the
// log holds, compressed or not.

import Logging
import NIOCore
import TernCompression
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

enum GroupRecordBatch {
    /// One batch holding `records` in order, offsets relative from 0, stamped `timestamp`.
    /// A transactional offset commit's batch carries the producer's id and epoch, marked
    /// transactional, with no sequence (-1), as Kafka's coordinator writes it.
    static func encode(_ records: [GroupCoordinatorRecord], timestamp: Int64,
                       producer: TransactionalProducer? = nil) throws(EncodeError) -> ByteBuffer {
        precondition(records.count <= Int(Int32.max), "a group append holds far fewer records than a batch allows")
        let batchRecords = records.enumerated().map { index, record in
            Record(offsetDelta: Int32(index), key: record.key, value: record.value)
        }
        var batch = RecordBatch(baseTimestamp: timestamp, maxTimestamp: timestamp, records: batchRecords)
        if let producer {
            batch.attributes = RecordBatchAttributes(isTransactional: true)
            batch.producerId = producer.producerId
            batch.producerEpoch = producer.producerEpoch
            batch.baseSequence = -1
        }
        return try batch.encoded()
    }

    /// One thing a read of `__consumer_offsets` holds.
    enum Entry {
        /// A record of a plain batch.
        case record(GroupCoordinatorRecord)
        /// A record of a producer's transactional batch (a transactional offset commit).
        case transactional(GroupCoordinatorRecord, producerId: Int64)
        /// A transaction marker of a producer.
        case marker(producerId: Int64, committed: Bool)
    }

    /// What one read of `__consumer_offsets` yielded.
    struct Decoded {
        /// The entries at or after the requested offset, in log order.
        var records: [Entry] = []
        /// The offset after the last batch read.
        var nextOffset: Int64
    }

    /// Decodes the records of `batches` from `offset` on, with the records of transactional
    /// batches and transaction markers told apart. A record whose key or value does not parse
    /// is logged and skipped; a batch that does not parse fails the read.
    static func decode(
        _ batches: ByteBuffer, from offset: Int64, codecs: CompressionCodecs, logger: Logger
    ) throws(DecodeError) -> Decoded {
        var decoded = Decoded(nextOffset: offset)
        var splitter = RecordBatchSplitter(records: batches)
        let decompress: RecordDecompressor = { type, bytes in
            try codecs.codec(for: type).decompress(bytes, limit: Limits.batchDecompressedBytesMax)
        }
        while let entry = try splitter.next() {
            switch entry {
            case .legacy(let message):
                decoded.nextOffset = max(decoded.nextOffset, message.offset + 1)
                logger.warning("skipping a legacy message in __consumer_offsets", metadata: ["offset": "\(message.offset)"])
            case .partial:
                preconditionFailure("the splitter rejects partial batches")
            case .batch(let view):
                decoded.nextOffset = max(decoded.nextOffset, view.lastOffset + 1)
                guard view.lastOffset >= offset else { continue }
                if view.isControl {
                    if let record = try view.records(decompress: decompress).first,
                       let marker = try? EndTransactionMarker(record: record) {
                        decoded.records.append(.marker(producerId: view.producerId, committed: marker.result == .commit))
                    }
                    continue
                }
                for record in try view.records(decompress: decompress) {
                    let recordOffset = view.baseOffset + Int64(record.offsetDelta)
                    guard recordOffset >= offset, let parsed = parse(record, at: recordOffset, logger: logger) else { continue }
                    decoded.records.append(view.isTransactional ? .transactional(parsed, producerId: view.producerId) : .record(parsed))
                }
            }
        }
        return decoded
    }

    private static func parse(_ record: Record, at offset: Int64, logger: Logger) -> GroupCoordinatorRecord? {
        guard let key = record.key else {
            logger.warning("skipping a keyless record in __consumer_offsets", metadata: ["offset": "\(offset)"])
            return nil
        }
        do {
            // nil: a key type another coordinator owns (KIP-848 records), skipped quietly.
            return try GroupCoordinatorRecord(key: key, value: record.value)
        } catch {
            logger.error("skipping an unreadable record in __consumer_offsets", metadata: ["offset": "\(offset)", "error": "\(error)"])
            return nil
        }
    }
}
