// Goal: memory never runs ahead of `__transaction_state`. Answers wait for durability; a failed
// write is undone and its request told why (in Kafka's mapping); a failed completion is retried
// until it sticks; and a coordinator loaded from the log resumes what the old one left: markers
// of decided transactions go out again, open transactions still time out. Method: the harness
// holds appends so a test can fail them, and reloads a fresh manager from the records it kept.

import Testing
import TernPrimitives
import TernTransactionCoordinator

@Suite struct TransactionDurabilityTests {
    @Test func appended_initProducerIdFails_answersMappedErrorAndRetryReusesProducerId() {
        let harness = TransactionHarness()
        harness.appendsCompleteImmediately = false
        let first = harness.initProducerId()
        #expect(harness.response(first) == nil)

        harness.completeHeldAppends(failure: .notLeader)

        #expect(harness.error(first) == .notCoordinator)
        #expect(harness.metadata()?.producerEpoch == -1)
        harness.appendsCompleteImmediately = true
        #expect(harness.initialized() == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
        #expect(harness.nextProducerId == 1001)
    }

    @Test func appended_addPartitionsFails_keepsEarlierPartitions() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.appendsCompleteImmediately = false
        let add = harness.addPartitions([partition("t", 1)], producer: producer)

        harness.completeHeldAppends(failure: .partitionUnavailable)

        #expect(harness.error(add) == .coordinatorNotAvailable)
        #expect(harness.metadata()?.partitions == [partition("t", 0)])
        #expect(harness.metadata()?.state == .ongoing)
    }

    @Test func appended_endTxnFails_leavesTransactionOpenWithoutMarkers() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.appendsCompleteImmediately = false
        let commit = harness.endTxn(.commit, producer: producer)

        harness.completeHeldAppends(failure: .recordTooLarge)

        #expect(harness.error(commit) == .unknownServerError)
        #expect(harness.metadata()?.state == .ongoing)
        #expect(harness.markerWrites.isEmpty)
        harness.appendsCompleteImmediately = true
        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .noError)
        #expect(harness.markerWrites.count == 1)
    }

    @Test func appended_fenceFails_keepsOldEpochAndNextFenceBumpsTheSame() {
        let harness = TransactionHarness()
        let old = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: old)
        harness.appendsCompleteImmediately = false
        let fence = harness.initProducerId()

        harness.completeHeldAppends(failure: .partitionUnavailable)

        #expect(harness.error(fence) == .coordinatorNotAvailable)
        #expect(harness.metadata()?.producerEpoch == old.epoch)
        #expect(harness.metadata()?.state == .ongoing)
        harness.appendsCompleteImmediately = true
        #expect(harness.error(harness.initProducerId()) == .concurrentTransactions)
        #expect(harness.metadata()?.producerEpoch == old.epoch + 1)
    }

    @Test func appended_completionFails_isRetriedAfterBackoff() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.endTxn(.commit, producer: producer)
        harness.appendsCompleteImmediately = false
        harness.completeMarkers()

        harness.completeHeldAppends(failure: .notLeader)
        #expect(harness.metadata()?.state == .prepareCommit)
        #expect(harness.timers[.retryCompletion(transactionalId: "txn")] == harness.now + .milliseconds(100))
        #expect(harness.error(harness.initProducerId()) == .concurrentTransactions)
        harness.appendsCompleteImmediately = true
        harness.advance(by: .milliseconds(100))

        #expect(harness.metadata()?.state == .completeCommit)
        #expect(harness.loggedStates() == [.empty, .ongoing, .prepareCommit, .completeCommit])
    }

    @Test func expire_retryCompletionWithNothingPending_doesNothing() {
        let harness = TransactionHarness()
        _ = harness.initialized()

        let actions = harness.manager.expire(.retryCompletion(transactionalId: "txn"), now: harness.now, wallClockMilliseconds: harness.wallClock)

        #expect(actions.isEmpty)
    }

    @Test func reload_afterPrepareCommit_resendsMarkersAndCompletes() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0), partition("u", 1)], producer: producer)
        harness.endTxn(.commit, producer: producer)
        harness.completeMarkers(partitions: [partition("t", 0)])

        harness.reload(coordinatorEpoch: 9)

        #expect(harness.metadata()?.state == .prepareCommit)
        #expect(harness.pendingMarkers.count == 1)
        let markers = harness.pendingMarkers.first
        // The log still names both partitions: a duplicate marker is harmless, a missing one is not.
        #expect(markers?.partitions == [partition("t", 0), partition("u", 1)])
        #expect(markers?.coordinatorEpoch == 9)
        #expect(markers?.producerEpoch == producer.epoch)
        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .concurrentTransactions)
        harness.completeMarkers()
        #expect(harness.metadata()?.state == .completeCommit)
        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .noError)
    }

    @Test func reload_afterFencingAbort_resendsAbortMarkersUnderBumpedEpoch() {
        let harness = TransactionHarness()
        let old = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: old)
        harness.initProducerId()

        harness.reload()

        #expect(harness.pendingMarkers.map(\.result) == [.abort])
        #expect(harness.pendingMarkers.map(\.producerEpoch) == [old.epoch + 1])
    }

    @Test func reload_openTransaction_stillTimesOut() {
        let harness = TransactionHarness()
        let producer = harness.initialized(timeout: .seconds(20))
        harness.addPartitions([partition("t", 0)], producer: producer)

        harness.reload()
        #expect(harness.pendingMarkers.isEmpty)
        harness.advance(by: .seconds(30))

        #expect(harness.metadata()?.state == .prepareAbort)
        #expect(harness.metadata()?.transactionStartTimestamp == 1_700_000_000_000)
    }

    @Test func reload_completedAndIdleIds_restoresStateWithoutActions() {
        let harness = TransactionHarness()
        let producer = harness.initialized("a")
        harness.addPartitions([partition("t", 0)], producer: producer, transactionalId: "a")
        harness.endTxn(.abort, producer: producer, transactionalId: "a")
        harness.completeMarkers()
        let idle = harness.initialized("b")
        let before = harness.manager.transactions

        harness.reload()

        #expect(harness.manager.transactions["a"]?.state == .completeAbort)
        #expect(harness.manager.transactions["b"]?.producerEpoch == idle.epoch)
        #expect(harness.pendingMarkers.isEmpty)
        #expect(harness.manager.transactions.keys.sorted() == before.keys.sorted())
        #expect(harness.initialized("b") == ProducerIdAndEpoch(producerId: idle.producerId, epoch: idle.epoch + 1))
    }

    @Test func replay_tombstoneAndOddStates_followKafkasMeaning() {
        var manager = TransactionMetadataManager(coordinatorEpoch: 0)

        manager.replay(storedValue(epoch: 3, state: .ongoing, partitions: [partition("t", 0)], startTimestamp: 5))
        manager.replay(TransactionLogRecord(transactionalId: "txn", value: nil))
        #expect(manager.transactions["txn"] == nil)
        manager.replay(storedValue(epoch: 3, state: .prepareEpochFence, partitions: [partition("t", 0)], startTimestamp: 5))
        #expect(manager.transactions["txn"]?.state == .ongoing)
        manager.replay(storedValue(epoch: 3, state: .dead))
        #expect(manager.transactions["txn"] == nil)
    }

    @Test func appended_withVersion1Values_reloadsLastProducerIdAfterRotation() {
        let configuration = TransactionCoordinatorConfiguration(offsetsTopicPartitionCount: 10, transactionLogValueVersion: 1)
        let harness = TransactionHarness(configuration: configuration)
        harness.load([storedValue(producerId: 500, epoch: Int16.max - 1, state: .completeCommit)])
        let held = ProducerIdAndEpoch(producerId: 500, epoch: Int16.max - 1)
        let rotated = harness.initialized(expected: held)
        #expect(harness.log.last?.value?.version == 1)
        #expect(harness.log.last?.value?.previousProducerId == 500)

        harness.reload()

        #expect(harness.metadata()?.lastProducerId == 500)
        #expect(harness.metadata()?.producerId == rotated.producerId)
    }
}
