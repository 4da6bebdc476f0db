// The states of a transactional id, with the ids Kafka stores in `TransactionLogValue`'s status
// byte and the names DescribeTransactions and ListTransactions report.

/// Where a transactional id's current transaction stands.
///
/// ```
///   Empty ──AddPartitions──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
///     ▲                        │    └──EndTxn(abort), fence, timeout──▶ PrepareAbort ──markers──▶ CompleteAbort
///     └──InitProducerId── CompleteCommit / CompleteAbort ──AddPartitions──▶ Ongoing
/// ```
public enum TransactionState: Int8, Hashable, Sendable, CaseIterable {
    /// No transaction is open; the producer id and epoch are assigned.
    case empty = 0
    /// A transaction is open: partitions have been added and no EndTxn has arrived.
    case ongoing = 1
    /// The commit is decided and durable; markers are being written.
    case prepareCommit = 2
    /// The abort is decided and durable; markers are being written.
    case prepareAbort = 3
    /// The last transaction committed and every partition has its marker.
    case completeCommit = 4
    /// The last transaction aborted and every partition has its marker.
    case completeAbort = 5
    /// The transactional id is being expired. Kafka uses it only as a pending state while the
    /// tombstone is written; it is never stored, and neither do we keep metadata in it.
    case dead = 6
    /// Kafka's pending state while InitProducerId bumps the epoch of an ongoing transaction to
    /// abort it. We go to PrepareAbort in one step (see the design note), so nothing is ever in
    /// this state; it exists for the status byte and for records written by Kafka.
    case prepareEpochFence = 7

    /// Kafka's name for the state, as DescribeTransactions and ListTransactions report it.
    public var name: String {
        switch self {
        case .empty: "Empty"
        case .ongoing: "Ongoing"
        case .prepareCommit: "PrepareCommit"
        case .prepareAbort: "PrepareAbort"
        case .completeCommit: "CompleteCommit"
        case .completeAbort: "CompleteAbort"
        case .dead: "Dead"
        case .prepareEpochFence: "PrepareEpochFence"
        }
    }
}

/// How a transaction ends: the control marker written to each of its partitions.
public enum TransactionResult: Hashable, Sendable {
    /// The records become visible to read_committed consumers.
    case commit
    /// The records are skipped by read_committed consumers.
    case abort
}
