public import NIOCore
public import TernLogStore
public import TernPrimitives
public import TernProtocol
public import TernCoordination

/// One partition this broker holds a replica of: its log, its role and the offsets Kafka
/// derives from them.
///
/// With one replica in the ISR the high watermark follows the log end at once, as in Kafka with
/// replication factor 1; followers (a later issue) will move it through `updateHighWatermark`.
/// Appends run one at a time in arrival order on the log's executor, so the order of a
/// connection's requests is the order of its batches in the log.
///
/// Idempotent and transactional producers' batches are checked against the partition's
/// `ProducerStateTable` before the append and recorded after it, with the producer's other
/// appends held back in between (see `ProducerAppendGate` and `+Producers`); open
/// transactions hold the last stable offset, and markers end them (`+Transactions`).
public actor HostedPartition {
    /// The partition.
    public nonisolated let partition: TopicPartition
    /// The topic's id.
    public nonisolated let topicId: KafkaUUID
    let log: any PartitionLog
    /// The topic's effective settings.
    public private(set) var settings: TopicSettings
    /// The partition's state as the controller last decided it.
    public private(set) var assignment: PartitionAssignment
    /// The offset below which every record is replicated to the whole ISR.
    public private(set) var highWatermark: Int64
    private var watchers: [ObjectIdentifier: AsyncSignal] = [:]
    private let nodeId: Int32
    /// Reads the wall clock for producer activity.
    let clock: any BrokerClock
    /// `producer.id.expiration.ms`: producers inactive this long are forgotten.
    let producerIdExpiration: Duration
    /// The idempotent producers' state; see `+Producers`.
    var producerStates = ProducerStateTable()
    /// Which producers are between their check and their update.
    var producerGate = ProducerAppendGate<CheckedContinuation<Void, Never>>()
    /// The offset of the last snapshot written or loaded, if any.
    var producerSnapshotOffset: Int64?
    /// Whether `loadProducerState` has run; until then no snapshot is written.
    var producerStateLoaded = false

    init(partition: TopicPartition, topicId: KafkaUUID, log: any PartitionLog, settings: TopicSettings,
         assignment: PartitionAssignment, nodeId: Int32, clock: any BrokerClock, producerIdExpiration: Duration) async {
        self.partition = partition
        self.topicId = topicId
        self.log = log
        self.settings = settings
        self.assignment = assignment
        self.nodeId = nodeId
        self.clock = clock
        self.producerIdExpiration = producerIdExpiration
        let offsets = await log.offsets()
        let checkpointed = await log.checkpointedHighWatermark() ?? offsets.logStartOffset
        self.highWatermark = min(max(checkpointed, offsets.logStartOffset), offsets.logEndOffset)
        if assignment.inSyncReplicas == [nodeId] { self.highWatermark = offsets.logEndOffset }
    }

    /// Whether this broker leads the partition.
    public var isLeader: Bool { assignment.leader == nodeId }

    /// The log's bounds.
    public func offsets() async -> LogOffsets {
        await log.offsets()
    }

    /// Applies a new controller decision and topic settings.
    func update(assignment: PartitionAssignment, settings: TopicSettings) async {
        if settings != self.settings { await log.updateConfig(settings.log) }
        self.settings = settings
        self.assignment = assignment
        if assignment.inSyncReplicas == [nodeId], assignment.leader == nodeId {
            advanceHighWatermark(to: await log.offsets().logEndOffset)
        }
    }

    /// Checks a client's view of the leader epoch (-1: no check).
    public func validate(currentLeaderEpoch: Int32) throws(PartitionError) {
        guard currentLeaderEpoch >= 0 else { return }
        if currentLeaderEpoch < assignment.leaderEpoch {
            throw .fencedLeaderEpoch(partition, requested: currentLeaderEpoch, current: assignment.leaderEpoch)
        }
        if currentLeaderEpoch > assignment.leaderEpoch {
            throw .unknownLeaderEpoch(partition, requested: currentLeaderEpoch, current: assignment.leaderEpoch)
        }
    }

    /// Appends validated batches as leader and returns once they are committed (acks=all) or
    /// written (acks=1); `requiredAcks` is the request's acks.
    ///
    /// Batches of idempotent producers are checked against the producer state first: a retry
    /// of a batch already in the log returns that batch's offsets and appends nothing, and a
    /// fenced epoch or a sequence gap throws `.producerState` with Kafka's code.
    /// `validation` is `.crcVerifiedByCaller` only when the caller checked every batch's CRC
    /// over exactly these bytes (the produce handler does), so the log skips checking it again.
    public func appendAsLeader(
        _ batches: ByteBuffer, logAppendTime: Int64?, requiredAcks: Int16, validation: LogAppend.Validation = .full
    ) async throws(PartitionError) -> LogAppendInfo {
        try checkCanAppend(requiredAcks: requiredAcks)
        let summaries = ProducerBatch.summaries(of: batches).map(\.batch)
        let producerIds = Set(summaries.lazy.filter(\.hasProducerId).map(\.producerId))
        if producerIds.isEmpty {
            return try await appendToLog(batches, logAppendTime: logAppendTime, validation: validation)
        }
        return try await appendIdempotent(batches, summaries: summaries, producerIds: producerIds,
                                          logAppendTime: logAppendTime, requiredAcks: requiredAcks, validation: validation)
    }

    /// Throws unless this replica may take a leader append with `requiredAcks` now.
    func checkCanAppend(requiredAcks: Int16) throws(PartitionError) {
        guard isLeader else { throw .notLeaderOrFollower(partition) }
        if requiredAcks == -1, assignment.inSyncReplicas.count < settings.minInSyncReplicas {
            throw .notEnoughReplicas(partition, inSync: assignment.inSyncReplicas.count, required: settings.minInSyncReplicas)
        }
    }

    /// Appends to the log at the current leader epoch and moves the high watermark.
    func appendToLog(
        _ batches: ByteBuffer, logAppendTime: Int64?, validation: LogAppend.Validation = .full
    ) async throws(PartitionError) -> LogAppendInfo {
        let info: LogAppendInfo
        do {
            let origin = LogAppend.Origin.leader(epoch: assignment.leaderEpoch, logAppendTime: logAppendTime)
            info = try await log.append(LogAppend(batches: batches, origin: origin, validation: validation))
        } catch {
            throw .storage(partition, error)
        }
        if assignment.inSyncReplicas == [nodeId] { advanceHighWatermark(to: info.lastOffset + 1) }
        return info
    }

    /// Raises the high watermark (never lowers it) and wakes waiting fetches.
    func advanceHighWatermark(to offset: Int64) {
        guard offset > highWatermark else { return }
        highWatermark = offset
        let waiting = watchers.values
        watchers.removeAll()
        for signal in waiting { signal.fire() }
    }

    /// Reads whole batches from `fetchOffset` below `maxOffset`.
    public func read(fetchOffset: Int64, maxBytes: Int, maxOffset: Int64, minOneBatch: Bool) async throws(PartitionError) -> LogReadResult {
        let offsets = await log.offsets()
        guard fetchOffset >= offsets.logStartOffset, fetchOffset <= offsets.logEndOffset else {
            throw .offsetOutOfRange(partition, offset: fetchOffset, logStart: offsets.logStartOffset, logEnd: offsets.logEndOffset)
        }
        guard fetchOffset < maxOffset else { return LogReadResult(slices: [], offsets: offsets) }
        do {
            return try await log.read(LogReadRequest(fetchOffset: fetchOffset, maxBytes: maxBytes, maxOffset: maxOffset, minOneBatch: minOneBatch))
        } catch {
            throw .storage(partition, error)
        }
    }

    /// Fires `signal` at the next high-watermark advance.
    func watch(_ signal: AsyncSignal) {
        watchers[ObjectIdentifier(signal)] = signal
    }

    /// Stops watching for `signal`.
    func unwatch(_ signal: AsyncSignal) {
        watchers[ObjectIdentifier(signal)] = nil
    }

    /// The first offset whose record's timestamp is at or after `timestamp`, below the high watermark.
    public func offset(forTimestamp timestamp: Int64) async throws(PartitionError) -> TimestampOffset? {
        do {
            guard let found = try await log.offset(forTimestamp: timestamp), found.offset < highWatermark else { return nil }
            return found
        } catch {
            throw .storage(partition, error)
        }
    }

    /// The record with the largest timestamp.
    public func maxTimestampOffset() async throws(PartitionError) -> TimestampOffset? {
        do {
            return try await log.maxTimestampOffset()
        } catch {
            throw .storage(partition, error)
        }
    }

    /// OffsetForLeaderEpoch.
    public func endOffset(forLeaderEpoch epoch: Int32) async -> LeaderEpochEntry? {
        await log.endOffset(forLeaderEpoch: epoch)
    }

    /// DeleteRecords: raises the log start offset, at most to the high watermark; -1 means
    /// the high watermark. Returns the new low watermark.
    public func deleteRecords(before offset: Int64) async throws(PartitionError) -> Int64 {
        guard isLeader else { throw .notLeaderOrFollower(partition) }
        let target = offset == -1 ? highWatermark : offset
        let offsets = await log.offsets()
        guard target >= 0, target <= highWatermark else {
            throw .offsetOutOfRange(partition, offset: offset, logStart: offsets.logStartOffset, logEnd: highWatermark)
        }
        do {
            return try await log.advanceLogStartOffset(to: target)
        } catch {
            throw .storage(partition, error)
        }
    }

    /// Writes the producer-state snapshot and the high-watermark checkpoint, and closes the
    /// log; a failed snapshot does not keep the log open, and is thrown afterwards.
    func close() async throws(PartitionError) {
        var snapshotFailure: PartitionError?
        do {
            try await snapshotProducerState()
        } catch {
            snapshotFailure = error
        }
        do {
            try await log.checkpointHighWatermark(highWatermark)
            try await log.close()
        } catch {
            throw .storage(partition, error)
        }
        if let snapshotFailure { throw snapshotFailure }
    }

    /// Background maintenance: retention and compaction by the topic's cleanup policy,
    /// producer expiry, and a producer-state snapshot when the state has moved on.
    func maintain(now wallClockMilliseconds: Int64) async throws(PartitionError) {
        do {
            _ = try await log.enforceRetention(now: wallClockMilliseconds)
            _ = try await log.compact(now: wallClockMilliseconds)
            try await log.checkpointHighWatermark(highWatermark)
        } catch {
            throw .storage(partition, error)
        }
        let expired = producerStates.removeExpired(now: wallClockMilliseconds, expiration: producerIdExpiration.millisecondsClamped)
        try await snapshotProducerState(force: expired > 0)
    }
}
