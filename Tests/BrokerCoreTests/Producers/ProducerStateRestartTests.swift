// Goal: producer state survives a broker restart, so a batch retried across the restart is
// still a duplicate and a gap is still refused: after a clean shutdown (the snapshot written
// at close), after a crash (rebuilt from the log, on top of a periodic snapshot), and when
// the snapshot is damaged (rebuilt from the log), where without a snapshot only batches
// newer than the producer expiration are replayed. Method: a broker over a
// SegmentedLogStore in a temporary directory, then a new ReplicaManager over a new store on
// the same directory; a crash is a store abandoned without `close()`.

import Foundation
import NIOCore
import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct ProducerStateRestartTests {
    private let orders = TopicPartition(topic: "orders", partition: 0)

    /// A store directory removed when the test ends.
    final class Directory: Sendable {
        let path = NSTemporaryDirectory() + "tern-producer-state-" + UUID().uuidString
        let stores: CrashableStores
        init() { stores = CrashableStores(directory: path) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private func broker(on directory: Directory, clock: ManualClock) async throws -> DataPlaneHarness {
        let store = try directory.stores.open(clock: clock)
        return await DataPlaneHarness(logStore: store, clock: clock)
    }

    private func logEnd(_ broker: DataPlaneHarness) async -> Int64? {
        await broker.replicas.partition(orders)?.offsets().logEndOffset
    }

    @Test func restart_afterCleanShutdown_retriedBatchIsStillDuplicate() async throws {
        let directory = Directory()
        let clock = ManualClock()
        let first = try await broker(on: directory, clock: clock)
        let a = try makeIdempotentBatch(["a", "b"], producerId: 7, sequence: 0)
        let b = try makeIdempotentBatch(["c", "d", "e"], producerId: 7, sequence: 2)
        #expect(await first.produce("orders", records: a)?.baseOffset == 0)
        #expect(await first.produce("orders", records: b)?.baseOffset == 2)
        await first.replicas.shutdown()
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/orders-0").filter { $0.hasSuffix(".snapshot") }
        #expect(snapshots == ["00000000000000000005.snapshot"])

        let second = try await broker(on: directory, clock: clock)
        #expect(await second.replicas.partition(orders)?.producerStateTable.producers[7]?.batches.count == 2)
        let retryA = await second.produce("orders", records: a)
        let retryB = await second.produce("orders", records: b)
        #expect(retryA?.errorCode == 0 && retryA?.baseOffset == 0)
        #expect(retryB?.errorCode == 0 && retryB?.baseOffset == 2)
        #expect(await logEnd(second) == 5)
        let gap = await second.produce("orders", records: try makeIdempotentBatch(["x"], producerId: 7, sequence: 9))
        #expect(gap?.errorCode == KafkaErrorCode.outOfOrderSequenceNumber.rawValue)
        #expect(await second.produce("orders", records: try makeIdempotentBatch(["f"], producerId: 7, sequence: 5))?.baseOffset == 5)
        await second.replicas.shutdown()
    }

    @Test func restart_afterCrash_replaysTheLogAfterTheLastSnapshot() async throws {
        let directory = Directory()
        let clock = ManualClock()
        let first = try await broker(on: directory, clock: clock)
        let a = try makeIdempotentBatch(["a"], producerId: 7, sequence: 0)
        let b = try makeIdempotentBatch(["b"], producerId: 8, sequence: 0)
        let c = try makeIdempotentBatch(["c", "d"], producerId: 7, sequence: 1)
        _ = await first.produce("orders", records: a)
        _ = await first.produce("orders", records: b)
        // The periodic snapshot covers a and b; c comes after it.
        await first.replicas.maintain(wallClockMilliseconds: clock.wallClockMilliseconds)
        _ = await first.produce("orders", records: try makeBatch(["plain"]))
        #expect(await first.produce("orders", records: c)?.baseOffset == 3)
        // Crash: the first broker's store is abandoned without close.

        let second = try await broker(on: directory, clock: clock)
        #expect(await second.produce("orders", records: a)?.baseOffset == 0)
        #expect(await second.produce("orders", records: b)?.baseOffset == 1)
        #expect(await second.produce("orders", records: c)?.baseOffset == 3)
        #expect(await logEnd(second) == 5)
        let gap = await second.produce("orders", records: try makeIdempotentBatch(["x"], producerId: 8, sequence: 2))
        #expect(gap?.errorCode == KafkaErrorCode.outOfOrderSequenceNumber.rawValue)
        await second.replicas.shutdown()
    }

    @Test func restart_withDamagedSnapshot_rebuildsFromTheLog() async throws {
        let directory = Directory()
        let clock = ManualClock()
        let first = try await broker(on: directory, clock: clock)
        let a = try makeIdempotentBatch(["a", "b"], producerId: 7, sequence: 0)
        _ = await first.produce("orders", records: a)
        await first.replicas.shutdown()
        let snapshot = directory.path + "/orders-0/00000000000000000002.snapshot"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: snapshot))

        let second = try await broker(on: directory, clock: clock)
        let retry = await second.produce("orders", records: a)
        #expect(retry?.errorCode == 0 && retry?.baseOffset == 0)
        #expect(await logEnd(second) == 2)
        await second.replicas.shutdown()
    }

    @Test func restart_withoutSnapshot_replaysOnlyBatchesWithinTheExpiration() async throws {
        let directory = Directory()
        let clock = ManualClock()
        let first = try await broker(on: directory, clock: clock)
        let twoDaysAgo = clock.wallClockMilliseconds - 2 * 86_400_000
        let old = try makeIdempotentBatch(["old"], producerId: 5, sequence: 0, baseTimestamp: twoDaysAgo)
        let recent = try makeIdempotentBatch(["new"], producerId: 7, sequence: 0, baseTimestamp: clock.wallClockMilliseconds)
        _ = await first.produce("orders", records: old)
        _ = await first.produce("orders", records: recent)
        // Crash before any snapshot was written.

        let second = try await broker(on: directory, clock: clock)
        #expect(await second.replicas.partition(orders)?.producerStateTable.producers.keys.sorted() == [7])
        #expect(await second.produce("orders", records: recent)?.baseOffset == 1)
        #expect(await logEnd(second) == 2)
        await second.replicas.shutdown()
    }
}
