// Helpers shared by the record-format tests: reference checksums written bit by bit (so the
// table and SSE4.2 code is checked against something independent of it), a byte builder for
// hand-made wire images, and seeded sample batches.

import NIOCore
import TernPrimitives
import TernProtocol

/// CRC-32C one bit at a time, straight from the definition (reflected 0x82F63B78).
func referenceCRC32C(_ bytes: some Sequence<UInt8>) -> UInt32 {
    referenceCRC(bytes, polynomial: 0x82F6_3B78)
}

/// CRC-32 (IEEE) one bit at a time (reflected 0xEDB88320).
func referenceCRC32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    referenceCRC(bytes, polynomial: 0xEDB8_8320)
}

private func referenceCRC(_ bytes: some Sequence<UInt8>, polynomial: UInt32) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
        }
    }
    return ~crc
}

/// Builds wire images by hand: big-endian integers and literal bytes, nothing from the codec
/// under test.
struct WireBytes {
    var bytes: [UInt8] = []

    mutating func int8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    mutating func int16(_ value: Int16) { append(UInt64(UInt16(bitPattern: value)), width: 2) }
    mutating func int32(_ value: Int32) { append(UInt64(UInt32(bitPattern: value)), width: 4) }
    mutating func uint32(_ value: UInt32) { append(UInt64(value), width: 4) }
    mutating func int64(_ value: Int64) { append(UInt64(bitPattern: value), width: 8) }
    mutating func raw(_ values: [UInt8]) { bytes += values }
    mutating func ascii(_ text: String) { bytes += Array(text.utf8) }

    /// Overwrites four bytes at `index` with a big-endian value (for lengths and CRCs that
    /// are known only once the rest is built).
    mutating func patch(uint32 value: UInt32, at index: Int) {
        for shift in 0..<4 {
            bytes[index + shift] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(shift)))
        }
    }

    private mutating func append(_ value: UInt64, width: Int) {
        for shift in stride(from: width - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift))))
        }
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

/// A stand-in codec for plumbing tests: "compresses" by reversing the bytes and prefixing
/// a marker, so a decompressor that is not called, or called on the wrong bytes, shows up.
enum ReversingCodec {
    struct Failure: Error {}

    static func compress(_ bytes: [UInt8]) -> [UInt8] { [0xC0, 0xDE] + bytes.reversed() }

    static func decompress(_ codec: CompressionType, _ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0xC0, bytes[1] == 0xDE else { throw Failure() }
        return Array(bytes.dropFirst(2).reversed())
    }
}

/// Seeded sample records covering null and empty keys and values, multi-byte varints,
/// negative timestamp deltas and headers.
func sampleRecords(count: Int, random: inout SeededRandom) -> [Record] {
    (0..<count).map { index in
        Record(
            timestampDelta: Int64.random(in: -5_000...5_000_000, using: &random),
            offsetDelta: Int32(index),
            key: sampleBytes(random: &random, allowNull: true),
            value: sampleBytes(random: &random, allowNull: true),
            headers: (0..<Int.random(in: 0...3, using: &random)).map { headerIndex in
                RecordHeader(key: "h\(headerIndex)-é", value: sampleBytes(random: &random, allowNull: true))
            }
        )
    }
}

private func sampleBytes(random: inout SeededRandom, allowNull: Bool) -> ByteBuffer? {
    switch Int.random(in: 0..<6, using: &random) {
    case 0 where allowNull: return nil
    case 1: return ByteBuffer()
    case 2: return ByteBuffer(bytes: (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) })
    default: return ByteBuffer(bytes: (0..<Int.random(in: 1...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
    }
}

/// A small idempotent-producer batch used by the corruption tests.
func smallSampleBatch() throws -> ByteBuffer {
    let batch = RecordBatch(
        baseOffset: 100, partitionLeaderEpoch: 4, baseTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_900, producerId: 77, producerEpoch: 2, baseSequence: 11,
        records: [
            Record(timestampDelta: 0, offsetDelta: 0, key: ByteBuffer(string: "k"), value: ByteBuffer(string: "value-0")),
            Record(
                timestampDelta: 900, offsetDelta: 1, key: nil, value: ByteBuffer(string: "v1"),
                headers: [RecordHeader(key: "trace", value: ByteBuffer(bytes: [1, 2, 3]))]
            ),
        ]
    )
    return try batch.encoded()
}
