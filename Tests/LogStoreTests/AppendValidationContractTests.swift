// Goal: both stores treat `LogAppend.Validation` alike: CRCs are checked by default and taken
// on the caller's word when it vouches for them (the Produce handler has checked them over the
// same bytes), so neither store spends a second pass over every byte on the produce path.
// Method: append a batch with a flipped payload bit under each validation, through the API.

import NIOCore
import Testing
import TernLogStore

@Suite struct AppendValidationContractTests {
    private func append(_ log: any PartitionLog, _ batch: ByteBuffer, _ validation: LogAppend.Validation) async throws -> LogAppendInfo {
        try await log.append(LogAppend(batches: batch, origin: .leader(epoch: 0, logAppendTime: nil), validation: validation))
    }

    private func flippedLastByte(_ batch: ByteBuffer) -> ByteBuffer {
        var damaged = batch
        let last = damaged.writerIndex - 1
        damaged.setInteger((damaged.getInteger(at: last, as: UInt8.self) ?? 0) ^ 0x01, at: last)
        return damaged
    }

    @Test(arguments: StoreKind.allCases)
    func badCRC_rejectedByDefault_takenOnTheCallersWord(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        let damaged = flippedLastByte(try makeBatch(count: 2))
        await #expect(throws: LogStoreError.self) { _ = try await append(log, damaged, .full) }
        #expect(await log.offsets().logEndOffset == 0)
        #expect(try await append(log, damaged, .crcVerifiedByCaller).lastOffset == 1)
    }
}
