public import TernPrimitives
import CLZ4

/// LZ4 in the frame format, the way Kafka clients use it.
///
/// Output matches librdkafka's frames byte for byte in the header: version 1, independent
/// 64 KiB blocks, no checksums and no content size (FLG `0x60`, BD `0x40`). Java's
/// `KafkaLZ4BlockInputStream` and librdkafka both read that. Input is decoded with an
/// `LZ4F_decompress` loop into an ``OutputBuffer``, so whatever block size or flags a
/// producer chose, memory grows only with real output. Concatenated frames decode as one
/// stream, as the `lz4` CLI treats them.
public struct LZ4FrameCodec: BatchCodec {
    /// Always ``CompressionType/lz4``.
    public var id: CompressionType { .lz4 }
    /// Kafka's `compression.lz4.level` range. Levels 1–2 use LZ4's fast mode and 3 and up
    /// its high-compression mode; liblz4 treats levels above 12 as 12.
    public var levels: ClosedRange<Int>? { 1...17 }
    /// Kafka's default LZ4 level (high compression). Pass 1 for librdkafka's default, the
    /// fast mode, which compresses several times faster at a somewhat lower ratio.
    public var defaultLevel: Int { 9 }

    /// Creates the LZ4 frame codec.
    public init() {}

    /// Compresses `input` into one LZ4 frame.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8] {
        let level = try resolveLevel(level)
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.compressionLevel = Int32(level)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var result = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            result = LZ4F_compressFrame(buffer.baseAddress, bound, input.baseAddress, input.count, &preferences)
            initialized = LZ4F_isError(result) != 0 ? 0 : result
        }
        if LZ4F_isError(result) != 0 {
            throw .libraryFailure(id, code: result, message: String(cString: LZ4F_getErrorName(result)))
        }
        return output.withUnsafeBytes { Array($0) }  // drop the bound's slack
    }

    /// Decompresses one or more LZ4 frames, accepting at most `limit` output bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        precondition(limit >= 0, "negative decompression limit")
        guard let base = input.baseAddress, !input.isEmpty else {
            throw .corruptInput(id, reason: "empty input")
        }
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw .libraryFailure(id, code: created, message: "cannot create an LZ4F decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output = OutputBuffer(codec: id, limit: limit, expected: expectedOutputBytes(forCompressed: input.count))
        var consumed = 0
        while true {
            let (hint, read, wrote, outputFull) = try output.withSpareCapacity { spare in
                var destinationSize = spare.count
                var sourceSize = input.count - consumed
                let hint = LZ4F_decompress(
                    context, spare.baseAddress, &destinationSize, base + consumed, &sourceSize, nil)
                // On error LZ4F reports no progress, so the counts are safe to commit.
                let wrote = LZ4F_isError(hint) != 0 ? 0 : destinationSize
                return (wrote, (hint, sourceSize, wrote, wrote == spare.count))
            }
            if LZ4F_isError(hint) != 0 {
                throw .corruptInput(id, reason: String(cString: LZ4F_getErrorName(hint)))
            }
            consumed += read
            let inputDone = consumed == input.count
            // A hint of 0 means a frame just ended; more input means another frame follows.
            if hint == 0, inputDone { return output.finish() }
            if inputDone, !outputFull { throw .corruptInput(id, reason: "truncated frame") }
            if read == 0, wrote == 0, !outputFull {
                throw .corruptInput(id, reason: "decoder made no progress")
            }
        }
    }
}
