// Goal: an append checks each batch's CRC unless the caller says it did, and checks the
// framing either way, so a caller that vouches for CRCs saves the store's pass over every
// byte without letting a malformed buffer misplace later batches. Method: append batches
// with a flipped payload bit or cut short, with each validation, through the API.

import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedAppendValidationTests {
    private func append(_ log: any PartitionLog, _ batch: ByteBuffer, _ validation: LogAppend.Validation) async throws -> LogAppendInfo {
        try await log.append(LogAppend(batches: batch, origin: .leader(epoch: 0, logAppendTime: nil), validation: validation))
    }

    @Test func append_badCRC_isRejectedByDefault() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        var batch = try makeBatch(count: 2)
        let last = batch.writerIndex - 1
        batch.setInteger((batch.getInteger(at: last, as: UInt8.self) ?? 0) ^ 0x01, at: last)
        await #expect(throws: LogStoreError.self) { _ = try await append(log, batch, .full) }
        #expect(await log.offsets().logEndOffset == 0)
    }

    @Test func append_crcVerifiedByCaller_storesTheSameBytes_withoutAnotherCheck() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let batch = try makeBatch(count: 3)
        #expect(try await append(log, batch, .crcVerifiedByCaller).lastOffset == 2)
        #expect(try await append(log, batch, .full).firstOffset == 3)
        #expect(try await log.readValues(from: 0).map(\.1) == ["v-0", "v-1", "v-2", "v-0", "v-1", "v-2"])
        // The caller's word is taken: the store does not compute the CRC of what it is told
        // is checked (a produce handler has checked it over these very bytes).
        var unchecked = batch
        let last = unchecked.writerIndex - 1
        unchecked.setInteger((unchecked.getInteger(at: last, as: UInt8.self) ?? 0) ^ 0x01, at: last)
        #expect(try await append(log, unchecked, .crcVerifiedByCaller).firstOffset == 6)
    }

    @Test(arguments: [LogAppend.Validation.full, .crcVerifiedByCaller])
    func append_batchCutShort_isRejected_whateverTheValidation(validation: LogAppend.Validation) async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let batch = try makeBatch(count: 2)
        let cut = batch.getSlice(at: batch.readerIndex, length: batch.readableBytes - 5) ?? ByteBuffer()
        await #expect(throws: LogStoreError.self) { _ = try await append(log, cut, validation) }
        // Two whole batches with garbage after them: the framing check refuses the lot.
        var trailing = batch
        var second = batch
        trailing.writeBuffer(&second)
        trailing.writeBytes([0, 0, 0, 1])
        await #expect(throws: LogStoreError.self) { _ = try await append(log, trailing, validation) }
        #expect(await log.offsets().logEndOffset == 0)
        #expect(try fixture.bytes(segmentName(0, ".log")).isEmpty)
    }

    /// More batches in one append than one pwritev takes, so the stamped headers go out in
    /// several calls; every batch must land at its place with its own offset and the epoch.
    @Test func append_manyBatchesAsLeader_areStampedInPlaceOnDisk() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let count = SegmentedPartitionLog.stampedBatchesPerWrite + 88
        var request = ByteBuffer()
        for index in 0..<count {
            var batch = try makeBatch(count: 1 + index % 3, prefix: "b\(index)")
            request.writeBuffer(&batch)
        }
        let info = try await log.append(LogAppend(batches: request, origin: .leader(epoch: 9, logAppendTime: nil)))
        let batches = try await log.readBatches(from: 0)
        #expect(batches.count == count)
        #expect(info.lastOffset == Int64(batches.reduce(0) { $0 + $1.records.count }) - 1)
        var next: Int64 = 0
        for batch in batches {
            #expect(batch.baseOffset == next && batch.partitionLeaderEpoch == 9)
            next += Int64(batch.records.count)
        }
        #expect(try await log.readValues(from: next - 1).last?.1 == "b\(count - 1)-\((count - 1) % 3)")
        // The request's own bytes are left as the producer sent them.
        #expect(request.getInteger(at: request.readerIndex, as: Int64.self) == 0)
    }
}
