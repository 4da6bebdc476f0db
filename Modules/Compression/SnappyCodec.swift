public import TernPrimitives
import CSnappy

/// Snappy, as both Kafka client families send it.
///
/// librdkafka sends one raw snappy block; the Java client wraps blocks in snappy-java's
/// "xerial" framing, which starts with the 8 bytes `82 'SNAPPY' 00`. Decoding accepts both,
/// choosing by that magic (see `SnappyCodec+Xerial.swift`); encoding writes the raw form,
/// as librdkafka does, which Java consumers also read.
///
/// Raw snappy declares its decompressed length up front, so decoding allocates exactly once,
/// after two checks on that number: it must fit the limit, and it must be reachable from the
/// input's length. Snappy's densest element is a 3-byte copy of 64 bytes, so no valid block
/// expands more than about 21x; a larger claim is corrupt, and rejecting it stops a few bytes
/// from reserving up to `limit` bytes of memory.
public struct SnappyCodec: BatchCodec {
    /// Always ``CompressionType/snappy``.
    public var id: CompressionType { .snappy }
    /// Snappy has no levels.
    public var levels: ClosedRange<Int>? { nil }
    /// Unused; snappy has no levels.
    public var defaultLevel: Int { 0 }

    /// Creates the snappy codec.
    public init() {}

    /// The largest input a raw block can describe: its length header is a 32-bit varint.
    static let blockInputBytesMax = Int(UInt32.max)
    /// Upper bound on a valid block's expansion (64 output bytes per 3 input bytes, rounded up).
    static let expansionRatioMax = 22

    /// Compresses `input` into one raw snappy block.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8] {
        _ = try resolveLevel(level)
        return try compressBlock(input)
    }

    /// Decompresses a raw snappy block or a xerial-framed stream, accepting at most `limit`
    /// output bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        precondition(limit >= 0, "negative decompression limit")
        if Self.hasXerialMagic(input) {
            return try decompressXerial(input, limit: limit)
        }
        let length = try uncompressedLength(of: input)
        guard length <= limit else { throw .outputLimitExceeded(id, limit: limit) }
        var failure: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            do throws(CompressionError) {
                try uncompressBlock(input, into: destination)
                initialized = length
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    /// One raw snappy block holding all of `input`.
    func compressBlock(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        guard input.count <= Self.blockInputBytesMax else {
            throw .inputTooLarge(id, bytes: input.count, max: Self.blockInputBytesMax)
        }
        let bound = snappy_max_compressed_length(input.count)
        var status = SNAPPY_OK
        let output = withUnsafeBytes(of: UInt8(0)) { placeholder in
            // snappy reads through the pointer even for zero bytes, so never pass nil.
            let source = (input.baseAddress ?? placeholder.baseAddress!).assumingMemoryBound(to: CChar.self)
            return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                var written = bound
                let destination = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                status = snappy_compress(source, input.count, destination, &written)
                initialized = status == SNAPPY_OK ? written : 0
            }
        }
        guard status == SNAPPY_OK else {
            throw .libraryFailure(id, code: Int(status.rawValue), message: "snappy_compress failed")
        }
        return output.withUnsafeBytes { Array($0) }  // drop the bound's slack
    }

    /// The decompressed length a raw block declares, after checking it is plausible for the
    /// block's size. Does not check the limit.
    func uncompressedLength(of block: UnsafeRawBufferPointer) throws(CompressionError) -> Int {
        guard let base = block.baseAddress, !block.isEmpty else {
            throw .corruptInput(id, reason: "empty block")
        }
        var length = 0
        let status = snappy_uncompressed_length(base.assumingMemoryBound(to: CChar.self), block.count, &length)
        guard status == SNAPPY_OK else {
            throw .corruptInput(id, reason: "unreadable block length header")
        }
        let (reachable, overflow) = block.count.multipliedReportingOverflow(by: Self.expansionRatioMax)
        guard overflow || length <= reachable else {
            throw .corruptInput(id, reason: "block of \(block.count) bytes claims \(length) bytes of output")
        }
        return length
    }

    /// Decodes one raw block into `destination`, which must be exactly the block's declared
    /// length.
    func uncompressBlock(
        _ block: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(CompressionError) {
        guard let source = block.baseAddress else { throw .corruptInput(id, reason: "empty block") }
        var placeholder: UInt8 = 0
        var written = destination.count
        let status = withUnsafeMutableBytes(of: &placeholder) { fallback in
            // An empty block still needs a real destination pointer.
            let target = (destination.baseAddress ?? fallback.baseAddress!).assumingMemoryBound(to: CChar.self)
            return snappy_uncompress(source.assumingMemoryBound(to: CChar.self), block.count, target, &written)
        }
        guard status == SNAPPY_OK, written == destination.count else {
            throw .corruptInput(id, reason: "invalid block data")
        }
    }
}
