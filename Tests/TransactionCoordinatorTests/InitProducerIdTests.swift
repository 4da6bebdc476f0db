// Goal: InitProducerId hands out producer ids and epochs as Kafka's coordinator does: a new
// transactional id gets a fresh id at epoch 0, a known one the next epoch, an open transaction is
// aborted under a bumped epoch first, exhausted epochs rotate the producer id, and KIP-360
// retries get their earlier answer while fenced producers stay fenced. Method: the harness plays
// producers and the cluster's producer id allocator; states near epoch exhaustion are loaded
// from hand-made log records.

import Testing
import TernPrimitives
import TernTransactionCoordinator

@Suite struct InitProducerIdTests {
    static let lastUsableEpoch = Int16.max - 1

    @Test func initProducerId_newTransactionalId_allocatesProducerIdAtEpochZero() {
        let harness = TransactionHarness()

        let producer = harness.initialized(timeout: .seconds(30))

        #expect(producer == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
        #expect(harness.loggedStates() == [.empty])
        let value = harness.log.last?.value
        #expect(value?.producerId == 1000)
        #expect(value?.producerEpoch == 0)
        #expect(value?.transactionTimeoutMilliseconds == 30_000)
        #expect(value?.topics == nil)
        #expect(value?.startTimestamp == -1)
        #expect(value?.lastUpdateTimestamp == harness.wallClock)
    }

    @Test func initProducerId_knownIdleTransactionalId_bumpsEpochAndFencesOldProducer() {
        let harness = TransactionHarness()
        let old = harness.initialized()

        let new = harness.initialized()

        #expect(new == ProducerIdAndEpoch(producerId: old.producerId, epoch: old.epoch + 1))
        #expect(harness.nextProducerId == 1001)
        #expect(harness.error(harness.addPartitions([partition("t", 0)], producer: old)) == .producerFenced)
    }

    @Test func initProducerId_invalidArguments_areRefused() {
        let harness = TransactionHarness()

        #expect(harness.error(harness.initProducerId("")) == .invalidRequest)
        #expect(harness.error(harness.initProducerId(timeout: .zero)) == .invalidTransactionTimeout)
        #expect(harness.error(harness.initProducerId(timeout: .seconds(15 * 60 + 1))) == .invalidTransactionTimeout)
        #expect(harness.metadata() == nil)
    }

    @Test func initProducerId_ongoingTransaction_abortsUnderBumpedEpochAndAsksForRetry() {
        let harness = TransactionHarness()
        let old = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: old)

        let fence = harness.initProducerId()

        #expect(harness.error(fence) == .concurrentTransactions)
        #expect(harness.metadata()?.state == .prepareAbort)
        #expect(harness.pendingMarkers.map(\.result) == [.abort])
        #expect(harness.pendingMarkers.map(\.producerEpoch) == [old.epoch + 1])
        #expect(harness.error(harness.endTxn(.commit, producer: old)) == .producerFenced)
        #expect(harness.error(harness.initProducerId()) == .concurrentTransactions)
        harness.completeMarkers()
        #expect(harness.initialized() == ProducerIdAndEpoch(producerId: old.producerId, epoch: old.epoch + 2))
        #expect(harness.loggedStates() == [.empty, .ongoing, .prepareAbort, .completeAbort, .empty])
    }

    @Test func initProducerId_exhaustedEpoch_rotatesToNewProducerId() {
        let harness = TransactionHarness()
        harness.load([storedValue(producerId: 500, epoch: Self.lastUsableEpoch, state: .completeCommit)])

        let producer = harness.initialized()

        #expect(producer == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
        #expect(harness.metadata()?.lastProducerId == 500)
    }

    @Test func initProducerId_fenceReachesLastEpoch_retryRotatesProducerId() {
        let harness = TransactionHarness()
        harness.load([storedValue(producerId: 500, epoch: Self.lastUsableEpoch, state: .ongoing,
                                  partitions: [partition("t", 0)], startTimestamp: harness.wallClock)])

        let fence = harness.initProducerId()
        #expect(harness.error(fence) == .concurrentTransactions)
        #expect(harness.pendingMarkers.map(\.producerEpoch) == [Int16.max])
        harness.completeMarkers()

        #expect(harness.initialized() == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
    }

    @Test func initProducerId_retryOfRotationWithOldIdAndEpoch_getsSameAnswer() {
        let harness = TransactionHarness()
        harness.load([storedValue(producerId: 500, epoch: Self.lastUsableEpoch, state: .completeAbort)])
        let held = ProducerIdAndEpoch(producerId: 500, epoch: Self.lastUsableEpoch)

        let first = harness.initialized(expected: held)
        let retry = harness.initialized(expected: held)

        #expect(first == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
        #expect(retry == first)
        #expect(harness.nextProducerId == 1001)
    }

    @Test func initProducerId_expectedCurrentEpoch_bumpsOnceAndRetryGetsSameEpoch() {
        let harness = TransactionHarness()
        let producer = harness.initialized()

        let recovered = harness.initialized(expected: producer)
        let retry = harness.initialized(expected: producer)

        #expect(recovered == ProducerIdAndEpoch(producerId: producer.producerId, epoch: producer.epoch + 1))
        #expect(retry == recovered)
        let stale = ProducerIdAndEpoch(producerId: producer.producerId, epoch: producer.epoch + 5)
        #expect(harness.error(harness.initProducerId(expected: stale)) == .producerFenced)
        #expect(harness.error(harness.initProducerId(expected: ProducerIdAndEpoch(producerId: 777, epoch: 0))) == .producerFenced)
    }

    @Test func initProducerId_otherProducerInitializedSince_expectedEpochIsFenced() {
        let harness = TransactionHarness()
        let first = harness.initialized()
        _ = harness.initialized()

        #expect(harness.error(harness.initProducerId(expected: first)) == .producerFenced)
    }

    @Test func initProducerId_expectedForUnknownTransactionalId_startsAtEpochZero() {
        let harness = TransactionHarness()

        let producer = harness.initialized(expected: ProducerIdAndEpoch(producerId: 42, epoch: 3))

        #expect(producer == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
    }

    @Test func initProducerId_sameNewIdWhileAllocating_isConcurrentTransactions() {
        let harness = TransactionHarness()
        harness.allocatesImmediately = false
        let first = harness.initProducerId()

        let second = harness.initProducerId()

        #expect(harness.response(first) == nil)
        #expect(harness.error(second) == .concurrentTransactions)
        #expect(harness.error(harness.addPartitions([partition("t", 0)], producer: ProducerIdAndEpoch(producerId: 1000, epoch: 0)))
            == .invalidProducerIdMapping)
        harness.completeHeldAllocations()
        #expect(harness.response(first) == .initProducerId(InitProducerIdResult(error: .noError, producerId: 1000, producerEpoch: 0)))
    }

    @Test func initProducerId_allocationFails_answersErrorAndForgetsTransactionalId() {
        let harness = TransactionHarness()
        harness.allocatesImmediately = false
        let first = harness.initProducerId()

        harness.completeHeldAllocations(failing: .coordinatorLoadInProgress)

        #expect(harness.error(first) == .coordinatorLoadInProgress)
        #expect(harness.metadata() == nil)
        #expect(harness.log.isEmpty)
        harness.allocatesImmediately = true
        #expect(harness.initialized() == ProducerIdAndEpoch(producerId: 1000, epoch: 0))
    }

    @Test func producerIdAllocated_unknownToken_isIgnored() {
        let harness = TransactionHarness()

        let actions = harness.manager.producerIdAllocated(5, token: TransactionRequestToken(99), now: harness.now, wallClockMilliseconds: harness.wallClock)

        #expect(actions.isEmpty)
    }
}
