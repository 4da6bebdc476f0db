public import TernPrimitives
import CZlib

/// gzip through zlib: writes the gzip wrapper Kafka clients expect and reads gzip or zlib.
///
/// Input is inflated in bounded steps into an ``OutputBuffer``, so the gzip trailer's size
/// field (which an attacker controls) is never used to size anything. Concatenated gzip
/// members, which RFC 1952 allows and Java's `GZIPInputStream` reads, decode as one stream;
/// any other bytes after the last member are rejected as corrupt.
public struct GzipCodec: BatchCodec {
    /// Always ``CompressionType/gzip``.
    public var id: CompressionType { .gzip }
    /// zlib's levels, as Kafka's `compression.gzip.level` accepts them.
    public var levels: ClosedRange<Int>? { 1...9 }
    /// zlib's own default, which Kafka's `-1` also selects.
    public var defaultLevel: Int { 6 }

    /// Creates the gzip codec.
    public init() {}

    /// zlib's `windowBits` for a 32 KiB window with the gzip wrapper (15 + 16).
    private static let windowBitsGzip: Int32 = 15 + 16
    /// zlib's `windowBits` that detects a gzip or zlib wrapper from the header (15 + 32).
    private static let windowBitsAutodetect: Int32 = 15 + 32
    /// zlib counts in `uInt`, 32 bits, so larger buffers are handed over in pieces.
    private static let chunkBytesMax = Int(UInt32.max)

    /// Compresses `input` into a single gzip member with no file name or timestamp.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8] {
        let level = try resolveLevel(level)
        let stream = try ZStream.make(codec: id, mode: .deflate(level: Int32(level), windowBits: Self.windowBitsGzip))
        let bound = Int(deflateBound(stream.pointer, uLong(input.count)))
        var status = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            status = Self.deflateAll(stream.pointer, input, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = status == Z_STREAM_END ? Int(stream.pointer.pointee.total_out) : 0
        }
        guard status == Z_STREAM_END else { throw stream.failure(status) }
        return output.withUnsafeBytes { Array($0) }  // drop deflateBound's slack
    }

    /// Runs deflate over all of `input` into `output`, which holds at least deflateBound
    /// bytes, and returns zlib's final status (`Z_STREAM_END` on success).
    private static func deflateAll(
        _ stream: UnsafeMutablePointer<z_stream>, _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int32 {
        var inputFed = 0
        var outputGiven = 0
        while true {
            if stream.pointee.avail_in == 0 { feed(stream, from: input, fed: &inputFed) }
            if stream.pointee.avail_out == 0, outputGiven < output.count, let base = output.baseAddress {
                let piece = min(chunkBytesMax, output.count - outputGiven)
                stream.pointee.next_out = (base + outputGiven).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(piece)
                outputGiven += piece
            }
            let lastInput = inputFed == input.count
            let status = deflate(stream, lastInput ? Z_FINISH : Z_NO_FLUSH)
            // Z_BUF_ERROR only means "no progress this call". It is fatal only when there is
            // nothing left to hand over; otherwise the next turn feeds more and continues.
            if status == Z_STREAM_END || (status != Z_OK && status != Z_BUF_ERROR) { return status }
            let canFeedInput = stream.pointee.avail_in == 0 && inputFed < input.count
            let canFeedOutput = stream.pointee.avail_out == 0 && outputGiven < output.count
            if status == Z_BUF_ERROR, !canFeedInput, !canFeedOutput { return status }
        }
    }

    /// Hands zlib the next piece of `input` after the `fed` bytes it already has.
    private static func feed(
        _ stream: UnsafeMutablePointer<z_stream>, from input: UnsafeRawBufferPointer, fed: inout Int
    ) {
        guard fed < input.count, let base = input.baseAddress else { return }
        let piece = min(chunkBytesMax, input.count - fed)
        // zlib's next_in is not const, but inflate and deflate never write through it.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + fed).assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(piece)
        fed += piece
    }

    /// Inflates gzip (or zlib-wrapped) `input`, accepting at most `limit` output bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        precondition(limit >= 0, "negative decompression limit")
        guard !input.isEmpty else { throw .corruptInput(id, reason: "empty input") }
        let stream = try ZStream.make(codec: id, mode: .inflate(windowBits: Self.windowBitsAutodetect))
        let expected = expectedOutputBytes(forCompressed: input.count)
        var output = OutputBuffer(codec: id, limit: limit, expected: expected)
        var inputFed = 0
        while true {
            if stream.pointer.pointee.avail_in == 0 { Self.feed(stream.pointer, from: input, fed: &inputFed) }
            let status = try output.withSpareCapacity { spare in
                let window = min(spare.count, Self.chunkBytesMax)
                stream.pointer.pointee.next_out = spare.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointer.pointee.avail_out = uInt(window)
                let status = inflate(stream.pointer, Z_NO_FLUSH)
                return (window - Int(stream.pointer.pointee.avail_out), status)
            }
            let inputLeft = Int(stream.pointer.pointee.avail_in) + (input.count - inputFed)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if inputLeft == 0 { return output.finish() }
                try startNextMember(stream, remaining: inputLeft)
            case Z_BUF_ERROR where inputLeft == 0:
                throw .corruptInput(id, reason: "truncated stream")
            case Z_DATA_ERROR, Z_BUF_ERROR:
                throw .corruptInput(id, reason: stream.message ?? "invalid deflate data")
            case Z_NEED_DICT:
                throw .corruptInput(id, reason: "stream needs a preset dictionary")
            default:
                throw stream.failure(status)
            }
        }
    }

    /// Resets `stream` for another gzip member if the bytes after the one that just ended
    /// start with the gzip magic; anything else is trailing garbage.
    private func startNextMember(_ stream: ZStream, remaining: Int) throws(CompressionError) {
        // next_in already points at the unread bytes, and remaining > 0 means at least
        // avail_in or a later chunk holds them; a member split across a 4 GiB chunk boundary
        // is not worth handling, so require the magic inside the current chunk.
        let next = stream.pointer.pointee.next_in
        guard stream.pointer.pointee.avail_in >= 2, let next, next[0] == 0x1F, next[1] == 0x8B else {
            throw .corruptInput(id, reason: "\(remaining) trailing bytes after the gzip stream")
        }
        let status = inflateReset(stream.pointer)
        guard status == Z_OK else { throw stream.failure(status) }
    }
}

/// A heap-allocated `z_stream` and its zlib state, ended and freed on deinit.
///
/// zlib keeps a pointer back to the `z_stream` and checks it on every call, so the struct
/// must not move between calls; a Swift local passed with `&` is not guaranteed to stay put.
private final class ZStream {
    enum Mode {
        case deflate(level: Int32, windowBits: Int32)
        case inflate(windowBits: Int32)
    }

    let pointer: UnsafeMutablePointer<z_stream>
    private let mode: Mode
    private let codec: CompressionType

    private init(pointer: UnsafeMutablePointer<z_stream>, mode: Mode, codec: CompressionType) {
        self.pointer = pointer
        self.mode = mode
        self.codec = codec
    }

    /// Allocates and initialises a stream. Initialisation happens before the object exists,
    /// so a failed init frees the memory here and deinit never sees a half-made stream.
    static func make(codec: CompressionType, mode: Mode) throws(CompressionError) -> ZStream {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let size = Int32(MemoryLayout<z_stream>.size)
        let status: Int32 =
            switch mode {
            case .deflate(let level, let windowBits):
                deflateInit2_(pointer, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, size)
            case .inflate(let windowBits):
                inflateInit2_(pointer, windowBits, ZLIB_VERSION, size)
            }
        guard status == Z_OK else {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            throw .libraryFailure(codec, code: Int(status), message: "zlib init failed")
        }
        return ZStream(pointer: pointer, mode: mode, codec: codec)
    }

    deinit {
        switch mode {
        case .deflate: deflateEnd(pointer)
        case .inflate: inflateEnd(pointer)
        }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    /// zlib's message for the last error, if it set one.
    var message: String? {
        pointer.pointee.msg.map { String(cString: $0) }
    }

    /// A library failure carrying zlib's status and message.
    func failure(_ status: Int32) -> CompressionError {
        .libraryFailure(codec, code: Int(status), message: message ?? "zlib status \(status)")
    }
}
