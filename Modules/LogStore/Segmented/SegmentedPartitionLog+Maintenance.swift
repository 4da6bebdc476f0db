import TernPrimitives
import TernProtocol

// Truncation, the log start offset and retention: the operations that remove whole
// segments, or cut one. The rules match `MemoryLogState`'s, so both stores answer alike.
// A failure halfway through leaves files and memory out of step, so any I/O error here
// takes the log offline (as a failed write does).
extension SegmentedPartitionLog {
    func truncate(to offset: Int64) async throws(LogStoreError) {
        try requireOpen()
        guard offset < logEndOffset else { return }
        var index = segmentIndex(holding: offset)
        var cut: Int64?
        while index < segments.count {
            cut = try position(ofBatchHolding: offset, in: segments[index])
            if cut != nil { break }
            index += 1
        }
        guard let cut else { return }
        do throws(LogStoreError) {
            let segment = segments[index]
            let handle = try context.files.handle(segment.key(.log), path: segment.path(.log))
            let newEnd = try readHeader(at: cut, in: segment, handle: handle).baseOffset
            let deletesLater = index + 1 < segments.count
            for later in segments[(index + 1)...].reversed() {
                try deleteFiles(of: later)
            }
            segments.removeSubrange((index + 1)...)
            try cutSegment(segment, at: cut, newEnd: newEnd)
            // Durable before anything is written again at these offsets: after a power loss
            // a cut that did not reach the disk would bring back the diverged batches, whole
            // and with good CRCs, so recovery would keep them. The index files need no sync,
            // as the recovery point (lowered below) makes a crash rebuild them.
            let cutLog = try context.files.handle(segment.key(.log), path: segment.path(.log))
            try POSIXFile.syncData(cutLog.descriptor, path: cutLog.path)
            if deletesLater { try POSIXFile.syncDirectory(directory) }
            logEndOffset = newEnd
            try lowerRecoveryPoint(to: newEnd)
            try discardProducerSnapshots(above: newEnd)
            try truncateAbortedTransactions(from: newEnd)
            if logStartOffset > newEnd {
                logStartOffset = newEnd
                try persistLogStartOffset()
            }
            let before = epochs
            epochs.truncate(fromEnd: newEnd)
            if epochs != before { try persistEpochs() }
        } catch {
            throw fail(error)
        }
    }

    /// Cuts a segment's log at `position` (a batch boundary) and its indexes to match, and
    /// makes it the active segment again.
    private func cutSegment(_ segment: DiskSegment, at position: Int64, newEnd: Int64) throws(LogStoreError) {
        if segment.memoryIndex == nil {
            try verifyIndexes(of: segment)
            segment.memoryIndex = try readAllEntries(segment, kind: .offsetIndex, size: OffsetIndexEntry.size, decode: OffsetIndexEntry.init(bytes:)) ?? []
        }
        let offsets = (segment.memoryIndex ?? []).filter { Int64($0.position) < position }
        let times = (try readAllEntries(segment, kind: .timeIndex, size: TimeIndexEntry.size, decode: TimeIndexEntry.init(bytes:)) ?? [])
            .filter { segment.baseOffset + Int64($0.relativeOffset) < newEnd }
        for (kind, length) in [(SegmentFileKind.log, position), (.offsetIndex, Int64(offsets.count * OffsetIndexEntry.size)),
                               (.timeIndex, Int64(times.count * TimeIndexEntry.size))] {
            let handle = try context.files.handle(segment.key(kind), path: segment.path(kind))
            try POSIXFile.truncate(handle.descriptor, to: length, path: handle.path)
        }
        segment.size = position
        segment.verifiedBytes = min(segment.verifiedBytes, position)
        if let tail = segment.verifiedTailStart, tail >= position { segment.verifiedTailStart = nil }
        segment.memoryIndex = offsets
        segment.offsetIndexCount = offsets.count
        segment.timeIndexCount = times.count
        segment.indexesVerified = true
        segment.maxTimestamp = times.last?.timestamp ?? -1
        segment.lastTimeIndexTimestamp = segment.maxTimestamp
        segment.offsetOfMaxTimestamp = times.last.map { segment.baseOffset + Int64($0.relativeOffset) } ?? -1
        segment.maxTimestampVerified = false
        if let damage = try replayTail(of: segment) {
            throw corruptLogError(segment, position: damage.position, reason: damage.reason)
        }
        // An emptied segment starts afresh, so `segment.ms` counts from its next append; a
        // segment sealed before a restart never had the time of its first append noted, so
        // its first batch's timestamp stands in, as at load.
        if segment.isEmpty {
            segment.firstAppendWallClock = nil
        } else if segment.firstAppendWallClock == nil {
            let now = context.clock.wallClockMilliseconds
            let first = try readHeader(at: 0, in: segment, handle: context.files.handle(segment.key(.log), path: segment.path(.log))).maxTimestamp
            segment.firstAppendWallClock = first >= 0 ? min(first, now) : now
        }
    }

    func truncateFully(startingAt offset: Int64) async throws(LogStoreError) {
        try requireOpen()
        try restart(at: offset)
    }

    /// Deletes every segment and starts the log afresh at `offset`.
    func restart(at offset: Int64) throws(LogStoreError) {
        guard offset >= 0 else {
            throw .offsetOutOfRange(requested: offset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        do throws(LogStoreError) {
            for segment in segments.reversed() {
                try deleteFiles(of: segment)
            }
            segments = [try createSegment(baseOffset: offset)]
            logStartOffset = offset
            logEndOffset = offset
            try truncateAbortedTransactions(from: offset)
            // None of the cache's entries describe data that is left, as in Kafka.
            epochs.clear()
            try persistEpochs()
            try persistLogStartOffset()
            try resetRecoveryPoint(to: offset)
            try discardProducerSnapshots(above: -1)
        } catch {
            throw fail(error)
        }
    }

    func advanceLogStartOffset(to offset: Int64) async throws(LogStoreError) -> Int64 {
        try requireOpen()
        guard offset > logStartOffset else { return logStartOffset }
        guard offset <= logEndOffset else {
            throw .offsetOutOfRange(requested: offset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        do throws(LogStoreError) {
            // The checkpoint goes first: if deleting crashes halfway, the start still holds.
            raiseLogStartOffset(to: offset)
            try persistLogStartOffset()
            try persistEpochs()
            while segments.count > 1, segments[1].baseOffset <= offset {
                try deleteFiles(of: segments.removeFirst())
            }
            try dropAbortedTransactionsBelowLogStart()
        } catch {
            throw fail(error)
        }
        return logStartOffset
    }

    /// Moves the log start up and trims the leader-epoch cache to match (not persisted).
    private func raiseLogStartOffset(to offset: Int64) {
        guard offset > logStartOffset else { return }
        logStartOffset = offset
        epochs.truncate(fromStart: offset)
    }

    func enforceRetention(now: Int64) async throws(LogStoreError) -> RetentionResult {
        try requireOpen()
        var result = RetentionResult(segmentsDeleted: 0, bytesDeleted: 0, logStartOffset: logStartOffset)
        guard config.cleanupPolicy.deletes else { return result }
        let startBefore = logStartOffset
        do throws(LogStoreError) {
            if let retention = config.retentionDuration {
                let milliseconds = retention.millisecondsClamped
                while segments.count > 1 {
                    // A damaged time index must not make a young segment look old.
                    try verifyMaxTimestamp(of: segments[0])
                    guard now - segments[0].largestTimestamp > milliseconds else { break }
                    try deleteOldestSegment(into: &result)
                }
            }
            if let retentionBytes = config.retentionBytes {
                var excess = segments.reduce(0) { $0 + $1.size } - retentionBytes
                while segments.count > 1, excess - segments[0].size >= 0 {
                    excess -= segments[0].size
                    try deleteOldestSegment(into: &result)
                }
            }
            if logStartOffset != startBefore {
                try persistLogStartOffset()
                try persistEpochs()
                try dropAbortedTransactionsBelowLogStart()
            }
        } catch {
            throw fail(error)
        }
        result.logStartOffset = logStartOffset
        return result
    }

    /// Deletes the oldest segment, which must be sealed; the log then starts at the next.
    private func deleteOldestSegment(into result: inout RetentionResult) throws(LogStoreError) {
        precondition(segments.count > 1, "the active segment is never deleted")
        let deleted = segments.removeFirst()
        try deleteFiles(of: deleted)
        raiseLogStartOffset(to: segments[0].baseOffset)
        result.segmentsDeleted += 1
        result.bytesDeleted += deleted.size
    }
}
