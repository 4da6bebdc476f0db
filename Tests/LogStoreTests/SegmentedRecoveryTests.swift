// Goal: damaged files never crash the store or serve wrong data. A crash's torn tail is cut
// off the active segment, missing or damaged indexes are rebuilt to the same bytes, damage
// in an older segment fails only reads of that region with .corruptLog, and leftovers of an
// interrupted compaction are finished or discarded. Method: write through the API, abandon
// the store without close() (a crash, as far as the files can tell), damage files directly,
// then open a second store over the same directory.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedRecoveryTests {
    /// Appends `count` one-record batches; returns the size of one.
    private func fill(_ log: any PartitionLog, count: Int) async throws -> Int {
        for index in 0..<count {
            try await log.appendAsLeader(makeBatch(count: 1, prefix: "r\(index)"))
        }
        return try makeBatch(count: 1, prefix: "r0").readableBytes
    }

    @Test func crash_tornTail_isCutAtTheLastWholeBatch() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let size = try await fill(log, count: 5)
        var bytes = try fixture.bytes(segmentName(0, ".log"))
        bytes.removeLast(size / 2)
        try fixture.write(bytes, to: segmentName(0, ".log"))

        let store = try fixture.restarted()
        let recovered = try await store.openLog(testPartition, config: LogConfig())
        #expect(await recovered.offsets().logEndOffset == 4)
        #expect(try fixture.bytes(segmentName(0, ".log")).count == 4 * size)
        let info = try await recovered.appendAsLeader(makeBatch(count: 1, prefix: "after"))
        #expect(info.firstOffset == 4)
        #expect(try await recovered.readValues(from: 0).map(\.1) == ["r0-0", "r1-0", "r2-0", "r3-0", "after-0"])
    }

    @Test(arguments: [0, 2, 4])
    func crash_bitFlipInActiveSegment_cutsFromTheDamagedBatch(damagedBatch: Int) async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let size = try await fill(log, count: 5)
        var bytes = try fixture.bytes(segmentName(0, ".log"))
        bytes[damagedBatch * size + size - 3] ^= 0x10
        try fixture.write(bytes, to: segmentName(0, ".log"))

        let store = try fixture.restarted()
        let recovered = try await store.openLog(testPartition, config: LogConfig())
        #expect(await recovered.offsets().logEndOffset == Int64(damagedBatch))
        #expect(try await recovered.readValues(from: 0).count == damagedBatch)
    }

    @Test func cleanRestart_doesNotScan_butCrashRestartDoes() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let size = try await fill(log, count: 3)
        try await fixture.store.close()
        // Damage the payload of the first batch: only a CRC scan can notice.
        var bytes = try fixture.bytes(segmentName(0, ".log"))
        bytes[size - 2] ^= 0x01
        try fixture.write(bytes, to: segmentName(0, ".log"))

        let clean = try fixture.restarted()
        let opened = try await clean.openLog(testPartition, config: LogConfig())
        #expect(await opened.offsets().logEndOffset == 3)
        // Unverified bytes are checked before being served, so the damage still surfaces.
        await #expect(throws: LogStoreError.self) { _ = try await opened.read(LogReadRequest(fetchOffset: 0, maxBytes: 1 << 20)) }

        // Appends after the restart were checked on the way in; reading them needs no scan
        // of the damaged bytes before them.
        try await opened.appendAsLeader(makeBatch(count: 1, prefix: "new"))
        #expect(try await opened.readValues(from: 3).map(\.1) == ["new-0"])
        #expect(try await opened.readValues(from: 1).map(\.0) == [1, 2, 3])
        await #expect(throws: LogStoreError.self) { _ = try await opened.read(LogReadRequest(fetchOffset: 0, maxBytes: 1 << 20)) }

        let crashed = try fixture.restarted()
        let scanned = try await crashed.openLog(testPartition, config: LogConfig())
        #expect(await scanned.offsets().logEndOffset == 0)
    }

    @Test(arguments: ["missing", "truncated", "garbage"])
    func damagedIndexes_areRebuiltToTheSameBytes(damage: String) async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.indexIntervalBytes = 64
        config.segmentBytes = 600
        let log = try await fixture.store.openLog(testPartition, config: config)
        for index in 0..<20 {
            try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: 1_700_000_000_000 + Int64(index)))
        }
        try await fixture.store.close()
        let names = [segmentName(0, ".index"), segmentName(0, ".timeindex"), segmentName(16, ".index"), segmentName(16, ".timeindex")]
        let originals = try names.map { try fixture.bytes($0) }
        #expect(originals.allSatisfy { !$0.isEmpty })
        for name in names {
            switch damage {
            case "missing": try FileManager.default.removeItem(atPath: fixture.path(name))
            case "truncated": try fixture.write(Array(try fixture.bytes(name).dropLast(3)), to: name)
            default: try fixture.write([UInt8](repeating: 0xFF, count: 24), to: name)
            }
        }

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(try await again.readValues(from: 5).map(\.0) == Array(5..<20))
        #expect(try await again.offset(forTimestamp: 1_700_000_000_013)?.offset == 13)
        try await store.close()
        #expect(try names.map { try fixture.bytes($0) } == originals)
    }

    @Test func plausibleButWrongIndexEntry_isRepaired_notTrusted() async throws {
        let fixture = try SegmentedFixture()
        let size = try makeBatch(count: 1, prefix: "r0").readableBytes
        var config = LogConfig()
        config.indexIntervalBytes = size + 1
        config.segmentBytes = 8 * size
        let log = try await fixture.store.openLog(testPartition, config: config)
        _ = try await fill(log, count: 9)
        try await fixture.store.close()
        let name = segmentName(0, ".index")
        let original = try fixture.bytes(name)
        #expect(offsetIndexEntries(original).map(\.0) == [2, 4, 6])
        // Point the entry for offset 4 at the next batch's start: still rising, still inside.
        var tampered = original
        let wrong = UInt32(5 * size)
        tampered.replaceSubrange(12..<16, with: [UInt8(wrong >> 24), UInt8((wrong >> 16) & 0xFF), UInt8((wrong >> 8) & 0xFF), UInt8(wrong & 0xFF)])
        try fixture.write(tampered, to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(try await again.readBatches(from: 4).first?.baseOffset == 4)
        #expect(try fixture.bytes(name) == original)
    }

    @Test func bitFlipInOlderSegment_failsReadsThere_only() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 3
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<9 { try await log.appendAsLeader(batch) }
        let other = try await fixture.store.openLog(TopicPartition(topic: "other", partition: 0), config: config)
        try await other.appendAsLeader(batch)
        try await fixture.store.close()
        // Segment 6 holds offsets 6...11; damage the payload of its second batch (8, 9).
        var bytes = try fixture.bytes(segmentName(6, ".log"))
        bytes[batch.readableBytes + batch.readableBytes - 4] ^= 0x40
        try fixture.write(bytes, to: segmentName(6, ".log"))

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        let error = await #expect(throws: LogStoreError.self) {
            _ = try await again.read(LogReadRequest(fetchOffset: 8, maxBytes: 1 << 20))
        }
        guard case let .corruptLog(partition, file, position, _) = error else {
            Issue.record("expected corruptLog, got \(String(describing: error))")
            return
        }
        #expect(partition == testPartition && file.hasSuffix(segmentName(6, ".log")) && position == Int64(batch.readableBytes))
        #expect(error?.kafkaErrorCode == .kafkaStorageError)
        // A read from before the damage stops just before it; later offsets still read.
        #expect(try await again.readBatches(from: 0).map(\.baseOffset) == [0, 2, 4, 6])
        #expect(try await again.readBatches(from: 12).map(\.baseOffset) == [12, 14, 16])
        let otherAgain = try await store.openLog(TopicPartition(topic: "other", partition: 0), config: config)
        #expect(try await otherAgain.readValues(from: 0).count == 2)
    }

    @Test func corruptHeaderInOlderSegment_isReported_notTrapped() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<4 { try await log.appendAsLeader(batch) }
        // Flushed, segment 0 lies below the recovery point, so the crash does not rescan it.
        try await log.flush()
        // Give the second batch of segment 0 an absurd length, while the store is running.
        var bytes = try fixture.bytes(segmentName(0, ".log"))
        bytes.replaceSubrange((batch.readableBytes + 8)..<(batch.readableBytes + 12), with: [0x7F, 0xFF, 0xFF, 0xFF])
        try fixture.write(bytes, to: segmentName(0, ".log"))
        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        await #expect(throws: LogStoreError.self) { _ = try await again.read(LogReadRequest(fetchOffset: 2, maxBytes: 1 << 20)) }
        await #expect(throws: LogStoreError.self) { try await again.truncate(to: 3) }
        #expect(try await again.readBatches(from: 0).map(\.baseOffset) == [0])
        #expect(try await again.readBatches(from: 4).map(\.baseOffset) == [4, 6])
    }

    @Test func interruptedCompaction_leftoversAreFinishedOrDiscarded() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        let log = try await fixture.store.openLog(testPartition, config: config)
        for _ in 0..<6 { try await log.appendAsLeader(batch) }
        try await fixture.store.close()
        // Segment 4 committed (a .log.swap with the same bytes, its index swap renamed
        // already); segment 0 never committed (only .cleaned and an index swap exist).
        try fixture.write(try fixture.bytes(segmentName(4, ".log")), to: segmentName(4, ".log.swap"))
        try fixture.write([1, 2, 3], to: segmentName(0, ".log.cleaned"))
        try fixture.write([9, 9], to: segmentName(0, ".index.swap"))

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(try fixture.files().allSatisfy { !$0.hasSuffix(".swap") && !$0.hasSuffix(".cleaned") })
        #expect(try await again.readValues(from: 0).count == 12)
    }

    @Test func crash_lostEpochCheckpoint_isRelearnedFromTheActiveSegment() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2), epoch: 1)
        try await log.appendAsLeader(makeBatch(count: 2), epoch: 4)
        try FileManager.default.removeItem(atPath: fixture.path("leader-epoch-checkpoint"))

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: LogConfig())
        #expect(await again.leaderEpochs() == [LeaderEpochEntry(epoch: 1, offset: 0), LeaderEpochEntry(epoch: 4, offset: 2)])
        #expect(String(decoding: try fixture.bytes("leader-epoch-checkpoint"), as: UTF8.self) == "0\n2\n1 0\n4 2\n")
    }

    @Test func checkpointDamage_isIgnored_withSafeFallbacks() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        _ = try await fill(log, count: 3)
        try await log.assignLeaderEpoch(2, startOffset: 1)
        try await log.checkpointHighWatermark(2)
        try await fixture.store.close()
        try fixture.write(Array("0\n5\n1 2\n".utf8), to: "leader-epoch-checkpoint")
        try fixture.write(Array("7\n1\nx\n".utf8), to: "high-watermark")

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: LogConfig())
        #expect(await again.leaderEpochs().isEmpty)
        #expect(await again.checkpointedHighWatermark() == nil)
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 3))
    }
}
