// The answers the transaction coordinator gives, in domain terms; the broker's handlers turn them
// into the wire responses of each version.

public import TernPrimitives

/// The answer to an InitProducerId request.
public struct InitProducerIdResult: Hashable, Sendable {
    /// The outcome.
    public var error: TransactionErrorCode
    /// The producer id, -1 on error.
    public var producerId: Int64
    /// The producer epoch, -1 on error.
    public var producerEpoch: Int16

    /// Creates a result.
    public init(error: TransactionErrorCode, producerId: Int64 = -1, producerEpoch: Int16 = -1) {
        self.error = error
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }
}

/// An answer to a parked request.
public enum TransactionResponse: Hashable, Sendable {
    /// InitProducerId.
    case initProducerId(InitProducerIdResult)
    /// AddPartitionsToTxn: one code for every partition of the transaction.
    case addPartitions(TransactionErrorCode)
    /// AddOffsetsToTxn.
    case addOffsets(TransactionErrorCode)
    /// EndTxn.
    case endTxn(TransactionErrorCode)
}

/// One transaction as DescribeTransactions reports it.
public struct TransactionDescription: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The state.
    public var state: TransactionState
    /// The producer id.
    public var producerId: Int64
    /// The producer epoch.
    public var producerEpoch: Int16
    /// The producer's transaction timeout.
    public var transactionTimeout: Duration
    /// Wall-clock milliseconds when the open transaction began, -1 when none is open.
    public var transactionStartTimestamp: Int64
    /// The partitions of the transaction; while markers are being written, only those still
    /// waiting for theirs.
    public var partitions: [TopicPartition]
}

/// One transactional id as ListTransactions reports it.
public struct TransactionListing: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The producer id.
    public var producerId: Int64
    /// The state.
    public var state: TransactionState
}
