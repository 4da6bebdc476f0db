// What follows a durable (or failed) write, and the end of a transaction: once PrepareCommit or
// PrepareAbort is durable the markers go out, and once every partition has its marker the
// completion is written. A completion that fails to write is retried after a backoff until it
// succeeds, as Kafka's marker thread retries it; everything else that fails is undone and its
// request told why.

public import TernPrimitives

extension TransactionMetadataManager {
    /// Reports that an append is durable (`failure` nil) or failed. Answers that waited for it
    /// go out now; after a decided commit or abort, so do the markers.
    public mutating func appended(
        _ append: TransactionAppend, failure: TransactionAppendFailure?, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        var actions: [TransactionAction] = []
        for record in append.records {
            let transactionalId = record.transactionalId
            // A transition replaced since (the shard was reloaded, or expiry gave up) is stale.
            guard let target = append.targets[transactionalId],
                  case let .appending(pendingTarget, reply)? = transactions[transactionalId]?.pending, pendingTarget == target
            else { continue }
            if let failure {
                actions += transitionFailed(transactionalId, reply: reply, failure: failure, now: now)
            } else {
                actions += transitionDurable(target, reply: reply, wallClockMilliseconds: wallClockMilliseconds)
            }
        }
        return actions
    }

    /// Reports that the markers reached `partitions` (all of them when nil): written, or found
    /// to belong to a topic that no longer exists. Once none are left the completion is written.
    /// Reports for markers that are no longer being written are ignored.
    public mutating func markersWritten(
        _ markers: TransactionMarkers, partitions: Set<TopicPartition>? = nil, now: Instant, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        let transactionalId = markers.transactionalId
        guard case let .writingMarkers(current)? = transactions[transactionalId]?.pending, current == markers else { return [] }
        transactions[transactionalId]?.partitions.subtract(partitions ?? Set(markers.partitions))
        guard transactions[transactionalId]?.partitions.isEmpty == true else { return [] }
        return beginCompletion(transactionalId, wallClockMilliseconds: wallClockMilliseconds)
    }

    // MARK: - Helpers

    private mutating func transitionDurable(
        _ target: TransactionMetadata, reply: TransitionReply, wallClockMilliseconds: Int64
    ) -> [TransactionAction] {
        let transactionalId = target.transactionalId
        switch reply {
        case .expiry:
            transactions[transactionalId] = nil
            return []
        case .completion, .initProducerId, .addPartitions, .addOffsets, .endTxn, .epochFence:
            transactions[transactionalId] = target
        }
        switch reply {
        case let .initProducerId(token):
            let result = InitProducerIdResult(error: .noError, producerId: target.producerId, producerEpoch: target.producerEpoch)
            return [.respond(token, .initProducerId(result))]
        case let .addPartitions(token):
            return [.respond(token, .addPartitions(.noError))]
        case let .addOffsets(token):
            return [.respond(token, .addOffsets(.noError))]
        case let .endTxn(token):
            return [.respond(token, .endTxn(.noError))] + beginMarkers(transactionalId, wallClockMilliseconds: wallClockMilliseconds)
        case let .epochFence(token):
            // The fencing producer retries; by then the abort may have completed.
            let answer: [TransactionAction] = token.map { [.respond($0, .initProducerId(InitProducerIdResult(error: .concurrentTransactions)))] } ?? []
            return answer + beginMarkers(transactionalId, wallClockMilliseconds: wallClockMilliseconds)
        case .completion, .expiry:
            return []
        }
    }

    private mutating func transitionFailed(
        _ transactionalId: String, reply: TransitionReply, failure: TransactionAppendFailure, now: Instant
    ) -> [TransactionAction] {
        switch reply {
        case .completion:
            // The markers are written: the transaction is over whatever happens, so keep trying.
            return [.scheduleTimer(.retryCompletion(transactionalId: transactionalId), deadline: now + configuration.completionRetryBackoff)]
        case .initProducerId, .addPartitions, .addOffsets, .endTxn, .epochFence, .expiry:
            transactions[transactionalId]?.pending = nil
        }
        let error = failure.errorCode
        switch reply {
        case let .initProducerId(token), let .epochFence(token?):
            return [.respond(token, .initProducerId(InitProducerIdResult(error: error)))]
        case let .addPartitions(token):
            return [.respond(token, .addPartitions(error))]
        case let .addOffsets(token):
            return [.respond(token, .addOffsets(error))]
        case let .endTxn(token):
            return [.respond(token, .endTxn(error))]
        case .epochFence(nil), .expiry, .completion:
            return []
        }
    }

    /// Starts writing the markers of a transaction whose outcome is durable.
    mutating func beginMarkers(_ transactionalId: String, wallClockMilliseconds: Int64) -> [TransactionAction] {
        guard let metadata = transactions[transactionalId] else { return [] }
        let result: TransactionResult
        switch metadata.state {
        case .prepareCommit: result = .commit
        case .prepareAbort: result = .abort
        case .empty, .ongoing, .completeCommit, .completeAbort, .dead, .prepareEpochFence:
            preconditionFailure("markers follow only a prepared commit or abort, not \(metadata.state)")
        }
        let markers = TransactionMarkers(
            transactionalId: transactionalId, producerId: metadata.producerId, producerEpoch: metadata.producerEpoch,
            result: result, partitions: metadata.partitions.sorted(), coordinatorEpoch: coordinatorEpoch)
        transactions[transactionalId]?.pending = .writingMarkers(markers)
        // A transaction that never added a partition has nothing to mark.
        guard !markers.partitions.isEmpty else {
            return beginCompletion(transactionalId, wallClockMilliseconds: wallClockMilliseconds)
        }
        return [.writeMarkers(markers)]
    }

    /// Writes CompleteCommit or CompleteAbort once every partition has its marker.
    private mutating func beginCompletion(_ transactionalId: String, wallClockMilliseconds: Int64) -> [TransactionAction] {
        guard let metadata = transactions[transactionalId] else { return [] }
        let completed: TransactionState
        switch metadata.state {
        case .prepareCommit: completed = .completeCommit
        case .prepareAbort: completed = .completeAbort
        case .empty, .ongoing, .completeCommit, .completeAbort, .dead, .prepareEpochFence:
            preconditionFailure("a transaction completes only from a prepared commit or abort, not \(metadata.state)")
        }
        var target = metadata.changed(to: completed, wallClockMilliseconds: wallClockMilliseconds)
        target.partitions = []
        return beginTransition(to: target, reply: .completion)
    }
}
