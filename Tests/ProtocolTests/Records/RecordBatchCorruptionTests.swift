// Goal: damaged or hostile bytes always end in a DecodeError (or, for a cut-off fetch
// response, a reported partial batch) and never in a trap or a silently wrong batch.
// Method: flip every bit of a small batch, cut it at every length, lie in single fields
// with a valid CRC, and feed seeded random garbage to every entry point.

import NIOCore
import TernPrimitives
import TernProtocol
import Testing

@Suite struct RecordBatchCorruptionTests {
    /// Full decode of a records field through every layer; errors are the expected outcome.
    static func decodeEverything(_ buffer: ByteBuffer, partial: RecordBatchSplitter.TrailingPartialBatch) throws(DecodeError) {
        var splitter = RecordBatchSplitter(records: buffer, trailingPartialBatch: partial)
        while let entry = try splitter.next() {
            switch entry {
            case let .batch(view): _ = try view.records(decompress: ReversingCodec.decompress)
            case let .legacy(message): _ = try message.innerMessages(decompress: ReversingCodec.decompress)
            case .partial: break
            }
        }
    }

    @Test func singleBitFlip_anywhereUnderCRCOrStructure_isRejected() throws {
        let original = Array(try smallSampleBatch().readableBytesView)
        // baseOffset (0..<8) and partitionLeaderEpoch (12..<16) are deliberately outside the
        // CRC so brokers can patch them; a flip there changes only that field.
        let uncovered = Set(0..<8).union(12..<16)
        for bit in 0..<(original.count * 8) {
            var bytes = original
            bytes[bit / 8] ^= 1 << (bit % 8)
            let buffer = ByteBuffer(bytes: bytes)
            if uncovered.contains(bit / 8) {
                let view = try RecordBatchView(buffer: buffer)
                #expect(view.baseOffset != 100 || view.partitionLeaderEpoch != 4, "bit \(bit)")
                continue
            }
            #expect(throws: DecodeError.self, "bit \(bit)") { try RecordBatchView(buffer: buffer) }
            #expect(throws: DecodeError.self, "bit \(bit)") { try Self.decodeEverything(buffer, partial: .reject) }
        }
    }

    @Test func truncation_atEveryLength_throwsOrReportsPartial() throws {
        let original = try smallSampleBatch()
        let total = original.readableBytes
        for length in 0..<total {
            let prefix = original.getSlice(at: 0, length: length) ?? ByteBuffer()
            #expect(throws: DecodeError.self, "length \(length)") { try RecordBatchView(buffer: prefix) }
            let entries = try RecordBatchSplitter.entries(in: prefix, trailingPartialBatch: .allow)
            if length == 0 {
                // An empty records field is legal: no batches.
                #expect(entries.isEmpty)
                #expect(try RecordBatchSplitter.entries(in: prefix).isEmpty)
                continue
            }
            #expect(throws: DecodeError.truncated(needed: length < 12 ? 12 : total, available: length), "length \(length)") {
                try Self.decodeEverything(prefix, partial: .reject)
            }
            guard entries.count == 1, case let .partial(tail) = entries[0] else {
                Issue.record("length \(length): expected one partial entry, got \(entries)")
                continue
            }
            #expect(tail == PartialBatch(bytesAvailable: length, bytesDeclared: length < 12 ? nil : total))
        }
    }

    @Test func fetchResponse_wholeBatchThenCutOne_yieldsBatchThenPartial() throws {
        var records = try smallSampleBatch()
        let whole = records.readableBytes
        var second = try smallSampleBatch()
        records.writeBuffer(&second)
        records.moveWriterIndex(to: whole + 30)
        let entries = try RecordBatchSplitter.entries(in: records, trailingPartialBatch: .allow)
        guard entries.count == 2, case .batch = entries[0], case let .partial(tail) = entries[1] else {
            Issue.record("expected batch then partial, got \(entries)")
            return
        }
        #expect(tail == PartialBatch(bytesAvailable: 30, bytesDeclared: whole))
        #expect(throws: DecodeError.self) { try RecordBatchSplitter.entries(in: records) }
    }

    @Test func validCRC_lyingFields_areRejected() throws {
        let original = try smallSampleBatch()
        // (offset, value, width): recordCount too high, too low, negative, over the limit;
        // magic 3; each with the CRC fixed up so only the structure can catch it.
        let lies: [(Int, Int64, Int)] = [
            (57, 3, 4), (57, 1, 4), (57, -1, 4), (57, Int64(Limits.recordsPerBatchMax) + 1, 4),
            (21, 7, 2),   // codec id 7 is unassigned
        ]
        for (offset, value, width) in lies {
            var bytes = original
            if width == 4 { bytes.setInteger(Int32(truncatingIfNeeded: value), at: offset) }
            else { bytes.setInteger(Int16(truncatingIfNeeded: value), at: offset) }
            bytes.setRecordBatchCRC(batchAt: 0)
            #expect(throws: DecodeError.self, "offset \(offset) value \(value)") {
                try Self.decodeEverything(bytes, partial: .reject)
            }
        }
        var badMagic = original
        badMagic.setInteger(Int8(3), at: 16)
        #expect(throws: DecodeError.invalidValue("record batch magic 3")) { try Self.decodeEverything(badMagic, partial: .allow) }
    }

    @Test func hostileLength_isRejectedBeforeWaitingForBytes() {
        var wire = WireBytes()
        wire.int64(0)
        wire.int32(Int32.max)
        wire.raw([UInt8](repeating: 0, count: 20))
        #expect(throws: DecodeError.invalidLength(Int64(Int32.max), context: "record batch length")) {
            try RecordBatchSplitter.entries(in: wire.buffer, trailingPartialBatch: .allow)
        }
        // Magic 2 with a size that fits a legacy message but not a v2 header is corrupt,
        // not merely short.
        var shortV2 = WireBytes()
        shortV2.int64(0)
        shortV2.int32(30)
        shortV2.int32(-1)
        shortV2.int8(2)
        shortV2.raw([UInt8](repeating: 0, count: 25))
        #expect(throws: DecodeError.invalidLength(30, context: "record batch length")) {
            try RecordBatchSplitter.entries(in: shortV2.buffer, trailingPartialBatch: .allow)
        }
        var small = WireBytes()
        small.int64(0)
        small.int32(13)
        small.raw([UInt8](repeating: 0, count: 13))
        #expect(throws: DecodeError.self) { try RecordBatchSplitter.entries(in: small.buffer, trailingPartialBatch: .allow) }
    }

    @Test func randomGarbage_neverTraps() {
        var random = SeededRandom(seed: 0xBAD_BEEF)
        let template = Array((try? smallSampleBatch())?.readableBytesView ?? ByteBuffer().readableBytesView)
        var outcomes = (thrown: 0, accepted: 0)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                // Mutate a valid batch and repair its CRC so the damage reaches the record
                // decoder instead of stopping at the checksum.
                bytes = template
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 61..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            var buffer = ByteBuffer(bytes: bytes)
            if round % 2 == 1 { buffer.setRecordBatchCRC(batchAt: 0) }
            do {
                try Self.decodeEverything(buffer, partial: round % 4 < 2 ? .allow : .reject)
                outcomes.accepted += 1
            } catch {
                outcomes.thrown += 1
            }
            _ = try? LegacyMessage(decodingEntry: buffer)
            _ = try? RecordBatchView(buffer: buffer, verifyingChecksum: false).records()
        }
        // Both outcomes must occur, or the loop is not exercising anything.
        #expect(outcomes.thrown > 100 && outcomes.accepted > 10)
    }
}
