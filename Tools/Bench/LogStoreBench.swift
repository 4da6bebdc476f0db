// SegmentedLogStore throughput, recovery time and per-partition cost, for the README.
//
// Method, all in one directory on the filesystem under test (run a release build):
// 1. 10,000 partitions with 1 MiB segments are opened (`openLogs`) and get one small batch
//    each; VmRSS growth and open descriptors are read from /proc/self; then close, a clean
//    reopen, a close with nothing appended, and a reopen after a crash are timed.
// 2. Baseline: `gigabytes` GiB written as 16 KiB pwrites and one final fdatasync, the same
//    pattern as `dd bs=16k conv=fdatasync`; and with an fdatasync after every 8 writes, the
//    pattern of 8 appenders sharing fsyncs.
// 3. The same volume appended as ~16 KiB batches of 100-byte records, one batch per append
//    as producers send them: with the default flush policy (one appender; page cache, then
//    one flush(); and spread over 8 partitions appending in parallel), and with
//    fsyncBeforeAcknowledge (8 concurrent appenders sharing fsyncs; 1 appender for up to
//    `fsyncSoloDuration`). The appenders run on Swift's cooperative pool, as most callers
//    do, and (`append` and `fsync` steps) again from tasks that prefer the store's I/O
//    threads (`preferredTaskExecutor`), which saves a thread wake-up per append.
// 4. The flush-policy log read back with 1 MiB fetches: copied out with readBytes(), and as
//    FileSlices only (what a sendfile transport does), warm and after dropping the files'
//    pages with POSIX_FADV_DONTNEED; the baseline is a file of the same size, written as in
//    step 2 and read with plain 1 MiB preads. Both cold reads are the first since the write.
// 5. Recovery: the store is abandoned without close() (what a kill -9 leaves) and a new
//    store times openLog, with the page cache warm and dropped, for Kafka's default 1 GiB
//    segments (the active segment is the whole log) and 128 MiB ones; then a clean open.
// MB/s means 10^6 bytes per second.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import TernLogStore
import TernPrimitives
import TernProtocol

/// How long the single durable appender runs, at most: one fsync per append is slow.
private let fsyncSoloDuration = Duration.seconds(5)
let benchPartition = TopicPartition(topic: "bench", partition: 0)
private let partitionsCount = 10_000

/// Runs every log-store measurement in a fresh subdirectory of `directory` (created if
/// needed; only the subdirectory is removed afterwards) and returns report lines. A failed
/// step reports its error instead of numbers.
func runLogStoreBench(directory parent: String, gigabytes: Double, steps: Set<LogStoreBenchStep> = Set(LogStoreBenchStep.allCases)) async -> [String] {
    let directory = parent + "/tern-logstore-bench-\(getpid())"
    let volume = Int64(max(0.01, gigabytes) * Double(1 << 30))
    let pool = makeLogBenchBatches(count: 64)
    let batchBytes = pool[0].bytes.readableBytes
    let appends = Int(volume / Int64(batchBytes))
    var lines = [
        "logstore bench: \(appends) batches of \(batchBytes) B (\(pool[0].records) records of 100 B) = "
            + "\(formatMB(Int64(appends * batchBytes))) MB in \(directory)",
    ]
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if steps.contains(.partitions) { lines += try await measurePartitions(directory: directory + "/partitions") }
        if steps.contains(.raw) {
            lines.append(try measureRawWrites(path: directory + "/raw.bin", blocks: appends, blockBytes: batchBytes))
            lines.append(try measureRawWrites(path: directory + "/raw.bin", blocks: appends, blockBytes: batchBytes, syncEvery: 8))
        }
        if steps.contains(.flush) { lines += try await measureFlushPolicy(directory: directory + "/flush", pool: pool, appends: appends) }
        if steps.contains(.append) { lines += try await measureAppendsOnly(directory: directory + "/append", pool: pool, appends: appends) }
        if steps.contains(.produce) { lines += try await measureProducePath(directory: directory + "/produce", pool: pool, appends: appends) }
        if steps.contains(.unaligned) {
            let odd = makeLogBenchBatches(count: 64, bytes: nil)
            let oddAppends = Int(volume / Int64(odd[0].bytes.readableBytes))
            lines.append("unaligned: \(oddAppends) batches of \(odd[0].bytes.readableBytes) B (\(odd[0].records) records of 100 B)")
            lines.append(try measureRawWrites(path: directory + "/raw-odd.bin", blocks: oddAppends, blockBytes: odd[0].bytes.readableBytes))
            lines += try await measureProducePath(directory: directory + "/produce-odd", pool: odd, appends: oddAppends)
        }
        if steps.contains(.flush8) { lines.append(try await measureParallelPartitions(directory: directory + "/flush8", pool: pool, appends: appends)) }
        if steps.contains(.fsync) { lines += try await measureFsync(directory: directory, pool: pool, appends: appends) }
        if steps.contains(.fsyncpairs) { lines += try await measureFsyncPairs(directory: directory, pool: pool, appends: appends) }
        if steps.contains(.recovery) {
            lines += try await measureRecovery(directory: directory + "/segments128", pool: pool, appends: appends, segmentBytes: 128 << 20)
        }
    } catch {
        lines.append("logstore bench FAILED: \(error)")
    }
    return lines
}

/// The parts of the log-store benchmark, which `tern-bench logstore DIR GB STEP,STEP` picks.
enum LogStoreBenchStep: String, CaseIterable {
    /// 10,000 small partitions: create, close, clean and crashed reopen, memory.
    case partitions
    /// The raw-disk baselines: 16 KiB pwrites and one fdatasync, and one every 8 writes.
    case raw
    /// One partition under the flush policy: append, read back warm and cold, recovery.
    case flush
    /// Only the appends of `flush` (for profiling them).
    case append
    /// Only the appends as the broker makes them (store executor, CRCs checked by the
    /// caller), with the process's CPU time: short enough to alternate with `dd`.
    case produce
    /// `produce` with batches a few bytes short of 16 KiB (as many 100-byte records as fit),
    /// so every write ends inside a page, against plain pwrites of the same sizes.
    case unaligned
    /// The flush policy over 8 partitions appending in parallel.
    case flush8
    /// fsync before acknowledge, 8 appenders and 1.
    case fsync
    /// fsync before acknowledge against raw writes with an fdatasync every 8, alternated in
    /// eight short slices (the fair comparison on a disk whose fsync speed drifts).
    case fsyncpairs
    /// Recovery with 128 MiB segments.
    case recovery
}

/// One encoded batch of the pool, and how many records it holds.
struct LogBenchBatch {
    let bytes: ByteBuffer
    let records: Int
}

/// `count` batches of 100-byte-value records, each exactly `bytes` long (the last record's
/// value takes up the slack), all the same size (only the bytes differ), so a reader can
/// count offsets from bytes. With `bytes` nil, each batch holds as many 100-byte records as
/// fit in 16 KiB, which leaves it a few bytes short (16,361 B): the unaligned case.
private func makeLogBenchBatches(count: Int, bytes exactBytes: Int? = 16 * 1024) -> [LogBenchBatch] {
    let limit = exactBytes ?? 16 * 1024
    return (0..<count).map { index in
        var valueBytes: [Int] = []
        var used = RecordBatchHeader.size
        // A 100-byte value with small deltas encodes in under 110 bytes.
        while used + 110 <= limit {
            valueBytes.append(100)
            used += 110
        }
        // Grow the last value until the batch is exactly the size asked for; a varint
        // length can grow by a byte on the way, so this may take a few rounds.
        for _ in 0..<8 {
            let batch = encodeLogBenchBatch(index: index, valueBytes: valueBytes)
            guard let exactBytes, batch.readableBytes != exactBytes else {
                return LogBenchBatch(bytes: batch, records: valueBytes.count)
            }
            valueBytes[valueBytes.count - 1] += exactBytes - batch.readableBytes
        }
        preconditionFailure("benchmark batch cannot be made exactly \(limit) bytes")
    }
}

private func encodeLogBenchBatch(index: Int, valueBytes: [Int]) -> ByteBuffer {
    let records = valueBytes.enumerated().map { number, size in
        Record(
            timestampDelta: Int64(number), offsetDelta: Int32(number),
            value: ByteBuffer(repeating: UInt8(truncatingIfNeeded: index &* 31 &+ number), count: size)
        )
    }
    let batch = RecordBatch(baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000 + Int64(records.count - 1), records: records)
    do {
        return try batch.encoded()
    } catch {
        preconditionFailure("benchmark batch does not encode: \(error)")
    }
}

/// Appends `count` batches from the pool as leader, starting at pool entry `first`.
func appendBatches(
    _ log: any PartitionLog, pool: [LogBenchBatch], first: Int, count: Int, validation: LogAppend.Validation = .full
) async throws {
    for index in 0..<count {
        let batch = pool[(first + index) % pool.count].bytes
        _ = try await log.append(LogAppend(batches: batch, origin: .leader(epoch: 0, logAppendTime: nil), validation: validation))
    }
}

/// `appends` batches from `appenders` concurrent tasks (preferring `executor`), shared out
/// as evenly as they divide.
func appendConcurrently(
    _ log: any PartitionLog, pool: [LogBenchBatch], appends: Int, appenders: Int = 8,
    executor: (any TaskExecutor)?, validation: LogAppend.Validation
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for appender in 0..<appenders {
            let share = appends / appenders + (appender < appends % appenders ? 1 : 0)
            group.addTask(executorPreference: executor) {
                try await appendBatches(log, pool: pool, first: appender, count: share, validation: validation)
            }
        }
        try await group.waitForAll()
    }
}

/// `blocks` pwrites of `blockBytes`, then one fdatasync, or one after every `syncEvery`.
func measureRawWrites(path: String, blocks: Int, blockBytes: Int, syncEvery: Int? = nil, keep: Bool = false) throws -> String {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw BenchFailure("open \(path): errno \(errno)") }
    defer {
        close(descriptor)
        if !keep { unlink(path) }
    }
    let block = [UInt8](repeating: 0x61, count: blockBytes)
    let start = ContinuousClock.now
    for index in 0..<blocks {
        let written = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, blockBytes, off_t(index) * off_t(blockBytes)) }
        guard written == blockBytes else { throw BenchFailure("pwrite \(path): errno \(errno)") }
        if let syncEvery, (index + 1) % syncEvery == 0, fdatasync(descriptor) != 0 {
            throw BenchFailure("fdatasync \(path): errno \(errno)")
        }
    }
    guard fdatasync(descriptor) == 0 else { throw BenchFailure("fdatasync \(path): errno \(errno)") }
    let label = syncEvery.map { "raw pwrite \(blockBytes) B, fdatasync every \($0)" } ?? "raw pwrite \(blockBytes) B + fdatasync"
    return rateLine(label, bytes: Int64(blocks * blockBytes), since: start)
}

private func measureFlushPolicy(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> [String] {
    var lines = try await appendAndReadBack(directory: directory, pool: pool, appends: appends)
    // That store was dropped unclosed: recovery starts from what a kill -9 would leave.
    lines += try await timeRecovery(directory: directory, label: "1 GiB segments")
    return lines
}

/// Appends under the flush policy, then flush(), closes and deletes the log: once from the
/// cooperative pool (as `flush` does), once from a task preferring the store's I/O threads,
/// and once more that way with the CRCs vouched for by the caller, as the broker's produce
/// path (which has checked them) appends.
private func measureAppendsOnly(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> [String] {
    var lines: [String] = []
    for (preferStore, validation) in [(false, LogAppend.Validation.full), (true, .full), (true, .crcVerifiedByCaller)] {
        let store = try SegmentedLogStore(directory: directory)
        let log = try await store.openLog(benchPartition, config: LogConfig())
        let bytes = Int64(appends * pool[0].bytes.readableBytes)
        let suffix = (preferStore ? ", store executor" : "") + (validation == .full ? "" : ", CRC checked by caller")
        let start = ContinuousClock.now
        try await withTaskExecutorPreference(preferStore ? store.preferredTaskExecutor : nil) {
            try await appendBatches(log, pool: pool, first: 0, count: appends, validation: validation)
        }
        lines.append(rateLine("append, flush policy (page cache)\(suffix)", bytes: bytes, since: start))
        try await log.flush()
        lines.append(rateLine("append, flush policy, + flush()\(suffix)", bytes: bytes, since: start))
        try await store.close()
        try FileManager.default.removeItem(atPath: directory)
    }
    return lines
}

/// Appends under the flush policy as the broker's produce path does (from a task preferring
/// the store's executor, CRCs vouched for), then flush(); reports the process's CPU time
/// too, which a loaded machine moves less than the elapsed time.
private func measureProducePath(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> [String] {
    let store = try SegmentedLogStore(directory: directory)
    let log = try await store.openLog(benchPartition, config: LogConfig())
    let bytes = Int64(appends * pool[0].bytes.readableBytes)
    let cpuBefore = processCPUSeconds()
    let start = ContinuousClock.now
    try await withTaskExecutorPreference(store.preferredTaskExecutor) {
        try await appendBatches(log, pool: pool, first: 0, count: appends, validation: .crcVerifiedByCaller)
    }
    try await log.flush()
    let line = rateLine("append as produce path, + flush()", bytes: bytes, since: start)
        + "  (CPU \(formatSeconds(processCPUSeconds() - cpuBefore)))"
    try await store.close()
    try FileManager.default.removeItem(atPath: directory)
    return [line]
}

/// User plus system CPU time of the whole process so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Appends and reads back under the flush policy, and drops the store unclosed (its
/// directory lock goes with it, as with a killed process).
private func appendAndReadBack(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> [String] {
    let store = try SegmentedLogStore(directory: directory)
    let log = try await store.openLog(benchPartition, config: LogConfig())
    let bytes = Int64(appends * pool[0].bytes.readableBytes)
    let start = ContinuousClock.now
    try await appendBatches(log, pool: pool, first: 0, count: appends)
    let appended = rateLine("append, flush policy (page cache)", bytes: bytes, since: start)
    try await log.flush()
    var lines = [appended, rateLine("append, flush policy, + flush()", bytes: bytes, since: start)]
    let end = await log.offsets().logEndOffset
    lines.append(try await readLine(log, label: "read + readBytes, warm", end: end, batch: pool[0], copying: true))
    lines.append(try await readLine(log, label: "read FileSlices only, warm", end: end, batch: pool[0], copying: false))
    // The baseline is a file of the same size written as the raw step writes, and both are
    // read for the first time since they were written: on a virtual disk a second read can
    // come from the host's cache and run several times faster, even with the guest's pages
    // dropped.
    let rawPath = directory + "/raw-read.bin"
    _ = try measureRawWrites(path: rawPath, blocks: Int(end / Int64(pool[0].records)), blockBytes: pool[0].bytes.readableBytes, keep: true)
    defer { unlink(rawPath) }
    try dropCachedPages(directory)
    lines.append(try await readLine(log, label: "read + readBytes, cold", end: end, batch: pool[0], copying: true))
    lines.append(try measureRawReads(path: rawPath, label: "raw pread 1 MiB, cold"))
    return lines
}

/// The raw-disk baseline for cold reads: a file read front to back with 1 MiB preads (as
/// `fio --rw=read --bs=1m --ioengine=psync` does), its pages just dropped.
private func measureRawReads(path: String, label: String) throws -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw BenchFailure("open \(path): errno \(errno)") }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var total: Int64 = 0
    let start = ContinuousClock.now
    while true {
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(total)) }
        guard count >= 0 else { throw BenchFailure("pread \(path): errno \(errno)") }
        if count == 0 { break }
        total += Int64(count)
    }
    return rateLine(label, bytes: total, since: start)
}

/// The same volume spread over 8 partitions, one appender each: every partition log is an
/// actor with its own I/O lane, so they append in parallel.
private func measureParallelPartitions(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> String {
    let store = try SegmentedLogStore(directory: directory)
    let count = 8
    var logs: [any PartitionLog] = []
    for number in 0..<count {
        logs.append(try await store.openLog(TopicPartition(topic: "bench8", partition: Int32(number)), config: LogConfig()))
    }
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (number, log) in logs.enumerated() {
            group.addTask { try await appendBatches(log, pool: pool, first: number, count: appends / count) }
        }
        try await group.waitForAll()
    }
    for log in logs { try await log.flush() }
    let line = rateLine("append, flush policy, 8 partitions", bytes: Int64(appends / count * count * pool[0].bytes.readableBytes), since: start) + "  (+ flush())"
    try await store.close()
    try FileManager.default.removeItem(atPath: directory)
    return line
}

/// Reads the whole log with 1 MiB fetches; with `copying`, every slice is copied into
/// memory, otherwise only the slices' sizes are added up.
private func readLine(_ log: any PartitionLog, label: String, end: Int64, batch: LogBenchBatch, copying: Bool) async throws -> String {
    let batchBytes = batch.bytes.readableBytes
    var offset: Int64 = 0
    var total: Int64 = 0
    let start = ContinuousClock.now
    // Each fetch returns at least one batch, so the log's batch count bounds the loop.
    var fetchesLeft = end / Int64(batch.records) + 1
    while offset < end, fetchesLeft > 0 {
        fetchesLeft -= 1
        let result = try await log.read(LogReadRequest(fetchOffset: offset, maxBytes: 1 << 20))
        var fetched = 0
        for slice in result.slices {
            fetched += copying ? try slice.readBytes().readableBytes : slice.byteCount
        }
        guard fetched > 0, fetched % batchBytes == 0 else { throw BenchFailure("read at \(offset) returned \(fetched) bytes") }
        total += Int64(fetched)
        offset += Int64(fetched / batchBytes * batch.records)
    }
    guard offset == end else { throw BenchFailure("reads stopped at \(offset) of \(end)") }
    return rateLine(label, bytes: total, since: start)
}

private func measureFsync(directory: String, pool: [LogBenchBatch], appends: Int) async throws -> [String] {
    var lines: [String] = []
    for preferStore in [false, true] {
        lines += try await measureFsync(directory: directory, pool: pool, appends: appends, preferStore: preferStore)
    }
    return lines
}

/// fsync before acknowledge: 8 concurrent appenders sharing fsyncs, then 1 appender for at
/// most `fsyncSoloDuration`; from the cooperative pool or preferring the store's threads.
private func measureFsync(directory: String, pool: [LogBenchBatch], appends: Int, preferStore: Bool) async throws -> [String] {
    var config = LogConfig()
    config.durability = .fsyncBeforeAcknowledge
    // From the store's executor, as the broker will append: with the CRCs it checked.
    let validation = preferStore ? LogAppend.Validation.crcVerifiedByCaller : .full
    let suffix = preferStore ? ", store executor, CRC checked by caller" : ""
    let store = try SegmentedLogStore(directory: directory + "/fsync")
    let log = try await store.openLog(benchPartition, config: config)
    let start = ContinuousClock.now
    try await appendConcurrently(log, pool: pool, appends: appends, executor: preferStore ? store.preferredTaskExecutor : nil, validation: validation)
    var lines = [rateLine("append, fsync, 8 appenders\(suffix)", bytes: Int64(appends * pool[0].bytes.readableBytes), since: start)]
    try await store.close()
    try FileManager.default.removeItem(atPath: directory + "/fsync")

    let soloStore = try SegmentedLogStore(directory: directory + "/fsync-solo")
    let solo = try await soloStore.openLog(benchPartition, config: config)
    let soloStart = ContinuousClock.now
    var soloAppends = 0
    try await withTaskExecutorPreference(preferStore ? soloStore.preferredTaskExecutor : nil) {
        while soloAppends < appends, ContinuousClock.now - soloStart < fsyncSoloDuration {
            try await appendBatches(solo, pool: pool, first: soloAppends, count: 1, validation: validation)
            soloAppends += 1
        }
    }
    let seconds = secondsSince(soloStart)
    lines.append(rateLine("append, fsync, 1 appender\(suffix)", bytes: Int64(soloAppends * pool[0].bytes.readableBytes), since: soloStart)
        + "  (\(Int(Double(soloAppends) / seconds)) appends/s)")
    try await soloStore.close()
    try FileManager.default.removeItem(atPath: directory + "/fsync-solo")
    return lines
}

private func measureRecovery(directory: String, pool: [LogBenchBatch], appends: Int, segmentBytes: Int) async throws -> [String] {
    var config = LogConfig()
    config.segmentBytes = segmentBytes
    // The worst case: about `appends` batches, and the active segment one batch short of full.
    let perSegment = segmentBytes / pool[0].bytes.readableBytes
    try await appendAndAbandon(directory: directory, config: config, pool: pool, count: max(1, appends / perSegment) * perSegment + perSegment - 1)
    return try await timeRecovery(directory: directory, label: "\(segmentBytes >> 20) MiB segments", config: config)
}

/// Appends and flushes `count` batches, then drops the store unclosed.
private func appendAndAbandon(directory: String, config: LogConfig, pool: [LogBenchBatch], count: Int) async throws {
    let store = try SegmentedLogStore(directory: directory)
    let log = try await store.openLog(benchPartition, config: config)
    try await appendBatches(log, pool: pool, first: 0, count: count)
    try await log.flush()
}

/// Times openLog after a crash (the caller's store is abandoned unclosed), warm and with
/// the log's pages dropped, then after a clean close.
private func timeRecovery(directory: String, label: String, config: LogConfig = LogConfig()) async throws -> [String] {
    var lines: [String] = []
    for cold in [false, true] {
        if cold { try dropCachedPages(directory) }
        let store = try SegmentedLogStore(directory: directory)
        let start = ContinuousClock.now
        let log = try await store.openLog(benchPartition, config: config)
        let elapsed = secondsSince(start)
        let end = await log.offsets().logEndOffset
        lines.append(pad("recovery open, \(label), \(cold ? "cold" : "warm")", 40) + formatSeconds(elapsed) + "  (log end \(end), active segment \(formatMB(activeSegmentBytes(directory))) MB)")
    }
    let closing = try SegmentedLogStore(directory: directory)
    _ = try await closing.openLog(benchPartition, config: config)
    try await closing.close()
    let clean = try SegmentedLogStore(directory: directory)
    let start = ContinuousClock.now
    _ = try await clean.openLog(benchPartition, config: config)
    lines.append(pad("clean open, \(label)", 40) + formatSeconds(secondsSince(start)))
    try await clean.close()
    return lines
}

/// The size of the newest segment's log file of the bench partition.
private func activeSegmentBytes(_ directory: String) -> Int64 {
    let partition = directory + "/" + benchPartition.description
    let logs = ((try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
    guard let newest = logs.last, let size = (try? FileManager.default.attributesOfItem(atPath: partition + "/" + newest))?[.size] as? Int64 else { return 0 }
    return size
}

/// Asks the kernel to drop the cached pages of every file under `directory` (they are all
/// flushed, so it can), so the next reads come from the disk.
private func dropCachedPages(_ directory: String) throws {
    guard let walker = FileManager.default.enumerator(atPath: directory) else { throw BenchFailure("cannot list \(directory)") }
    while let name = walker.nextObject() as? String {
        let descriptor = open(directory + "/" + name, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { continue }
        _ = fdatasync(descriptor)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        close(descriptor)
    }
}

private func measurePartitions(directory: String) async throws -> [String] {
    var config = LogConfig()
    config.segmentBytes = 1 << 20
    let batch = try RecordBatch(baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000, records: [
        Record(offsetDelta: 0, value: ByteBuffer(repeating: 0x62, count: 100)),
    ]).encoded()
    let configs = Dictionary(uniqueKeysWithValues: (0..<partitionsCount).map { (TopicPartition(topic: "p", partition: Int32($0)), config) })
    let label = "\(partitionsCount) partitions:"
    let rssBefore = residentKilobytes()
    let descriptorsBefore = openDescriptorCount()
    var lines: [String] = []
    do {
        let store = try SegmentedLogStore(directory: directory)
        var start = ContinuousClock.now
        let logs = try await openAll(store, configs)
        lines.append(pad("\(label) create", 40) + formatSeconds(secondsSince(start)))
        start = ContinuousClock.now
        for log in logs {
            _ = try await log.append(LogAppend(batches: batch, origin: .leader(epoch: 0, logAppendTime: nil)))
        }
        lines.append(pad("\(label) 1 append each", 40) + formatSeconds(secondsSince(start)))
        let growth = residentKilobytes() - rssBefore
        lines.append(pad("\(label) RSS growth", 40) + "\(growth / 1024) MiB (\(growth * 1024 / Int64(partitionsCount)) B per partition)")
        lines.append(pad("\(label) open descriptors", 40)
            + "\(openDescriptorCount() - descriptorsBefore) more (the store caches at most 1024 segment files)")
        start = ContinuousClock.now
        try await store.close()
        lines.append(pad("\(label) close (1 unflushed append each)", 40) + formatSeconds(secondsSince(start)))
    }
    do {
        let store = try SegmentedLogStore(directory: directory)
        var start = ContinuousClock.now
        _ = try await openAll(store, configs)
        lines.append(pad("\(label) clean reopen", 40) + formatSeconds(secondsSince(start)))
        start = ContinuousClock.now
        try await store.close()
        lines.append(pad("\(label) close (nothing appended)", 40) + formatSeconds(secondsSince(start)))
    }
    try await openAndAbandon(directory: directory, configs)
    let store = try SegmentedLogStore(directory: directory)
    let start = ContinuousClock.now
    _ = try await openAll(store, configs)
    lines.append(pad("\(label) crash reopen", 40) + formatSeconds(secondsSince(start)))
    lines.append(pad("\(label) RSS growth, 2 stores later", 40) + "\((residentKilobytes() - rssBefore) / 1024) MiB")
    try await store.close()
    // With every store closed, what malloc still holds after handing free pages back is
    // what the stores leaked (or the runtime cached), not memory still in use.
    _ = glibcMallocTrim(0)
    lines.append(pad("\(label) RSS growth, all closed + malloc_trim", 40) + "\((residentKilobytes() - rssBefore) / 1024) MiB")
    return lines
}

/// Opens every log through `openLogs` (all at once, as a broker starting up would).
private func openAll(_ store: SegmentedLogStore, _ configs: [TopicPartition: LogConfig]) async throws -> [any PartitionLog] {
    try await store.openLogs(configs).map { entry in try entry.value.get() }
}

/// Opens every log, then drops the store unclosed, as a kill -9 would leave it: the next
/// store recovers every active segment.
private func openAndAbandon(directory: String, _ configs: [TopicPartition: LogConfig]) async throws {
    let store = try SegmentedLogStore(directory: directory)
    _ = try await openAll(store, configs)
}

/// glibc's malloc_trim, which Swift's Glibc module does not import.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32

/// VmRSS from /proc/self/status, in KiB; 0 when unreadable.
private func residentKilobytes() -> Int64 {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
    return line.flatMap { Int64($0.split(separator: " ")[1]) } ?? 0
}

private func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

private struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

private func rateLine(_ label: String, bytes: Int64, since start: ContinuousClock.Instant) -> String {
    let seconds = secondsSince(start)
    return pad(label, 40) + "\(formatMB(bytes)) MB in \(formatSeconds(seconds)) = \(Int(Double(bytes) / 1e6 / max(seconds, 1e-9))) MB/s"
}

private func formatMB(_ bytes: Int64) -> String { String(Int((Double(bytes) / 1e6).rounded())) }

private func formatSeconds(_ seconds: Double) -> String {
    seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Double(Int(seconds * 100)) / 100) s"
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
