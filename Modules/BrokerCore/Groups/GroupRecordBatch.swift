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
    static func encode(_ records: [GroupCoordinatorRecord], timestamp: Int64) throws(EncodeError) -> ByteBuffer {
        precondition(records.count <= Int(Int32.max), "a group append holds far fewer records than a batch allows")
        let batchRecords = records.enumerated().map { index, record in
            Record(offsetDelta: Int32(index), key: record.key, value: record.value)
        }
        return try RecordBatch(baseTimestamp: timestamp, maxTimestamp: timestamp, records: batchRecords).encoded()
    }

    /// What one read of `__consumer_offsets` yielded.
    struct Decoded {
        /// The records at or after the requested offset, in log order.
        var records: [GroupCoordinatorRecord] = []
        /// The offset after the last batch read.
        var nextOffset: Int64
    }

    /// Decodes the records of `batches` from `offset` on. Control batches (transaction markers)
    /// and transactional batches are skipped: this coordinator writes neither, and replaying
    /// transactional offset commits needs their markers. A record whose key or value does not
    /// parse is logged and skipped; a batch that does not parse fails the read.
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
                guard !view.isControl, !view.isTransactional else { continue }
                for record in try view.records(decompress: decompress) {
                    let recordOffset = view.baseOffset + Int64(record.offsetDelta)
                    guard recordOffset >= offset else { continue }
                    if let parsed = parse(record, at: recordOffset, logger: logger) { decoded.records.append(parsed) }
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
