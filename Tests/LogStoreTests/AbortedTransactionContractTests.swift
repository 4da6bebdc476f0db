// Goal: the aborted-transaction index follows the log start as Kafka's per-segment
// `.txnindex` files do: once DeleteRecords or retention moves the log start past an abort
// marker, that entry is gone (and stays gone across a restart), while entries whose marker
// is still in the log are kept. Method: both store kinds through `PartitionLog` only; four
// one-record batches per segment so retention can drop whole segments.

import NIOCore
import Testing
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct AbortedTransactionContractTests {
    /// Twelve one-record batches in segments of three, aborts recorded with markers at 2, 5 and 9.
    private func logWithAborts(_ harness: StoreHarness) async throws -> any PartitionLog {
        let batch = try makeBatch(count: 1)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 3
        config.retentionDuration = nil
        let log = try await harness.store.openLog(testPartition, config: config)
        for _ in 0..<12 { try await log.appendAsLeader(batch) }
        for (first, marker) in [(Int64(0), Int64(2)), (3, 5), (7, 9)] {
            try await log.appendAbortedTransaction(AbortedTransaction(producerId: 7, firstOffset: first, lastOffset: marker, lastStableOffset: first))
        }
        return log
    }

    @Test(arguments: StoreKind.allCases)
    func advanceLogStartOffset_pastAnAbortMarker_dropsThatEntry(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await logWithAborts(harness)
        #expect(try await log.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [2, 5, 9])
        // Inside the second segment: the marker at 5 is still in the log.
        #expect(try await log.advanceLogStartOffset(to: 4) == 4)
        #expect(try await log.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [5, 9])
        #expect(try await log.advanceLogStartOffset(to: 6) == 6)
        #expect(try await log.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [9])
        if kind.isDurable {
            try await harness.store.close()
            let again = try await harness.reopened().openLog(testPartition, config: LogConfig())
            #expect(try await again.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [9])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retention_deletingTheSegmentsOfAbortMarkers_dropsTheirEntries(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await logWithAborts(harness)
        var config = LogConfig()
        config.segmentBytes = try makeBatch(count: 1).readableBytes * 3
        config.retentionDuration = nil
        // Keeps the last two segments (offsets 6 to 11) of four.
        config.retentionBytes = Int64(try makeBatch(count: 1).readableBytes * 6)
        await log.updateConfig(config)
        let result = try await log.enforceRetention(now: harness.clock.wallClockMilliseconds)
        #expect(result.logStartOffset == 6)
        #expect(try await log.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [9])
        if kind.isDurable {
            try await harness.store.close()
            let again = try await harness.reopened().openLog(testPartition, config: config)
            #expect(try await again.abortedTransactions(from: 0, upTo: .max).map(\.lastOffset) == [9])
        }
    }
}
