// The periodic clean-ups: transactions open longer than their timeout are aborted under a bumped
// epoch (which fences the producer that let them linger), and transactional ids unused for
// `transactional.id.expiration.ms` are forgotten by writing their tombstones. Both compare the
// wall clock with stored timestamps, as Kafka does: the timestamps outlive restarts and moves
// between brokers, which a monotonic clock would not.

public import TernPrimitives

extension TransactionMetadataManager {
    /// Most tombstones in one append; a pass that expires more writes several appends.
    static let tombstonesPerAppendMax = 500

    /// Handles a timer firing. The periodic timers re-arm themselves.
    public mutating func expire(_ timer: TransactionTimer, now: Instant, wallClockMilliseconds: Int64) -> [TransactionAction] {
        switch timer {
        case .abortTimedOutTransactions:
            return abortTimedOutTransactions(wallClockMilliseconds: wallClockMilliseconds)
                + [.scheduleTimer(.abortTimedOutTransactions, deadline: now + configuration.abortTimedOutTransactionsInterval)]
        case .removeExpiredTransactionalIds:
            return removeExpiredTransactionalIds(wallClockMilliseconds: wallClockMilliseconds)
                + [.scheduleTimer(.removeExpiredTransactionalIds, deadline: now + configuration.removeExpiredTransactionalIdsInterval)]
        case let .retryCompletion(transactionalId):
            guard case let .appending(target, .completion)? = transactions[transactionalId]?.pending else { return [] }
            return [.append(TransactionAppend([target], valueVersion: configuration.transactionLogValueVersion))]
        }
    }

    /// Aborts every open transaction whose timeout has passed and that nothing is changing,
    /// with the epoch bumped (Kafka's `abortTimedOutTransactions`); each is its own append.
    mutating func abortTimedOutTransactions(wallClockMilliseconds: Int64) -> [TransactionAction] {
        var actions: [TransactionAction] = []
        for transactionalId in transactions.keys.sorted() {
            guard let metadata = transactions[transactionalId], metadata.pending == nil else { continue }
            switch metadata.state {
            case .ongoing:
                let deadline = metadata.transactionStartTimestamp + Int64(metadata.transactionTimeoutMilliseconds)
                guard deadline < wallClockMilliseconds,
                      let target = metadata.fencingAbort(wallClockMilliseconds: wallClockMilliseconds)
                else { continue }
                actions += beginTransition(to: target, reply: .epochFence(nil))
            case .empty, .prepareCommit, .prepareAbort, .completeCommit, .completeAbort, .dead, .prepareEpochFence:
                continue
            }
        }
        return actions
    }

    /// Writes tombstones for the transactional ids with no open transaction and no change for
    /// `transactional.id.expiration.ms`; they are forgotten once the tombstones are durable.
    mutating func removeExpiredTransactionalIds(wallClockMilliseconds: Int64) -> [TransactionAction] {
        let cutoff = wallClockMilliseconds - configuration.transactionalIdExpiration.millisecondsClamped
        var targets: [TransactionMetadata] = []
        for transactionalId in transactions.keys.sorted() {
            guard let metadata = transactions[transactionalId], metadata.pending == nil,
                  metadata.lastUpdateTimestamp <= cutoff else { continue }
            switch metadata.state {
            case .empty, .completeCommit, .completeAbort:
                let target = metadata.changed(to: .dead, wallClockMilliseconds: metadata.lastUpdateTimestamp)
                transactions[transactionalId]?.pending = .appending(target, .expiry)
                targets.append(target)
            case .ongoing, .prepareCommit, .prepareAbort, .dead, .prepareEpochFence:
                continue
            }
        }
        return stride(from: 0, to: targets.count, by: Self.tombstonesPerAppendMax).map { start in
            let batch = targets[start..<min(start + Self.tombstonesPerAppendMax, targets.count)]
            return .append(TransactionAppend(Array(batch), valueVersion: configuration.transactionLogValueVersion))
        }
    }
}
