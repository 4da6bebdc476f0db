// The requests of an open transaction: AddPartitionsToTxn (and its verification form, v4+),
// AddOffsetsToTxn and EndTxn. Each checks the producer id and epoch first, as Kafka does, so a
// fenced producer learns it is fenced before it learns anything else.

public import TernPrimitives

extension TransactionMetadataManager {
    /// The name of Kafka's offsets topic, whose partitions AddOffsetsToTxn adds.
    public static let offsetsTopic = "__consumer_offsets"

    /// Handles AddPartitionsToTxn for one transaction: the partitions join it (and a transaction
    /// starts) once the new partition set is durable. Partitions already in the open transaction
    /// are answered at once.
    public mutating func addPartitions(
        _ request: AddPartitionsToTxnEvent, token: TransactionRequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        let decision = decideAdd(
            transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch,
            partitions: request.partitions, wallClockMilliseconds: wallClockMilliseconds)
        switch decision {
        case let .answer(error):
            return [.respond(token, .addPartitions(error))]
        case let .transition(target):
            return beginTransition(to: target, reply: .addPartitions(token))
        }
    }

    /// Handles AddOffsetsToTxn: the group's `__consumer_offsets` partition joins the transaction.
    public mutating func addOffsets(
        _ request: AddOffsetsToTxnEvent, token: TransactionRequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        let partition = TopicPartition(
            topic: Self.offsetsTopic,
            partition: Self.partition(for: request.groupId, partitionCount: configuration.offsetsTopicPartitionCount))
        let decision = decideAdd(
            transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch,
            partitions: [partition], wallClockMilliseconds: wallClockMilliseconds)
        switch decision {
        case let .answer(error):
            return [.respond(token, .addOffsets(error))]
        case let .transition(target):
            return beginTransition(to: target, reply: .addOffsets(token))
        }
    }

    /// Answers an AddPartitionsToTxn v4+ entry with `verifyOnly` from the current state, as a
    /// partition leader asks before accepting a transactional produce (KIP-890): NONE for each
    /// partition in the open transaction, TRANSACTION_ABORTABLE for the others. Changes nothing.
    public func verifyPartitions(
        transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: Set<TopicPartition>
    ) -> [TopicPartition: TransactionErrorCode] {
        let everyPartition = { (error: TransactionErrorCode) in Dictionary(uniqueKeysWithValues: partitions.map { ($0, error) }) }
        guard Self.isValidTransactionalId(transactionalId) else { return everyPartition(.invalidRequest) }
        guard let metadata = transactions[transactionalId], metadata.producerId == producerId else {
            return everyPartition(.invalidProducerIdMapping)
        }
        guard metadata.producerEpoch == producerEpoch else { return everyPartition(.producerFenced) }
        // Kafka does not look at pending changes here: a partition counts once its addition is
        // durable, and stops counting once the transaction's end is.
        switch metadata.state {
        case .prepareCommit, .prepareAbort:
            return everyPartition(.concurrentTransactions)
        case .empty, .ongoing, .completeCommit, .completeAbort, .dead, .prepareEpochFence:
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, metadata.partitions.contains($0) ? .noError : .transactionAbortable) })
        }
    }

    /// Handles EndTxn. Committing or aborting an open transaction answers once the decision is
    /// durable and then writes the markers; repeating the outcome of a finished transaction
    /// answers NONE, the other outcome INVALID_TXN_STATE.
    public mutating func endTransaction(
        _ request: EndTxnEvent, token: TransactionRequestToken, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        let answer = { (error: TransactionErrorCode) -> [TransactionAction] in [.respond(token, .endTxn(error))] }
        guard Self.isValidTransactionalId(request.transactionalId) else { return answer(.invalidRequest) }
        guard let metadata = transactions[request.transactionalId], metadata.producerId == request.producerId else {
            return answer(.invalidProducerIdMapping)
        }
        guard metadata.producerEpoch == request.producerEpoch else { return answer(.producerFenced) }
        guard metadata.pending == nil else { return answer(.concurrentTransactions) }
        let committing = request.result == .commit
        switch metadata.state {
        case .ongoing:
            let target = metadata.changed(to: committing ? .prepareCommit : .prepareAbort, wallClockMilliseconds: wallClockMilliseconds)
            return beginTransition(to: target, reply: .endTxn(token))
        case .completeCommit:
            return answer(committing ? .noError : .invalidTxnState)
        case .completeAbort:
            return answer(committing ? .invalidTxnState : .noError)
        case .prepareCommit:
            return answer(committing ? .concurrentTransactions : .invalidTxnState)
        case .prepareAbort:
            return answer(committing ? .invalidTxnState : .concurrentTransactions)
        case .empty:
            return answer(.invalidTxnState)
        case .dead, .prepareEpochFence:
            preconditionFailure("\(metadata.state) is never kept as a current state")
        }
    }

    /// The outcome of adding partitions (Kafka's `handleAddPartitionsToTransaction`).
    enum AddDecision {
        case answer(TransactionErrorCode)
        case transition(TransactionMetadata)
    }

    func decideAdd(
        transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: Set<TopicPartition>,
        wallClockMilliseconds: Int64
    ) -> AddDecision {
        guard Self.isValidTransactionalId(transactionalId),
              partitions.allSatisfy({ $0.topic.utf8.count <= TransactionRecordLimits.stringBytesMax })
        else { return .answer(.invalidRequest) }
        guard let metadata = transactions[transactionalId], metadata.producerId == producerId else {
            return .answer(.invalidProducerIdMapping)
        }
        guard metadata.producerEpoch == producerEpoch else { return .answer(.producerFenced) }
        guard metadata.pending == nil else { return .answer(.concurrentTransactions) }
        switch metadata.state {
        case .prepareCommit, .prepareAbort:
            return .answer(.concurrentTransactions)
        case .ongoing where partitions.isSubset(of: metadata.partitions):
            return .answer(.noError)
        case .empty, .ongoing, .completeCommit, .completeAbort:
            return .transition(metadata.addingPartitions(partitions, wallClockMilliseconds: wallClockMilliseconds))
        case .dead, .prepareEpochFence:
            preconditionFailure("\(metadata.state) is never kept as a current state")
        }
    }
}
