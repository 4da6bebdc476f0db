// The producer state of one partition: what Kafka's ProducerStateManager keeps for idempotent
// producers, as a value type with no I/O. Design note.
//
// Per producer id the table keeps the latest epoch, the last five batches appended
// (sequence range, offset range, max timestamp) and when the producer was last active. A
// produce request's batches are checked against it before the append and recorded after:
//
// - A batch whose epoch and sequence range match one of the five cached batches is a retry
//   of a batch already in the log: the request succeeds with that batch's offsets and nothing
//   is appended (Kafka checks duplicates against the state before the request, so does this).
// - An epoch older than the producer's is fenced: INVALID_PRODUCER_EPOCH.
// - A newer epoch starts the sequence again, so it must begin at 0.
// - Within an epoch the batch must continue the sequence (Int32.max wraps to 0); anything
//   else is OUT_OF_ORDER_SEQUENCE_NUMBER, and the client resends in order.
// - A producer the table does not know (its state expired, or its batches were all deleted
//   before a snapshot kept them) is accepted at any sequence, as Kafka accepts it since
//   KIP-360; the table learns it from that batch on.
// - Transactional batches pass the same checks (Kafka before KIP-890: the partition does not
//   ask the coordinator whether the transaction includes it). The first one of a producer
//   opens its ongoing transaction at that batch's offset; a non-transactional batch while one
//   is open is INVALID_TXN_STATE. A transaction marker (`completeTransaction`) closes it: a
//   marker of an older producer epoch is INVALID_PRODUCER_EPOCH, one from an older
//   coordinator epoch TRANSACTION_COORDINATOR_FENCED. The earliest open transaction bounds
//   the last stable offset (`firstUnstableOffset`), and a producer with one open is never
//   expired or evicted, since its transaction would then never end for read_committed readers.
// - A batch without a sequence (-1; the group coordinator's transactional offset commits,
//   which Kafka also writes without one) is checked for its epoch only, is never a duplicate,
//   and is not cached.
//
// Several batches in one request are checked in order against the state as the earlier ones
// would leave it; one rejected batch rejects the request, as Kafka does.
//
// Departures from Kafka. Kafka times a producer's inactivity by the max timestamp of its
// last batch, which the client's clock sets; a producer whose clock runs a day behind loses
// its state at once. Here a live append records the broker's wall clock, and only batches
// replayed from the log (where nothing else is known) use their max timestamp, capped at the
// replay's now. The table also holds at most `producersMax` producers (by default
// `Limits.producersPerPartitionMax`): past it the longest inactive tenth are forgotten (they
// become unknown producers), so batches carrying made-up producer ids cannot grow it without
// bound.

public import TernPrimitives
public import TernProtocol

/// The idempotent-producer state of one partition.
public struct ProducerStateTable: Hashable, Sendable {
    /// How many of a producer's latest batches are kept for duplicate detection; the Kafka
    /// producer keeps at most five requests in flight per partition with idempotence.
    public static let batchesRetained = 5

    /// One appended batch, as remembered for duplicate detection.
    public struct BatchMetadata: Hashable, Sendable {
        /// The sequence number of its first record.
        public var firstSequence: Int32
        /// The sequence number of its last record.
        public var lastSequence: Int32
        /// The offset of its first record.
        public var firstOffset: Int64
        /// The offset of its last record.
        public var lastOffset: Int64
        /// Its max timestamp as stored.
        public var maxTimestamp: Int64
    }

    /// What the table knows of one producer.
    public struct Entry: Hashable, Sendable {
        /// The latest epoch seen.
        public var epoch: Int16
        /// The latest batches of that epoch, oldest first; at most `batchesRetained`.
        public var batches: [BatchMetadata]
        /// When the producer last appended (wall-clock milliseconds).
        public var lastTimestamp: Int64
        /// The epoch of the transaction coordinator that wrote the producer's last marker.
        public var coordinatorEpoch: Int32 = -1
        /// The offset of the first record of the producer's open transaction, if one is open.
        public var currentTransactionFirstOffset: Int64?
    }

    /// A transaction a marker closed.
    public struct CompletedTransaction: Hashable, Sendable {
        /// The producer.
        public var producerId: Int64
        /// The offset of the transaction's first record (the marker's, for an empty one).
        public var firstOffset: Int64
        /// The marker's offset.
        public var lastOffset: Int64
        /// Whether the marker aborts it.
        public var isAbort: Bool
    }

    /// The verdict on a produce request's batches.
    public enum Verdict: Hashable, Sendable {
        /// Append them.
        case append
        /// A retry of a batch already appended: answer with its offsets, append nothing.
        case duplicate(BatchMetadata)
        /// Refuse them with this code and message.
        case rejected(KafkaErrorCode, String)
    }

    /// The producers known, by producer id.
    public internal(set) var producers: [Int64: Entry] = [:]
    /// The offset of the last abort marker that closed a transaction (one the aborted-transaction
    /// index must hold), or -1. A restart compares it with the index to find a lost index.
    public internal(set) var lastAbortMarkerOffset: Int64 = -1
    /// The most producers kept; see the design note.
    public let producersMax: Int

    /// An empty table holding at most `producersMax` producers.
    public init(producersMax: Int = Limits.producersPerPartitionMax) {
        precondition(producersMax > 0, "a producer table must hold at least one producer")
        self.producersMax = producersMax
    }

    // MARK: Check

    /// Checks the batches of one produce request, in order, against the current state.
    /// Batches without a producer id pass unchecked.
    public func check(_ batches: [ProducerBatch]) -> Verdict {
        var pending: [Int64: Entry] = [:]
        for batch in batches where batch.hasProducerId {
            if let original = duplicate(of: batch) { return .duplicate(original) }
            let current = pending[batch.producerId] ?? producers[batch.producerId]
            if let problem = Self.problem(with: batch, current: current) { return .rejected(problem.0, problem.1) }
            // Offsets are not known before the append; only sequences matter to later checks.
            pending[batch.producerId] = Self.recording(batch, firstOffset: -1, timestamp: 0, in: current)
        }
        return .append
    }

    /// The cached batch `batch` repeats, if it is a retry of one.
    private func duplicate(of batch: ProducerBatch) -> BatchMetadata? {
        guard batch.hasSequence, let entry = producers[batch.producerId], entry.epoch == batch.producerEpoch else { return nil }
        let last = batch.lastSequence
        return entry.batches.first { $0.firstSequence == batch.baseSequence && $0.lastSequence == last }
    }

    /// Why `batch` may not follow `current`, or nil when it may.
    private static func problem(with batch: ProducerBatch, current: Entry?) -> (KafkaErrorCode, String)? {
        let producer = "producer \(batch.producerId)"
        guard let current else { return nil }
        if !batch.isTransactional, current.currentTransactionFirstOffset != nil {
            return (.invalidTxnState, "\(producer): a non-transactional batch while its transaction is open")
        }
        if batch.producerEpoch < current.epoch {
            return (.invalidProducerEpoch, "\(producer): epoch \(batch.producerEpoch) is older than the current epoch \(current.epoch)")
        }
        if batch.producerEpoch > current.epoch {
            guard batch.baseSequence == 0 else {
                return (.outOfOrderSequenceNumber,
                        "\(producer): new epoch \(batch.producerEpoch) must start at sequence 0, not \(batch.baseSequence)")
            }
            return nil
        }
        guard batch.hasSequence, let last = current.batches.last else { return nil }
        guard batch.baseSequence == ProducerBatch.sequence(last.lastSequence, advancedBy: 1) else {
            return (.outOfOrderSequenceNumber,
                    "\(producer) at epoch \(batch.producerEpoch): sequence \(batch.baseSequence) does not follow \(last.lastSequence)")
        }
        return nil
    }

    // MARK: Update

    /// Records the batches of a request the log has appended, their offsets assigned from
    /// `firstOffset` on as a leader assigns them; `now` is the wall clock.
    public mutating func update(after batches: [ProducerBatch], firstOffset: Int64, now: Int64) {
        var offset = firstOffset
        for batch in batches {
            if batch.hasProducerId && !batch.isControl { record(batch, firstOffset: offset, timestamp: now) }
            offset += Int64(batch.lastOffsetDelta) + 1
        }
    }

    /// Records a batch found in the log at `baseOffset` while rebuilding the state, without
    /// checks (it was checked when appended). Its max timestamp stands in for the time of
    /// the producer's activity, capped at `now`.
    public mutating func replay(_ batch: ProducerBatch, baseOffset: Int64, now: Int64) {
        guard batch.hasProducerId && !batch.isControl else { return }
        record(batch, firstOffset: baseOffset, timestamp: min(batch.maxTimestamp, now))
    }

    private mutating func record(_ batch: ProducerBatch, firstOffset: Int64, timestamp: Int64) {
        let current = producers[batch.producerId]
        producers[batch.producerId] = Self.recording(batch, firstOffset: firstOffset, timestamp: timestamp, in: current)
        if current == nil && producers.count > producersMax { evictLeastRecentlyActive() }
    }

    /// `entry` after `batch`: a new epoch forgets the old epoch's batches.
    private static func recording(_ batch: ProducerBatch, firstOffset: Int64, timestamp: Int64, in entry: Entry?) -> Entry {
        var entry = entry ?? Entry(epoch: batch.producerEpoch, batches: [], lastTimestamp: timestamp)
        if entry.epoch != batch.producerEpoch {
            entry.epoch = batch.producerEpoch
            entry.batches.removeAll()
        }
        if entry.batches.count == batchesRetained { entry.batches.removeFirst() }
        if batch.hasSequence { entry.batches.append(BatchMetadata(
            firstSequence: batch.baseSequence, lastSequence: batch.lastSequence, firstOffset: firstOffset,
            lastOffset: firstOffset + Int64(batch.lastOffsetDelta), maxTimestamp: batch.maxTimestamp)) }
        entry.lastTimestamp = max(entry.lastTimestamp, timestamp)
        if batch.isTransactional && entry.currentTransactionFirstOffset == nil { entry.currentTransactionFirstOffset = firstOffset }
        return entry
    }

    /// Forgets the longest-inactive tenth of the producers (at least one), so a full table
    /// sorts once per many new producers rather than on every one.
    private mutating func evictLeastRecentlyActive() {
        let count = max(1, producersMax / 10)
        let oldest = producers.filter { $0.value.currentTransactionFirstOffset == nil }.sorted { ($0.value.lastTimestamp, $0.key) < ($1.value.lastTimestamp, $1.key) }.prefix(count)
        for (producerId, _) in oldest { producers[producerId] = nil }
    }

    // MARK: Transactions

    /// The offset of the first record of the earliest open transaction, if any is open.
    public var firstUnstableOffset: Int64? {
        producers.values.compactMap(\.currentTransactionFirstOffset).min()
    }

    /// Why a marker for `producerId` at `epoch` from a coordinator at `coordinatorEpoch` may
    /// not be appended, or nil when it may.
    public func markerProblem(producerId: Int64, epoch: Int16, coordinatorEpoch: Int32) -> (KafkaErrorCode, String)? {
        guard let current = producers[producerId] else { return nil }
        if epoch < current.epoch {
            return (.invalidProducerEpoch, "producer \(producerId): marker epoch \(epoch) is older than the current epoch \(current.epoch)")
        }
        if coordinatorEpoch < current.coordinatorEpoch {
            return (.transactionCoordinatorFenced,
                    "producer \(producerId): coordinator epoch \(coordinatorEpoch) is older than \(current.coordinatorEpoch)")
        }
        return nil
    }

    /// Records a marker appended at `offset` (or found there by a replay): the producer's open
    /// transaction, if any, ends. Returns the transaction closed, or nil when none was open.
    @discardableResult
    public mutating func completeTransaction(producerId: Int64, epoch: Int16, coordinatorEpoch: Int32, isAbort: Bool,
                                             offset: Int64, timestamp: Int64) -> CompletedTransaction? {
        var entry = producers[producerId] ?? Entry(epoch: epoch, batches: [], lastTimestamp: timestamp)
        if entry.epoch != epoch {
            entry.epoch = epoch
            entry.batches.removeAll()
        }
        entry.coordinatorEpoch = max(entry.coordinatorEpoch, coordinatorEpoch)
        entry.lastTimestamp = max(entry.lastTimestamp, timestamp)
        let firstOffset = entry.currentTransactionFirstOffset
        entry.currentTransactionFirstOffset = nil
        let isNew = producers[producerId] == nil
        producers[producerId] = entry
        if isNew && producers.count > producersMax { evictLeastRecentlyActive() }
        guard let firstOffset else { return nil }
        if isAbort { lastAbortMarkerOffset = max(lastAbortMarkerOffset, offset) }
        return CompletedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: offset, isAbort: isAbort)
    }

    // MARK: Expiry

    /// Forgets producers inactive for at least `expiration` milliseconds
    /// (`producer.id.expiration.ms`) at wall-clock `now`; returns how many.
    @discardableResult
    public mutating func removeExpired(now: Int64, expiration: Int64) -> Int {
        let before = producers.count
        producers = producers.filter { now - $0.value.lastTimestamp < expiration || $0.value.currentTransactionFirstOffset != nil }
        return before - producers.count
    }
}
