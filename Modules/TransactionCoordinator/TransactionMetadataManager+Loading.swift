// Loading: the coordinator of a `__transaction_state` partition replays its records, oldest
// first, then starts. Later records win and tombstones delete, so replaying a compacted log or
// the full one gives the same state. Starting resumes every transaction whose commit or abort
// was decided but not completed: its markers go out again (a partition that already has its
// marker ignores the duplicate, since the producer epoch it carries is no longer open there).

public import TernPrimitives

extension TransactionMetadataManager {
    /// Applies one record read back from `__transaction_state`.
    ///
    /// Two states are never written by Kafka or by us, but a value can still name them: a Dead
    /// value counts as a tombstone, and a PrepareEpochFence value as the Ongoing transaction it
    /// was about to abort (the timeout or the next InitProducerId aborts it then).
    public mutating func replay(_ record: TransactionLogRecord) {
        let transactionalId = record.transactionalId
        guard let value = record.value else {
            transactions[transactionalId] = nil
            return
        }
        switch value.state {
        case .dead:
            transactions[transactionalId] = nil
        case .prepareEpochFence:
            transactions[transactionalId] = TransactionMetadata(transactionalId: transactionalId, loading: value, state: .ongoing)
        case .empty, .ongoing, .prepareCommit, .prepareAbort, .completeCommit, .completeAbort:
            transactions[transactionalId] = TransactionMetadata(transactionalId: transactionalId, loading: value, state: value.state)
        }
    }

    /// Starts the coordinator after replay: markers of decided transactions are written again,
    /// and the periodic clean-ups are armed.
    public mutating func start(now: Instant, wallClockMilliseconds: Int64) -> [TransactionAction] {
        var actions: [TransactionAction] = []
        for transactionalId in transactions.keys.sorted() {
            guard let metadata = transactions[transactionalId], metadata.pending == nil else { continue }
            switch metadata.state {
            case .prepareCommit, .prepareAbort:
                actions += beginMarkers(transactionalId, wallClockMilliseconds: wallClockMilliseconds)
            case .empty, .ongoing, .completeCommit, .completeAbort, .dead, .prepareEpochFence:
                continue
            }
        }
        actions.append(.scheduleTimer(.abortTimedOutTransactions, deadline: now + configuration.abortTimedOutTransactionsInterval))
        actions.append(.scheduleTimer(.removeExpiredTransactionalIds, deadline: now + configuration.removeExpiredTransactionalIdsInterval))
        return actions
    }
}
