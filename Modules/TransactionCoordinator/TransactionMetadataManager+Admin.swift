// The admin APIs: DescribeTransactions and ListTransactions, pure queries of the current state.

extension TransactionMetadataManager {
    /// Answers DescribeTransactions for one transactional id, or nil when it is unknown here
    /// (TRANSACTIONAL_ID_NOT_FOUND). An id still waiting for its first producer id, or being
    /// expired, counts as unknown, as Kafka hides ids it is expiring.
    public func describeTransaction(_ transactionalId: String) -> TransactionDescription? {
        guard let metadata = transactions[transactionalId], metadata.producerId >= 0, !metadata.isExpiring else { return nil }
        return TransactionDescription(
            transactionalId: transactionalId, state: metadata.state, producerId: metadata.producerId,
            producerEpoch: metadata.producerEpoch, transactionTimeout: metadata.transactionTimeout,
            transactionStartTimestamp: metadata.transactionStartTimestamp, partitions: metadata.partitions.sorted())
    }

    /// Answers ListTransactions: every transactional id, or those whose state is in
    /// `statesFilter` (Kafka's state names) and whose producer id is in `producerIdsFilter`,
    /// an empty filter matching everything; ordered by transactional id.
    public func listTransactions(statesFilter: Set<String> = [], producerIdsFilter: Set<Int64> = []) -> [TransactionListing] {
        transactions.keys.sorted().compactMap { transactionalId in
            guard let metadata = transactions[transactionalId], metadata.producerId >= 0, !metadata.isExpiring,
                  statesFilter.isEmpty || statesFilter.contains(metadata.state.name),
                  producerIdsFilter.isEmpty || producerIdsFilter.contains(metadata.producerId)
            else { return nil }
            return TransactionListing(transactionalId: transactionalId, producerId: metadata.producerId, state: metadata.state)
        }
    }
}

extension TransactionMetadata {
    /// Whether the tombstone of this transactional id is being written.
    var isExpiring: Bool {
        guard case let .appending(target, _)? = pending else { return false }
        return target.state == .dead
    }
}
