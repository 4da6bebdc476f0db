public import TernPrimitives
import CZstd

/// Zstandard frames, decoded with the streaming API.
///
/// librdkafka writes frames without a content size, so decoding cannot rely on
/// `ZSTD_getFrameContentSize`; it streams into an ``OutputBuffer`` instead. When a frame does
/// declare its size, the size is used twice, both times bounded: a declared size above the
/// limit is rejected before any work, and the declared size seeds the output capacity only up
/// to a multiple of the input length, so a 20-byte frame claiming 200 MiB cannot make us
/// commit 200 MiB. Concatenated frames and skippable frames decode as one stream, as the
/// zstd CLI treats them.
///
/// The decoder keeps zstd's default window limit of 2^27 bytes (128 MiB). Producers at the
/// ultra levels need that much, and the window's memory is only touched as output is
/// written, which the output limit already bounds.
public struct ZstdCodec: BatchCodec {
    /// Always ``CompressionType/zstd``.
    public var id: CompressionType { .zstd }
    /// The library's whole range, negative "fast" levels included, as Kafka's
    /// `compression.zstd.level` allows.
    public var levels: ClosedRange<Int>? { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }
    /// zstd's and Kafka's default level.
    public var defaultLevel: Int { 3 }

    /// Creates the zstd codec.
    public init() {}

    /// How far past the input length a declared content size may seed the output capacity.
    /// Real batches compress 3–15x; beyond this the buffer grows by doubling as output arrives.
    private static let declaredSizeTrustRatio = 32

    /// Compresses `input` into one zstd frame that records its content size.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8] {
        let level = try resolveLevel(level)
        guard let context = ZSTD_createCCtx() else {
            throw .libraryFailure(id, code: 0, message: "ZSTD_createCCtx returned NULL")
        }
        defer { ZSTD_freeCCtx(context) }
        let setLevel = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
        if ZSTD_isError(setLevel) != 0 { throw libraryFailure(setLevel) }
        let bound = ZSTD_compressBound(input.count)
        var result = 0
        let output = withUnsafeBytes(of: UInt8(0)) { placeholder in
            // zstd wants a valid source pointer even for zero bytes.
            let source = input.baseAddress ?? placeholder.baseAddress!
            return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                result = ZSTD_compress2(context, buffer.baseAddress, bound, source, input.count)
                initialized = ZSTD_isError(result) != 0 ? 0 : result
            }
        }
        if ZSTD_isError(result) != 0 { throw libraryFailure(result) }
        return output.withUnsafeBytes { Array($0) }  // drop the bound's slack
    }

    /// Decompresses one or more zstd frames, accepting at most `limit` output bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        precondition(limit >= 0, "negative decompression limit")
        guard let base = input.baseAddress, !input.isEmpty else {
            throw .corruptInput(id, reason: "empty input")
        }
        var output = OutputBuffer(codec: id, limit: limit, expected: try expectedSize(input, limit: limit))
        guard let context = ZSTD_createDCtx() else {
            throw .libraryFailure(id, code: 0, message: "ZSTD_createDCtx returned NULL")
        }
        defer { ZSTD_freeDCtx(context) }
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        while true {
            let inputBefore = source.pos
            let (hint, outputFull, wrote) = try output.withSpareCapacity { spare in
                var destination = ZSTD_outBuffer(dst: spare.baseAddress, size: spare.count, pos: 0)
                let hint = ZSTD_decompressStream(context, &destination, &source)
                return (destination.pos, (hint, destination.pos == destination.size, destination.pos))
            }
            if ZSTD_isError(hint) != 0 { throw failure(hint) }
            let inputDone = source.pos == source.size
            if hint == 0, inputDone { return output.finish() }
            // With room left in the output, zstd has flushed all it can; a frame that still
            // wants bytes when the input is gone was cut short.
            if inputDone, !outputFull { throw .corruptInput(id, reason: "truncated frame") }
            if source.pos == inputBefore, wrote == 0, !outputFull {
                throw .corruptInput(id, reason: "decoder made no progress")
            }
        }
    }

    /// A starting capacity from the first frame's declared content size, or from the input
    /// length when there is none. Throws when the declared size is already over `limit`.
    private func expectedSize(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> Int {
        let guess = expectedOutputBytes(forCompressed: input.count)
        let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        // UInt64.max is "unknown" and UInt64.max - 1 is "error"; the decoder reports errors
        // with better context, so both just fall back to the guess here.
        guard declared < UInt64.max - 1 else { return guess }
        guard declared <= UInt64(limit) else { throw .outputLimitExceeded(id, limit: limit) }
        let (trusted, overflow) = input.count.multipliedReportingOverflow(by: Self.declaredSizeTrustRatio)
        return overflow ? Int(declared) : min(Int(declared), max(trusted, guess))
    }

    /// A compression-side error: the input cannot be at fault, so it is always the library's.
    private func libraryFailure(_ code: Int) -> CompressionError {
        let message = String(cString: ZSTD_getErrorName(code))
        return .libraryFailure(id, code: Int(ZSTD_getErrorCode(code).rawValue), message: message)
    }

    /// Maps a decoding error code: allocation failures are the library's, everything else is
    /// the input's fault.
    private func failure(_ code: Int) -> CompressionError {
        let name = String(cString: ZSTD_getErrorName(code))
        if ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation { return libraryFailure(code) }
        return .corruptInput(id, reason: name)
    }
}
