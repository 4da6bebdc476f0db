import TernPrimitives
/// A growable destination for streaming decoders that never holds more than `limit + 1`
/// bytes.
///
/// Decoders whose output size is unknown (gzip, LZ4 frames, zstd frames without a content
/// size) write into ``withSpareCapacity(_:)`` in a loop. Capacity doubles from a small start,
/// so a tiny input costs a tiny allocation however large a size it claims, and growth stops
/// at `limit + 1` bytes: the one extra byte lets a decoder show that the real output is
/// larger than the limit without ever asking for more memory than that.
struct OutputBuffer {
    /// Backing storage; `storage.count` is the usable capacity and only the first `count`
    /// bytes hold output. Zero-filled on growth so the array never exposes uninitialised
    /// memory.
    private var storage: [UInt8]
    /// Bytes of output written so far.
    private(set) var count = 0
    /// The most output the caller accepts.
    let limit: Int
    /// The codec reported in errors.
    let codec: CompressionType

    /// The capacity growth never passes: room for one byte past the limit.
    private var capacityMax: Int { limit < Int.max ? limit + 1 : limit }

    /// Smallest growth step, so short outputs don't reallocate byte by byte.
    private static let growthMin = 16 * 1024

    /// A buffer that starts with room for `expected` bytes, clamped to `[0, limit + 1]`.
    ///
    /// `expected` is only a starting guess; pass something derived from the input length,
    /// never a size read from inside untrusted input without bounding it first.
    init(codec: CompressionType, limit: Int, expected: Int) {
        precondition(limit >= 0, "negative decompression limit")
        self.codec = codec
        self.limit = limit
        let start = min(max(expected, 0), limit < Int.max ? limit + 1 : limit)
        storage = [UInt8](repeating: 0, count: start)
    }

    /// Lets `body` write into the free space after the output so far, growing it first if
    /// it is full.
    ///
    /// `body` receives the free space and returns how many bytes it wrote plus any value
    /// it wants to pass out. Throws once the output is larger than `limit`.
    mutating func withSpareCapacity<Value>(
        _ body: (UnsafeMutableRawBufferPointer) -> (written: Int, value: Value)
    ) throws(CompressionError) -> Value {
        if count == storage.count { grow() }
        let start = count
        let (written, value) = storage.withUnsafeMutableBytes { all in
            body(UnsafeMutableRawBufferPointer(rebasing: all[start...]))
        }
        precondition(written >= 0 && written <= storage.count - start, "decoder overran its buffer")
        count += written
        guard count <= limit else { throw .outputLimitExceeded(codec, limit: limit) }
        return value
    }

    /// Doubles the capacity, bounded by `limit + 1`.
    private mutating func grow() {
        // A full buffer at the cap means count == limit + 1, which withSpareCapacity has
        // already rejected, so there is always room to grow here.
        precondition(storage.count < capacityMax, "grow called on a buffer already past its limit")
        let target = min(capacityMax, max(storage.count * 2, storage.count + Self.growthMin))
        storage.append(contentsOf: repeatElement(0, count: target - storage.count))
    }

    /// The output, trimmed to size.
    ///
    /// When more than a quarter of the capacity is unused the output is copied into an
    /// exact-size array, so long-lived results don't pin doubled buffers.
    consuming func finish() -> [UInt8] {
        let slack = storage.count - count
        if slack > storage.count / 4 {
            return Array(storage[..<count])
        }
        storage.removeLast(slack)
        return storage
    }
}

/// A starting capacity for a decoder's output when the real size is unknown: a few times the
/// input, between 16 KiB and 1 MiB, because most batches compress 2–5x and growth doubles
/// from there.
func expectedOutputBytes(forCompressed count: Int) -> Int {
    let (product, overflow) = count.multipliedReportingOverflow(by: 4)
    return min(max(overflow ? Int.max : product, 16 * 1024), 1024 * 1024)
}
