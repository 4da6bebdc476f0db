#if canImport(Glibc)
import Glibc
#endif

// Which partitions still owe crash recovery. The clean-shutdown marker speaks for the whole
// store, but partitions are opened lazily: a run that follows a crash and never opens some
// partition must not let its clean shutdown make that partition look clean. So the store
// tracks, per partition directory, whether recovery is owed: after a crash every directory
// is; opening a log recovers it and clears its debt; a clean shutdown writes the names still
// owed here, before the marker, and the next run reads them back. The file holds directory
// names, each followed by a NUL (no directory name contains one), and is replaced
// atomically (temporary file, fsync, rename, directory fsync) so that the marker never
// becomes durable ahead of it. A file that cannot be read counts as naming every partition.

/// The `.recovery-pending` file of a store directory.
enum RecoveryPendingFile {
    static let name = ".recovery-pending"
    /// Bigger than any list of directory names a store holds; a bigger file is damaged.
    static let sizeMax = 64 << 20

    /// The names in the file: an empty set when there is no file, nil when it is damaged.
    static func read(in directory: String) -> Set<String>? {
        let path = directory + "/" + name
        do throws(LogStoreError) {
            let bytes: [UInt8]
            switch try POSIXFile.readSmallFile(path: path, sizeMax: sizeMax) {
            case .missing: return []
            case .tooBig: return nil
            case let .bytes(read): bytes = read
            }
            guard bytes.last.map({ $0 == 0 }) ?? true else { return nil }
            return Set(bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        } catch {
            return nil
        }
    }

    /// Replaces the file with `names`, durably; removes it when `names` is empty (not
    /// durably: a stale file only makes the next run recover partitions it need not).
    /// Blocking.
    static func write(_ names: Set<String>, in directory: String) throws(LogStoreError) {
        let path = directory + "/" + name
        guard !names.isEmpty else {
            if POSIXFile.exists(path) { try POSIXFile.remove(path) }
            return
        }
        var bytes: [UInt8] = []
        for entry in names.sorted() {
            bytes += Array(entry.utf8)
            bytes.append(0)
        }
        let temporary = path + ".tmp"
        let descriptor = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(LogStoreError) {
            try bytes.withUnsafeBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(descriptor, raw, at: 0, path: temporary) }
            }.get()
            try POSIXFile.sync(descriptor, path: temporary)
        } catch {
            _ = close(descriptor)
            throw error
        }
        _ = close(descriptor)
        try POSIXFile.rename(temporary, to: path)
        try POSIXFile.syncDirectory(directory)
    }
}
