// Goal: the compactor keeps exactly the latest record per key and changes nothing else about
// a batch: offsets, header fields, codec and a valid CRC survive the rewrite. Method: build
// batches with the Protocol encoder (every codec), run both passes, and decode the result
// with the real codecs and CRC check.

import NIOCore
import Testing
import TernCompression
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct LogCompactorTests {
    private let compactor = LogCompactor(codecs: CompressionCodecs(), decompressedBytesMax: 64 << 20)

    /// A batch at `baseOffset` holding `(key, value)` records, with producer fields and a
    /// leader epoch set so the test can see them survive.
    private func batch(
        _ records: [(String?, String?)], baseOffset: Int64, compression: CompressionType = .none,
        attributes: RecordBatchAttributes = RecordBatchAttributes(), lastOffsetDelta: Int32? = nil
    ) throws -> RecordBatchView {
        let encoded = records.enumerated().map { index, record in
            Record(
                timestampDelta: Int64(index) * 10, offsetDelta: Int32(index),
                key: record.0.map { ByteBuffer(string: $0) }, value: record.1.map { ByteBuffer(string: $0) }
            )
        }
        let batch = RecordBatch(
            baseOffset: baseOffset, partitionLeaderEpoch: 7, attributes: attributes, lastOffsetDelta: lastOffsetDelta,
            baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000 + Int64(records.count - 1) * 10,
            producerId: 4242, producerEpoch: 3, baseSequence: 17, records: encoded
        )
        var buffer = ByteBuffer()
        let codecs = CompressionCodecs()
        try batch.encode(into: &buffer, compression: compression) { bytes in
            try codecs.codec(for: compression).compress(bytes)
        }
        return try RecordBatchView(buffer: buffer)
    }

    private func map(of batches: [RecordBatchView]) throws -> CompactionOffsetMap {
        var map = CompactionOffsetMap()
        for batch in batches { try compactor.indexKeys(of: batch, into: &map) }
        return map
    }

    /// Decodes a compacted batch, checking its CRC, and returns it with its records'
    /// (offset, key, value).
    private func decode(_ bytes: ByteBuffer?) throws -> (RecordBatch, [(Int64, String?, String?)]) {
        let view = try RecordBatchView(buffer: try #require(bytes), verifyingChecksum: true)
        let batch = try RecordBatch(view: view) { codec, compressed in
            try CompressionCodecs().codec(for: codec).decompress(compressed, limit: 64 << 20)
        }
        let records = batch.records.map { record in
            (batch.baseOffset + Int64(record.offsetDelta), record.key.map { String(buffer: $0) }, record.value.map { String(buffer: $0) })
        }
        return (batch, records)
    }

    @Test func compact_supersededKeys_keepsLatestAtOriginalOffsets() throws {
        let older = try batch([("a", "a1"), ("b", "b1"), ("a", "a2"), ("c", "c1")], baseOffset: 100)
        let newer = try batch([("c", "c2")], baseOffset: 104)
        let map = try map(of: [older, newer])
        #expect(map.count == 3 && map.latestOffsetIndexed == 104)

        let result = try compactor.compact(older, map: map, dropTombstones: false)
        #expect(result.recordsRead == 4 && result.recordsRemoved == 2)
        let (rewritten, records) = try decode(result.bytes)
        #expect(records.map(\.0) == [101, 102])
        #expect(records.map(\.2) == ["b1", "a2"])
        #expect(rewritten.baseOffset == 100 && rewritten.lastOffsetDelta == 3)
        #expect(rewritten.records.map(\.timestampDelta) == [10, 20])
    }

    @Test func compact_rewrite_keepsEveryHeaderField() throws {
        var attributes = RecordBatchAttributes(timestampType: .logAppendTime, isTransactional: true)
        attributes.rawValue |= 0x0080  // an unassigned bit must survive too
        let original = try batch([("a", "1"), ("a", "2")], baseOffset: 50, attributes: attributes)
        let result = try compactor.compact(original, map: map(of: [original]), dropTombstones: false)
        let (rewritten, _) = try decode(result.bytes)
        #expect(rewritten.partitionLeaderEpoch == 7)
        #expect(rewritten.producerId == 4242 && rewritten.producerEpoch == 3 && rewritten.baseSequence == 17)
        #expect(rewritten.baseTimestamp == original.baseTimestamp && rewritten.maxTimestamp == original.maxTimestamp)
        #expect(rewritten.attributes == original.attributes)
    }

    @Test(arguments: [CompressionType.gzip, .snappy, .lz4, .zstd])
    func compact_compressedBatch_isRecompressedWithSameCodec(compression: CompressionType) throws {
        let values = (0..<20).map { ("k\($0 % 5)", "value-\($0)") }
        let original = try batch(values, baseOffset: 0, compression: compression)
        let result = try compactor.compact(original, map: map(of: [original]), dropTombstones: false)
        #expect(result.recordsRemoved == 15)
        let view = try RecordBatchView(buffer: try #require(result.bytes))
        #expect(view.compression == compression && view.hasValidChecksum)
        let (_, records) = try decode(result.bytes)
        #expect(records.map(\.0) == [15, 16, 17, 18, 19])
        #expect(records.map(\.2) == (15..<20).map { "value-\($0)" })
    }

    @Test func compact_tombstones_areDroppedOnlyWhenAsked() throws {
        let original = try batch([("a", "1"), ("a", nil), ("b", "2")], baseOffset: 0)
        let map = try map(of: [original])
        let kept = try decode(compactor.compact(original, map: map, dropTombstones: false).bytes).1
        #expect(kept.map(\.0) == [1, 2])
        #expect(kept[0].2 == nil)
        let dropped = try decode(compactor.compact(original, map: map, dropTombstones: true).bytes).1
        #expect(dropped.map(\.0) == [2])
    }

    @Test func compact_everyRecordSuperseded_removesTheBatch() throws {
        let older = try batch([("a", "1"), ("b", "1")], baseOffset: 0)
        let newer = try batch([("a", "2"), ("b", "2")], baseOffset: 2)
        let result = try compactor.compact(older, map: map(of: [older, newer]), dropTombstones: false)
        #expect(result.bytes == nil && result.recordsRead == 2 && result.recordsRemoved == 2)
    }

    @Test func compact_nothingSuperseded_returnsTheOriginalBytes() throws {
        let original = try batch([("a", "1"), ("b", "1")], baseOffset: 0, compression: .gzip)
        let result = try compactor.compact(original, map: map(of: [original]), dropTombstones: true)
        #expect(result.bytes == original.bytes && result.recordsRemoved == 0)
    }

    @Test func compact_controlBatch_isKeptUntouched() throws {
        let marker = EndTransactionMarker(result: .commit, coordinatorEpoch: 1)
        let encoded = try marker.batch(producerId: 5, producerEpoch: 0, timestamp: 1, baseOffset: 9).encoded()
        let control = try RecordBatchView(buffer: encoded)
        var map = CompactionOffsetMap()
        try compactor.indexKeys(of: control, into: &map)
        #expect(map.count == 0 && map.latestOffsetIndexed == 9)
        let result = try compactor.compact(control, map: map, dropTombstones: true)
        #expect(result.bytes == control.bytes && result.recordsRemoved == 0)
    }

    @Test func compact_batchWithKeylessRecord_isKeptAsItIs() throws {
        let original = try batch([("a", "1"), (nil, "loose"), ("a", "2")], baseOffset: 0)
        let result = try compactor.compact(original, map: map(of: [original]), dropTombstones: true)
        #expect(result.bytes == original.bytes && result.recordsRemoved == 0)
    }

    @Test func compact_recordsPastTheIndexedRange_areKept() throws {
        let indexed = try batch([("a", "1")], baseOffset: 0)
        let later = try batch([("a", "0"), ("a", "2")], baseOffset: 1)
        // Only the first batch was indexed: the later one's records must all survive, even
        // though its first record is older than the second for the same key.
        let result = try compactor.compact(later, map: map(of: [indexed]), dropTombstones: true)
        #expect(result.bytes == later.bytes)
    }

    @Test func compact_lastRecordRemoved_batchStillClaimsItsOffsetRange() throws {
        let older = try batch([("a", "1"), ("b", "1"), ("c", "1")], baseOffset: 10)
        let newer = try batch([("c", "2")], baseOffset: 13)
        let result = try compactor.compact(older, map: map(of: [older, newer]), dropTombstones: false)
        let (rewritten, records) = try decode(result.bytes)
        #expect(records.map(\.0) == [10, 11])
        #expect(rewritten.lastOffsetDelta == 2)
        #expect(try RecordBatchView(buffer: try #require(result.bytes)).lastOffset == 12)
    }

    @Test func indexKeys_corruptCompressedRecords_throwInvalidBatch() throws {
        let good = try batch([("a", "1")], baseOffset: 0, compression: .zstd)
        var bytes = good.bytes
        // Damage the compressed section and re-seal the CRC, so only decompression notices.
        let index = RecordBatchHeader.size + 2
        bytes.setInteger(~(bytes.getInteger(at: index, as: UInt8.self) ?? 0), at: index)
        bytes.setRecordBatchCRC(batchAt: 0)
        let damaged = try RecordBatchView(buffer: bytes)
        var map = CompactionOffsetMap()
        #expect(throws: LogStoreError.self) { try compactor.indexKeys(of: damaged, into: &map) }
    }
}
