// Goal: SIGKILL at any moment never loses an acknowledged batch nor exposes a partial one,
// and recovery stacked on earlier recoveries leaves offsets, indexes and the leader-epoch
// cache agreeing with the log. Method: run tern-log-crash-child (four concurrent appenders,
// 32 KiB segments; fsyncBeforeAcknowledge, and the flush policy in every fourth run) over
// one directory again and again, killing it after a seeded random 20–300 ms. After every
// kill, open the directory with a fresh store in this process and check every
// acknowledgement so far byte for byte, the batch chain from the log start, a one-batch
// read at every offset, and the leader-epoch cache. The seed is printed; CRASH_SEED replays
// its kill delays and batch contents (where a kill lands still depends on timing).

import Foundation
import NIOCore
import Testing
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct CrashKillTests {
    /// What the child reported for one batch, and which run reported it.
    struct Ack: Equatable {
        var first: Int64
        var last: Int64
        var crc: UInt32
        var id: UInt64
        var run: Int
    }

    /// An acknowledgement and the bytes the log must hold for it, rebuilt once (in a debug
    /// build, regenerating every batch after every kill would dominate the run).
    struct AckedBatch {
        var ack: Ack
        var bytes: ByteBuffer
    }

    /// One batch found by scanning the recovered log.
    struct StoredBatch {
        var header: RecordBatchHeader
        var bytes: ByteBuffer
        var file: String
        var position: Int64
    }

    static let killsMax = 30
    static let killDelayMilliseconds: ClosedRange<UInt64> = 20...300
    static let budget = Duration.seconds(45)
    static let sampledOffsetsMax = 256
    static let partition = TopicPartition(topic: "crash", partition: 0)

    /// The config the child opens with (Tools/LogCrashChild/main.swift); durability does
    /// not change what a reader sees.
    static var childConfig: LogConfig {
        var config = LogConfig()
        config.durability = .fsyncBeforeAcknowledge
        config.segmentBytes = 32 * 1024
        config.indexIntervalBytes = 512
        return config
    }

    @Test func sigkill_duringAppends_keepsEveryAcknowledgedBatch() async throws {
        let seed = ProcessInfo.processInfo.environment["CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        print("CrashKillTests: seed=\(seed) (replay with CRASH_SEED=\(seed))")
        guard let child = Self.locateChild() else { return }
        let work = NSTemporaryDirectory() + "tern-crash-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        var random = SeededRandom(seed: seed)
        var sampler = SeededRandom(seed: ~seed)
        var acks: [Int64: AckedBatch] = [:]
        var kills = 0
        var checkedEnd: Int64 = 0
        let started = ContinuousClock.now
        for run in 1...Self.killsMax where ContinuousClock.now - started < Self.budget {
            let delay = Self.killDelayMilliseconds.lowerBound
                + random.next() % UInt64(Self.killDelayMilliseconds.count)
            let output = try await runAndKill(child, store: work + "/store", seed: seed, run: run, after: .milliseconds(delay), work: work)
            guard let output else { return }
            kills += 1
            for ack in output where try !record(ack, in: &acks, seed: seed) { return }
            // A clean close now and then makes the next child take the clean-open path.
            let closeCleanly = random.next() % 3 == 0
            let end = try await verifyRecoveredLog(
                work + "/store", acks: acks, run: run, everyOffsetFrom: checkedEnd, sampler: &sampler, closeCleanly: closeCleanly
            )
            guard let end else {
                Issue.record("seed=\(seed): failed after kill \(run) (delay \(delay) ms)")
                return
            }
            checkedEnd = end
        }
        // Passes after each kill read every offset only from the segment that was active at
        // the previous pass; this last one reads them all.
        let final = try await verifyRecoveredLog(work + "/store", acks: acks, run: kills, everyOffsetFrom: 0, sampler: &sampler, closeCleanly: true)
        #expect(final != nil, "seed=\(seed): the final check failed")
        let elapsed = ContinuousClock.now - started
        print("CrashKillTests: seed=\(seed) kills=\(kills) acknowledged batches=\(acks.count) in \(elapsed)")
        #expect(kills >= 10, "seed=\(seed): only \(kills) kills fit in the time budget")
        #expect(!acks.isEmpty, "seed=\(seed): the child acknowledged nothing in \(kills) runs")
    }

    /// Adds an acknowledgement; false (with an issue recorded) if it contradicts an earlier
    /// one, which means an acknowledged batch's offsets were handed out again.
    private func record(_ ack: Ack, in acks: inout [Int64: AckedBatch], seed: UInt64) throws -> Bool {
        if let earlier = acks[ack.first] {
            Issue.record("seed=\(seed): offset \(ack.first) acknowledged twice: \(earlier.ack) and \(ack)")
            return false
        }
        var expected = try expectedCrashBatch(seed: seed, id: ack.id)
        expected.setRecordBatchBaseOffset(ack.first, batchAt: expected.readerIndex)
        expected.setRecordBatchPartitionLeaderEpoch(Int32(ack.run), batchAt: expected.readerIndex)
        acks[ack.first] = AckedBatch(ack: ack, bytes: expected)
        return true
    }

    /// Starts the child, kills it after `delay`, and returns its acknowledgements; nil (with
    /// an issue recorded) if it died of anything but the kill.
    private func runAndKill(
        _ child: String, store: String, seed: UInt64, run: Int, after delay: Duration, work: String
    ) async throws -> [Ack]? {
        let outputPath = work + "/run-\(run).out"
        let errorPath = work + "/run-\(run).err"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              FileManager.default.createFile(atPath: errorPath, contents: nil)
        else {
            Issue.record("cannot create the crash child's output files in \(work)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: child)
        process.arguments = [store, String(seed), String(run), "4", run % 4 == 0 ? "flush" : "fsync"]
        let outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer {
            try? outputHandle.close()
            try? errorHandle.close()
        }
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        try process.run()
        try await Task.sleep(for: delay)
        kill(process.processIdentifier, SIGKILL)
        // Bounded wait: a SIGKILLed process is gone within milliseconds.
        for _ in 0..<5000 where process.isRunning {
            try await Task.sleep(for: .milliseconds(2))
        }
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        guard !process.isRunning else {
            Issue.record("seed=\(seed): the crash child of run \(run) survived SIGKILL for 10 s")
            return nil
        }
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        let finished = process.terminationReason == .exit && process.terminationStatus == 0
        guard killed || finished else {
            Issue.record("seed=\(seed): crash child run \(run) ended with status \(process.terminationStatus) before the kill: \(errors)")
            return nil
        }
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        return Self.parseAcks(text, run: run)
    }

    /// The `ack` lines of the child's output; a last line without its newline was cut by the
    /// kill mid-write and is not an acknowledgement the child completed.
    static func parseAcks(_ text: String, run: Int) -> [Ack] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return lines.compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, fields[0] == "ack", let first = Int64(fields[1]), let last = Int64(fields[2]),
                  let crc = UInt32(fields[3]), let id = UInt64(fields[4])
            else { return nil }
            return Ack(first: first, last: last, crc: crc, id: id, run: run)
        }
    }

    /// Opens the directory as a restarted broker would and checks it against every
    /// acknowledgement so far; reads at every offset from the start of the segment holding
    /// `everyOffsetFrom - 1` (recovery rewrites only the indexes of the segments at or above
    /// the recovery point, which flushes keep near the active one), and at a sample of the
    /// offsets before it. Returns the log end, or nil after recording issues.
    private func verifyRecoveredLog(
        _ directory: String, acks: [Int64: AckedBatch], run: Int, everyOffsetFrom: Int64,
        sampler: inout SeededRandom, closeCleanly: Bool
    ) async throws -> Int64? {
        let store = try SegmentedLogStore(directory: directory)
        let log = try await store.openLog(Self.partition, config: Self.childConfig)
        let bounds = await log.offsets()
        let batches = try await scan(log, bounds: bounds)
        guard let batches else { return nil }
        var healthy = true
        // The chain from the log start, whole batches only.
        var next = bounds.logStartOffset
        for batch in batches {
            if batch.header.baseOffset != next {
                Issue.record("run \(run): batch at \(batch.header.baseOffset) where \(next) was expected")
                healthy = false
            }
            next = batch.header.lastOffset + 1
        }
        if next != bounds.logEndOffset {
            Issue.record("run \(run): batches end at \(next) but the log end is \(bounds.logEndOffset)")
            healthy = false
        }
        let byBase = Dictionary(batches.map { ($0.header.baseOffset, $0) }, uniquingKeysWith: { first, _ in first })
        for acked in acks.values.sorted(by: { $0.ack.first < $1.ack.first }) where !matches(acked, byBase[acked.ack.first]) {
            healthy = false
        }
        if let lastAck = acks.values.map(\.ack.last).max(), bounds.logEndOffset <= lastAck {
            Issue.record("run \(run): log end \(bounds.logEndOffset) is not past the last acknowledged offset \(lastAck)")
            healthy = false
        }
        let offsets = Self.offsetsToRead(batches: batches, bounds: bounds, everyOffsetFrom: everyOffsetFrom, sampler: &sampler)
        healthy = try await indexesAgree(log, batches: batches, offsets: offsets, run: run) && healthy
        healthy = await epochsAgree(log, batches: batches, run: run) && healthy
        // Left open otherwise: the next child then finds no clean-shutdown marker.
        if closeCleanly { try await store.close() }
        return healthy ? bounds.logEndOffset : nil
    }

    /// Every offset from the first batch of the segment file holding `everyOffsetFrom - 1`,
    /// plus up to `sampledOffsetsMax` random offsets before it, in order.
    static func offsetsToRead(batches: [StoredBatch], bounds: LogOffsets, everyOffsetFrom: Int64, sampler: inout SeededRandom) -> [Int64] {
        let holder = batches.first { $0.header.lastOffset >= everyOffsetFrom - 1 }
        let from = max(bounds.logStartOffset, holder.flatMap { holder in batches.first { $0.file == holder.file } }?.header.baseOffset ?? bounds.logStartOffset)
        let older = from - bounds.logStartOffset
        let sample = older <= 0 ? [] : (0..<min(Int64(sampledOffsetsMax), older)).map { _ in
            bounds.logStartOffset + Int64(sampler.next() % UInt64(older))
        }
        return Set(sample).sorted() + Array(from..<max(from, bounds.logEndOffset))
    }

    /// Every batch from the log start, split with CRC checks; nil after an issue.
    private func scan(_ log: any PartitionLog, bounds: LogOffsets) async throws -> [StoredBatch]? {
        var batches: [StoredBatch] = []
        var fetchOffset = bounds.logStartOffset
        // Each round takes at least one batch, so the log's record count bounds the rounds.
        let roundsMax = bounds.logEndOffset - bounds.logStartOffset
        var rounds: Int64 = 0
        while fetchOffset < bounds.logEndOffset, rounds < roundsMax {
            rounds += 1
            let result = try await log.read(LogReadRequest(fetchOffset: fetchOffset, maxBytes: 1 << 20))
            guard !result.slices.isEmpty else {
                Issue.record("a read at \(fetchOffset) below the log end \(bounds.logEndOffset) returned nothing")
                return nil
            }
            for slice in result.slices {
                guard case let .file(file) = slice else {
                    Issue.record("a segmented read returned bytes, not a file range")
                    return nil
                }
                var position = file.offset
                let bytes = try file.readBytes()
                do {
                    for entry in try RecordBatchSplitter.entries(in: bytes) {
                        guard case let .batch(view) = entry else { throw DecodeError.invalidValue("not a v2 batch") }
                        batches.append(StoredBatch(header: view.header, bytes: view.bytes, file: file.file.path, position: position))
                        position += Int64(view.totalSize)
                        fetchOffset = view.lastOffset + 1
                    }
                } catch {
                    Issue.record("the log from \(fetchOffset) holds a damaged or partial batch: \(error)")
                    return nil
                }
            }
        }
        return batches
    }

    /// Whether the batch stored at the acknowledged offsets is the one acknowledged, byte for
    /// byte: the offsets and epoch the log stamped, and everything else as generated.
    private func matches(_ acked: AckedBatch, _ stored: StoredBatch?) -> Bool {
        let ack = acked.ack
        guard let stored else {
            Issue.record("acknowledged batch \(ack) is missing")
            return false
        }
        guard stored.header.lastOffset == ack.last, stored.header.crc == ack.crc, stored.bytes == acked.bytes else {
            Issue.record("acknowledged batch \(ack) differs from what the log holds: \(stored.header)")
            return false
        }
        return true
    }

    /// Whether a one-batch read at each of `offsets` (rising) returns exactly the stored batch
    /// holding it, so the offset indexes, rebuilt or not, agree with the log.
    private func indexesAgree(_ log: any PartitionLog, batches: [StoredBatch], offsets: [Int64], run: Int) async throws -> Bool {
        var index = 0
        for offset in offsets {
            while index < batches.count, batches[index].header.lastOffset < offset { index += 1 }
            guard index < batches.count else {
                Issue.record("run \(run): offset \(offset) lies past the last stored batch")
                return false
            }
            let expected = batches[index]
            let result = try await log.read(LogReadRequest(fetchOffset: offset, maxBytes: 1))
            guard result.slices.count == 1, case let .file(file) = result.slices[0],
                  file.file.path == expected.file, file.offset == expected.position, file.length == expected.bytes.readableBytes
            else {
                Issue.record("run \(run): a read at \(offset) did not return the batch at \(expected.file):\(expected.position)")
                return false
            }
        }
        return true
    }

    /// Whether the leader-epoch cache names, for every batch, the epoch stamped in it.
    private func epochsAgree(_ log: any PartitionLog, batches: [StoredBatch], run: Int) async -> Bool {
        let entries = await log.leaderEpochs()
        for (earlier, later) in zip(entries, entries.dropFirst()) where !(earlier.epoch < later.epoch && earlier.offset < later.offset) {
            Issue.record("run \(run): leader-epoch cache not increasing: \(entries)")
            return false
        }
        for batch in batches {
            let entry = entries.last { $0.offset <= batch.header.baseOffset }
            guard entry?.epoch == batch.header.partitionLeaderEpoch else {
                Issue.record("run \(run): batch at \(batch.header.baseOffset) has epoch \(batch.header.partitionLeaderEpoch), cache \(entries)")
                return false
            }
        }
        return true
    }

    /// The crash child's path: beside this test bundle, where SwiftPM puts every product
    /// of the build, or TERN_LOG_CRASH_CHILD. Records an issue when it is nowhere.
    static func locateChild() -> String? {
        let name = "tern-log-crash-child"
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["TERN_LOG_CRASH_CHILD"] { candidates.append(path) }
        let executables = [
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            CommandLine.arguments.first, Bundle.main.executablePath,
        ]
        for executable in executables.compactMap({ $0 }) {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent(name).path)
            // An XCTest bundle directory (macOS layout) sits one level further down.
            candidates.append(directory.deletingLastPathComponent().appendingPathComponent(name).path)
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        Issue.record("""
            \(name) not found (looked at \(candidates)); `swift test` builds it with the other products, \
            or build it with `swift build --product \(name)` or point TERN_LOG_CRASH_CHILD at it
            """)
        return nil
    }
}

/// The crash child's batch recipe (Tools/LogCrashChild/CrashBatch.swift), kept as a
/// separate copy so the test rebuilds acknowledged bytes independently of the child.
func expectedCrashBatch(seed: UInt64, id: UInt64) throws -> ByteBuffer {
    var random = SeededRandom(seed: seed ^ (id &* 0x9E37_79B9_7F4A_7C15))
    let count = 1 + Int(random.next() % 6)
    let records = (0..<count).map { number in
        let length = 16 + Int(random.next() % 512)
        var value = ByteBuffer()
        for _ in 0..<length { value.writeInteger(UInt8(truncatingIfNeeded: random.next())) }
        return Record(timestampDelta: Int64(number), offsetDelta: Int32(number), key: ByteBuffer(string: "\(id)-\(number)"), value: value)
    }
    let base = 1_700_000_000_000 + Int64(id % 1_000_000_007)
    return try RecordBatch(baseTimestamp: base, maxTimestamp: base + Int64(count - 1), records: records).encoded()
}
