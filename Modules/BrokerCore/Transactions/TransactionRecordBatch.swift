// How transaction coordinator records travel through `__transaction_state`: one uncompressed v2
// batch of key/value records per append, as for `__consumer_offsets`; loading walks whatever
// batches the log holds, compressed or not.

import Logging
import NIOCore
import TernCompression
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

enum TransactionRecordBatch {
    /// One batch holding `records` in order, stamped `timestamp`.
    static func encode(_ records: [TransactionLogRecord], timestamp: Int64) throws(EncodeError) -> ByteBuffer {
        let batchRecords = records.enumerated().map { index, record in
            Record(offsetDelta: Int32(index), key: record.key, value: record.valueBytes)
        }
        return try RecordBatch(baseTimestamp: timestamp, maxTimestamp: timestamp, records: batchRecords).encoded()
    }

    /// The records of `batches` from `offset` on, and the offset after the last batch. Control
    /// batches are skipped; a record that does not parse is logged and skipped.
    static func decode(_ batches: ByteBuffer, from offset: Int64, codecs: CompressionCodecs,
                       logger: Logger) throws -> (records: [TransactionLogRecord], nextOffset: Int64) {
        var records: [TransactionLogRecord] = []
        var next = offset
        var splitter = RecordBatchSplitter(records: batches)
        let decompress: RecordDecompressor = { type, bytes in
            try codecs.codec(for: type).decompress(bytes, limit: Limits.batchDecompressedBytesMax)
        }
        while let entry = try splitter.next() {
            guard case .batch(let view) = entry else { continue }
            defer { next = max(next, view.lastOffset + 1) }
            guard !view.isControl, view.lastOffset >= offset else { continue }
            for record in try view.records(decompress: decompress) where view.baseOffset + Int64(record.offsetDelta) >= offset {
                guard let key = record.key else { continue }
                do {
                    if let parsed = try TransactionLogRecord(key: key, value: record.value) { records.append(parsed) }
                } catch {
                    logger.warning("skipping an unreadable __transaction_state record", metadata: ["error": "\(error)"])
                }
            }
        }
        return (records, next)
    }
}
