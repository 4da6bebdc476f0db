#if canImport(Glibc)
import Glibc
#endif
public import TernCompression
public import TernPrimitives
import Synchronization
import TernProtocol

/// A durable `LogStore` in Kafka's on-disk layout: one directory per partition under
/// `directory`, named `<topic>-<partition>`, holding segment files
/// (`00000000000000000000.log`, `.index`, `.timeindex`) and the checkpoint files
/// `leader-epoch-checkpoint`, `log-start-offset` and `high-watermark`.
///
/// **Threads.** Every partition log is an actor running on a serial lane of a small,
/// elastic I/O thread pool (at most four threads), and fsyncs run on a second such pool, so
/// pwrite, pread, fdatasync, open and rename never block Swift's cooperative pool or an
/// event loop. `init` is the exception: it runs at startup and does its few syscalls on the
/// caller's thread. Compaction runs on the log's lane and holds one I/O thread while it
/// works, so a cleaner service should compact a few logs at a time. A task that calls into
/// logs in a loop (a produce path, a replica fetcher) should run with
/// `preferredTaskExecutor` as its executor preference: each call then changes threads
/// without waking one, which roughly doubles a single producer's append rate. `openLogs`
/// and `close` work on `logTasksMax` logs at once.
///
/// **Durability.** `LogConfig.durability` decides when appends are fsynced:
/// `.fsyncBeforeAcknowledge` acknowledges after an fsync covering the append, with
/// concurrent appends sharing one fsync (group commit); `.flushPolicy(messages:interval:)`
/// flushes once `messages` records are unflushed (in the append that reaches the count) and
/// once `interval` has passed, which needs a background service to call `flushDueLogs()`
/// periodically (every second, say).
///
/// **Recovery.** `close()` writes a clean-shutdown marker (`.clean-shutdown`) and `init`
/// removes it. Recovery is owed per partition: after a crash every partition directory owes
/// it until a run opens that log, and a clean shutdown records the ones still owing in
/// `.recovery-pending` (see `RecoveryPendingFile`), so a partition a later run never opened
/// is still recovered whenever it is opened. Recovering a log scans with CRCs its active
/// segment and every sealed segment holding offsets at or above its recovery point (the
/// offsets below it were fsynced; see `+RecoveryPoint`), cuts the log at the first torn or
/// corrupt batch (deleting any later segments), and rebuilds the scanned segments' indexes;
/// any missing or damaged index of another segment is rebuilt from its log. Damage found
/// later in a segment below the recovery point fails reads of that region with
/// `.corruptLog` (KAFKA_STORAGE_ERROR) and is reported on standard error; the rest of the
/// log and other partitions keep working.
///
/// **Open files.** Segment files are opened lazily and at most `openFilesMax` descriptors
/// stay cached across the whole store (least recently used closed first). A read result
/// holds its own reference to its file, so eviction or closing a log never breaks it.
public final class SegmentedLogStore: LogStore {
    /// The directory holding every partition directory.
    public let directory: String
    let context: StoreContext
    /// Whether the previous run ended without `close()`, so every partition directory
    /// owes recovery.
    let recovering: Bool
    /// How many logs `openLogs` and `close` work on at once.
    let logTasksMax: Int
    /// Held from `init` to `close()` (or deinit), so no second store opens the directory.
    let lock: DirectoryLock
    private struct State {
        var logs: [TopicPartition: SegmentedPartitionLog] = [:]
        var closed = false
        /// The partition directories that owe crash recovery (see the type's comment).
        var recoveryPending: Set<String> = []
    }

    // Guards the open logs; the class is Sendable because all its mutable state is here.
    private let state = Mutex(State())
    /// The name of the clean-shutdown marker file.
    static let cleanShutdownMarker = ".clean-shutdown"
    /// The suffix of a partition directory being deleted.
    static let deletedSuffix = ".deleted"

    /// Opens (creating if needed) a store in `directory`.
    ///
    /// - Parameters:
    ///   - codecs: decompress records for ListOffsets by time and for compaction.
    ///   - clock: its wall clock drives `segment.ms`; its monotonic clock `flush.ms`.
    ///   - openFilesMax: the most segment file descriptors kept open at once.
    ///   - logTasksMax: how many logs `openLogs` (recovery, after a crash) and `close`
    ///     work on at once, as Kafka's `num.recovery.threads.per.data.dir`. Their syscalls
    ///     run on the store's I/O threads (four, and four more for fsyncs) whatever this
    ///     is, so much beyond eight only lengthens queues.
    public init(
        directory: String, codecs: CompressionCodecs = CompressionCodecs(),
        clock: any BrokerClock = SystemClock(), openFilesMax: Int = 1024, logTasksMax: Int = 8
    ) throws(LogStoreError) {
        self.logTasksMax = max(1, logTasksMax)
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.directory = trimmed
        try POSIXFile.makeDirectories(trimmed)
        lock = try DirectoryLock(directory: trimmed)
        let marker = trimmed + "/" + Self.cleanShutdownMarker
        recovering = !POSIXFile.exists(marker)
        // Finish deletions a crash interrupted after the rename.
        for name in try POSIXFile.list(trimmed) where name.hasSuffix(Self.deletedSuffix) {
            try POSIXFile.removeTree(trimmed + "/" + name)
        }
        var recoveryPending = recovering ? nil : RecoveryPendingFile.read(in: trimmed)
        if recoveryPending == nil { recoveryPending = try Self.partitionDirectoryNames(in: trimmed) }
        if !recovering {
            try POSIXFile.remove(marker)
            try POSIXFile.syncDirectory(trimmed)
        }
        context = StoreContext(
            directory: trimmed, files: FileDescriptorCache(capacity: openFilesMax), clock: clock, codecs: codecs,
            reporter: StoreContext.standardError
        )
        state.withLock { $0.recoveryPending = recoveryPending ?? [] }
    }

    /// The names of the partition directories in `directory`.
    private static func partitionDirectoryNames(in directory: String) throws(LogStoreError) -> Set<String> {
        Set(try POSIXFile.list(directory).filter { name in
            !name.hasSuffix(deletedSuffix) && partition(fromDirectoryName: name) != nil && POSIXFile.isDirectory(directory + "/" + name)
        })
    }

    /// Opens the partition's log, creating its directory when absent; recovers it if it owes
    /// recovery (a run that crashed since it was last recovered). An open log is returned as
    /// it is, keeping its config; a log its owner closed is replaced by a fresh one over the
    /// same files.
    public func openLog(_ partition: TopicPartition, config: LogConfig) async throws(LogStoreError) -> any PartitionLog {
        let name = try Self.directoryName(of: partition)
        while true {
            let (log, existed, recovering) = try state.withLock { state throws(LogStoreError) -> (SegmentedPartitionLog, Bool, Bool) in
                if state.closed { throw .closed(partition) }
                let recovering = state.recoveryPending.contains(name)
                if let log = state.logs[partition] { return (log, true, recovering) }
                let log = SegmentedPartitionLog(partition: partition, directory: directory + "/" + name, config: config, context: context)
                state.logs[partition] = log
                return (log, false, recovering)
            }
            do throws(LogStoreError) {
                try await log.open(recovering: recovering)
                if recovering { _ = state.withLock { $0.recoveryPending.remove(name) } }
                return log
            } catch {
                state.withLock { state in
                    if state.logs[partition] === log { state.logs[partition] = nil }
                }
                // A log closed by its owner is replaced by a fresh one over the same files.
                if existed, case .closed = error { continue }
                throw error
            }
        }
    }

    /// The I/O threads every log runs on. A task that runs with this preference calls into
    /// a log without a thread wake-up on the way back (see `IOThreadPool`).
    public var preferredTaskExecutor: (any TaskExecutor)? { context.pool }

    /// Opens the logs `logTasksMax` at a time: after a crash each one scans its active
    /// segment and fsyncs what it repairs, and thousands of those one after another take
    /// seconds.
    public func openLogs(_ partitions: [TopicPartition: LogConfig]) async -> [TopicPartition: Result<any PartitionLog, LogStoreError>] {
        let opened = await Self.concurrentMap(Array(partitions), width: logTasksMax, on: context.pool) { partition, config in
            do throws(LogStoreError) {
                return (partition, Result<any PartitionLog, LogStoreError>.success(try await self.openLog(partition, config: config)))
            } catch {
                return (partition, .failure(error))
            }
        }
        return Dictionary(opened, uniquingKeysWith: { first, _ in first })
    }

    /// Closes the partition's log (in-flight read results stay valid) and removes its
    /// directory: renamed to `*.deleted` first, so a crash cannot leave half a log.
    public func deleteLog(_ partition: TopicPartition) async throws(LogStoreError) {
        let name = try Self.directoryName(of: partition)
        let log = try state.withLock { state throws(LogStoreError) -> SegmentedPartitionLog? in
            if state.closed { throw .closed(partition) }
            // Whatever happens to the files below, none of them is to be recovered: a
            // crash leaves them renamed for removal or gone.
            state.recoveryPending.remove(name)
            return state.logs.removeValue(forKey: partition)
        }
        if let log { await log.closeForDeletion() }
        let path = directory + "/" + name
        let doomed = "\(path).\(context.newSegmentID())\(Self.deletedSuffix)"
        // The rename makes the deletion atomic: a crash leaves either the log or a
        // `.deleted` directory, which the next start removes.
        let renamed = try await context.syncPool.run { () throws(LogStoreError) -> Bool in
            guard POSIXFile.isDirectory(path) else { return false }
            try POSIXFile.rename(path, to: doomed)
            return true
        }
        guard renamed else { return }
        try await context.storeDirectorySync.sync()
        try await context.syncPool.run { () throws(LogStoreError) in try POSIXFile.removeTree(doomed) }
    }

    /// The partitions with a directory in the store, open or not, in order.
    public func existingPartitions() async throws(LogStoreError) -> [TopicPartition] {
        if state.withLock({ $0.closed }) {
            throw .io(operation: "existingPartitions", path: directory, errno: EBADF)
        }
        let directory = directory
        return try await context.syncPool.run { () throws(LogStoreError) in
            try POSIXFile.list(directory).compactMap { name in
                guard !name.hasSuffix(Self.deletedSuffix), POSIXFile.isDirectory(directory + "/" + name) else { return nil }
                return Self.partition(fromDirectoryName: name)
            }.sorted()
        }
    }

    /// Flushes and closes every open log, records the partitions still owing recovery, then
    /// writes the clean-shutdown marker; if a log fails to close, the marker is not written
    /// (the next start recovers every partition) and the error is thrown.
    public func close() async throws(LogStoreError) {
        defer { lock.release() }
        let closing = state.withLock { state -> (logs: [SegmentedPartitionLog], recoveryPending: Set<String>)? in
            if state.closed { return nil }
            state.closed = true
            defer { state.logs = [:] }
            return (Array(state.logs.values), state.recoveryPending)
        }
        // Closed already: the first close wrote (or withheld) the marker.
        guard let closing else { return }
        let (logs, recoveryPending) = (closing.logs, closing.recoveryPending)
        // `logTasksMax` at a time: each close waits for fsyncs, and concurrent ones share
        // journal commits where one after another pay for each.
        let failures = await Self.concurrentMap(logs, width: logTasksMax, on: context.pool) { log -> LogStoreError? in
            do throws(LogStoreError) {
                try await log.close()
                return nil
            } catch {
                return error
            }
        }
        let failure = failures.lazy.compactMap { $0 }.first
        // Without the marker the next start recovers every log, which is the safe outcome
        // when a log could not be flushed.
        if let failure { throw failure }
        let marker = directory + "/" + Self.cleanShutdownMarker
        let directory = directory
        try await context.syncPool.run { () throws(LogStoreError) in
            // Durable before the marker, which would otherwise vouch for those partitions.
            try RecoveryPendingFile.write(recoveryPending, in: directory)
            let descriptor = try POSIXFile.open(marker, flags: O_WRONLY | O_CREAT | O_TRUNC)
            defer { _ = Glibc.close(descriptor) }
            try POSIXFile.sync(descriptor, path: marker)
            try POSIXFile.syncDirectory(directory)
        }
    }

    /// Flushes every open log whose `flush.ms` interval has passed. A broker calls this
    /// from a background service about once a second; failures take that log offline and
    /// are reported, and the other logs still flush.
    public func flushDueLogs() async {
        let logs = state.withLock { Array($0.logs.values) }
        for log in logs {
            do throws(LogStoreError) {
                try await log.flushIfDue()
            } catch {
                context.report("\(log.partition): scheduled flush failed: \(error)")
            }
        }
    }

    /// `body` applied to every item, in no particular order, with at most `width` calls
    /// running at once (so thousands of logs do not start thousands of tasks), in tasks
    /// preferring `executor`.
    static func concurrentMap<Item: Sendable, Output: Sendable>(
        _ items: [Item], width: Int, on executor: (any TaskExecutor)?, _ body: @escaping @Sendable (Item) async -> Output
    ) async -> [Output] {
        await withTaskGroup(of: Output.self) { group in
            var outputs: [Output] = []
            outputs.reserveCapacity(items.count)
            var started = 0
            while started < min(width, items.count) {
                let item = items[started]
                group.addTask(executorPreference: executor) { await body(item) }
                started += 1
            }
            while let output = await group.next() {
                outputs.append(output)
                if started < items.count {
                    let item = items[started]
                    group.addTask(executorPreference: executor) { await body(item) }
                    started += 1
                }
            }
            return outputs
        }
    }

    /// Segment file descriptors cached now (tests check the bound).
    var cachedFileCount: Int { context.files.count }

    /// Kafka's directory name for a partition, refusing topic names that would escape the
    /// store directory (the broker validates topic names; this is the last line).
    static func directoryName(of partition: TopicPartition) throws(LogStoreError) -> String {
        let topic = partition.topic
        guard !topic.isEmpty, topic != ".", topic != "..", !topic.contains("/"), !topic.contains("\0"), partition.partition >= 0 else {
            throw .io(operation: "openLog", path: partition.description, errno: EINVAL)
        }
        return partition.description
    }

    /// The partition a directory name stands for, or nil for any other name.
    static func partition(fromDirectoryName name: String) -> TopicPartition? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let topic = String(name[..<dash])
        guard !topic.isEmpty, let number = Int32(name[name.index(after: dash)...]), number >= 0 else { return nil }
        return TopicPartition(topic: topic, partition: number)
    }
}
