#if canImport(Glibc)
import Glibc
#endif
import TernPrimitives
import TernProtocol

// Producer-state snapshots, named as Kafka names them: `<offset>.snapshot` (the offset in 20
// digits) in the partition directory. The bytes are the broker's; the store only keeps them
// beside the log and ties them to the log's history:
//
// - A write goes to `<name>.tmp`, is fsynced, renamed into place, and the directory fsynced,
//   so a crash leaves the old snapshot or the new one, never a torn file. Older snapshots are
//   then removed without a directory fsync: one that reappears after a crash is still a true
//   (if older) description of the log below its offset.
// - Truncation below a snapshot's offset removes it durably, because once the log grows
//   past that offset again the file would describe batches that no longer exist.
// - At open, snapshots above the log end (their batches lost in a crash, since appends are
//   not fsynced by default) are removed the same way.
extension SegmentedPartitionLog {
    /// The suffix of a producer-state snapshot file.
    static let producerSnapshotSuffix = ".snapshot"

    func writeProducerSnapshot(_ snapshot: ProducerSnapshot) throws(LogStoreError) {
        try requireOpen()
        guard snapshot.offset >= 0, snapshot.offset <= logEndOffset else {
            throw .offsetOutOfRange(requested: snapshot.offset, logStart: logStartOffset, logEnd: logEndOffset)
        }
        guard snapshot.bytes.count <= ProducerSnapshot.bytesMax else {
            throw .invalidBatch("producer snapshot of \(snapshot.bytes.count) bytes exceeds \(ProducerSnapshot.bytesMax)")
        }
        let path = producerSnapshotPath(snapshot.offset)
        let temporary = path + ".tmp"
        let descriptor = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(LogStoreError) {
            try snapshot.bytes.withUnsafeBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(descriptor, raw, at: 0, path: temporary) }
            }.get()
            try POSIXFile.sync(descriptor, path: temporary)
        } catch {
            _ = Glibc.close(descriptor)
            try? POSIXFile.remove(temporary)
            throw error
        }
        _ = Glibc.close(descriptor)
        try POSIXFile.rename(temporary, to: path)
        try POSIXFile.syncDirectory(directory)
        for offset in try producerSnapshotOffsets() where offset != snapshot.offset {
            try POSIXFile.remove(producerSnapshotPath(offset))
        }
    }

    func producerSnapshot() throws(LogStoreError) -> ProducerSnapshot? {
        try requireOpen()
        guard let offset = try producerSnapshotOffsets().filter({ $0 <= logEndOffset }).max() else { return nil }
        let path = producerSnapshotPath(offset)
        switch try POSIXFile.readSmallFile(path: path, sizeMax: ProducerSnapshot.bytesMax) {
        case .missing:
            return nil
        case let .tooBig(size):
            throw .corruptLog(partition, file: path, position: 0, reason: "producer snapshot of \(size) bytes")
        case let .bytes(bytes):
            return ProducerSnapshot(offset: offset, bytes: bytes)
        }
    }

    /// Durably removes the snapshots whose offset lies above `offset` (all of them for a
    /// negative `offset`): truncation or crash recovery removed batches they describe.
    func discardProducerSnapshots(above offset: Int64) throws(LogStoreError) {
        let doomed = try producerSnapshotOffsets().filter { $0 > offset }
        guard !doomed.isEmpty else { return }
        for snapshot in doomed {
            try POSIXFile.remove(producerSnapshotPath(snapshot))
        }
        try POSIXFile.syncDirectory(directory)
    }

    /// The offsets of the snapshot files in the partition directory.
    private func producerSnapshotOffsets() throws(LogStoreError) -> [Int64] {
        try POSIXFile.list(directory).compactMap { DiskSegment.baseOffset(fileName: $0, suffix: Self.producerSnapshotSuffix) }
    }

    private func producerSnapshotPath(_ offset: Int64) -> String {
        directory + "/" + DiskSegment.fileName(baseOffset: offset) + Self.producerSnapshotSuffix
    }
}
