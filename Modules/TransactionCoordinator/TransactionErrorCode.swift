// The Kafka error codes a transaction coordinator answers with. This module may not import
// TernProtocol (the broker's handlers translate both ways), so it keeps its own small enum whose
// raw values are Kafka's wire codes: a handler converts with `KafkaErrorCode(rawValue:)`.

/// A Kafka error code from the transaction coordinator's vocabulary, with Kafka's numeric value.
///
/// The coordinator answers PRODUCER_FENCED wherever Kafka's coordinator does. Clients older than
/// KIP-588 do not know that code; as in Kafka, the handler turns it into INVALID_PRODUCER_EPOCH
/// for InitProducerId v0–3, AddPartitionsToTxn v0–1, AddOffsetsToTxn v0–1 and EndTxn v0–1.
public enum TransactionErrorCode: Int16, Hashable, Sendable, CaseIterable {
    /// UNKNOWN_SERVER_ERROR: an unexpected failure, such as a write that failed for no known reason.
    case unknownServerError = -1
    /// NONE.
    case noError = 0
    /// COORDINATOR_LOAD_IN_PROGRESS: the coordinator is still replaying `__transaction_state`, or
    /// the driver's producer id block is not ready yet.
    case coordinatorLoadInProgress = 14
    /// COORDINATOR_NOT_AVAILABLE: the partition could not take the write now; retry.
    case coordinatorNotAvailable = 15
    /// NOT_COORDINATOR: this broker no longer leads the transactional id's partition.
    case notCoordinator = 16
    /// INVALID_REQUEST: an empty transactional id, or a name too long to be stored.
    case invalidRequest = 42
    /// INVALID_PRODUCER_EPOCH: what older clients are told instead of PRODUCER_FENCED.
    case invalidProducerEpoch = 47
    /// INVALID_TXN_STATE: the request does not fit the transaction's state (commit after abort).
    case invalidTxnState = 48
    /// INVALID_PRODUCER_ID_MAPPING: the transactional id is unknown or has another producer id.
    case invalidProducerIdMapping = 49
    /// INVALID_TRANSACTION_TIMEOUT: the timeout is not positive or exceeds `transaction.max.timeout.ms`.
    case invalidTransactionTimeout = 50
    /// CONCURRENT_TRANSACTIONS: an earlier change of this transactional id is still in flight
    /// (a write, or the markers of the previous transaction); retry after a backoff.
    case concurrentTransactions = 51
    /// TRANSACTION_COORDINATOR_FENCED: a newer coordinator epoch wrote the markers' partition.
    case transactionCoordinatorFenced = 52
    /// PRODUCER_FENCED: a newer producer with the same transactional id has taken over.
    case producerFenced = 90
    /// TRANSACTIONAL_ID_NOT_FOUND: DescribeTransactions for an id the coordinator does not know.
    case transactionalIdNotFound = 105
    /// TRANSACTION_ABORTABLE: a partition is not part of the transaction (verification, KIP-890).
    case transactionAbortable = 120
}

/// Why the driver could not make an append to `__transaction_state` durable. The driver maps its
/// storage error to one of these; the coordinator turns it into the code the client gets.
public enum TransactionAppendFailure: Hashable, Sendable {
    /// The partition could not take the write now (Kafka: UNKNOWN_TOPIC_OR_PARTITION,
    /// NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT).
    case partitionUnavailable
    /// This broker does not lead the partition any more (NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR).
    case notLeader
    /// The records exceed a size limit (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE).
    case recordTooLarge
    /// Anything else.
    case other

    /// The code a client gets when its request's write failed (Kafka's mapping in
    /// `TransactionStateManager.appendTransactionToLog`).
    var errorCode: TransactionErrorCode {
        switch self {
        case .partitionUnavailable: .coordinatorNotAvailable
        case .notLeader: .notCoordinator
        case .recordTooLarge, .other: .unknownServerError
        }
    }
}
