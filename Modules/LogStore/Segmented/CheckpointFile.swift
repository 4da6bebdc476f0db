#if canImport(Glibc)
import Glibc
#endif
import TernPrimitives
import TernProtocol

/// Kafka's checkpoint text format, used for every small state file of a partition:
///
///     0                 version
///     2                 number of entries
///     1 0               one entry per line: whitespace-separated integers
///     3 1500
///
/// `leader-epoch-checkpoint` holds `epoch startOffset` entries, exactly as Kafka writes it;
/// `log-start-offset`, `high-watermark` and `recovery-point` hold one entry of one integer
/// (Kafka keeps those in store-wide files keyed by topic and partition; one file per
/// partition keeps every partition's state inside its own directory, so deleting a log is
/// one directory rename).
///
/// Files are replaced atomically: write `<name>.tmp`, fsync it, rename it over the old
/// file, fsync the directory. A reader sees the old contents or the new, never a mix.
enum CheckpointFile {
    /// The only version of the format.
    static let version = 0
    /// Checkpoints are small; a bigger file is damaged, and is not read into memory.
    static let sizeMax = 16 << 20

    /// Atomically replaces the file at `path` with `entries`. Blocking. With `durable`
    /// false the fsyncs are left to the caller (the rename is still atomic, so a reader or a
    /// restart after a process crash sees the old contents or the new).
    static func write(_ entries: [[Int64]], to path: String, durable: Bool = true) throws(LogStoreError) {
        var text = "\(version)\n\(entries.count)\n"
        for entry in entries {
            text += entry.map(String.init).joined(separator: " ") + "\n"
        }
        let temporary = path + ".tmp"
        let descriptor = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(LogStoreError) {
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { raw in
                Result { () throws(LogStoreError) in try POSIXFile.writeAll(descriptor, raw, at: 0, path: temporary) }
            }.get()
            if durable { try POSIXFile.sync(descriptor, path: temporary) }
        } catch {
            _ = close(descriptor)
            throw error
        }
        _ = close(descriptor)
        try POSIXFile.rename(temporary, to: path)
        if durable { try POSIXFile.syncDirectory(directory(of: path)) }
    }

    /// The entries of the file at `path`, each with `fields` integers; nil when there is no
    /// file. A file that does not parse throws `.corruptLog`.
    static func read(_ path: String, fields: Int, partition: TopicPartition) throws(LogStoreError) -> [[Int64]]? {
        func corrupt(_ reason: String) -> LogStoreError {
            .corruptLog(partition, file: path, position: 0, reason: reason)
        }
        let bytes: [UInt8]
        switch try POSIXFile.readSmallFile(path: path, sizeMax: sizeMax) {
        case .missing: return nil
        case let .tooBig(size): throw corrupt("checkpoint of \(size) bytes")
        case let .bytes(read): bytes = read
        }
        let lines = String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, Int(lines[0]) == version else { throw corrupt("missing or unknown version") }
        guard let declared = Int(lines[1]), declared >= 0, declared == lines.count - 2 else {
            throw corrupt("entry count does not match the lines present")
        }
        var entries: [[Int64]] = []
        entries.reserveCapacity(declared)
        for line in lines.dropFirst(2) {
            let values = line.split(separator: " ").map { Int64($0) }
            guard values.count == fields, values.allSatisfy({ $0 != nil }) else { throw corrupt("bad entry \"\(line)\"") }
            entries.append(values.compactMap { $0 })
        }
        return entries
    }

    /// The directory part of a path.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
