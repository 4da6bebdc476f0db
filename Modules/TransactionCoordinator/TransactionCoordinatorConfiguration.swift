// The broker settings the transaction coordinator obeys. Defaults are Kafka's, so a producer
// tuned for Kafka sees the same limits and timing here.

import TernPrimitives

/// Broker-wide transaction coordinator settings (Kafka's `transaction.*` and
/// `transactional.id.*` configs).
public struct TransactionCoordinatorConfiguration: Hashable, Sendable {
    /// Longest transaction timeout a producer may ask for (`transaction.max.timeout.ms`).
    public var transactionTimeoutMax: Duration
    /// How long a transactional id may go without a change before it is forgotten, unless a
    /// transaction is open (`transactional.id.expiration.ms`).
    public var transactionalIdExpiration: Duration
    /// How often transactions open longer than their timeout are aborted
    /// (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
    public var abortTimedOutTransactionsInterval: Duration
    /// How often expired transactional ids are removed
    /// (`transaction.remove.expired.transaction.cleanup.interval.ms`).
    public var removeExpiredTransactionalIdsInterval: Duration
    /// Partitions of `__consumer_offsets` (`offsets.topic.num.partitions`): AddOffsetsToTxn adds
    /// the group's partition to the transaction.
    public var offsetsTopicPartitionCount: Int32
    /// How long to wait before writing a transaction's completion again after the write failed.
    /// Kafka retries on its marker thread's next pass; we arm a timer instead.
    public var completionRetryBackoff: Duration
    /// The `TransactionLogValue` version written: 0, as Kafka 3.9 writes and every Kafka since
    /// 0.11 reads, or 1, the flexible version Kafka 4 writes (unreadable before Kafka 3.5).
    public var transactionLogValueVersion: Int16

    /// Creates a configuration; every argument defaults to Kafka's default.
    public init(
        transactionTimeoutMax: Duration = .seconds(15 * 60),
        transactionalIdExpiration: Duration = .seconds(7 * 24 * 3600),
        abortTimedOutTransactionsInterval: Duration = .seconds(10),
        removeExpiredTransactionalIdsInterval: Duration = .seconds(3600),
        offsetsTopicPartitionCount: Int32 = 50,
        completionRetryBackoff: Duration = .milliseconds(100),
        transactionLogValueVersion: Int16 = 0
    ) {
        precondition(transactionTimeoutMax.millisecondsClamped <= Int64(Int32.max), "transaction.max.timeout.ms is an int")
        precondition(offsetsTopicPartitionCount > 0, "__consumer_offsets has at least one partition")
        precondition(TransactionLogValue.versions.contains(transactionLogValueVersion), "TransactionLogValue exists in versions 0-1")
        self.transactionTimeoutMax = transactionTimeoutMax
        self.transactionalIdExpiration = transactionalIdExpiration
        self.abortTimedOutTransactionsInterval = abortTimedOutTransactionsInterval
        self.removeExpiredTransactionalIdsInterval = removeExpiredTransactionalIdsInterval
        self.offsetsTopicPartitionCount = offsetsTopicPartitionCount
        self.completionRetryBackoff = completionRetryBackoff
        self.transactionLogValueVersion = transactionLogValueVersion
    }
}
