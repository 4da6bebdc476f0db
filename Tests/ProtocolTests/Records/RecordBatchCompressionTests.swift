// Goal: batches compressed with the real codecs (TernCompression) go through the injected
// compress/decompress closures and come back intact, for every codec Kafka defines. Method:
// seeded records, encode with each codec, check the attribute bits and the stream magic, then
// decode through the view.

import NIOCore
import TernCompression
import TernPrimitives
import TernProtocol
import Testing

@Suite struct RecordBatchCompressionTests {
    /// Bridges the protocol's codec id to the compression module's codec, as a broker does.
    static func decompress(_ codec: CompressionType, _ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        try CompressionCodecs().codec(for: codec).decompress(bytes, limit: Limits.batchDecompressedBytesMax)
    }

    @Test(arguments: [CompressionType.gzip, .snappy, .lz4, .zstd])
    func encode_realCodec_roundTripsThroughView(codec: CompressionType) throws {
        var random = SeededRandom(seed: 31 + UInt64(codec.rawValue))
        let batch = RecordBatch(
            baseTimestamp: 1_000, maxTimestamp: 2_000, producerId: 3, producerEpoch: 0, baseSequence: 0,
            records: sampleRecords(count: 50, random: &random)
        )
        var buffer = ByteBuffer()
        try batch.encode(into: &buffer, compression: codec) { bytes in
            try CompressionCodecs().codec(for: codec).compress(bytes)
        }
        let view = try RecordBatchView(buffer: buffer)
        #expect(view.compression == codec)
        let head = Array(view.recordsBytes.readableBytesView.prefix(4))
        switch codec {
        case .gzip: #expect(head.prefix(2) == [0x1F, 0x8B])
        case .lz4: #expect(head == [0x04, 0x22, 0x4D, 0x18])
        case .zstd: #expect(head == [0x28, 0xB5, 0x2F, 0xFD])
        case .snappy, .none: break
        }
        #expect(try view.records(decompress: Self.decompress) == batch.records)
    }
}
