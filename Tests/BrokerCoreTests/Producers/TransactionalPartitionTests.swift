// Goal: the partition side of transactions behaves as Kafka's: transactional batches are
// accepted and hold the last stable offset at the first open transaction; a marker ends it,
// an abort is listed in a read_committed Fetch (producer id and first offset) and a commit is
// not; ListOffsets LATEST answers the LSO for read_committed; markers with a stale producer or
// coordinator epoch are refused; and after a crash the open transaction and the aborted
// index come back from the snapshot and the log, also when the index file is lost. Method: the DataPlaneHarness over a
// MemoryLogStore, and over a SegmentedLogStore in a temporary directory for the restart.

import Foundation
import NIOCore
import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

@Suite struct TransactionalPartitionTests {
    private let orders = TopicPartition(topic: "orders", partition: 0)

    private func partition(_ broker: DataPlaneHarness) throws -> HostedPartition {
        try #require(broker.replicas.partition(orders))
    }

    private func committedView(_ broker: DataPlaneHarness) async -> FetchResponse.Topic.Partition? {
        await broker.fetch("orders", offset: 0, isolationLevel: 1)?.responses.first?.partitions.first
    }

    @Test func produce_transactional_holdsLastStableOffset_untilMarker() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["plain"]))
        let first = await broker.produce("orders", records: try makeIdempotentBatch(["t1", "t2"], producerId: 7, sequence: 0, transactional: true))
        #expect(first?.errorCode == 0 && first?.baseOffset == 1)
        _ = await broker.produce("orders", records: try makeBatch(["after"]))
        let replica = try partition(broker)
        #expect(await replica.lastStableOffset == 1)
        #expect(await replica.highWatermark == 4)
        var view = await committedView(broker)
        #expect(view?.lastStableOffset == 1 && view?.highWatermark == 4)
        #expect(try values(in: view?.records) == ["plain"])
        #expect(view?.abortedTransactions == [])

        let marker = try await replica.writeTransactionMarker(producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, result: .abort)
        #expect(marker == 4)
        view = await committedView(broker)
        #expect(view?.lastStableOffset == 5)
        #expect(view?.abortedTransactions == [.init(producerId: 7, firstOffset: 1)])
        // The uncommitted view has no aborted list.
        let uncommitted = await broker.fetch("orders", offset: 0)?.responses.first?.partitions.first
        #expect(uncommitted?.abortedTransactions == nil)
    }

    @Test func marker_commit_isNotListed_staleEpochsAreRefused() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["t"], producerId: 8, epoch: 2, sequence: 0, transactional: true))
        let replica = try partition(broker)
        _ = try await replica.writeTransactionMarker(producerId: 8, producerEpoch: 2, coordinatorEpoch: 5, result: .commit)
        #expect(await committedView(broker)?.abortedTransactions == [])
        #expect(await replica.lastStableOffset == 2)
        await #expect(throws: PartitionError.self) {
            _ = try await replica.writeTransactionMarker(producerId: 8, producerEpoch: 1, coordinatorEpoch: 5, result: .abort)
        }
        await #expect(throws: PartitionError.self) {
            _ = try await replica.writeTransactionMarker(producerId: 8, producerEpoch: 2, coordinatorEpoch: 4, result: .abort)
        }
        #expect(await replica.offsets().logEndOffset == 2)
    }

    @Test func listOffsets_latestReadCommitted_isLastStableOffset() async throws {
        let broker = await DataPlaneHarness()
        _ = await broker.produce("orders", records: try makeBatch(["a"]))
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["t"], producerId: 7, sequence: 0, transactional: true))
        for (isolation, expected) in [(Int8(0), Int64(2)), (1, 1)] {
            let request = ListOffsetsRequest(replicaId: -1, isolationLevel: isolation, topics: [
                .init(name: "orders", partitions: [.init(partitionIndex: 0, timestamp: -1)])])
            guard case .body(.listOffsets(let response)) = await broker.send(.listOffsets(request), version: 5) else {
                Issue.record("no ListOffsets response")
                continue
            }
            #expect(response.topics.first?.partitions.first?.offset == expected)
        }
    }

    @Test(arguments: [Int16(0), 1])
    func writeTxnMarkers_appendsPerPartition_withPerPartitionErrors(version: Int16) async throws {
        let broker = await DataPlaneHarness(topics: ["orders": 2])
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["t"], producerId: 7, epoch: 3, sequence: 0, transactional: true))
        let request = WriteTxnMarkersRequest(markers: [
            .init(producerId: 7, producerEpoch: 3, transactionResult: false,
                  topics: [.init(name: "orders", partitionIndexes: [0, 1, 5]), .init(name: "nope", partitionIndexes: [0])],
                  coordinatorEpoch: 1),
            .init(producerId: 8, producerEpoch: 0, transactionResult: true, topics: [.init(name: "orders", partitionIndexes: [0])],
                  coordinatorEpoch: 1),
        ])
        guard case .body(.writeTxnMarkers(let response)) = await broker.send(.writeTxnMarkers(request), version: version) else {
            Issue.record("no WriteTxnMarkers response")
            return
        }
        let codes = response.markers.map { $0.topics.map { $0.partitions.map(\.errorCode) } }
        let unknown = KafkaErrorCode.unknownTopicOrPartition.rawValue
        #expect(codes == [[[0, 0, unknown], [unknown]], [[0]]])
        #expect(await committedView(broker)?.abortedTransactions == [.init(producerId: 7, firstOffset: 0)])
        #expect(try await partition(broker).offsets().logEndOffset == 3)
        // A stale producer epoch is fenced.
        let stale = WriteTxnMarkersRequest(markers: [.init(producerId: 7, producerEpoch: 2, transactionResult: true,
                                                           topics: [.init(name: "orders", partitionIndexes: [0])], coordinatorEpoch: 1)])
        guard case .body(.writeTxnMarkers(let fenced)) = await broker.send(.writeTxnMarkers(stale), version: version) else { return }
        #expect(fenced.markers.first?.topics.first?.partitions.first?.errorCode == KafkaErrorCode.invalidProducerEpoch.rawValue)
    }

    final class Directory: Sendable {
        let path = NSTemporaryDirectory() + "tern-txn-partition-" + UUID().uuidString
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func restart_afterCrash_restoresOpenTransaction_andAbortedIndex() async throws {
        let directory = Directory()
        let clock = ManualClock()
        let stores = CrashableStores(directory: directory.path)
        let first = await DataPlaneHarness(logStore: try stores.open(clock: clock), clock: clock)
        _ = await first.produce("orders", records: try makeIdempotentBatch(["x"], producerId: 7, sequence: 0, transactional: true))
        _ = try await partition(first).writeTransactionMarker(producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, result: .abort)
        await first.replicas.maintain(wallClockMilliseconds: clock.wallClockMilliseconds)
        _ = await first.produce("orders", records: try makeIdempotentBatch(["y"], producerId: 9, sequence: 0, transactional: true))
        // Crash: abandoned without close; the index file is lost too, and rebuilt only past the snapshot.
        let second = await DataPlaneHarness(logStore: try stores.open(clock: clock), clock: clock)
        let replica = try partition(second)
        #expect(await replica.producerStateTable.producers[9]?.currentTransactionFirstOffset == 2)
        #expect(await replica.lastStableOffset == 2)
        #expect(await committedView(second)?.abortedTransactions == [.init(producerId: 7, firstOffset: 0)])
        _ = try await replica.writeTransactionMarker(producerId: 9, producerEpoch: 0, coordinatorEpoch: 0, result: .abort)
        await second.replicas.shutdown()

        try FileManager.default.removeItem(atPath: directory.path + "/orders-0/aborted-transactions.txnindex")
        let third = await DataPlaneHarness(logStore: try stores.open(clock: clock), clock: clock)
        // The snapshot at close covers everything and names the last abort, so the lost index
        // is rebuilt from the log.
        let aborted = await committedView(third)?.abortedTransactions
        #expect(aborted == [.init(producerId: 7, firstOffset: 0), .init(producerId: 9, firstOffset: 2)])
        await third.replicas.shutdown()
    }
}
