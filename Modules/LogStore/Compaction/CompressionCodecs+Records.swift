import TernCompression
import TernProtocol

// Bridges the Protocol module's closures to the codecs: Protocol may not import Compression,
// so record decoding and encoding take closures, and this is the one place that builds them.
extension CompressionCodecs {
    /// The codec for a batch's codec id; the two enums share Kafka's wire numbering.
    func codec(for compression: RecordCompression) -> (any BatchCodec)? {
        CompressionType(rawValue: Int8(compression.rawValue)).map { codec(for: $0) }
    }

    /// A decompressor that refuses to inflate a batch past `limit` bytes.
    func recordDecompressor(limit: Int) -> RecordDecompressor {
        { compression, compressed in
            guard let codec = self.codec(for: compression) else {
                throw DecodeError.invalidValue("no codec for \(compression)")
            }
            return try codec.decompress(compressed, limit: limit)
        }
    }

    /// Compresses a records section with the codec Kafka numbers `compression`.
    func compress(_ bytes: [UInt8], as compression: RecordCompression) throws -> [UInt8] {
        guard let codec = codec(for: compression) else {
            throw DecodeError.invalidValue("no codec for \(compression)")
        }
        return try codec.compress(bytes)
    }
}
