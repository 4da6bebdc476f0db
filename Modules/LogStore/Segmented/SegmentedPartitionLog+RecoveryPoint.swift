import TernPrimitives
import TernProtocol

// The recovery point, Kafka's recovery-point-offset-checkpoint: every offset below it is in
// batches an fsync has covered. A log opened after a crash scans (CRCs, torn tail cut,
// indexes rebuilt) every segment holding offsets at or above it, not only the active one,
// since after a power loss an unflushed sealed segment can be as torn as the active one;
// segments wholly below it are trusted as written, and damage found there later fails reads
// of that region instead.
//
// The value in memory rises when an fsync round finishes (the round covers every offset
// below the log end at its start). It is checkpointed in `recovery-point`, with the same
// atomic replace as the other checkpoints, only when that changes which segments a crash
// would leave unscanned: once per roll, not once per group commit, and without an fsync of
// its own (the next round syncs it). Any version of the file a crash can leave is a value
// the log had already made durable, so it can lag but never lead. Truncation is the one
// move down; it rewrites the file durably before any offset it freed can be written again.
// A missing or damaged file counts as 0: every segment is scanned, as in Kafka.

extension CheckpointName {
    static let recoveryPoint = "recovery-point"
}

extension SegmentedPartitionLog {
    /// Sets the recovery point once the log is loaded: after a clean shutdown everything
    /// was flushed; after a crash it is the checkpoint, or lower if recovery cut the log.
    func loadRecoveryPoint(recovering: Bool) throws(LogStoreError) {
        durability.recoveryPoint = recovering ? min(durability.checkpointedRecoveryPoint ?? 0, logEndOffset) : logEndOffset
        if let checkpointed = durability.checkpointedRecoveryPoint, checkpointed > logEndOffset {
            try writeRecoveryPoint(logEndOffset, durable: true)
        }
    }

    /// Notes that an fsync round covered every offset below `offset`, checkpointing it when
    /// that moves past the base offset of a segment the checkpoint does not yet cover.
    /// Failing to write the checkpoint only leaves it behind, which costs a longer scan
    /// after a crash and loses nothing, so it is reported rather than taking the log down.
    func advanceRecoveryPoint(to offset: Int64) {
        guard offset > durability.recoveryPoint else { return }
        durability.recoveryPoint = offset
        let checkpointed = durability.checkpointedRecoveryPoint ?? -1
        guard segmentIndex(holding: offset) > segmentIndex(holding: checkpointed) else { return }
        do throws(LogStoreError) {
            try writeRecoveryPoint(offset, durable: false)
        } catch {
            context.report("\(partition): cannot checkpoint the recovery point: \(error)")
        }
    }

    /// Lowers the recovery point for a truncation to `offset`, durably when the checkpoint
    /// is above it: offsets from there on will be written again, unflushed, and a crash
    /// must not find them below a stale recovery point and trust them.
    func lowerRecoveryPoint(to offset: Int64) throws(LogStoreError) {
        durability.truncations += 1
        durability.recoveryPoint = min(durability.recoveryPoint, offset)
        if let checkpointed = durability.checkpointedRecoveryPoint, checkpointed > offset {
            try writeRecoveryPoint(offset, durable: true)
        }
    }

    /// Starts the recovery point afresh at `offset`, for a log whose every segment was
    /// just deleted; durable, which also makes the deletions durable (directory fsync).
    func resetRecoveryPoint(to offset: Int64) throws(LogStoreError) {
        durability.truncations += 1
        durability.recoveryPoint = offset
        try writeRecoveryPoint(offset, durable: true)
    }

    /// The recovery point in memory and in the checkpoint file (for tests).
    func recoveryPointState() -> (current: Int64, checkpointed: Int64?) {
        (durability.recoveryPoint, durability.checkpointedRecoveryPoint)
    }

    /// Replaces the checkpoint file; when not `durable`, the next fsync round syncs it.
    private func writeRecoveryPoint(_ offset: Int64, durable: Bool) throws(LogStoreError) {
        let path = checkpointPath(CheckpointName.recoveryPoint)
        try CheckpointFile.write([[offset]], to: path, durable: durable)
        durability.checkpointedRecoveryPoint = offset
        if !durable {
            if !durability.unsyncedFiles.contains(path) { durability.unsyncedFiles.append(path) }
            markUnsynced(directory: directory)
        }
    }
}
