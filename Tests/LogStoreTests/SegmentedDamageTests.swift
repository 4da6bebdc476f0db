// Goal: damage that SegmentedRecoveryTests does not already cover never crashes the store
// or makes it serve wrong data: random bit flips anywhere in the index files of sealed
// segments, time-index entries damaged so that they still rise (checked against the batch
// they name, not only for order), a sealed segment's log cut short in the middle of a
// batch, and stray files in the partition and store directories. Method: write through the
// API, close the store or flush and abandon it (so the damaged segments lie below the
// recovery point and are not rescanned), damage the files directly with a seeded generator,
// then open a second store over the same directory and check every offset and timestamp
// lookup, and time retention, against what was written.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedDamageTests {
    static let firstTimestamp: Int64 = 1_700_000_000_000
    /// Batch timestamps are this far apart, so most flipped timestamp bits still leave a
    /// rising time index: damage a sanity check alone cannot see.
    static let timestampStep: Int64 = 1000

    /// Writes `count` batches of 1 to 3 records, batch `i` stamped `firstTimestamp + i *
    /// timestampStep` plus one millisecond per record; returns each batch's (first, last)
    /// offsets.
    private func fill(_ log: any PartitionLog, count: Int) async throws -> [(first: Int64, last: Int64)] {
        var ranges: [(first: Int64, last: Int64)] = []
        for index in 0..<count {
            let records = (0..<(1 + index % 3)).map { TestRecord(key: "k\(index)", value: "v\(index)-\($0)", timestampDelta: Int64($0)) }
            let info = try await log.appendAsLeader(makeBatch(records, baseTimestamp: Self.firstTimestamp + Int64(index) * Self.timestampStep))
            ranges.append((info.firstOffset, info.lastOffset))
        }
        return ranges
    }

    /// The base offsets of the segments, oldest first, from the file names.
    private func segmentBases(_ fixture: SegmentedFixture) throws -> [Int64] {
        try fixture.files().compactMap { DiskSegment.baseOffset(fileName: $0, suffix: ".log") }.sorted()
    }

    /// Flips 1 to 3 random bits in each index file of every sealed segment.
    private func flipIndexBits(_ fixture: SegmentedFixture, random: inout SeededRandom) throws {
        for base in try segmentBases(fixture).dropLast() {
            for suffix in [".index", ".timeindex"] {
                var bytes = try fixture.bytes(segmentName(base, suffix))
                guard !bytes.isEmpty else { continue }
                for _ in 0...(random.next() % 3) {
                    let bit = Int(random.next() % UInt64(bytes.count * 8))
                    bytes[bit / 8] ^= UInt8(1) << (bit % 8)
                }
                try fixture.write(bytes, to: segmentName(base, suffix))
            }
        }
    }

    /// Seeds alternate clean and crashed shutdowns, and dense and sparse indexes.
    @Test(arguments: Array(UInt64(1)...40))
    func randomBitFlips_inSealedIndexes_fetchStaysExact(seed: UInt64) async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = seed % 4 < 2 ? 1 : 250
        config.segmentBytes = 1500
        let log = try await fixture.store.openLog(testPartition, config: config)
        let ranges = try await fill(log, count: 60)
        if seed % 2 == 1 { try await fixture.store.close() } else { try await log.flush() }
        #expect(try segmentBases(fixture).count >= 4)
        var random = SeededRandom(seed: seed)
        try flipIndexBits(fixture, random: &random)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        let end = ranges[ranges.count - 1].last + 1
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: end))
        for range in ranges {
            for offset in range.first...range.last {
                #expect(try await again.readBatches(from: offset, maxBytes: 1).map(\.baseOffset) == [range.first], "seed \(seed)")
            }
        }
        var wrong: [Int] = []
        for (index, range) in ranges.enumerated() {
            let stamp = Self.firstTimestamp + Int64(index) * Self.timestampStep
            if try await again.offset(forTimestamp: stamp)?.offset != range.first { wrong.append(index) }
        }
        let latest = try await again.maxTimestampOffset()
        #expect(wrong.isEmpty, "seed \(seed): wrong offset for the timestamps of batches \(wrong)")
        #expect(latest?.offset == end - 1, "seed \(seed): max timestamp at \(String(describing: latest))")
        let first = try await again.appendAsLeader(makeBatch(count: 1)).firstOffset
        #expect(first == end)
    }

    @Test func plausibleLowerTimestamp_inSealedTimeIndex_doesNotSkipRecords() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = 250
        config.segmentBytes = 1500
        let log = try await fixture.store.openLog(testPartition, config: config)
        let ranges = try await fill(log, count: 30)
        try await fixture.store.close()
        let name = segmentName(0, ".timeindex")
        var bytes = try fixture.bytes(name)
        let entries = timeIndexEntries(bytes)
        try #require(entries.count >= 3)
        // The second entry drops to just above the first: the entries still rise.
        setBigEndian(entries[0].0 + 1, in: &bytes, at: TimeIndexEntry.size)
        try fixture.write(bytes, to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        var wrong: [Int] = []
        for (index, range) in ranges.enumerated() {
            let stamp = Self.firstTimestamp + Int64(index) * Self.timestampStep
            if try await again.offset(forTimestamp: stamp)?.offset != range.first { wrong.append(index) }
        }
        #expect(wrong.isEmpty, "wrong offset for the timestamps of batches \(wrong)")
    }

    @Test func lowerLastTimestamp_inSealedTimeIndex_doesNotExpireTheSegmentEarly() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.segmentBytes = 1500
        let log = try await fixture.store.openLog(testPartition, config: config)
        _ = try await fill(log, count: 30)
        try await fixture.store.close()
        // Sealed segment 0 has one time-index entry, written when it was sealed; make it
        // eight days older than the records are.
        let name = segmentName(0, ".timeindex")
        var bytes = try fixture.bytes(name)
        try #require(timeIndexEntries(bytes).count == 1)
        setBigEndian(Self.firstTimestamp - 8 * 24 * 3_600_000, in: &bytes, at: 0)
        try fixture.write(bytes, to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        let result = try await again.enforceRetention(now: Self.firstTimestamp + 3_600_000)
        #expect(result.segmentsDeleted == 0, "retention deleted \(result.segmentsDeleted) segments of hour-old records")
    }

    /// The record with the largest timestamp is in the active segment; a sealed segment's
    /// last time-index entry raised far above it (and, for "offset", naming an offset past
    /// its log) must not win ListOffsets' max timestamp.
    @Test(arguments: ["timestamp", "offset"])
    func raisedLastEntry_inSealedTimeIndex_doesNotWinMaxTimestamp(damage: String) async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.segmentBytes = 1500
        let log = try await fixture.store.openLog(testPartition, config: config)
        let ranges = try await fill(log, count: 30)
        try await fixture.store.close()
        let name = segmentName(0, ".timeindex")
        var bytes = try fixture.bytes(name)
        try #require(timeIndexEntries(bytes).count == 1)
        setBigEndian(Self.firstTimestamp + 1_000_000_000, in: &bytes, at: 0)
        if damage == "offset" { bytes.replaceSubrange(8..<12, with: [0x00, 0x7F, 0x00, 0x00]) }
        try fixture.write(bytes, to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        let latest = try await again.maxTimestampOffset()
        let end = ranges[ranges.count - 1].last + 1
        #expect(latest?.offset == end - 1)
        #expect(latest?.timestamp == Self.firstTimestamp + 29 * Self.timestampStep + 2)
        #expect(try await again.offset(forTimestamp: Self.firstTimestamp + 1)?.offset == 1)
    }

    @Test(arguments: [(true, 4096), (false, 4096), (true, 1), (false, 1)])
    func sealedLogCutMidBatch_failsReadsThere_only(cleanShutdown: Bool, indexIntervalBytes: Int) async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        let size = batch.readableBytes
        var config = LogConfig()
        config.segmentBytes = size * 3
        config.indexIntervalBytes = indexIntervalBytes
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<12 { try await log.appendAsLeader(batch) }
        let other = TopicPartition(topic: "other", partition: 0)
        try await fixture.store.openLog(other, config: config).appendAsLeader(batch)
        // Flushed, a crash leaves segment 6 below the recovery point: not rescanned.
        if cleanShutdown { try await fixture.store.close() } else { try await log.flush() }
        // Segment 6 holds 6...11 in three batches; keep the first and half the second.
        let name = segmentName(6, ".log")
        try fixture.write(Array(try fixture.bytes(name).prefix(size + size / 2)), to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 24))
        #expect(try await again.readBatches(from: 0).map(\.baseOffset) == [0, 2, 4, 6])
        for offset: Int64 in [8, 9, 10, 11] {
            let error = await #expect(throws: LogStoreError.self) {
                _ = try await again.read(LogReadRequest(fetchOffset: offset, maxBytes: 1 << 20))
            }
            guard case let .corruptLog(partition, file, _, _) = error else {
                Issue.record("offset \(offset): expected corruptLog, got \(String(describing: error))")
                continue
            }
            #expect(partition == testPartition && file.hasSuffix(name))
        }
        #expect(try await again.readBatches(from: 12).map(\.baseOffset) == [12, 14, 16, 18, 20, 22])
        #expect(try await again.appendAsLeader(batch).firstOffset == 24)
        let otherAgain = try await store.openLog(other, config: config)
        #expect(try await otherAgain.readValues(from: 0).count == 2)
    }

    @Test func strayFiles_inPartitionAndStoreDirectories_areLeftAlone() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.segmentBytes = 1500
        let log = try await fixture.store.openLog(testPartition, config: config)
        let ranges = try await fill(log, count: 30)
        try await fixture.store.close()
        let strays = [
            "notes.txt", ".hidden", "123.log", "0000000000000000000x.log", "00000000000000000000.log.bak",
            "000000000000000000000.log", "00000000000000000000.snapshot", "garbage",
        ]
        var random = SeededRandom(seed: 7)
        for name in strays {
            try fixture.write((0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) }, to: name)
        }
        try FileManager.default.createDirectory(atPath: fixture.path("subdirectory"), withIntermediateDirectories: false)
        // An index whose log is gone is a leftover of an interrupted deletion.
        try fixture.write([1, 2, 3], to: segmentName(900, ".index"))
        for name in ["lost+found", "not-a-partition", "orders-x"] {
            try FileManager.default.createDirectory(atPath: fixture.directory + "/" + name, withIntermediateDirectories: false)
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: fixture.directory + "/README"))

        let store = try fixture.restarted()
        #expect(try await store.existingPartitions() == [testPartition])
        let again = try await store.openLog(testPartition, config: config)
        let end = ranges[ranges.count - 1].last + 1
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: end))
        #expect(try await again.readValues(from: 0).count == Int(end))
        #expect(try await again.appendAsLeader(makeBatch(count: 1)).firstOffset == end)
        let files = try fixture.files()
        #expect(strays.allSatisfy(files.contains) && files.contains("subdirectory"))
        #expect(!files.contains(segmentName(900, ".index")))
    }

    @Test func directoryNamedLikeASegment_failsTheOpen_withoutTrapping() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        try await fixture.store.close()
        try FileManager.default.createDirectory(atPath: fixture.path(segmentName(50, ".log")), withIntermediateDirectories: false)

        let store = try fixture.restarted()
        await #expect(throws: LogStoreError.self) { _ = try await store.openLog(testPartition, config: LogConfig()) }
        let other = try await store.openLog(TopicPartition(topic: "other", partition: 0), config: LogConfig())
        #expect(try await other.appendAsLeader(makeBatch(count: 1)).firstOffset == 0)
    }
}

/// Writes `value` big-endian over eight bytes at `start`.
private func setBigEndian(_ value: Int64, in bytes: inout [UInt8], at start: Int) {
    for index in 0..<8 {
        bytes[start + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * index))
    }
}
