// Goal: a transaction goes Empty → Ongoing → PrepareCommit/PrepareAbort → markers →
// CompleteCommit/CompleteAbort exactly as Kafka's coordinator takes it, and each request is told
// what Kafka would tell it on the way. Method: the hand-cranked harness plays a producer;
// assertions read the answers, the records the log received, and the marker writes asked for.

import Testing
import TernPrimitives
import TernTransactionCoordinator

@Suite struct TransactionLifecycleTests {
    @Test func endTxn_commitAfterPartitionsAndOffsets_writesMarkersThenCompletes() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        let add = harness.addPartitions([partition("t", 0), partition("t", 1)], producer: producer)
        let offsets = harness.addOffsets(group: "g", producer: producer)
        #expect(harness.error(add) == .noError)
        #expect(harness.error(offsets) == .noError)
        let groupPartition = partition("__consumer_offsets", TransactionMetadataManager.partition(for: "g", partitionCount: 10))
        #expect(harness.metadata()?.partitions == [partition("t", 0), partition("t", 1), groupPartition])

        let commit = harness.endTxn(.commit, producer: producer)

        #expect(harness.error(commit) == .noError)
        #expect(harness.metadata()?.state == .prepareCommit)
        let markers = harness.pendingMarkers.first
        #expect(harness.pendingMarkers.count == 1)
        #expect(markers?.transactionalId == "txn")
        #expect(markers?.producerId == producer.producerId)
        #expect(markers?.producerEpoch == producer.epoch)
        #expect(markers?.result == .commit)
        #expect(markers?.partitions == [groupPartition, partition("t", 0), partition("t", 1)])
        #expect(markers?.coordinatorEpoch == 3)
        harness.completeMarkers()
        #expect(harness.metadata()?.state == .completeCommit)
        #expect(harness.metadata()?.partitions == [])
        #expect(harness.loggedStates() == [.empty, .ongoing, .ongoing, .prepareCommit, .completeCommit])
        #expect(harness.log.last?.value?.topics == [])
    }

    @Test func endTxn_abort_writesAbortMarkersThenCompleteAbort() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)

        let abort = harness.endTxn(.abort, producer: producer)

        #expect(harness.error(abort) == .noError)
        #expect(harness.pendingMarkers.map(\.result) == [.abort])
        #expect(harness.pendingMarkers.map(\.producerEpoch) == [producer.epoch])
        harness.completeMarkers()
        #expect(harness.loggedStates() == [.empty, .ongoing, .prepareAbort, .completeAbort])
    }

    @Test func addPartitions_alreadyInTransaction_answersWithoutWriting() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0), partition("t", 1)], producer: producer)
        let writes = harness.appendCount

        let again = harness.addPartitions([partition("t", 1)], producer: producer)

        #expect(harness.error(again) == .noError)
        #expect(harness.appendCount == writes)
    }

    @Test func addPartitions_afterCompletedTransaction_startsNewTransactionNow() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.endTxn(.commit, producer: producer)
        harness.completeMarkers()
        harness.advance(by: .seconds(5))

        harness.addPartitions([partition("u", 2)], producer: producer)

        #expect(harness.metadata()?.state == .ongoing)
        #expect(harness.metadata()?.partitions == [partition("u", 2)])
        #expect(harness.metadata()?.transactionStartTimestamp == harness.wallClock)
    }

    @Test func requests_whileMarkersInFlight_areConcurrentTransactions() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.endTxn(.commit, producer: producer)

        let commitAgain = harness.endTxn(.commit, producer: producer)
        let abort = harness.endTxn(.abort, producer: producer)
        let add = harness.addPartitions([partition("t", 1)], producer: producer)
        let initAgain = harness.initProducerId()

        #expect(harness.error(commitAgain) == .concurrentTransactions)
        #expect(harness.error(abort) == .concurrentTransactions)
        #expect(harness.error(add) == .concurrentTransactions)
        #expect(harness.error(initAgain) == .concurrentTransactions)
    }

    @Test func requests_whileWriteInFlight_areConcurrentTransactions() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.appendsCompleteImmediately = false
        let add = harness.addPartitions([partition("t", 0)], producer: producer)

        let second = harness.addPartitions([partition("t", 1)], producer: producer)
        let end = harness.endTxn(.commit, producer: producer)

        #expect(harness.response(add) == nil)
        #expect(harness.error(second) == .concurrentTransactions)
        #expect(harness.error(end) == .concurrentTransactions)
        harness.completeHeldAppends()
        #expect(harness.error(add) == .noError)
    }

    @Test func endTxn_afterCompletion_sameOutcomeSucceedsOtherIsInvalidState() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.endTxn(.commit, producer: producer)
        harness.completeMarkers()
        let writes = harness.appendCount

        let retry = harness.endTxn(.commit, producer: producer)
        let abort = harness.endTxn(.abort, producer: producer)

        #expect(harness.error(retry) == .noError)
        #expect(harness.error(abort) == .invalidTxnState)
        #expect(harness.appendCount == writes)
    }

    @Test func endTxn_withNoTransactionOpen_isInvalidTxnState() {
        let harness = TransactionHarness()
        let producer = harness.initialized()

        #expect(harness.error(harness.endTxn(.commit, producer: producer)) == .invalidTxnState)
    }

    @Test func requests_wrongProducerIdOrEpoch_areRefusedInKafkasOrder() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        let otherId = ProducerIdAndEpoch(producerId: producer.producerId + 7, epoch: producer.epoch)
        let staleEpoch = ProducerIdAndEpoch(producerId: producer.producerId, epoch: producer.epoch - 1)

        #expect(harness.error(harness.addPartitions([partition("t", 0)], producer: otherId)) == .invalidProducerIdMapping)
        #expect(harness.error(harness.addPartitions([partition("t", 0)], producer: staleEpoch)) == .producerFenced)
        #expect(harness.error(harness.addOffsets(group: "g", producer: staleEpoch)) == .producerFenced)
        #expect(harness.error(harness.endTxn(.commit, producer: otherId)) == .invalidProducerIdMapping)
        #expect(harness.error(harness.endTxn(.commit, producer: staleEpoch)) == .producerFenced)
        #expect(harness.error(harness.addPartitions([partition("t", 0)], producer: producer, transactionalId: "nobody"))
            == .invalidProducerIdMapping)
        #expect(harness.error(harness.endTxn(.commit, producer: producer, transactionalId: "")) == .invalidRequest)
    }

    @Test func markersWritten_forSomePartitions_waitsForTheRest() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0), partition("t", 1)], producer: producer)
        harness.endTxn(.commit, producer: producer)

        harness.completeMarkers(partitions: [partition("t", 0)])

        #expect(harness.metadata()?.state == .prepareCommit)
        #expect(harness.manager.describeTransaction("txn")?.partitions == [partition("t", 1)])
        harness.completeMarkers(partitions: [partition("t", 1)])
        #expect(harness.metadata()?.state == .completeCommit)
    }

    @Test func markersWritten_staleMarkers_areIgnored() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        harness.endTxn(.commit, producer: producer)
        let markers = harness.pendingMarkers[0]
        harness.completeMarkers()
        let writes = harness.appendCount

        #expect(harness.manager.markersWritten(markers, now: harness.now, wallClockMilliseconds: harness.wallClock).isEmpty)
        #expect(harness.appendCount == writes)
    }

    @Test func endTxn_transactionWithoutPartitions_completesWithoutMarkers() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([], producer: producer)

        let commit = harness.endTxn(.commit, producer: producer)

        #expect(harness.error(commit) == .noError)
        #expect(harness.markerWrites.isEmpty)
        #expect(harness.loggedStates() == [.empty, .ongoing, .prepareCommit, .completeCommit])
    }

    @Test func verifyPartitions_answersFromStateWithoutWriting() {
        let harness = TransactionHarness()
        let producer = harness.initialized()
        harness.addPartitions([partition("t", 0)], producer: producer)
        let writes = harness.appendCount

        let verified = harness.manager.verifyPartitions(
            transactionalId: "txn", producerId: producer.producerId, producerEpoch: producer.epoch,
            partitions: [partition("t", 0), partition("t", 1)])
        let fenced = harness.manager.verifyPartitions(
            transactionalId: "txn", producerId: producer.producerId, producerEpoch: producer.epoch + 1, partitions: [partition("t", 0)])

        #expect(verified == [partition("t", 0): .noError, partition("t", 1): .transactionAbortable])
        #expect(fenced == [partition("t", 0): .producerFenced])
        #expect(harness.appendCount == writes)
    }

    @Test func addOffsets_groupPartition_followsJavaStringHash() {
        // Java's hashCode: "g" is 103, "my-group" is -1906497762, "polygenelubricants" is
        // Int.min, which Kafka's Utils.abs maps to 0.
        #expect(TransactionMetadataManager.partition(for: "g", partitionCount: 10) == 3)
        #expect(TransactionMetadataManager.partition(for: "my-group", partitionCount: 50) == 12)
        #expect(TransactionMetadataManager.partition(for: "polygenelubricants", partitionCount: 50) == 0)
    }

    @Test func describeAndList_reportStateProducerAndPartitions() {
        let harness = TransactionHarness()
        let first = harness.initialized("a")
        _ = harness.initialized("b")
        harness.addPartitions([partition("t", 0)], producer: first, transactionalId: "a")

        let description = harness.manager.describeTransaction("a")

        #expect(description?.state == .ongoing)
        #expect(description?.producerId == first.producerId)
        #expect(description?.transactionTimeout == .seconds(60))
        #expect(description?.partitions == [partition("t", 0)])
        #expect(harness.manager.describeTransaction("nobody") == nil)
        #expect(harness.manager.listTransactions().map(\.transactionalId) == ["a", "b"])
        #expect(harness.manager.listTransactions(statesFilter: ["Ongoing"]).map(\.transactionalId) == ["a"])
        #expect(harness.manager.listTransactions(producerIdsFilter: [first.producerId]).map(\.transactionalId) == ["a"])
    }
}
