import TernCompression
import TernPrimitives
import TernProtocol

// Bridges the Protocol module's closures to the codecs: Protocol may not import Compression,
// so record decoding and encoding take closures, and this is the one place that builds them.
extension CompressionCodecs {
    /// A decompressor that refuses to inflate a batch past `limit` bytes.
    func recordDecompressor(limit: Int) -> RecordDecompressor {
        { compression, compressed in
            try self.codec(for: compression).decompress(compressed, limit: limit)
        }
    }

    /// Compresses a records section with the codec Kafka numbers `compression`.
    func compress(_ bytes: [UInt8], as compression: CompressionType) throws -> [UInt8] {
        try codec(for: compression).compress(bytes)
    }
}
