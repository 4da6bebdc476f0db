public import NIOCore
import CCRC32C

/// CRC-32 (IEEE 802.3, the polynomial zlib's `crc32` uses), the checksum of legacy magic 0
/// and 1 messages.
///
/// Legacy messages are rare and small, so the portable slice-by-8 code in `CCRC32C` is
/// plenty; keeping it there spares the protocol module a zlib dependency.
public enum CRC32IEEE {
    /// The CRC-32 of `bytes`, continuing from `seed` (0 starts a new checksum).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return seed }
        return tern_crc32_ieee(seed, base, bytes.count)
    }

    /// The CRC-32 of `buffer`'s bytes at the absolute indices in `range`, which must lie
    /// inside the readable bytes.
    public static func checksum(_ buffer: ByteBuffer, range: Range<Int>, seed: UInt32 = 0) -> UInt32 {
        precondition(
            range.lowerBound >= buffer.readerIndex && range.upperBound <= buffer.writerIndex,
            "CRC32 range \(range) outside readable bytes \(buffer.readerIndex)..<\(buffer.writerIndex)"
        )
        return buffer.withUnsafeReadableBytes { readable in
            let start = range.lowerBound - buffer.readerIndex
            return checksum(UnsafeRawBufferPointer(rebasing: readable[start..<(start + range.count)]), seed: seed)
        }
    }

    /// The CRC-32 of `bytes`, continuing from `seed`.
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}
