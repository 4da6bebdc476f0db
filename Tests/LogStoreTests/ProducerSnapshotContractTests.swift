// Goal: both stores keep a partition's producer-state snapshot alike: the latest one written
// is read back with its offset, it must lie within the log, truncation below its offset and
// a full truncation discard it, retention and reopening keep it, deleting the log removes it;
// the segmented store also keeps it across restarts, as one `<offset>.snapshot` file, and
// drops snapshots a crash left beyond the log end. Method: the PartitionLog API per store
// kind, plus the segmented store's files.

import Foundation
import Testing
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct ProducerSnapshotContractTests {
    private func snapshot(_ offset: Int64, _ marker: UInt8 = 1) -> ProducerSnapshot {
        ProducerSnapshot(offset: offset, bytes: [marker, 2, 3, UInt8(truncatingIfNeeded: offset)])
    }

    @Test(arguments: StoreKind.allCases)
    func write_thenRead_returnsTheLatest(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        #expect(try await log.producerSnapshot() == nil)
        try await log.appendAsLeader(makeBatch(count: 3))
        try await log.writeProducerSnapshot(snapshot(0))
        try await log.writeProducerSnapshot(snapshot(3))
        #expect(try await log.producerSnapshot() == snapshot(3))
        try await log.writeProducerSnapshot(snapshot(3, 9))
        #expect(try await log.producerSnapshot() == snapshot(3, 9))
        #expect(try await log.producerSnapshot()?.bytes.count == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func write_offsetOutsideTheLog_isOutOfRange(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        await #expect(throws: LogStoreError.offsetOutOfRange(requested: 3, logStart: 0, logEnd: 2)) {
            try await log.writeProducerSnapshot(snapshot(3))
        }
        await #expect(throws: LogStoreError.self) { try await log.writeProducerSnapshot(snapshot(-1)) }
        #expect(try await log.producerSnapshot() == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func truncate_belowTheSnapshotOffset_discardsIt_atOrAbove_keepsIt(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        for _ in 0..<4 { try await log.appendAsLeader(makeBatch(count: 2)) }
        try await log.writeProducerSnapshot(snapshot(6))
        try await log.truncate(to: 6)
        #expect(try await log.producerSnapshot() == snapshot(6))
        try await log.truncate(to: 4)
        #expect(try await log.producerSnapshot() == nil)
        // Growing past the old offset again must not bring the stale snapshot back.
        for _ in 0..<3 { try await log.appendAsLeader(makeBatch(count: 2)) }
        #expect(try await log.producerSnapshot() == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func truncateFully_discardsTheSnapshot(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        try await log.writeProducerSnapshot(snapshot(2))
        try await log.truncateFully(startingAt: 10)
        #expect(try await log.producerSnapshot() == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func raisingTheLogStart_andReopening_keepTheSnapshot(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        var config = LogConfig()
        config.segmentBytes = 200
        let log = try await harness.store.openLog(testPartition, config: config)
        for _ in 0..<6 { try await log.appendAsLeader(makeBatch(count: 2)) }
        try await log.writeProducerSnapshot(snapshot(4))
        _ = try await log.advanceLogStartOffset(to: 8)
        #expect(try await log.producerSnapshot() == snapshot(4))
        try await log.close()
        let again = try await harness.store.openLog(testPartition, config: config)
        #expect(try await again.producerSnapshot() == snapshot(4))
    }

    @Test(arguments: StoreKind.allCases)
    func deleteLog_removesTheSnapshot(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        try await log.writeProducerSnapshot(snapshot(2))
        try await harness.store.deleteLog(testPartition)
        await #expect(throws: LogStoreError.closed(testPartition)) { _ = try await log.producerSnapshot() }
        let fresh = try await harness.store.openLog(testPartition, config: LogConfig())
        #expect(try await fresh.producerSnapshot() == nil)
    }

    // MARK: Durable stores

    @Test func restart_afterCleanClose_keepsOneSnapshotFile() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 3))
        try await log.writeProducerSnapshot(snapshot(1))
        try await log.writeProducerSnapshot(snapshot(3))
        try await fixture.store.close()
        #expect(try fixture.files().filter { $0.contains(".snapshot") } == [segmentName(3, ".snapshot")])

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: LogConfig())
        #expect(try await again.producerSnapshot() == snapshot(3))
        try await store.close()
    }

    @Test func restart_snapshotBeyondTheRecoveredLogEnd_isDiscarded() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 3))
        try await log.writeProducerSnapshot(snapshot(3))
        // As if the log's tail was lost in a crash after a later snapshot was written.
        try fixture.write(snapshot(9).bytes, to: segmentName(9, ".snapshot"))

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: LogConfig())
        #expect(try await again.producerSnapshot() == snapshot(3))
        #expect(try !fixture.files().contains(segmentName(9, ".snapshot")))
        try await again.appendAsLeader(makeBatch(count: 7))
        #expect(try await again.producerSnapshot() == snapshot(3))
        try await store.close()
    }
}
