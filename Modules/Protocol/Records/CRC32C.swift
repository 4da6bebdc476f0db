public import NIOCore
import CCRC32C

/// CRC-32C (Castagnoli), the checksum of v2 record batches.
///
/// The work happens in the `CCRC32C` C target, which picks the SSE4.2 `crc32` instruction at
/// run time when the CPU has it (about 10 GB/s) and a slice-by-8 table otherwise (about
/// 2 GB/s). Checksums chain like zlib's: pass an earlier result as `seed` to continue it.
public enum CRC32C {
    /// Whether `checksum` runs on the SSE4.2 instruction rather than the table fallback.
    public static var isHardwareAccelerated: Bool { tern_crc32c_have_hw() != 0 }

    /// The CRC-32C of `bytes`, continuing from `seed` (0 starts a new checksum).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        dispatching(bytes, seed: seed)
    }

    /// The CRC-32C of `buffer`'s bytes at the absolute indices in `range`.
    ///
    /// `range` must lie inside the readable bytes; callers pass ranges they have already
    /// checked against a decoded length, so a range outside them is our bug and traps.
    public static func checksum(_ buffer: ByteBuffer, range: Range<Int>, seed: UInt32 = 0) -> UInt32 {
        precondition(
            range.lowerBound >= buffer.readerIndex && range.upperBound <= buffer.writerIndex,
            "CRC32C range \(range) outside readable bytes \(buffer.readerIndex)..<\(buffer.writerIndex)"
        )
        return buffer.withUnsafeReadableBytes { readable in
            let start = range.lowerBound - buffer.readerIndex
            return dispatching(UnsafeRawBufferPointer(rebasing: readable[start..<(start + range.count)]), seed: seed)
        }
    }

    /// The CRC-32C of all readable bytes of `buffer`.
    public static func checksum(_ buffer: ByteBuffer, seed: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { dispatching($0, seed: seed) }
    }

    /// The CRC-32C of `bytes`, continuing from `seed`.
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { dispatching($0, seed: seed) }
    }

    /// The CRC-32C computed by the portable table code, even when the CPU has SSE4.2.
    ///
    /// Exposed so tests can check the two implementations against each other.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return seed }
        return tern_crc32c_sw(seed, base, bytes.count)
    }

    /// The CRC-32C computed by the SSE4.2 instruction, or `nil` when this CPU lacks it.
    public static func hardwareChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32? {
        guard isHardwareAccelerated else { return nil }
        guard let base = bytes.baseAddress else { return seed }
        return tern_crc32c_hw(seed, base, bytes.count)
    }

    // An empty buffer may have no base address; its checksum is the seed unchanged, which is
    // also what the C code would return for a zero length.
    private static func dispatching(_ bytes: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        guard let base = bytes.baseAddress else { return seed }
        return tern_crc32c(seed, base, bytes.count)
    }
}
