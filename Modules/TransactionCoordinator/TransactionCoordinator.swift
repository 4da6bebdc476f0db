// TransactionCoordinator: Kafka's transaction coordinator (KIP-98) as a sans-IO state machine.
// Design note.
//
// Shape
// -----
// `TransactionMetadataManager` holds every transactional id of one `__transaction_state`
// partition, each as a `TransactionMetadata` (Empty, Ongoing, PrepareCommit, PrepareAbort,
// CompleteCommit, CompleteAbort; Dead is only the target while an expired id's tombstone is
// written, and PrepareEpochFence is never entered, see below). A driver keeps one manager per
// partition it leads, like the group coordinator's shards, and builds it with that partition's
// leader epoch, which every marker carries.
// Requests come in as domain events (`InitProducerIdEvent`, `AddPartitionsToTxnEvent`, …) with a
// driver-chosen `TransactionRequestToken`; durable writes, allocated producer ids and written
// markers come back as events; timers as `expire(_:)`. Everything the driver must do comes out
// as `TransactionAction`s. Nothing reads a clock: events carry the monotonic `now` for timer
// deadlines and the wall clock for the timestamps Kafka stores, which timeouts and expiry are
// measured from, because those timestamps must survive restarts and moves between brokers.
//
// A change that must be durable is computed as the whole target metadata, parked as the id's
// pending transition, and appended as one `TransactionLogRecord`; only when the driver reports
// the append durable is the target installed and the request answered (Kafka answers from the
// append callback too). A failed append drops the pending transition and answers the mapped
// error, so memory never runs ahead of the log. While anything is pending for an id (a write,
// a producer id, the markers of its last transaction) its requests get CONCURRENT_TRANSACTIONS.
//
// The flow of a transaction: InitProducerId writes Empty with the next epoch; AddPartitionsToTxn
// and AddOffsetsToTxn write Ongoing with the grown partition set; EndTxn writes PrepareCommit or
// PrepareAbort, is answered once that is durable, and then `.writeMarkers` asks the driver to send
// WriteTxnMarkers to each partition's leader; when `markersWritten` has covered every partition,
// CompleteCommit or CompleteAbort is written. An EndTxn repeating the outcome of a finished
// transaction answers NONE; the other outcome INVALID_TXN_STATE. InitProducerId on an open
// transaction aborts it under a bumped epoch (fencing the old producer) and answers
// CONCURRENT_TRANSACTIONS, so the producer retries and gets a second bump once the abort
// completes. The periodic timeout pass does the same abort without anyone to answer.
//
// Producer ids come from the driver, which holds the cluster's producer id blocks: when an
// InitProducerId needs one (a new transactional id, or epochs run out at Int16.max - 1) the
// coordinator emits `.allocateProducerId(token)` and continues on `producerIdAllocated`. Epoch
// handling is the classic one (EndTxn up to v4, KIP-360 recovery through InitProducerId v3+
// with the producer's current id and epoch); KIP-890 part 2 (EndTxn v5, an epoch bump per
// transaction) is not supported.
//
// Departures from Kafka, and why
// ------------------------------
// - No PrepareEpochFence step. Kafka marks an open transaction PrepareEpochFence, then re-enters
//   its EndTxn path to abort it, because the two steps run under different locks. Our events run
//   one at a time, so fencing goes straight to a PrepareAbort target with the bumped epoch.
// - Full revert of a failed fence. Kafka bumps the epoch in memory before the write and keeps it
//   if the write fails (remembering `hasFailedEpochFence` so the next fence does not bump again);
//   we keep memory equal to the log, so a failed fence leaves the old epoch in place and the next
//   attempt computes the same bump. The bumped epoch was never handed out nor written to any
//   partition, so nothing can have observed it.
// - Completion writes that fail are retried on a timer (`retryCompletion`) for every failure,
//   including NOT_COORDINATOR, after which Kafka gives up and waits for the partition to be
//   unloaded; the driver drops the manager when it resigns, which ends the retries anyway.
// - New transactional ids. Kafka allocates the producer id synchronously and caches the new id
//   before its first write; we cache it while the allocation is in flight (so a concurrent
//   InitProducerId for the same id is told CONCURRENT_TRANSACTIONS) and forget it if the
//   allocation fails. Like Kafka we keep it, with its producer id, if its first write fails.
// - Expiry writes all expired ids' tombstones in appends of at most 500, rather than sizing
//   batches by `max.message.bytes`; ids whose tombstone failed are simply tried next pass.
// - Record format: we write `TransactionLogValue` version 0 by default, as Kafka 3.9 does, and
//   version 1 (flexible, with the previous producer id as tag 0) when configured. Kafka 3.9 does
//   not persist the last producer id or last epoch; neither do we in version 0, so a KIP-360
//   retry that spans a coordinator move may be fenced, as in Kafka.
// - A stored value in state Dead is read as a tombstone, and one in PrepareEpochFence as Ongoing;
//   Kafka throws on the first and cannot write the second, but bad bytes must not trap us.
// - Not here: InitProducerId without a transactional id (the driver allocates an id, epoch 0),
//   NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS (partition ownership is the driver's), the
//   translation of PRODUCER_FENCED to INVALID_PRODUCER_EPOCH for old request versions (the
//   handlers'), TxnOffsetCommit (the group coordinator's), and marker delivery itself.
