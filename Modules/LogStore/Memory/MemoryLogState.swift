import NIOCore
import TernPrimitives
import TernProtocol

/// Everything a memory log holds, and the log operations on it as plain synchronous code.
///
/// `MemoryPartitionLog` wraps one of these in an actor: it checks the log is open, reads the
/// clock and calls in. Keeping the rules here, in a value type, means a closed log's data can
/// be handed to the log that reopens it, and the rules can be read without any concurrency
/// in the way. The segment rules (roll, retention, compaction) are the same as
/// `SegmentedLogStore`'s, so the two stores answer every read alike.
struct MemoryLogState: Sendable {
    /// The topic config in force.
    var config: LogConfig
    /// The segments, oldest first; never empty, and the last is the active one.
    private(set) var segments: [MemorySegment]
    /// The first offset still kept.
    private(set) var logStartOffset: Int64 = 0
    /// The offset the next record will get.
    private(set) var logEndOffset: Int64 = 0
    /// Which leader epoch began where.
    private(set) var epochs = LeaderEpochCache()
    /// The last high watermark checkpointed.
    var highWatermarkCheckpoint: Int64?
    /// The latest producer-state snapshot; truncation below its offset discards it.
    var producerSnapshot: ProducerSnapshot?
    /// The aborted transactions, as `SegmentedPartitionLog` keeps them in `.txnindex`.
    var abortedTransactions = AbortedTransactionIndex()

    /// An empty log starting at offset 0.
    init(config: LogConfig) {
        self.config = config
        segments = [MemorySegment(baseOffset: 0)]
    }

    /// The log's bounds.
    var offsets: LogOffsets { LogOffsets(logStartOffset: logStartOffset, logEndOffset: logEndOffset) }

    /// The sum of every segment's size.
    var size: Int { segments.reduce(0) { $0 + $1.size } }

    // MARK: Append

    /// Appends whole batches at wall-clock time `now`; see `PartitionLog.append(_:)`.
    mutating func append(_ request: LogAppend, now: Int64) throws(LogStoreError) -> LogAppendInfo {
        var views = try Self.split(request.batches, verifyingChecksums: request.validation == .full)
        var logAppendTime: Int64 = -1
        let batches: [MemoryBatch]
        switch request.origin {
        case let .leader(epoch, appendTime?):
            stamp(&views, epoch: epoch, logAppendTime: appendTime)
            logAppendTime = appendTime
            batches = views.map(MemoryBatch.init)
        case let .leader(epoch, nil):
            batches = stamped(views, epoch: epoch)
        case .replica:
            try checkContinues(views)
            batches = views.map(MemoryBatch.init)
        }
        // `split` refuses an empty buffer, so there is a first and a last batch.
        let first = batches[0]
        let last = batches[batches.count - 1]
        rollIfNeeded(appendSize: batches.reduce(0) { $0 + $1.size }, lastOffset: last.lastOffset, now: now)
        segments[segments.count - 1].append(batches, now: now)
        logEndOffset = last.lastOffset + 1
        // Kafka's append path learns epochs from the batches themselves, so a follower's
        // cache fills in as it copies the leader's batches; producers' unstamped -1 is skipped.
        for batch in batches where batch.leaderEpoch >= 0 {
            epochs.assign(batch.leaderEpoch, startOffset: batch.baseOffset)
        }
        return LogAppendInfo(
            firstOffset: first.baseOffset, lastOffset: last.lastOffset,
            maxTimestamp: batches.map(\.maxTimestamp).max() ?? -1, logAppendTime: logAppendTime,
            logStartOffset: logStartOffset, recordCount: views.reduce(0) { $0 + Int($1.recordCount) }
        )
    }

    /// Splits an append into v2 batches, refusing anything else; CRCs are checked unless the
    /// caller vouched for them (`LogAppend.Validation.crcVerifiedByCaller`).
    private static func split(_ buffer: ByteBuffer, verifyingChecksums: Bool) throws(LogStoreError) -> [RecordBatchView] {
        let entries: [RecordsEntry]
        do {
            entries = try RecordBatchSplitter.entries(in: buffer, verifyingChecksums: verifyingChecksums)
        } catch {
            throw .invalidBatch("\(error)")
        }
        var views: [RecordBatchView] = []
        views.reserveCapacity(entries.count)
        for entry in entries {
            guard case let .batch(view) = entry else { throw .invalidBatch("only v2 record batches can be stored") }
            guard view.lastOffsetDelta >= 0 else { throw .invalidBatch("negative lastOffsetDelta \(view.lastOffsetDelta)") }
            views.append(view)
        }
        guard !views.isEmpty else { throw .invalidBatch("an append must hold at least one batch") }
        return views
    }

    /// A leader's batches without LogAppendTime: offsets from the log end and its epoch,
    /// stamped apart from batches that fill their buffer (`MemoryBatch`), into copies of the rest.
    private func stamped(_ views: [RecordBatchView], epoch: Int32) -> [MemoryBatch] {
        var next = logEndOffset
        return views.map { view in
            defer { next += Int64(view.lastOffsetDelta) + 1 }
            if MemoryBatch.worthKeepingInPlace(view.bytes) {
                return MemoryBatch(view, stampingBaseOffset: next, epoch: epoch)
            }
            var copy = view
            copy.setBaseOffset(next)
            copy.setPartitionLeaderEpoch(epoch)
            return MemoryBatch(copy)
        }
    }

    /// The leader's stamping: offsets from the log end, its epoch and, for LogAppendTime
    /// topics, the append time. Each view's bytes are a slice of the request, so the first
    /// patch copies that one batch out of the shared buffer and the rest patch the copy.
    private func stamp(_ views: inout [RecordBatchView], epoch: Int32, logAppendTime: Int64?) {
        var next = logEndOffset
        for index in views.indices {
            views[index].setBaseOffset(next)
            views[index].setPartitionLeaderEpoch(epoch)
            if let logAppendTime {
                views[index].setMaxTimestamp(logAppendTime, timestampType: .logAppendTime)
            }
            next += Int64(views[index].lastOffsetDelta) + 1
        }
    }

    /// A replica's batches must start at or after the log end (a compacted leader log has gaps) and then only move forward.
    private func checkContinues(_ views: [RecordBatchView]) throws(LogStoreError) {
        var expected = logEndOffset
        for view in views {
            // A hostile base offset near Int64.max would overflow `lastOffset + 1` below.
            guard view.baseOffset >= 0, view.baseOffset < Int64.max - Int64(Int32.max) - 1 else {
                throw .invalidBatch("base offset \(view.baseOffset) out of range")
            }
            let continues = view.baseOffset >= expected
            guard continues else { throw .offsetsNotContiguous(expected: expected, found: view.baseOffset) }
            expected = view.lastOffset + 1
        }
    }

    /// Rolls a new active segment at the log end when the append would overflow the active
    /// one (`segment.bytes`), when the active one is older than `segment.ms`, or when the
    /// append's offsets would not fit the 32-bit relative offsets a segment index holds.
    /// An empty active segment never rolls: the append would land in an empty one anyway.
    private mutating func rollIfNeeded(appendSize: Int, lastOffset: Int64, now: Int64) {
        let active = segments[segments.count - 1]
        guard let firstAppendTime = active.firstAppendTime, !active.isEmpty else { return }
        let full = active.size + appendSize > config.segmentBytes
        let old = now - firstAppendTime > config.segmentDuration.millisecondsClamped
        let offsetsOverflow = lastOffset - active.baseOffset > Int64(Int32.max)
        if full || old || offsetsOverflow {
            segments.append(MemorySegment(baseOffset: logEndOffset))
        }
    }

    // MARK: Read

    /// Whole batches from the one holding `request.fetchOffset`; see `PartitionLog.read(_:)`.
    func read(_ request: LogReadRequest) throws(LogStoreError) -> LogReadResult {
        guard request.fetchOffset >= logStartOffset, request.fetchOffset <= logEndOffset else {
            throw .offsetOutOfRange(requested: request.fetchOffset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        var slices: [LogSlice] = []
        var total = 0
        forEachBatch(from: request.fetchOffset) { batch in
            if let maxOffset = request.maxOffset, batch.baseOffset >= maxOffset { return false }
            let alwaysTaken = slices.isEmpty && request.minOneBatch
            if total + batch.size > request.maxBytes && !alwaysTaken { return false }
            batch.appendSlices(to: &slices)
            total += batch.size
            return true
        }
        return LogReadResult(slices: slices, offsets: offsets)
    }

    /// Calls `body` with each batch holding an offset at or after `offset`, in order, until
    /// it returns false.
    func forEachBatch<Failure: Error>(from offset: Int64, _ body: (MemoryBatch) throws(Failure) -> Bool) throws(Failure) {
        // The last segment starting at or below `offset` holds it, if any segment does.
        var segmentIndex = segments.lastIndex { $0.baseOffset <= offset } ?? 0
        var batchIndex = segments[segmentIndex].firstBatchIndex(endingAtOrAfter: offset)
        while segmentIndex < segments.count {
            let batches = segments[segmentIndex].batches
            while batchIndex < batches.count {
                guard try body(batches[batchIndex]) else { return }
                batchIndex += 1
            }
            segmentIndex += 1
            batchIndex = 0
        }
    }

    // MARK: Truncation and the log start

    /// Removes every batch holding an offset at or after `offset`; see
    /// `PartitionLog.truncate(to:)`.
    mutating func truncate(to offset: Int64) {
        guard offset < logEndOffset else { return }
        guard let segmentIndex = segments.firstIndex(where: { $0.batches.last.map { $0.lastOffset >= offset } ?? false }) else {
            return
        }
        let batchIndex = segments[segmentIndex].firstBatchIndex(endingAtOrAfter: offset)
        let newEnd = segments[segmentIndex].batches[batchIndex].baseOffset
        segments.removeSubrange((segmentIndex + 1)...)
        if batchIndex == 0 {
            // An emptied segment starts afresh, so `segment.ms` counts from its next append,
            // as Kafka resets a segment truncated to nothing.
            segments[segmentIndex] = MemorySegment(baseOffset: segments[segmentIndex].baseOffset)
        } else {
            segments[segmentIndex].removeBatches(from: batchIndex)
        }
        logEndOffset = newEnd
        logStartOffset = min(logStartOffset, newEnd)
        epochs.truncate(fromEnd: newEnd)
        if let snapshot = producerSnapshot, snapshot.offset > newEnd { producerSnapshot = nil }
        abortedTransactions.truncate(from: newEnd)
    }

    /// Empties the log and restarts it at `offset`; the leader-epoch cache and the producer
    /// snapshot are cleared too, as Kafka's `truncateFullyAndStartAt` does.
    mutating func truncateFully(startingAt offset: Int64) {
        segments = [MemorySegment(baseOffset: offset)]
        logStartOffset = offset
        logEndOffset = offset
        epochs.clear()
        producerSnapshot = nil
        abortedTransactions = AbortedTransactionIndex()
    }

    /// Raises the log start offset and deletes the sealed segments wholly below it.
    ///
    /// An offset inside a batch is allowed: the batch stays (it also holds offsets still
    /// kept) and reads from the new start return it whole, as Kafka's do. An offset past the
    /// log end throws `.offsetOutOfRange`, as DeleteRecords past the high watermark does.
    mutating func advanceLogStartOffset(to offset: Int64) throws(LogStoreError) -> Int64 {
        guard offset > logStartOffset else { return logStartOffset }
        guard offset <= logEndOffset else {
            throw .offsetOutOfRange(requested: offset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        raiseLogStartOffset(to: offset)
        var removed = 0
        while segments.count > removed + 1, segments[removed + 1].baseOffset <= offset {
            removed += 1
        }
        segments.removeFirst(removed)
        return logStartOffset
    }

    /// Moves the log start up and trims the leader-epoch cache and the aborted-transaction
    /// index to match.
    mutating func raiseLogStartOffset(to offset: Int64) {
        guard offset > logStartOffset else { return }
        logStartOffset = offset
        epochs.truncate(fromStart: offset)
        abortedTransactions.removeBefore(offset)
    }

    /// Deletes the oldest segment, which must be sealed; the log then starts at the next one.
    mutating func deleteOldestSegment() -> MemorySegment {
        precondition(segments.count > 1, "the active segment is never deleted")
        let deleted = segments.removeFirst()
        raiseLogStartOffset(to: segments[0].baseOffset)
        return deleted
    }

    /// Replaces the sealed segment at `index` with compacted batches, dropping it when none
    /// is left.
    mutating func replaceSealedSegment(at index: Int, with batches: [MemoryBatch]) {
        precondition(index < segments.count - 1, "only sealed segments are compacted")
        if batches.isEmpty {
            segments.remove(at: index)
        } else {
            segments[index].replaceBatches(batches)
        }
    }

    // MARK: Leader epochs

    /// Records that `epoch` starts at `startOffset`.
    mutating func assignLeaderEpoch(_ epoch: Int32, startOffset: Int64) {
        epochs.assign(epoch, startOffset: startOffset)
    }
}
