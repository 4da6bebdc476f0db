// Goal: whatever RecordBatch encodes, RecordBatchView accepts and decodes back to the same
// value; header patches keep the batch valid. Method: seeded random batches of many shapes,
// a stand-in codec for the compressed path, and re-validation of patched bytes from scratch.

import NIOCore
import TernPrimitives
import TernProtocol
import Testing

@Suite struct RecordBatchRoundTripTests {
    @Test(arguments: [0, 1, 2, 17, 200])
    func encode_randomRecords_viewAndDecodeRoundTrip(count: Int) throws {
        var random = SeededRandom(seed: UInt64(1000 + count))
        let batch = RecordBatch(
            baseOffset: Int64.random(in: 0...Int64(Int32.max), using: &random),
            partitionLeaderEpoch: 3,
            attributes: RecordBatchAttributes(isTransactional: count % 2 == 0),
            baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_099_000,
            producerId: 5, producerEpoch: 1, baseSequence: 40,
            records: sampleRecords(count: count, random: &random)
        )
        let encoded = try batch.encoded()
        let view = try RecordBatchView(buffer: encoded)
        #expect(view.totalSize == encoded.readableBytes)
        #expect(Int(view.recordCount) == count)
        #expect(view.lastOffset == batch.baseOffset + Int64(max(count - 1, 0)))
        #expect(try RecordBatch(view: view) == batch)
    }

    @Test func encode_withCompression_recordsComeBackThroughDecompressor() throws {
        var random = SeededRandom(seed: 4)
        let batch = RecordBatch(
            baseTimestamp: 10, maxTimestamp: 20, records: sampleRecords(count: 30, random: &random)
        )
        var buffer = ByteBuffer()
        try batch.encode(into: &buffer, compression: .lz4, compress: ReversingCodec.compress)
        let view = try RecordBatchView(buffer: buffer)
        #expect(view.compression == .lz4)
        #expect(view.compressionCodecID == 3)
        #expect(Array(view.recordsBytes.readableBytesView.prefix(2)) == [0xC0, 0xDE])

        var codecSeen: CompressionType?
        let records = try view.records { codec, bytes in
            codecSeen = codec
            return try ReversingCodec.decompress(codec, bytes)
        }
        #expect(codecSeen == .lz4)
        #expect(records == batch.records)
        var expected = batch
        expected.attributes.compression = .lz4
        #expect(try RecordBatch(view: view, decompress: ReversingCodec.decompress) == expected)
    }

    @Test func records_compressedWithoutOrFailingDecompressor_throwsInvalidValue() throws {
        var buffer = ByteBuffer()
        let batch = RecordBatch(baseTimestamp: 0, maxTimestamp: 0, records: [Record(offsetDelta: 0, value: nil)])
        try batch.encode(into: &buffer, compression: .zstd, compress: ReversingCodec.compress)
        let view = try RecordBatchView(buffer: buffer)
        #expect(throws: DecodeError.self) { try view.records() }
        #expect(throws: DecodeError.self) { try view.records { _, _ in throw ReversingCodec.Failure() } }
        // The decompressor's output must hold exactly recordCount records.
        #expect(throws: DecodeError.self) { try view.records { _, _ in [] } }
    }

    @Test func encode_compressionNone_doesNotCallCompressor() throws {
        var buffer = ByteBuffer()
        let batch = RecordBatch(baseTimestamp: 0, maxTimestamp: 0, records: [Record(offsetDelta: 0, value: ByteBuffer(string: "a"))])
        try batch.encode(into: &buffer, compression: .none) { _ in
            Issue.record("compressor called for .none")
            return []
        }
        #expect(try RecordBatch(decoding: buffer) == batch)
    }

    @Test func endTransactionMarker_batch_roundTripsAsControlBatch() throws {
        let marker = EndTransactionMarker(result: .abort, coordinatorEpoch: 12)
        let batch = marker.batch(producerId: 9000, producerEpoch: 4, timestamp: 55, baseOffset: 30)
        let view = try RecordBatchView(buffer: try batch.encoded())
        #expect(view.isControl && view.isTransactional)
        #expect(view.producerId == 9000 && view.producerEpoch == 4)
        let records = try view.records()
        #expect(records.count == 1)
        #expect(try EndTransactionMarker(record: records[0]) == marker)
        // A data record is not a marker.
        #expect(throws: DecodeError.self) {
            try EndTransactionMarker(record: Record(offsetDelta: 0, key: ByteBuffer(string: "k"), value: nil))
        }
    }

    @Test func setBaseOffsetAndEpoch_leaveChecksumValid() throws {
        var view = try RecordBatchView(buffer: try smallSampleBatch())
        let crcBefore = view.header.crc
        view.setBaseOffset(123_456_789_012)
        view.setPartitionLeaderEpoch(99)
        #expect(view.header.crc == crcBefore)
        let reparsed = try RecordBatchView(buffer: view.bytes)
        #expect(reparsed.baseOffset == 123_456_789_012)
        #expect(reparsed.lastOffset == 123_456_789_013)
        #expect(reparsed.partitionLeaderEpoch == 99)
        #expect(try reparsed.records() == (try view.records()))
    }

    @Test func setMaxTimestamp_logAppendTime_recomputesChecksum() throws {
        var view = try RecordBatchView(buffer: try smallSampleBatch())
        let crcBefore = view.header.crc
        view.setMaxTimestamp(1_800_000_000_000, timestampType: .logAppendTime)
        #expect(view.header.crc != crcBefore)
        let reparsed = try RecordBatchView(buffer: view.bytes)
        #expect(reparsed.maxTimestamp == 1_800_000_000_000)
        #expect(reparsed.timestampType == .logAppendTime)
        #expect(reparsed.header == view.header)
    }

    @Test func maxTimestamp_changedWithoutNewChecksum_isDetected() throws {
        // Proves the CRC really covers maxTimestamp, i.e. that the setter's recomputation is
        // needed and not an accident.
        var bytes = try smallSampleBatch()
        bytes.setInteger(Int64(1), at: 35)
        #expect(throws: DecodeError.self) { try RecordBatchView(buffer: bytes) }
    }

    @Test func byteBufferPatches_secondBatchInRecordsField_patchInPlace() throws {
        var records = try smallSampleBatch()
        let secondStart = records.writerIndex
        var tail = try smallSampleBatch()
        records.writeBuffer(&tail)
        records.setRecordBatchBaseOffset(500, batchAt: secondStart)
        records.setRecordBatchPartitionLeaderEpoch(8, batchAt: secondStart)
        records.setRecordBatchMaxTimestamp(77, timestampType: .logAppendTime, batchAt: secondStart)
        let entries = try RecordBatchSplitter.entries(in: records)
        guard entries.count == 2, case let .batch(first) = entries[0], case let .batch(second) = entries[1] else {
            Issue.record("expected two batches, got \(entries)")
            return
        }
        #expect(first.baseOffset == 100 && first.timestampType == .createTime)
        #expect(second.baseOffset == 500 && second.partitionLeaderEpoch == 8)
        #expect(second.maxTimestamp == 77 && second.timestampType == .logAppendTime)
    }

    @Test func attributes_setters_touchOnlyTheirBits() {
        var attributes = RecordBatchAttributes(rawValue: Int16(bitPattern: 0xFF80))
        attributes.compression = .snappy
        attributes.timestampType = .logAppendTime
        attributes.isTransactional = true
        attributes.isControl = true
        attributes.hasDeleteHorizon = true
        #expect(attributes.rawValue == Int16(bitPattern: 0xFFFA))
        attributes.compression = nil
        attributes.isControl = false
        #expect(attributes.rawValue == Int16(bitPattern: 0xFFD8))
        #expect(RecordBatchAttributes(rawValue: 6).compression == nil)
        #expect(RecordBatchAttributes(rawValue: 6).compressionCodecID == 6)
    }
}
