// One transactional id's state, and the pure functions that compute its next state. A change
// that must be durable is never applied in place: the coordinator computes the target metadata,
// parks it as the pending transition, writes its record, and installs the target only once the
// write is durable (or drops it if the write fails). This is Kafka's `TxnTransitMetadata` and
// `pendingState`, with the whole target kept rather than a state name.

public import TernPrimitives

/// What a transactional id is waiting for, when anything.
indirect enum PendingTransition: Hashable, Sendable {
    /// A new producer id from the driver, for this InitProducerId.
    case allocatingProducerId(InitProducerIdEvent, TransactionRequestToken)
    /// The record of `target` is being appended; `reply` says what follows its durability.
    case appending(TransactionMetadata, TransitionReply)
    /// The prepared outcome is durable and these markers are being written; `partitions` of the
    /// metadata shrinks as the driver reports partitions done.
    case writingMarkers(TransactionMarkers)
}

/// What happens once a pending transition is durable, or fails.
enum TransitionReply: Hashable, Sendable {
    /// Answer InitProducerId with the new producer id and epoch.
    case initProducerId(TransactionRequestToken)
    /// Answer AddPartitionsToTxn.
    case addPartitions(TransactionRequestToken)
    /// Answer AddOffsetsToTxn.
    case addOffsets(TransactionRequestToken)
    /// Answer EndTxn, then write the markers.
    case endTxn(TransactionRequestToken)
    /// An abort with a bumped epoch: answer the InitProducerId that fenced the producer
    /// CONCURRENT_TRANSACTIONS (no token for a timeout), then write the markers.
    case epochFence(TransactionRequestToken?)
    /// The transaction's completion after its markers; retried until it is durable.
    case completion
    /// The transactional id's tombstone; the metadata goes once it is durable.
    case expiry
}

/// One transactional id as the coordinator knows it.
public struct TransactionMetadata: Hashable, Sendable {
    /// The transactional id.
    public let transactionalId: String
    /// The producer id in use, or -1 while the first one is being allocated.
    public internal(set) var producerId: Int64
    /// The producer id before the last InitProducerId (KIP-360): a producer retrying an
    /// InitProducerId that rotated its id still names the old one.
    public internal(set) var lastProducerId: Int64
    /// The producer epoch, -1 before the first InitProducerId completes.
    public internal(set) var producerEpoch: Int16
    /// The epoch before the last bump requested by the producer itself (KIP-360), so a retry
    /// of that InitProducerId gets the same answer; -1 when another producer bumped it.
    public internal(set) var lastProducerEpoch: Int16
    /// The producer's transaction timeout.
    public internal(set) var transactionTimeout: Duration
    /// The state.
    public internal(set) var state: TransactionState
    /// The partitions of the open or finishing transaction.
    public internal(set) var partitions: Set<TopicPartition>
    /// Wall-clock milliseconds when the open transaction began, -1 when none is open.
    public internal(set) var transactionStartTimestamp: Int64
    /// Wall-clock milliseconds of the last change; transactional ids expire from it.
    public internal(set) var lastUpdateTimestamp: Int64
    /// The change in flight, if any. Every request but verification answers
    /// CONCURRENT_TRANSACTIONS while one is.
    var pending: PendingTransition?

    /// Metadata for a transactional id seen for the first time, waiting for its producer id.
    init(newTransactionalId transactionalId: String, transactionTimeout: Duration, wallClockMilliseconds: Int64) {
        self.transactionalId = transactionalId
        producerId = -1
        lastProducerId = -1
        producerEpoch = -1
        lastProducerEpoch = -1
        self.transactionTimeout = transactionTimeout
        state = .empty
        partitions = []
        transactionStartTimestamp = -1
        lastUpdateTimestamp = wallClockMilliseconds
    }

    /// Metadata as a stored value describes it. The last epoch is never stored; the last
    /// producer id only in version 1 values.
    init(transactionalId: String, loading value: TransactionLogValue, state: TransactionState) {
        self.transactionalId = transactionalId
        producerId = value.producerId
        lastProducerId = value.previousProducerId
        producerEpoch = value.producerEpoch
        lastProducerEpoch = -1
        transactionTimeout = .milliseconds(value.transactionTimeoutMilliseconds)
        self.state = state
        // Kafka ignores the partitions of an Empty value, and so do we.
        partitions = state == .empty ? [] : Set(value.partitions)
        transactionStartTimestamp = value.startTimestamp
        lastUpdateTimestamp = value.lastUpdateTimestamp
    }

    /// Kafka refuses to hand out the last two epochs, so that fencing a producer can always
    /// bump the epoch once more.
    static func isEpochExhausted(_ epoch: Int16) -> Bool { epoch >= Int16.max - 1 }

    /// Whether the current epoch is exhausted: the next InitProducerId rotates the producer id.
    var isProducerEpochExhausted: Bool { Self.isEpochExhausted(producerEpoch) }

    /// The transaction timeout as stored: whole milliseconds (validated to fit an int32).
    var transactionTimeoutMilliseconds: Int32 { Int32(clamping: transactionTimeout.millisecondsClamped) }

    // MARK: - Targets of transitions

    /// Whether an InitProducerId naming `expected` may go on (Kafka's `isValidProducerId`): the
    /// metadata was just created, or names the current producer id, or the producer id before a
    /// rotation together with the exhausted epoch that caused it.
    func accepts(_ expected: ProducerIdAndEpoch) -> Bool {
        producerEpoch == -1 || expected.producerId == producerId
            || (expected.producerId == lastProducerId && Self.isEpochExhausted(expected.epoch))
    }

    /// The Empty state InitProducerId leads to with the next epoch, or nil when `expected`
    /// names an epoch that was fenced (Kafka's `prepareIncrementProducerEpoch`).
    func bumpingEpoch(for request: InitProducerIdEvent, wallClockMilliseconds: Int64) -> TransactionMetadata? {
        let epoch: Int16
        let lastEpoch: Int16
        if let expected = request.expected {
            if producerEpoch == -1 || expected.epoch == producerEpoch {
                // The producer recovers from an error and nobody else took over: bump, and
                // remember the epoch it held so a retry gets the same answer.
                guard producerEpoch < Int16.max else { return nil }
                (epoch, lastEpoch) = (producerEpoch + 1, producerEpoch)
            } else if expected.epoch == lastProducerEpoch {
                // A retry of a bump that succeeded: answer it again without bumping.
                (epoch, lastEpoch) = (producerEpoch, lastProducerEpoch)
            } else {
                return nil
            }
        } else {
            guard producerEpoch < Int16.max else { return nil }
            (epoch, lastEpoch) = (producerEpoch + 1, -1)
        }
        return reset(producerId: producerId, epoch: epoch, lastEpoch: lastEpoch, request: request, wallClockMilliseconds: wallClockMilliseconds)
    }

    /// The Empty state with a new producer id at epoch 0, after the epochs of the old one ran
    /// out (Kafka's `prepareProducerIdRotation`).
    func rotatingProducerId(to newProducerId: Int64, for request: InitProducerIdEvent, wallClockMilliseconds: Int64) -> TransactionMetadata {
        reset(producerId: newProducerId, epoch: 0, lastEpoch: request.expected == nil ? -1 : producerEpoch,
              request: request, wallClockMilliseconds: wallClockMilliseconds)
    }

    private func reset(producerId newProducerId: Int64, epoch: Int16, lastEpoch: Int16, request: InitProducerIdEvent,
                       wallClockMilliseconds: Int64) -> TransactionMetadata {
        var target = self
        target.pending = nil
        target.lastProducerId = producerId
        target.producerId = newProducerId
        target.producerEpoch = epoch
        target.lastProducerEpoch = lastEpoch
        target.transactionTimeout = request.transactionTimeout
        target.state = .empty
        target.partitions = []
        target.transactionStartTimestamp = -1
        target.lastUpdateTimestamp = wallClockMilliseconds
        return target
    }

    /// The Ongoing state with `added` partitions; a transaction starts with its first partition.
    func addingPartitions(_ added: Set<TopicPartition>, wallClockMilliseconds: Int64) -> TransactionMetadata {
        var target = changed(to: .ongoing, wallClockMilliseconds: wallClockMilliseconds)
        target.partitions.formUnion(added)
        switch state {
        case .empty, .completeCommit, .completeAbort:
            target.transactionStartTimestamp = wallClockMilliseconds
        case .ongoing, .prepareCommit, .prepareAbort, .dead, .prepareEpochFence:
            break
        }
        return target
    }

    /// The PrepareAbort state with the epoch bumped, which fences the producer that holds the
    /// current one (Kafka's `prepareFenceProducerEpoch` followed by the abort). Nil when the
    /// epoch cannot grow, which Kafka's epoch rules make unreachable.
    func fencingAbort(wallClockMilliseconds: Int64) -> TransactionMetadata? {
        guard producerEpoch < Int16.max else { return nil }
        var target = changed(to: .prepareAbort, wallClockMilliseconds: wallClockMilliseconds)
        target.producerEpoch = producerEpoch + 1
        target.lastProducerEpoch = -1
        return target
    }

    /// The same metadata in `state`, changed now.
    func changed(to state: TransactionState, wallClockMilliseconds: Int64) -> TransactionMetadata {
        var target = self
        target.pending = nil
        target.state = state
        target.lastUpdateTimestamp = wallClockMilliseconds
        return target
    }

    /// The record that makes this metadata durable; a tombstone for Dead.
    func record(valueVersion: Int16) -> TransactionLogRecord {
        switch state {
        case .dead:
            return TransactionLogRecord(transactionalId: transactionalId, value: nil)
        case .empty, .ongoing, .prepareCommit, .prepareAbort, .completeCommit, .completeAbort, .prepareEpochFence:
            return TransactionLogRecord(transactionalId: transactionalId, value: logValue(version: valueVersion))
        }
    }

    private func logValue(version: Int16) -> TransactionLogValue {
        // Kafka stores a null partition list for Empty, and a (possibly empty) list otherwise.
        let topics: [TransactionLogValue.Topic]? = state == .empty ? nil
            : Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
                TransactionLogValue.Topic(topic: topic, partitions: members.map(\.partition).sorted())
            }
        // Version 1 carries the producer id before a rotation; when nothing rotated there is
        // nothing to carry, and the field stays at its default so it is not written.
        let previousProducerId = version >= 1 && lastProducerId != producerId ? lastProducerId : -1
        return TransactionLogValue(
            version: version, producerId: producerId, previousProducerId: previousProducerId, producerEpoch: producerEpoch,
            transactionTimeoutMilliseconds: transactionTimeoutMilliseconds, state: state, topics: topics,
            lastUpdateTimestamp: lastUpdateTimestamp, startTimestamp: transactionStartTimestamp)
    }
}
