// Goal: the transaction coordinator's driver carries a transaction end to end: InitProducerId
// with a transactional id hands out a producer id, AddPartitionsToTxn and EndTxn go through
// `__transaction_state`, the markers are written to the partitions through the marker
// writer (the read_committed view then lists the abort), a restarted service reloads the
// transactional id from the log and fences the old epoch, and requests for partitions it does
// not lead are NOT_COORDINATOR. Method: a DataPlaneHarness for the data partitions, a
// MemoryInternalTopicStore for `__transaction_state`, the service driven through its methods.

import Logging
import NIOCore
import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

@Suite struct TransactionCoordinatorServiceTests {
    /// Timers wait for `fireDueTimers` unless `realTimers`.
    private func service(_ broker: DataPlaneHarness, store: MemoryInternalTopicStore, realTimers: Bool = true) -> TransactionCoordinatorService {
        TransactionCoordinatorService(
            store: store, clock: broker.clock, configuration: TransactionCoordinatorConfiguration(), partitionCount: 4,
            producerIds: InMemoryProducerIdSource(first: 1000), markers: broker.markers, coordinatorEpoch: { _ in 7 },
            logger: Logger(label: "test"),
            sleep: { delay in try await Task.sleep(for: realTimers ? .milliseconds(1) : .seconds(3600)) })
    }

    /// Polls until the markers of the last EndTxn have reached the data partition.
    private func waitForLogEnd(_ broker: DataPlaneHarness, _ end: Int64) async throws {
        let partition = try #require(broker.replicas.partition(TopicPartition(topic: "orders", partition: 0)))
        for _ in 0..<500 where await partition.offsets().logEndOffset < end {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(await partition.offsets().logEndOffset == end)
    }

    @Test func transaction_initAddAbort_writesMarker_andRestartFences() async throws {
        let broker = await DataPlaneHarness()
        let store = MemoryInternalTopicStore()
        let first = service(broker, store: store)
        try await first.start()
        await first.waitUntilLoaded()
        let initialized = await first.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        #expect(initialized.error == .noError && initialized.producerId == 1000 && initialized.producerEpoch == 0)
        let orders = TopicPartition(topic: "orders", partition: 0)
        let added = await first.addPartitions(AddPartitionsToTxnEvent(transactionalId: "tx", producerId: 1000, producerEpoch: 0,
                                                                      partitions: [orders]))
        #expect(added == .noError)
        _ = await broker.produce("orders", records: try makeIdempotentBatch(["t"], producerId: 1000, sequence: 0, transactional: true))
        let ended = await first.endTransaction(EndTxnEvent(transactionalId: "tx", producerId: 1000, producerEpoch: 0, result: .abort))
        #expect(ended == .noError)
        try await waitForLogEnd(broker, 2)
        let view = await broker.fetch("orders", offset: 0, isolationLevel: 1)?.responses.first?.partitions.first
        #expect(view?.abortedTransactions == [.init(producerId: 1000, firstOffset: 0)])
        await first.shutdown()

        let second = service(broker, store: store)
        try await second.start()
        await second.waitUntilLoaded()
        // The first service may have stopped before writing CompleteAbort; the second then
        // resends the markers first and answers CONCURRENT_TRANSACTIONS meanwhile, as Kafka does.
        var again = await second.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        for _ in 0..<500 where again.error == .concurrentTransactions {
            try await Task.sleep(for: .milliseconds(2))
            again = await second.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        }
        #expect(again.error == .noError && again.producerId == 1000 && again.producerEpoch == 1)
        let stale = await second.endTransaction(EndTxnEvent(transactionalId: "tx", producerId: 1000, producerEpoch: 0, result: .commit))
        #expect(stale == .producerFenced)
        await second.shutdown()
    }

    @Test func transaction_pastItsTimeout_isAbortedByTheTimer() async throws {
        let broker = await DataPlaneHarness()
        let coordinator = service(broker, store: MemoryInternalTopicStore(), realTimers: false)
        try await coordinator.start()
        await coordinator.waitUntilLoaded()
        let initialized = await coordinator.initProducerId(InitProducerIdEvent(transactionalId: "slow", transactionTimeout: .seconds(5)))
        let orders = TopicPartition(topic: "orders", partition: 0)
        #expect(await coordinator.addPartitions(AddPartitionsToTxnEvent(
            transactionalId: "slow", producerId: initialized.producerId, producerEpoch: 0, partitions: [orders])) == .noError)
        _ = await broker.produce("orders", records: try makeIdempotentBatch(
            ["t"], producerId: initialized.producerId, sequence: 0, transactional: true))
        #expect(try await #require(broker.replicas.partition(orders)).lastStableOffset == 0)
        broker.clock.advance(by: .seconds(11))
        await coordinator.fireDueTimers()
        try await waitForLogEnd(broker, 2)
        #expect(try await #require(broker.replicas.partition(orders)).lastStableOffset == 2)
        let view = await broker.fetch("orders", offset: 0, isolationLevel: 1)?.responses.first?.partitions.first
        #expect(view?.abortedTransactions == [.init(producerId: initialized.producerId, firstOffset: 0)])
        // The fenced producer's commit is refused.
        let late = await coordinator.endTransaction(EndTxnEvent(
            transactionalId: "slow", producerId: initialized.producerId, producerEpoch: 0, result: .commit))
        #expect(late == .producerFenced)
        await coordinator.shutdown()
    }

    @Test func request_partitionNotLed_isNotCoordinator() async throws {
        let broker = await DataPlaneHarness()
        let store = MemoryInternalTopicStore()
        let coordinator = service(broker, store: store)
        let before = await coordinator.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        #expect(before.error == .coordinatorNotAvailable)
        try await coordinator.start()
        await coordinator.waitUntilLoaded()
        await coordinator.resigned(fromTransactionStatePartition: coordinator.partition(for: "tx"))
        let after = await coordinator.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        #expect(after.error == .notCoordinator)
        await coordinator.shutdown()
    }
}
