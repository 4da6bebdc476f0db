// What the transaction coordinator asks its driver to do. The driver performs actions in order:
// answer a parked request, allocate a producer id (and report it back), append records to
// `__transaction_state` (and report back once they are durable or have failed), write
// transaction markers to the partitions' leaders (and report the partitions done), or arm
// timers. Timers are never cancelled: one that fires with nothing to do does nothing.

public import TernPrimitives

/// A timer the coordinator keeps; at most one of each exists at a time. A timer that fires when
/// it no longer has anything to do is ignored, so a driver need not race cancellations.
public enum TransactionTimer: Hashable, Sendable {
    /// The periodic abort of transactions open longer than their timeout.
    case abortTimedOutTransactions
    /// The periodic removal of transactional ids unused for `transactional.id.expiration.ms`.
    case removeExpiredTransactionalIds
    /// Another attempt to write a transaction's completion, whose last write failed.
    case retryCompletion(transactionalId: String)
}

/// Records to append to this coordinator's `__transaction_state` partition, as one batch. The
/// driver hands the whole value back to `appended(_:failure:now:wallClockMilliseconds:)`.
public struct TransactionAppend: Hashable, Sendable {
    /// The records, in order; one per transactional id.
    public let records: [TransactionLogRecord]
    /// The metadata each record makes durable, by transactional id.
    let targets: [String: TransactionMetadata]

    /// An append of the records that make `targets` durable.
    init(_ targets: [TransactionMetadata], valueVersion: Int16) {
        records = targets.map { $0.record(valueVersion: valueVersion) }
        self.targets = Dictionary(uniqueKeysWithValues: targets.map { ($0.transactionalId, $0) })
    }
}

/// The control markers that end one transaction: WriteTxnMarkers to the leader of each partition.
public struct TransactionMarkers: Hashable, Sendable {
    /// The transactional id whose transaction ends.
    public let transactionalId: String
    /// The producer id the markers carry.
    public let producerId: Int64
    /// The producer epoch the markers carry; for an abort that fenced a producer, the bumped one.
    public let producerEpoch: Int16
    /// Commit or abort.
    public let result: TransactionResult
    /// The partitions that need a marker, in order.
    public let partitions: [TopicPartition]
    /// The coordinator epoch (the leader epoch of our `__transaction_state` partition), which
    /// lets partition leaders refuse markers from a coordinator that has been replaced.
    public let coordinatorEpoch: Int32
}

/// One thing the driver must do.
public enum TransactionAction: Hashable, Sendable {
    /// Answer the parked request.
    case respond(TransactionRequestToken, TransactionResponse)
    /// Allocate a fresh producer id (from the cluster's producer id blocks) and report it with
    /// `producerIdAllocated(_:token:now:wallClockMilliseconds:)`, or report the failure with
    /// `producerIdAllocationFailed(token:error:now:wallClockMilliseconds:)`. The token is the
    /// InitProducerId's, which stays parked meanwhile.
    case allocateProducerId(TransactionRequestToken)
    /// Append these records to the partition, then report back.
    case append(TransactionAppend)
    /// Write these markers, retrying each partition until its leader has it (or the partition no
    /// longer exists), and report partitions done with `markersWritten(_:partitions:now:wallClockMilliseconds:)`.
    case writeMarkers(TransactionMarkers)
    /// Call `expire(_:now:wallClockMilliseconds:)` for this timer at `deadline`; replaces any
    /// earlier deadline of the same timer.
    case scheduleTimer(TransactionTimer, deadline: Instant)
}
