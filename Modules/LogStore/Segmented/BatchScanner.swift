import NIOCore
import TernProtocol
import TernPrimitives

/// What a scan found at its position.
enum ScanStep {
    /// A whole batch whose header decodes (and whose CRC matches, when verifying).
    case batch(ScannedBatch)
    /// The scan reached its end exactly at a batch boundary.
    case end
    /// The bytes at `position` are not a whole valid batch: a torn tail, a bad header or CRC.
    case damaged(position: Int64, reason: String)
}

/// One batch found by a scan.
struct ScannedBatch {
    /// Where the batch starts in the file.
    var position: Int64
    /// Its decoded header.
    var header: RecordBatchHeader
    /// Its bytes, when the scan was asked to keep them (a slice of the scanner's chunk).
    var bytes: ByteBuffer?
}

/// Walks the batches of a segment file front to back, reading it in large chunks with
/// `pread` rather than a syscall per batch. Used by recovery (CRC of every batch), index
/// rebuilds (headers only), read-path verification of sealed segments, and compaction.
///
/// Everything read is checked before it is trusted: the header through
/// `RecordBatchHeader(decoding:at:)` (magic, length, record count), the length against the
/// bytes left before `end`, and the CRC when asked. Anything else is reported as
/// `.damaged`, never trapped on, because a segment file is data from outside.
struct BatchScanner {
    /// How much the scan reads from disk.
    enum Mode {
        /// Headers only: bodies are skipped unread.
        case headers
        /// Every batch is read and its CRC checked.
        case verified
        /// As `.verified`, and each batch's bytes are handed out.
        case verifiedWithBytes
    }

    private let handle: SegmentFileHandle
    private let end: Int64
    private let mode: Mode
    /// The file position of the next batch.
    private(set) var position: Int64
    private var chunk = ByteBuffer()
    private var chunkStart: Int64 = 0
    /// Bytes read per refill; a batch larger than this is read whole.
    private static let chunkBytes = 1 << 20

    /// Scans `handle`'s file from `start` (a batch boundary) to `end` (its size, usually).
    init(handle: SegmentFileHandle, from start: Int64, to end: Int64, mode: Mode) {
        self.handle = handle
        self.end = end
        self.mode = mode
        position = start
    }

    /// The next batch, the end, or the damage that stops the scan. Throws only when the
    /// operating system fails a read.
    mutating func next() throws(LogStoreError) -> ScanStep {
        let remaining = end - position
        if remaining == 0 { return .end }
        guard remaining >= Int64(RecordBatchHeader.size) else {
            return .damaged(position: position, reason: "\(remaining) trailing bytes, less than a batch header")
        }
        guard try load(RecordBatchHeader.size) else {
            return .damaged(position: position, reason: "file ended inside a batch header")
        }
        let start = chunk.readerIndex + Int(position - chunkStart)
        let header: RecordBatchHeader
        do {
            header = try RecordBatchHeader(decoding: chunk, at: start)
        } catch {
            return .damaged(position: position, reason: "bad batch header: \(error)")
        }
        let total = header.totalSize
        guard Int64(total) <= remaining else {
            return .damaged(position: position, reason: "batch of \(total) bytes runs past the end (\(remaining) left)")
        }
        var bytes: ByteBuffer?
        if mode != .headers {
            guard try load(total) else {
                return .damaged(position: position, reason: "file ended inside a batch")
            }
            let at = chunk.readerIndex + Int(position - chunkStart)
            let crc = CRC32C.checksum(chunk, range: (at + 21)..<(at + total))
            guard crc == header.crc else {
                return .damaged(position: position, reason: "CRC mismatch: stored \(header.crc), computed \(crc)")
            }
            if mode == .verifiedWithBytes { bytes = chunk.getSlice(at: at, length: total) }
        }
        let found = ScannedBatch(position: position, header: header, bytes: bytes)
        position += Int64(total)
        return .batch(found)
    }

    /// Makes `[position, position + count)` present in the chunk, refilling it from the
    /// file if needed. False when the file is shorter than that.
    private mutating func load(_ count: Int) throws(LogStoreError) -> Bool {
        let chunkEnd = chunkStart + Int64(chunk.readableBytes)
        if position >= chunkStart && position + Int64(count) <= chunkEnd { return true }
        let want = Int(min(max(Int64(count), Int64(Self.chunkBytes)), end - position))
        chunk.clear()
        chunkStart = position
        var failure: LogStoreError?
        let descriptor = handle.descriptor
        let path = handle.path
        let at = position
        chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
            do throws(LogStoreError) {
                return try POSIXFile.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: at, path: path)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return chunk.readableBytes >= count
    }
}
