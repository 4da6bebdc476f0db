import TernPrimitives
import TernProtocol

// Housekeeping of the partition directory at open: leftovers of interrupted work, and the
// checkpoint files. Damaged checkpoints are reported and ignored rather than failing the
// open: each has a safe fallback (the first segment's base offset, no high watermark, an
// empty leader-epoch cache that replication refills).
extension SegmentedPartitionLog {
    /// The suffix of compaction output not yet committed.
    static let cleanedSuffix = ".cleaned"
    /// The suffix of compaction output committed but not yet renamed into place.
    static let swapSuffix = ".swap"

    /// Finishes or discards a compaction a crash interrupted (see `+Compaction` for the
    /// protocol): `.cleaned` files were never committed and go; a `.log.swap` is the
    /// commit point, so its segment's `.swap` files are renamed over the originals.
    func finishInterruptedCompaction() throws(LogStoreError) {
        var changed = false
        for name in try POSIXFile.list(directory) where name.hasSuffix(Self.cleanedSuffix) {
            try POSIXFile.remove(directory + "/" + name)
            changed = true
        }
        let committed = try POSIXFile.list(directory).compactMap {
            DiskSegment.baseOffset(fileName: $0, suffix: SegmentFileKind.log.suffix + Self.swapSuffix)
        }
        for base in committed {
            let stem = directory + "/" + DiskSegment.fileName(baseOffset: base)
            for kind in [SegmentFileKind.offsetIndex, .timeIndex, .log] where POSIXFile.exists(stem + kind.suffix + Self.swapSuffix) {
                try POSIXFile.rename(stem + kind.suffix + Self.swapSuffix, to: stem + kind.suffix)
            }
            changed = true
        }
        // Index swaps without their log swap belong to an uncommitted compaction.
        for name in try POSIXFile.list(directory) where name.hasSuffix(Self.swapSuffix) {
            try POSIXFile.remove(directory + "/" + name)
            changed = true
        }
        if changed { try POSIXFile.syncDirectory(directory) }
    }

    /// Removes checkpoint temporaries and index files whose log is gone (a deletion that a
    /// crash interrupted between files).
    func removeStrays(_ names: [String], bases: Set<Int64>) throws(LogStoreError) {
        for name in names {
            let isTemporary = name.hasSuffix(".tmp")
            let orphanIndex = [SegmentFileKind.offsetIndex, .timeIndex].contains { kind in
                DiskSegment.baseOffset(fileName: name, suffix: kind.suffix).map { !bases.contains($0) } ?? false
            }
            if isTemporary || orphanIndex { try POSIXFile.remove(directory + "/" + name) }
        }
    }

    /// The single value of a one-entry checkpoint file, or nil when it is absent or damaged.
    func readCheckpointValue(_ name: String) -> Int64? {
        let path = checkpointPath(name)
        do throws(LogStoreError) {
            guard let entries = try CheckpointFile.read(path, fields: 1, partition: partition) else { return nil }
            guard entries.count == 1, let value = entries.first?.first, value >= 0 else {
                context.report("\(partition): ignoring \(path): expected one non-negative value")
                return nil
            }
            return value
        } catch {
            context.report("\(partition): ignoring \(path): \(error)")
            return nil
        }
    }

    /// The leader-epoch cache from its checkpoint; empty when absent or damaged.
    func loadEpochs() -> LeaderEpochCache {
        let path = checkpointPath(CheckpointName.leaderEpochs)
        var cache = LeaderEpochCache()
        do throws(LogStoreError) {
            guard let entries = try CheckpointFile.read(path, fields: 2, partition: partition) else { return cache }
            for entry in entries {
                guard let epoch = Int32(exactly: entry[0]), epoch >= 0, entry[1] >= 0,
                      cache.latest.map({ $0.epoch < epoch && $0.offset < entry[1] }) ?? true
                else {
                    context.report("\(partition): ignoring \(path): entries are not increasing epochs and offsets")
                    return LeaderEpochCache()
                }
                cache.assign(epoch, startOffset: entry[1])
            }
        } catch {
            context.report("\(partition): ignoring \(path): \(error)")
        }
        return cache
    }
}
