// Goal: the segmented store writes Kafka's on-disk layout exactly (segment names, the
// bytes of .log, .index and .timeindex, the checkpoint files, the clean-shutdown marker) and
// rolls segments by each of Kafka's rules, and that only one store at a time opens a
// directory. Method: drive a store through the PartitionLog API with a manual clock and
// small limits, then read its files back byte by byte.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedLogStoreTests {
    private let base: Int64 = 1_700_000_000_000

    @Test func append_writesKafkaSegmentFiles_withSparseIndexes() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = 100
        let log = try await fixture.store.openLog(testPartition, config: config)
        let size = try makeBatch(count: 1).readableBytes
        for index in 0..<5 {
            try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + Int64(index) * 10))
        }
        try await fixture.store.close()

        #expect(try fixture.files() == [
            segmentName(0, ".index"), segmentName(0, ".log"), segmentName(0, ".timeindex"), "leader-epoch-checkpoint",
        ])
        let logBytes = try fixture.bytes(segmentName(0, ".log"))
        #expect(logBytes.count == 5 * size)
        let decoded = try decodeBatches(ByteBuffer(bytes: logBytes))
        #expect(decoded.map(\.baseOffset) == [0, 1, 2, 3, 4])
        // An entry is added once more than 100 bytes passed since the last: batches 2 and 4.
        let offsets = offsetIndexEntries(try fixture.bytes(segmentName(0, ".index")))
        #expect(offsets.map(\.0) == [2, 4])
        #expect(offsets.map(\.1) == [Int32(2 * size), Int32(4 * size)])
        let times = timeIndexEntries(try fixture.bytes(segmentName(0, ".timeindex")))
        #expect(times.map(\.0) == [base + 20, base + 40])
        #expect(times.map(\.1) == [2, 4])
    }

    @Test func checkpoints_useKafkaTextFormat() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.assignLeaderEpoch(1, startOffset: 0)
        try await log.appendAsLeader(makeBatch(count: 3), epoch: 1)
        try await log.appendAsLeader(makeBatch(count: 2), epoch: 3)
        try await log.checkpointHighWatermark(4)
        _ = try await log.advanceLogStartOffset(to: 2)

        #expect(String(decoding: try fixture.bytes("leader-epoch-checkpoint"), as: UTF8.self) == "0\n2\n1 2\n3 3\n")
        #expect(String(decoding: try fixture.bytes("log-start-offset"), as: UTF8.self) == "0\n1\n2\n")
        #expect(String(decoding: try fixture.bytes("high-watermark"), as: UTF8.self) == "0\n1\n4\n")
        #expect(try !fixture.files().contains { $0.hasSuffix(".tmp") })
    }

    @Test func close_writesCleanMarker_andRestartRemovesIt() async throws {
        let fixture = try SegmentedFixture()
        _ = try await fixture.store.openLog(testPartition, config: LogConfig())
        let marker = fixture.directory + "/.clean-shutdown"
        #expect(!FileManager.default.fileExists(atPath: marker))
        try await fixture.store.close()
        #expect(FileManager.default.fileExists(atPath: marker))
        let restarted = try fixture.restarted()
        #expect(!restarted.recovering)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try fixture.restarted().recovering)
    }

    @Test func roll_bySize_whenTheAppendWouldExceedSegmentBytes() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 3
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<7 { try await log.appendAsLeader(batch) }
        let logs = try fixture.files().filter { $0.hasSuffix(".log") }
        #expect(logs == [segmentName(0, ".log"), segmentName(6, ".log"), segmentName(12, ".log")])
        #expect(try fixture.bytes(segmentName(0, ".log")).count == 3 * batch.readableBytes)
        #expect(try await log.readValues(from: 0).count == 14)
    }

    @Test func roll_bySegmentDuration_countsFromTheFirstAppend() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.segmentDuration = .seconds(60)
        let log = try await fixture.store.openLog(testPartition, config: config)
        try await log.appendAsLeader(makeBatch(count: 1))
        fixture.clock.advance(by: .seconds(30))
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(try fixture.files().filter { $0.hasSuffix(".log") }.count == 1)
        fixture.clock.advance(by: .seconds(31))
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(try fixture.files().filter { $0.hasSuffix(".log") } == [segmentName(0, ".log"), segmentName(2, ".log")])
    }

    @Test func roll_whenAnIndexIsFull() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = 1
        // Room for two offset entries (8 bytes each) and one time entry (12 bytes).
        config.indexBytesMax = 16
        let log = try await fixture.store.openLog(testPartition, config: config)
        for index in 0..<6 {
            try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + Int64(index)))
        }
        let logs = try fixture.files().filter { $0.hasSuffix(".log") }
        // Batch 1 adds the first entries (the time index is then full), so batch 2 rolls.
        #expect(logs == [segmentName(0, ".log"), segmentName(2, ".log"), segmentName(4, ".log")])
        #expect(try await log.readValues(from: 0).map(\.0) == [0, 1, 2, 3, 4, 5])
    }

    @Test func sealedSegment_timeIndexEndsWithItsMaxTimestamp() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 1)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        let log = try await fixture.store.openLog(testPartition, config: config)
        try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + 5))
        try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + 9))
        try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + 1))
        // Too few bytes for an interval entry, but sealing records the segment's maximum.
        let times = timeIndexEntries(try fixture.bytes(segmentName(0, ".timeindex")))
        #expect(times.map(\.0) == [base + 9] && times.map(\.1) == [1])
        #expect(try await log.maxTimestampOffset()?.offset == 1)
    }

    @Test func read_returnsFileSlices_onePerSegment_ofWholeBatches() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<5 { try await log.appendAsLeader(batch) }
        let result = try await log.read(LogReadRequest(fetchOffset: 3, maxBytes: 1 << 20))
        var lengths: [Int] = []
        for slice in result.slices {
            guard case let .file(file) = slice else { Issue.record("expected a file slice"); return }
            lengths.append(file.length)
        }
        // From the batch holding offset 3 (the second of segment 0) to the log end.
        #expect(lengths == [batch.readableBytes, 2 * batch.readableBytes, batch.readableBytes])
        #expect(try decodeBatches(result.readAllBytes()).map(\.baseOffset) == [2, 4, 6, 8])
    }

    @Test func reopen_afterCleanClose_keepsIndexes_andTheRollClock() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = 50
        config.segmentDuration = .seconds(60)
        let log = try await fixture.store.openLog(testPartition, config: config)
        for index in 0..<10 {
            try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: fixture.clock.wallClockMilliseconds + Int64(index)))
        }
        try await fixture.store.close()
        let index = try fixture.bytes(segmentName(0, ".index"))
        #expect(!index.isEmpty)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(await again.offsets().logEndOffset == 10)
        #expect(try fixture.bytes(segmentName(0, ".index")) == index)
        #expect(try await again.offset(forTimestamp: fixture.clock.wallClockMilliseconds + 7)?.offset == 7)
        fixture.clock.advance(by: .seconds(61))
        try await again.appendAsLeader(makeBatch(count: 1))
        #expect(try fixture.files().contains(segmentName(10, ".log")))
        try await store.close()
    }

    @Test func existingPartitions_ignoresDirectoriesThatAreNotLogs() async throws {
        let fixture = try SegmentedFixture()
        let other = TopicPartition(topic: "a-b.c", partition: 12)
        _ = try await fixture.store.openLog(testPartition, config: LogConfig())
        _ = try await fixture.store.openLog(other, config: LogConfig())
        try FileManager.default.createDirectory(atPath: fixture.directory + "/not a partition", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: fixture.directory + "/orders-1.123.deleted", withIntermediateDirectories: true)
        #expect(try await fixture.store.existingPartitions() == [other, testPartition])
        await #expect(throws: LogStoreError.self) {
            _ = try await fixture.store.openLog(TopicPartition(topic: "..", partition: 0), config: LogConfig())
        }
        // A restart finishes the interrupted deletion.
        _ = try fixture.restarted()
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/orders-1.123.deleted"))
    }

    @Test func secondStore_onALockedDirectory_failsToOpen_untilTheFirstCloses() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        // Both stores are in this process: the flock is per open file description.
        #expect(throws: LogStoreError.directoryLocked(directory: fixture.directory)) {
            _ = try SegmentedLogStore(directory: fixture.directory, clock: fixture.clock)
        }
        #expect(throws: LogStoreError.directoryLocked(directory: fixture.directory)) {
            _ = try SegmentedLogStore(directory: fixture.directory + "/", clock: fixture.clock)
        }
        let error = LogStoreError.directoryLocked(directory: fixture.directory)
        #expect(error.kafkaErrorCode == .kafkaStorageError)
        #expect(error.description.contains(fixture.directory))
        // The failed open changed nothing: no marker written or removed, the log still works.
        #expect(try await log.appendAsLeader(makeBatch(count: 1)).firstOffset == 2)
        try await fixture.store.close()
        #expect(FileManager.default.fileExists(atPath: fixture.directory + "/.clean-shutdown"))

        let next = try SegmentedLogStore(directory: fixture.directory, clock: fixture.clock)
        #expect(!next.recovering)
        #expect(try await next.openLog(testPartition, config: LogConfig()).offsets().logEndOffset == 3)
        try await next.close()
    }

    @Test func directoryLock_isReleasedWhenTheStoreGoesAway_withoutClose() throws {
        let directory = NSTemporaryDirectory() + "tern-seglock-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var first: SegmentedLogStore? = try SegmentedLogStore(directory: directory)
        #expect(throws: LogStoreError.self) { _ = try SegmentedLogStore(directory: directory) }
        #expect(first != nil)
        first = nil
        let second = try SegmentedLogStore(directory: directory)
        #expect(second.recovering)
        #expect(FileManager.default.fileExists(atPath: directory + "/.lock"))
    }
}
