// Goal: the decoder reads batches laid out exactly as the Kafka protocol guide's
// "Record Batch" and "Record" sections describe, independently of our encoder. Method: build
// the bytes field by field in the test (varints written as literal bytes, CRC from a bitwise
// reference), decode, and compare every field; then check our encoder yields the same bytes.

import NIOCore
import TernPrimitives
import TernProtocol
import Testing

@Suite struct RecordBatchGoldenTests {
    /// Two records: ("k1","v1") at delta 0, and (null,"hello", header h=x) at offset delta 1,
    /// timestamp delta 300 (zigzag 600 = varint D8 04).
    /// `padFirstRecord` makes record 0 declare one byte more than its fields use, and
    /// appends that byte: a record Kafka rejects even though every field parses.
    static func handBuiltBatch(padFirstRecord: Bool = false) -> [UInt8] {
        var wire = WireBytes()
        wire.int64(5)                       // baseOffset
        wire.int32(0)                       // batchLength, patched below
        wire.int32(7)                       // partitionLeaderEpoch
        wire.int8(2)                        // magic
        wire.uint32(0)                      // crc, patched below
        wire.int16(0x0018)                  // attributes: transactional | LogAppendTime, no codec
        wire.int32(1)                       // lastOffsetDelta
        wire.int64(1_700_000_000_000)       // baseTimestamp
        wire.int64(1_700_000_000_300)       // maxTimestamp
        wire.int64(42)                      // producerId
        wire.int16(3)                       // producerEpoch
        wire.int32(9)                       // baseSequence
        wire.int32(2)                       // recordCount
        #expect(wire.bytes.count == 61)
        // Record 0: length 10 (zigzag 20 = 0x14), attributes, tsDelta 0, offsetDelta 0,
        // key len 2 (0x04) "k1", value len 2 (0x04) "v1", 0 headers.
        wire.raw([padFirstRecord ? 0x16 : 0x14, 0x00, 0x00, 0x00, 0x04])
        wire.ascii("k1")
        wire.raw([0x04])
        wire.ascii("v1")
        wire.raw(padFirstRecord ? [0x00, 0x00] : [0x00])
        // Record 1: length 16 (0x20), attributes, tsDelta 300 (D8 04), offsetDelta 1 (0x02),
        // key null (-1 -> 0x01), value len 5 (0x0A) "hello", 1 header (0x02):
        // key len 1 (0x02) "h", value len 1 (0x02) "x".
        wire.raw([0x20, 0x00, 0xD8, 0x04, 0x02, 0x01, 0x0A])
        wire.ascii("hello")
        wire.raw([0x02, 0x02])
        wire.ascii("h")
        wire.raw([0x02])
        wire.ascii("x")
        wire.patch(uint32: UInt32(wire.bytes.count - 12), at: 8)
        wire.patch(uint32: referenceCRC32C(wire.bytes[21...]), at: 17)
        return wire.bytes
    }

    @Test func view_handBuiltBatch_exposesHeaderFields() throws {
        let bytes = Self.handBuiltBatch()
        let view = try RecordBatchView(buffer: ByteBuffer(bytes: bytes))
        #expect(view.baseOffset == 5)
        #expect(view.lastOffset == 6)
        #expect(view.partitionLeaderEpoch == 7)
        #expect(view.header.batchLength == Int32(bytes.count - 12))
        #expect(view.totalSize == bytes.count)
        #expect(view.compression == CompressionType.none)
        #expect(view.compressionCodecID == 0)
        #expect(view.timestampType == .logAppendTime)
        #expect(view.isTransactional)
        #expect(!view.isControl)
        #expect(!view.hasDeleteHorizon)
        #expect(view.baseTimestamp == 1_700_000_000_000)
        #expect(view.maxTimestamp == 1_700_000_000_300)
        #expect(view.producerId == 42)
        #expect(view.producerEpoch == 3)
        #expect(view.baseSequence == 9)
        #expect(view.recordCount == 2)
        #expect(view.hasValidChecksum)
    }

    @Test func records_handBuiltBatch_decodeToExpectedFields() throws {
        let view = try RecordBatchView(buffer: ByteBuffer(bytes: Self.handBuiltBatch()))
        let records = try view.records()
        #expect(records.count == 2)
        #expect(records[0] == Record(offsetDelta: 0, key: ByteBuffer(string: "k1"), value: ByteBuffer(string: "v1")))
        #expect(records[1].timestampDelta == 300)
        #expect(records[1].offsetDelta == 1)
        #expect(records[1].key == nil)
        #expect(records[1].value == ByteBuffer(string: "hello"))
        #expect(records[1].headers == [RecordHeader(key: "h", value: ByteBuffer(string: "x"))])
    }

    @Test func records_lengthLongerThanFields_isRejected() throws {
        let view = try RecordBatchView(buffer: ByteBuffer(bytes: Self.handBuiltBatch(padFirstRecord: true)))
        #expect(throws: DecodeError.trailingBytes(1)) { try view.records() }
    }

    @Test func encode_sameFields_reproducesHandBuiltBytes() throws {
        let batch = RecordBatch(
            baseOffset: 5, partitionLeaderEpoch: 7,
            attributes: RecordBatchAttributes(timestampType: .logAppendTime, isTransactional: true),
            baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_300,
            producerId: 42, producerEpoch: 3, baseSequence: 9,
            records: [
                Record(offsetDelta: 0, key: ByteBuffer(string: "k1"), value: ByteBuffer(string: "v1")),
                Record(
                    timestampDelta: 300, offsetDelta: 1, key: nil, value: ByteBuffer(string: "hello"),
                    headers: [RecordHeader(key: "h", value: ByteBuffer(string: "x"))]
                ),
            ]
        )
        #expect(Array(try batch.encoded().readableBytesView) == Self.handBuiltBatch())
    }

    @Test func controlRecord_handBuiltCommitMarker_decodes() throws {
        var key = WireBytes()
        key.int16(0)        // key version
        key.int16(1)        // type: commit
        var value = WireBytes()
        value.int16(0)      // value version
        value.int32(17)     // coordinatorEpoch
        let record = Record(offsetDelta: 0, key: key.buffer, value: value.buffer)
        #expect(try EndTransactionMarker(record: record) == EndTransactionMarker(result: .commit, coordinatorEpoch: 17))
        #expect(try ControlRecordKey(decoding: key.buffer) == ControlRecordKey(version: 0, type: 1))

        var abortKey = WireBytes()
        abortKey.int16(0)
        abortKey.int16(0)
        let abort = Record(offsetDelta: 0, key: abortKey.buffer, value: value.buffer)
        #expect(try EndTransactionMarker(record: abort).result == .abort)
    }
}
