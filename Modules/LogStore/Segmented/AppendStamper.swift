import NIOCore
import TernProtocol
import TernPrimitives

/// What one append holds, once validated and stamped.
struct AppendSummary {
    var firstOffset: Int64
    var lastOffset: Int64
    var maxTimestamp: Int64
    var logAppendTime: Int64
    var recordCount: Int
    var byteCount: Int
    /// For a leader's append without LogAppendTime: the offsets and epoch the batches get,
    /// left out of the buffer for the writer to stamp into copies of the headers.
    var headerStamp: HeaderStamp?
}

/// The base offset of the first of an append's batches (the rest follow on) and the epoch
/// of all of them, as a leader stamps them.
struct HeaderStamp {
    var firstOffset: Int64
    var epoch: Int32
}

/// The header fields of one stamped batch that the log's bookkeeping needs.
struct AppendedBatch {
    var baseOffset: Int64
    var lastOffset: Int64
    var leaderEpoch: Int32
    var maxTimestamp: Int64
    var byteCount: Int
}

/// Validates an append's bytes and stamps them, batch by batch: the work is per batch
/// (header fields and one CRC pass), never per record. A leader's offsets and epoch lie
/// outside the CRC and are not patched into the buffer, whose storage is usually shared
/// (patching would copy it all): the summary's `headerStamp` carries them to the writer.
/// LogAppendTime changes CRC-covered bytes, so those batches are patched where they lie.
enum AppendStamper {
    // Header field positions from RecordBatchHeader's layout (the Protocol module keeps its
    // table internal): the CRC covers bytes from the attributes (21) to the end.
    private static let epochField = 12
    private static let crcCoverageStart = 21
    private static let lastOffsetDeltaField = 23
    private static let maxTimestampField = 35

    /// Checks that `buffer` holds one or more whole v2 batches (with correct CRCs, unless
    /// `validation` says the caller checked them), then for a leader assigns offsets from
    /// `logEndOffset`, stamps the epoch and, for LogAppendTime, the append time; for a
    /// replica checks that the first batch starts at the log end and the rest move forward.
    /// Nothing is patched unless every batch is valid.
    static func stamp(
        _ buffer: inout ByteBuffer, origin: LogAppend.Origin, logEndOffset: Int64, validation: LogAppend.Validation = .full
    ) throws(LogStoreError) -> AppendSummary {
        guard buffer.readableBytes > 0 else { throw .invalidBatch("an append must hold at least one batch") }
        var expected = logEndOffset
        var index = buffer.readerIndex
        var summary = AppendSummary(
            firstOffset: logEndOffset, lastOffset: logEndOffset, maxTimestamp: -1,
            logAppendTime: -1, recordCount: 0, byteCount: buffer.readableBytes
        )
        // Pass 1 validates only, so a bad batch late in the request leaves nothing stamped.
        while index < buffer.writerIndex {
            let header = try validatedHeader(buffer, at: index, checkingCRC: validation == .full)
            if case .replica = origin {
                // Keeps `lastOffset + 1` from overflowing on a hostile base offset; a
                // leader's producers may send anything there, as it is overwritten.
                guard header.baseOffset >= 0, header.baseOffset < Int64.max - Int64(Int32.max) - 1 else {
                    throw .invalidBatch("base offset \(header.baseOffset) out of range")
                }
                let continues = header.baseOffset >= expected
                guard continues else { throw .offsetsNotContiguous(expected: expected, found: header.baseOffset) }
                if index == buffer.readerIndex { summary.firstOffset = header.baseOffset }
                expected = header.lastOffset + 1
            } else {
                expected += Int64(header.lastOffsetDelta) + 1
            }
            summary.recordCount += Int(header.recordCount)
            index += header.totalSize
        }
        summary.lastOffset = expected - 1
        // Pass 2 stamps: offsets and epoch lie outside the CRC; the append time does not.
        var next = logEndOffset
        index = buffer.readerIndex
        if case let .leader(epoch, nil) = origin { summary.headerStamp = HeaderStamp(firstOffset: logEndOffset, epoch: epoch) }
        while index < buffer.writerIndex {
            let length = Int(buffer.getInteger(at: index + 8, as: Int32.self) ?? 0) + RecordBatchHeader.logOverhead
            if case let .leader(epoch, logAppendTime?) = origin {
                buffer.setRecordBatchBaseOffset(next, batchAt: index)
                buffer.setRecordBatchPartitionLeaderEpoch(epoch, batchAt: index)
                buffer.setRecordBatchMaxTimestamp(logAppendTime, timestampType: .logAppendTime, batchAt: index)
                summary.logAppendTime = logAppendTime
            }
            if case .leader = origin {
                next += Int64(buffer.getInteger(at: index + lastOffsetDeltaField, as: Int32.self) ?? 0) + 1
            }
            let maxTimestamp = buffer.getInteger(at: index + maxTimestampField, as: Int64.self) ?? -1
            summary.maxTimestamp = max(summary.maxTimestamp, maxTimestamp)
            index += length
        }
        return summary
    }

    /// Decodes and checks the batch at `index`: header, whole length present, offsets sane,
    /// and with `checkingCRC`, CRC correct (the one pass over every byte: about a tenth of
    /// an append's CPU in profiles).
    private static func validatedHeader(_ buffer: ByteBuffer, at index: Int, checkingCRC: Bool) throws(LogStoreError) -> RecordBatchHeader {
        let header: RecordBatchHeader
        do {
            header = try RecordBatchHeader(decoding: buffer, at: index)
        } catch {
            throw .invalidBatch("batch at byte \(index - buffer.readerIndex): \(error)")
        }
        guard header.totalSize <= buffer.writerIndex - index else {
            throw .invalidBatch("batch at byte \(index - buffer.readerIndex) is cut short")
        }
        guard header.lastOffsetDelta >= 0 else {
            throw .invalidBatch("negative lastOffsetDelta \(header.lastOffsetDelta)")
        }
        guard checkingCRC else { return header }
        let crc = CRC32C.checksum(buffer, range: (index + crcCoverageStart)..<(index + header.totalSize))
        guard crc == header.crc else {
            throw .invalidBatch("batch at byte \(index - buffer.readerIndex): CRC mismatch")
        }
        return header
    }

    /// Calls `body` with each batch of a buffer `stamp` accepted, reading only the header
    /// fields the log needs; with `headerStamp`, base offsets and the epoch come from it.
    static func forEachBatch(in buffer: ByteBuffer, headerStamp: HeaderStamp? = nil, _ body: (AppendedBatch) -> Void) {
        var next = headerStamp?.firstOffset
        var index = buffer.readerIndex
        while index < buffer.writerIndex {
            guard let baseOffset = buffer.getInteger(at: index, as: Int64.self),
                  let length = buffer.getInteger(at: index + 8, as: Int32.self),
                  let epoch = buffer.getInteger(at: index + epochField, as: Int32.self),
                  let delta = buffer.getInteger(at: index + lastOffsetDeltaField, as: Int32.self),
                  let maxTimestamp = buffer.getInteger(at: index + maxTimestampField, as: Int64.self)
            else { return }
            let byteCount = Int(length) + RecordBatchHeader.logOverhead
            let base = next ?? baseOffset
            body(AppendedBatch(
                baseOffset: base, lastOffset: base + Int64(delta), leaderEpoch: headerStamp?.epoch ?? epoch,
                maxTimestamp: maxTimestamp, byteCount: byteCount
            ))
            next = next.map { $0 + Int64(delta) + 1 }
            index += byteCount
        }
    }
}
