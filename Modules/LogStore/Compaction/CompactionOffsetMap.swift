public import NIOCore

/// The first pass of compaction: for every key seen, the offset of its latest record.
///
/// Keys are held as exact bytes, so the map grows with the number of distinct keys and their
/// size. Kafka bounds this (`log.cleaner.dedupe.buffer.size`) by storing a 16-byte digest per
/// key and cleaning only as much of the log as fits; a digest map with a byte budget can
/// replace this one without changing `LogCompactor`'s interface when logs get large.
public struct CompactionOffsetMap: Sendable {
    private var latestByKey: [ByteBuffer: Int64] = [:]

    /// The largest offset of any batch indexed, or -1 before the first. Records above it were
    /// not seen by the first pass, so the second pass must keep them whatever their key.
    public private(set) var latestOffsetIndexed: Int64 = -1

    /// An empty map.
    public init() {}

    /// The number of distinct keys.
    public var count: Int { latestByKey.count }

    /// Notes `offset` as the latest record for `key` unless a later one is already known.
    public mutating func record(key: ByteBuffer, offset: Int64) {
        if let known = latestByKey[key] {
            if offset > known { latestByKey[key] = offset }
        } else {
            // A fresh copy, so the map does not keep alive the whole decompressed batch the
            // key was sliced from.
            latestByKey[ByteBuffer(bytes: key.readableBytesView)] = offset
        }
    }

    /// Raises `latestOffsetIndexed` to cover a batch whose records were all looked at.
    public mutating func covered(upTo offset: Int64) {
        latestOffsetIndexed = max(latestOffsetIndexed, offset)
    }

    /// The offset of the latest record seen for `key`, or nil when the key was never seen.
    public func latestOffset(forKey key: ByteBuffer) -> Int64? {
        latestByKey[key]
    }
}
