#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TernPrimitives
import TernProtocol

/// One partition's log in Kafka's on-disk layout: a directory `<topic>-<partition>` of
/// segments (`<base offset>.log`, `.index`, `.timeindex`) plus checkpoint files
/// (`leader-epoch-checkpoint`, `log-start-offset`, `high-watermark`, `recovery-point`; see
/// `CheckpointFile`).
///
/// The actor runs on its own `IOLane`, a serial executor drained by the store's I/O threads,
/// so its blocking syscalls never occupy Swift's cooperative pool or an event loop, and its
/// state changes need no await between reading and acting. The only suspension inside an
/// operation is waiting for an fsync (group commit, see `+Durability`), which runs as a
/// separate pool job while the lane keeps serving other calls.
actor SegmentedPartitionLog: PartitionLog {
    /// The life of the log object.
    enum Phase {
        /// Created by the store, not yet read from disk.
        case unloaded
        /// Serving calls.
        case open
        /// Closed or deleted: every call throws `.closed`.
        case closed
        /// A write or fsync failed, so what is on disk is uncertain (Kafka takes the log
        /// directory offline); every call throws the original error.
        case failed(LogStoreError)
    }

    /// The partition this log holds.
    nonisolated let partition: TopicPartition
    /// The partition directory.
    nonisolated let directory: String
    nonisolated let lane: IOLane
    let context: StoreContext

    /// The actor's jobs run on its I/O lane, never on the cooperative pool.
    nonisolated var unownedExecutor: UnownedSerialExecutor { lane.asUnownedSerialExecutor() }

    var config: LogConfig
    var phase = Phase.unloaded
    /// Oldest first; never empty once loaded; the last is the active segment.
    var segments: [DiskSegment] = []
    var logStartOffset: Int64 = 0
    var logEndOffset: Int64 = 0
    var epochs = LeaderEpochCache()
    var highWatermark: Int64?
    var durability = DurabilityState()
    /// Whether this process has written to the log's files (batches, index entries, new
    /// segments); see `unchangedSinceCleanLoad`.
    var filesWritten = false
    /// The log's segments right after a load from a clean shutdown that wrote nothing.
    var cleanLoadShape: LogShape?
    /// What the read path last asked the kernel to read ahead (see `+Read`).
    var readAheadMark = ReadAheadMark()
    /// The aborted-transaction index, once read; see `+Transactions`.
    var abortedTransactionIndex: AbortedTransactionIndex?
    // Reused buffers, so appends do not allocate once warmed up.
    var headerScratch = ByteBuffer()
    var stampedHeaders: [UInt8] = []

    init(partition: TopicPartition, directory: String, config: LogConfig, context: StoreContext) {
        self.partition = partition
        self.directory = directory
        self.config = config
        self.context = context
        lane = IOLane(pool: context.pool)
    }

    /// The active segment.
    var active: DiskSegment { segments[segments.count - 1] }

    /// Loads the log from disk (see `load(recovering:)`) and notes whether it is exactly as
    /// the last clean shutdown left it.
    func open(recovering: Bool) throws(LogStoreError) {
        guard case .unloaded = phase else { return try load(recovering: recovering) }
        try load(recovering: recovering)
        if !recovering && !filesWritten { cleanLoadShape = shape }
    }

    /// Whether the log's files are as a clean shutdown synced them: loaded after one, with
    /// nothing written, truncated, rolled or deleted since, and no fsync owed. Closing such a
    /// log needs no fsync; a broker restarted with thousands of idle partitions otherwise
    /// pays several per partition to shut down again.
    var unchangedSinceCleanLoad: Bool {
        guard let cleanLoadShape, !filesWritten, shape == cleanLoadShape else { return false }
        return !owesSync && durability.backgroundSync == nil
    }

    /// What changes when segments are cut, added or removed.
    private var shape: LogShape {
        LogShape(segmentIDs: segments.map(\.id), activeSize: active.size, logStartOffset: logStartOffset)
    }

    /// Throws unless the log is serving calls.
    func requireOpen() throws(LogStoreError) {
        switch phase {
        case .open: return
        case .unloaded, .closed: throw .closed(partition)
        case let .failed(error): throw error
        }
    }

    /// Takes the log offline after a failed write, and returns the error to throw.
    func fail(_ error: LogStoreError) -> LogStoreError {
        if case .open = phase {
            phase = .failed(error)
            context.report("\(partition) is offline after a failed write: \(error)")
        }
        return error
    }

    func offsets() -> LogOffsets {
        LogOffsets(logStartOffset: logStartOffset, logEndOffset: logEndOffset)
    }

    func updateConfig(_ config: LogConfig) {
        self.config = config
    }

    // MARK: Append

    func append(_ request: LogAppend) async throws(LogStoreError) -> LogAppendInfo {
        debugCheckOnLane()
        try requireOpen()
        var batches = request.batches
        let now = context.clock.wallClockMilliseconds
        let summary = try AppendStamper.stamp(&batches, origin: request.origin, logEndOffset: logEndOffset, validation: request.validation)
        try rollIfNeeded(appendBytes: summary.byteCount, lastOffset: summary.lastOffset, now: now)
        let segment = active
        guard segment.relative(summary.lastOffset) != nil else {
            throw .invalidBatch("offsets \(summary.firstOffset)...\(summary.lastOffset) span more than a segment can index")
        }
        let position = segment.size
        try write(batches, stamp: summary.headerStamp, to: segment, at: position)
        try index(batches, stamp: summary.headerStamp, in: segment, at: position)
        segment.size += Int64(summary.byteCount)
        // Appended bytes were CRC-checked on the way in, here or by the caller.
        segment.noteVerified(at: position, upTo: segment.size)
        segment.nextOffset = summary.lastOffset + 1
        segment.firstAppendWallClock = segment.firstAppendWallClock ?? now
        segment.lastModifiedWallClock = now
        logEndOffset = summary.lastOffset + 1
        try learnEpochs(from: batches, stamp: summary.headerStamp)
        durability.appendedBytes += UInt64(summary.byteCount)
        durability.appendedRecords += summary.recordCount
        writeBehindIfDue()
        let info = LogAppendInfo(
            firstOffset: summary.firstOffset, lastOffset: summary.lastOffset, maxTimestamp: summary.maxTimestamp,
            logAppendTime: summary.logAppendTime, logStartOffset: logStartOffset, recordCount: summary.recordCount
        )
        if appendAwaitsDurability { try await awaitDurable(durability.appendedBytes) }
        return info
    }

    /// Under the flush policy, starts an fsync round in the background once
    /// `writeBehindBytes` are unflushed, so the disk writes while producers append. Left to
    /// the kernel, a broker with plenty of memory leaves gigabytes dirty until its dirty
    /// ratio is reached and then writes them in a burst (or a `flush()` waits for all of
    /// them); with this, a flush or roll waits for a few tens of megabytes at most, and a
    /// gigabyte appended and flushed measured about a quarter faster. The append does not
    /// wait, and a round already running makes this a no-op.
    private func writeBehindIfDue() {
        guard case .flushPolicy = config.durability, !durability.syncing,
              durability.appendedBytes - durability.durableBytes >= Self.writeBehindBytes
        else { return }
        syncSealedInBackground()
    }

    /// Unflushed bytes that start a background fsync round under the flush policy: as fast
    /// as 8 MiB here, with a quarter of the fsyncs.
    static let writeBehindBytes: UInt64 = 32 << 20

    /// Writes the request's bytes (stamped as `stamp` says; see `+Write`); a failed write
    /// is cut back off the file so the next append does not follow garbage.
    private func write(_ batches: ByteBuffer, stamp: HeaderStamp?, to segment: DiskSegment, at position: Int64) throws(LogStoreError) {
        let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
        filesWritten = true
        let result: Result<Void, LogStoreError>
        if let stamp {
            result = writeStamped(batches, stamp: stamp, to: handle, at: position)
        } else {
            result = batches.withUnsafeReadableBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(handle.descriptor, raw, at: position, path: handle.path) }
            }
        }
        if case let .failure(error) = result {
            do throws(LogStoreError) {
                try POSIXFile.truncate(handle.descriptor, to: position, path: handle.path)
            } catch {
                throw fail(error)
            }
            throw error
        }
    }

    /// Adds index entries for the batches just written to the segment's pending entries,
    /// written out once `indexPendingBytesMax` pile up (see `writePendingIndexEntries`).
    private func index(_ batches: ByteBuffer, stamp: HeaderStamp?, in segment: DiskSegment, at start: Int64) throws(LogStoreError) {
        let capacity = IndexCapacity(indexBytesMax: config.indexBytesMax)
        var position = start
        AppendStamper.forEachBatch(in: batches, headerStamp: stamp) { batch in
            segment.index(
                lastOffset: batch.lastOffset, position: position, byteCount: batch.byteCount,
                maxTimestamp: batch.maxTimestamp, intervalBytes: config.indexIntervalBytes, capacity: capacity,
                offsetEntries: &segment.pendingOffsetEntries, timeEntries: &segment.pendingTimeEntries
            )
            position += Int64(batch.byteCount)
        }
        guard segment.pendingOffsetEntries.readableBytes + segment.pendingTimeEntries.readableBytes >= Self.indexPendingBytesMax else { return }
        do throws(LogStoreError) {
            try writePendingIndexEntries(of: segment)
        } catch {
            throw fail(error)
        }
    }

    /// Index entries a segment holds in memory before one pwrite per index file: two
    /// pwrites per append were about a twelfth of an append's CPU in profiles, and at one
    /// entry per 16 KiB batch this writes them once per ~200 appends.
    static let indexPendingBytesMax = 4096

    /// Writes the segment's pending index entries at the end of its index files.
    ///
    /// Only the active segment has pending entries, and nothing but speed depends on when
    /// they reach the files: lookups in the active segment use its in-memory offset index;
    /// every reader of an index file, a seal and a cut write them first; and a crash
    /// recovery rebuilds the indexes of every segment whose entries could have been pending
    /// (the active segment, and sealed ones at or above the recovery point) from the log.
    func writePendingIndexEntries(of segment: DiskSegment) throws(LogStoreError) {
        if segment.pendingOffsetEntries.readableBytes > 0 {
            let position = segment.offsetIndexCount * OffsetIndexEntry.size - segment.pendingOffsetEntries.readableBytes
            try writeIndexBytes(segment.pendingOffsetEntries, of: segment, kind: .offsetIndex, at: position)
            segment.pendingOffsetEntries.clear()
        }
        if segment.pendingTimeEntries.readableBytes > 0 {
            let position = segment.timeIndexCount * TimeIndexEntry.size - segment.pendingTimeEntries.readableBytes
            try writeIndexBytes(segment.pendingTimeEntries, of: segment, kind: .timeIndex, at: position)
            segment.pendingTimeEntries.clear()
        }
    }

    /// Writes encoded index entries at `position` of one of the segment's index files.
    private func writeIndexBytes(_ entries: ByteBuffer, of segment: DiskSegment, kind: SegmentFileKind, at position: Int) throws(LogStoreError) {
        let handle = try context.files.handle(segment.key(kind), path: segment.path(kind))
        filesWritten = true
        durability.activeIndexesUnsynced = true
        let result = entries.withUnsafeReadableBytes { raw in
            Result { () throws(LogStoreError) in try POSIXFile.writeAll(handle.descriptor, raw, at: Int64(position), path: handle.path) }
        }
        try result.get()
    }

    /// Kafka's append path learns leader epochs from the batches, so a follower's cache
    /// fills in as it copies the leader; producers' unstamped -1 is skipped.
    private func learnEpochs(from batches: ByteBuffer, stamp: HeaderStamp?) throws(LogStoreError) {
        var changed = false
        AppendStamper.forEachBatch(in: batches, headerStamp: stamp) { batch in
            if batch.leaderEpoch >= 0 && epochs.assign(batch.leaderEpoch, startOffset: batch.baseOffset) {
                changed = true
            }
        }
        // Kafka (since KAFKA-15046) keeps this fsync off the append path too: the file is
        // replaced now and fsynced by the next fsync round, which an append that must be
        // durable waits for; and crash recovery re-learns epochs from the active segment.
        if changed {
            do throws(LogStoreError) { try persistEpochs(durable: false) } catch { throw fail(error) }
        }
    }

    // MARK: Segments

    /// Rolls a new active segment before an append, by Kafka's rules: the append would push
    /// the segment past `segment.bytes` (or past what an int32 file position indexes), the
    /// segment's first append is older than `segment.ms`, an index is full, or the append's
    /// offsets would not fit the index's 32-bit relative offsets. An empty segment never rolls.
    private func rollIfNeeded(appendBytes: Int, lastOffset: Int64, now: Int64) throws(LogStoreError) {
        let segment = active
        guard !segment.isEmpty else { return }
        let size = segment.size + Int64(appendBytes)
        let full = size > Int64(config.segmentBytes) || size > Int64(Int32.max)
        let old = segment.firstAppendWallClock.map { now - $0 > config.segmentDuration.millisecondsClamped } ?? false
        let indexFull = segment.indexesFull(IndexCapacity(indexBytesMax: config.indexBytesMax))
        let overflow = lastOffset - segment.baseOffset > Int64(Int32.max)
        if full || old || indexFull || overflow {
            try roll()
        }
    }

    /// Seals the active segment and starts a new one at the log end.
    func roll() throws(LogStoreError) {
        let sealed = active
        do throws(LogStoreError) {
            try seal(sealed)
            segments.append(try createSegment(baseOffset: logEndOffset))
        } catch {
            throw fail(error)
        }
        // Its files are synced by the next fsync round, which starts now in the background.
        durability.unsyncedSealed.append(sealed)
        syncSealedInBackground()
    }

    /// Gives a segment that stops being active its final time-index entry (its true max
    /// timestamp, which a restart reads back from there) and drops its in-memory index.
    func seal(_ segment: DiskSegment) throws(LogStoreError) {
        segment.appendTimeEntryIfRaised(into: &segment.pendingTimeEntries)
        try writePendingIndexEntries(of: segment)
        segment.memoryIndex = nil
        segment.indexesVerified = true
    }

    /// Creates the three empty files of a new active segment; their names become durable
    /// with the next fsync round.
    func createSegment(baseOffset: Int64) throws(LogStoreError) -> DiskSegment {
        let segment = DiskSegment(id: context.newSegmentID(), baseOffset: baseOffset, directory: directory)
        filesWritten = true
        segment.memoryIndex = []
        segment.indexesVerified = true
        segment.lastModifiedWallClock = context.clock.wallClockMilliseconds
        for kind in SegmentFileKind.allCases {
            let path = segment.path(kind)
            let descriptor = try POSIXFile.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
            context.files.insert(SegmentFileHandle(descriptor: descriptor, path: path), for: segment.key(kind))
        }
        markUnsynced(directory: directory)
        return segment
    }

    /// Removes a segment's files. Reads still holding its descriptors keep working.
    func deleteFiles(of segment: DiskSegment) throws(LogStoreError) {
        context.files.evict(segmentID: segment.id)
        durability.unsyncedSealed.removeAll { $0 === segment }
        for kind in SegmentFileKind.allCases {
            try POSIXFile.remove(segment.path(kind))
        }
    }

    // MARK: Checkpoints

    /// The path of one of the partition's checkpoint files.
    func checkpointPath(_ name: String) -> String { directory + "/" + name }

    /// Writes the leader-epoch checkpoint; when not `durable`, the next fsync round syncs it.
    func persistEpochs(durable: Bool = true) throws(LogStoreError) {
        let entries = epochs.entries.map { [Int64($0.epoch), $0.offset] }
        let path = checkpointPath(CheckpointName.leaderEpochs)
        try CheckpointFile.write(entries, to: path, durable: durable)
        if !durable {
            if !durability.unsyncedFiles.contains(path) { durability.unsyncedFiles.append(path) }
            markUnsynced(directory: directory)
        }
    }

    func persistLogStartOffset() throws(LogStoreError) {
        try CheckpointFile.write([[logStartOffset]], to: checkpointPath(CheckpointName.logStartOffset))
    }

    func checkpointHighWatermark(_ offset: Int64) throws(LogStoreError) {
        try requireOpen()
        // Brokers checkpoint every partition on a timer; an unchanged value costs no fsync.
        guard offset != highWatermark else { return }
        try CheckpointFile.write([[offset]], to: checkpointPath(CheckpointName.highWatermark))
        highWatermark = offset
    }

    func checkpointedHighWatermark() -> Int64? {
        highWatermark
    }

    // MARK: Leader epochs

    func assignLeaderEpoch(_ epoch: Int32, startOffset: Int64) throws(LogStoreError) {
        try requireOpen()
        // Kafka ignores an undefined (negative) epoch rather than failing.
        guard epoch >= 0, startOffset >= 0 else { return }
        if epochs.assign(epoch, startOffset: startOffset) { try persistEpochs() }
    }

    func leaderEpochs() -> [LeaderEpochEntry] {
        epochs.entries
    }

    func endOffset(forLeaderEpoch epoch: Int32) -> LeaderEpochEntry? {
        epochs.endOffset(for: epoch, logEndOffset: logEndOffset)
    }
}

/// A log's segments, for telling whether anything cut, added or removed one.
struct LogShape: Equatable {
    var segmentIDs: [UInt64]
    var activeSize: Int64
    var logStartOffset: Int64
}

/// How far the read path has asked the kernel to read ahead in one segment file, for the
/// consumer whose next fetch starts at `next`.
struct ReadAheadMark {
    var segmentID: UInt64 = 0
    /// Where the last fetch ended.
    var next: Int64 = -1
    /// The end of the bytes asked for.
    var end: Int64 = 0
}

extension SegmentedPartitionLog {
    /// Bytes read ahead of a fetch from disk: enough to keep the disk busy between fetches.
    static let readAheadBytes: Int64 = 8 << 20
    /// The least advice worth a syscall, except for a fetch's own range.
    static let readAheadBytesMin: Int64 = 1 << 20
}

/// The names of a partition directory's checkpoint files.
enum CheckpointName {
    static let leaderEpochs = "leader-epoch-checkpoint"
    static let logStartOffset = "log-start-offset"
    static let highWatermark = "high-watermark"
}
