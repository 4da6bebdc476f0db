#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TernCompression
import TernPrimitives
import TernProtocol

/// What every partition log of one `SegmentedLogStore` shares: the I/O threads, the bound
/// on open files, the clock, the codecs, and where problems are reported.
final class StoreContext: Sendable {
    /// The threads every log's actor runs on.
    let pool: IOThreadPool
    /// The threads fsyncs and other one-off blocking jobs run on. Kept apart from `pool`
    /// because flushing a large sealed segment can take seconds, and lanes (reads and
    /// appends of every partition) must not queue behind it.
    let syncPool: IOThreadPool
    /// The store-wide LRU of open segment files.
    let files: FileDescriptorCache
    /// Wall clock for `segment.ms`, monotonic clock for `flush.ms`.
    let clock: any BrokerClock
    /// For ListOffsets by time (decoding records) and compaction.
    let codecs: CompressionCodecs
    /// Kafka's two-pass cleaner over batches.
    let compactor: LogCompactor
    /// Group commit for fsyncs of the store directory (new partition directories).
    let storeDirectorySync: DirectorySyncGroup
    private let segmentIDs = Atomic<UInt64>(1)
    private let reporter: @Sendable (String) -> Void

    init(
        directory: String, files: FileDescriptorCache, clock: any BrokerClock, codecs: CompressionCodecs,
        reporter: @escaping @Sendable (String) -> Void
    ) {
        pool = IOThreadPool()
        syncPool = IOThreadPool()
        storeDirectorySync = DirectorySyncGroup(path: directory, pool: syncPool)
        self.files = files
        self.clock = clock
        self.codecs = codecs
        compactor = LogCompactor(codecs: codecs, decompressedBytesMax: Limits.batchDecompressedBytesMax)
        self.reporter = reporter
    }

    /// A segment id never used before in this process.
    func newSegmentID() -> UInt64 {
        segmentIDs.add(1, ordering: .relaxed).oldValue
    }

    /// Reports damage or a failure an operator must see (to standard error by default).
    func report(_ message: String) {
        reporter(message)
    }

    /// The default reporter: one line on standard error.
    static let standardError: @Sendable (String) -> Void = { message in
        // One write(2) per line, so lines from concurrent logs do not interleave.
        let line = Array("tern-log-store: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
