// Goal: the periodic clean-ups behave as Kafka's: a transaction open past its timeout is aborted
// under a bumped epoch at the next pass (fencing its producer), and a transactional id without
// an open transaction is forgotten, tombstone first, once `transactional.id.expiration.ms` has
// passed since its last change. Method: the harness advances both clocks and fires the timers
// the coordinator armed at start; assertions read the log, the markers and later answers.

import Testing
import TernPrimitives
import TernTransactionCoordinator

@Suite struct TransactionExpiryTests {
    @Test func start_armsBothPeriodicTimers() {
        let harness = TransactionHarness()

        #expect(harness.timers[.abortTimedOutTransactions] == .zero + .seconds(10))
        #expect(harness.timers[.removeExpiredTransactionalIds] == .zero + .seconds(3600))
    }

    @Test func expire_transactionPastTimeout_isAbortedUnderBumpedEpoch() {
        let harness = TransactionHarness()
        let producer = harness.initialized(timeout: .seconds(15))
        harness.addPartitions([partition("t", 0)], producer: producer)

        harness.advance(by: .seconds(10))
        #expect(harness.metadata()?.state == .ongoing)
        harness.advance(by: .seconds(10))

        #expect(harness.metadata()?.state == .prepareAbort)
        #expect(harness.metadata()?.producerEpoch == producer.epoch + 1)
        #expect(harness.pendingMarkers.map(\.result) == [.abort])
        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .producerFenced)
        harness.completeMarkers()
        #expect(harness.loggedStates() == [.empty, .ongoing, .prepareAbort, .completeAbort])
        #expect(harness.timers[.abortTimedOutTransactions] == harness.now + .seconds(10))
    }

    @Test func expire_transactionWithinTimeout_isLeftOpen() {
        let harness = TransactionHarness()
        let producer = harness.initialized(timeout: .seconds(60))
        harness.addPartitions([partition("t", 0)], producer: producer)

        harness.advance(by: .seconds(50))

        #expect(harness.metadata()?.state == .ongoing)
        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .noError)
    }

    @Test func expire_timedOutTransactionWithWriteInFlight_waitsForNextPass() {
        let harness = TransactionHarness()
        let producer = harness.initialized(timeout: .seconds(5))
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.appendsCompleteImmediately = false
        harness.addPartitions([partition("t", 1)], producer: producer)

        harness.advance(by: .seconds(10))
        #expect(harness.heldAppends.count == 1)
        harness.appendsCompleteImmediately = true
        harness.completeHeldAppends()
        harness.advance(by: .seconds(10))

        #expect(harness.metadata()?.state == .prepareAbort)
    }

    @Test func expire_idleTransactionalIdPastExpiration_writesTombstoneAndForgetsIt() {
        let configuration = TransactionCoordinatorConfiguration(
            transactionalIdExpiration: .seconds(7200), offsetsTopicPartitionCount: 10)
        let harness = TransactionHarness(configuration: configuration)
        let producer = harness.initialized("idle")
        harness.addPartitions([partition("t", 0)], producer: producer, transactionalId: "idle")
        harness.endTxn(.commit, producer: producer, transactionalId: "idle")
        harness.completeMarkers()
        let open = harness.initialized("open")
        harness.addPartitions([partition("t", 1)], producer: open, transactionalId: "open")
        harness.advance(by: .seconds(3599))
        _ = harness.initialized("recent")

        harness.advance(by: .seconds(3602))

        #expect(harness.metadata("idle") == nil)
        #expect(harness.log.last == TransactionLogRecord(transactionalId: "idle", value: nil))
        #expect(harness.metadata("recent") != nil)
        // A transaction still finishing never expires: this one was aborted for its timeout,
        // and its markers are still out.
        #expect(harness.metadata("open") != nil)
        #expect(harness.timers[.removeExpiredTransactionalIds] == .zero + .seconds(3 * 3600))
    }

    @Test func expire_tombstoneWriteFails_keepsTransactionalIdForNextPass() {
        let configuration = TransactionCoordinatorConfiguration(
            transactionalIdExpiration: .seconds(60), offsetsTopicPartitionCount: 10)
        let harness = TransactionHarness(configuration: configuration)
        let producer = harness.initialized()
        harness.appendsCompleteImmediately = false

        harness.advance(by: .seconds(3600))
        #expect(harness.manager.describeTransaction("txn") == nil)
        harness.completeHeldAppends(failure: .partitionUnavailable)

        #expect(harness.metadata()?.producerEpoch == producer.epoch)
        #expect(harness.manager.describeTransaction("txn")?.state == .empty)
        harness.appendsCompleteImmediately = true
        harness.advance(by: .seconds(3600))
        #expect(harness.metadata() == nil)
    }

    @Test func initProducerId_whileTombstoneInFlight_isConcurrentTransactions() {
        let configuration = TransactionCoordinatorConfiguration(
            transactionalIdExpiration: .seconds(60), offsetsTopicPartitionCount: 10)
        let harness = TransactionHarness(configuration: configuration)
        _ = harness.initialized()
        harness.appendsCompleteImmediately = false
        harness.advance(by: .seconds(3600))

        let late = harness.initProducerId()

        #expect(harness.error(late) == .concurrentTransactions)
        harness.completeHeldAppends()
        #expect(harness.metadata() == nil)
    }
}
