// The requests the transaction coordinator understands, in domain terms. The broker's handlers
// build these from the wire messages (whatever their version): AddPartitionsToTxn v4+ batches
// several transactions, and each becomes one `AddPartitionsToTxnEvent`; requests without a
// transactional id (idempotent producers' InitProducerId) never reach the coordinator.

public import TernPrimitives

/// Identifies a request the driver holds open until an action answers it, or a producer id
/// allocation the coordinator is waiting for. The driver chooses the values; the coordinator
/// only hands them back.
public struct TransactionRequestToken: Hashable, Sendable, CustomStringConvertible {
    /// The driver's number for the request.
    public var rawValue: UInt64

    /// Wraps a driver-chosen number.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "request \(rawValue)" }
}

/// A producer id with one of its epochs.
public struct ProducerIdAndEpoch: Hashable, Sendable {
    /// The producer id.
    public var producerId: Int64
    /// The epoch.
    public var epoch: Int16

    /// Pairs an id with an epoch.
    public init(producerId: Int64, epoch: Int16) {
        self.producerId = producerId
        self.epoch = epoch
    }
}

/// An InitProducerId request with a transactional id.
public struct InitProducerIdEvent: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The producer's `transaction.timeout.ms`.
    public var transactionTimeout: Duration
    /// The producer id and epoch the producer already holds (v3+, KIP-360), when it is
    /// recovering from an error rather than starting up.
    public var expected: ProducerIdAndEpoch?

    /// Creates an InitProducerId request.
    public init(transactionalId: String, transactionTimeout: Duration, expected: ProducerIdAndEpoch? = nil) {
        self.transactionalId = transactionalId
        self.transactionTimeout = transactionTimeout
        self.expected = expected
    }
}

/// One transaction of an AddPartitionsToTxn request (v0–3: the whole request), or the
/// partition behind an AddOffsetsToTxn.
public struct AddPartitionsToTxnEvent: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The producer id the producer holds.
    public var producerId: Int64
    /// The producer's epoch.
    public var producerEpoch: Int16
    /// The partitions to add.
    public var partitions: Set<TopicPartition>

    /// Creates an AddPartitionsToTxn request.
    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: Set<TopicPartition>) {
        self.transactionalId = transactionalId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.partitions = partitions
    }
}

/// An AddOffsetsToTxn request: the group's `__consumer_offsets` partition joins the transaction,
/// so TxnOffsetCommit may write there and the markers reach it.
public struct AddOffsetsToTxnEvent: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The producer id the producer holds.
    public var producerId: Int64
    /// The producer's epoch.
    public var producerEpoch: Int16
    /// The consumer group whose offsets the transaction commits.
    public var groupId: String

    /// Creates an AddOffsetsToTxn request.
    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, groupId: String) {
        self.transactionalId = transactionalId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.groupId = groupId
    }
}

/// An EndTxn request (v0–4): commit or abort the open transaction.
public struct EndTxnEvent: Hashable, Sendable {
    /// The transactional id.
    public var transactionalId: String
    /// The producer id the producer holds.
    public var producerId: Int64
    /// The producer's epoch.
    public var producerEpoch: Int16
    /// Commit or abort.
    public var result: TransactionResult

    /// Creates an EndTxn request.
    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, result: TransactionResult) {
        self.transactionalId = transactionalId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.result = result
    }
}
