// Goal: the recovery point decides what a crash recovery scans. Sealed segments holding
// offsets at or above it are scanned like the active one, so a torn tail there (what a power
// loss leaves in an unflushed segment) is cut, with every later segment, instead of failing
// reads later; segments wholly below it are trusted, so damage there still fails reads of
// that region; a clean shutdown scans nothing whatever the checkpoint says; flushes move the
// checkpoint up and truncation moves it down. Method: write segments through the API, flush
// (so no background fsync is left running), set the `recovery-point` checkpoint to what a
// power loss could have left, damage segment files directly, abandon the store and open a
// second one over the same directory.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedRecoveryPointTests {
    /// Twelve batches of two records in segments 0, 6, 12 and 18 (three batches each), all
    /// flushed; returns the log and the size of one batch.
    private func fourSegments(_ fixture: SegmentedFixture) async throws -> (any PartitionLog, Int) {
        let batch = try makeBatch(count: 2)
        let log = try await fixture.store.openLog(testPartition, config: Self.config(batchBytes: batch.readableBytes))
        for _ in 0..<12 { try await log.appendAsLeader(batch) }
        try await log.flush()
        #expect(try fixture.files().filter { $0.hasSuffix(".log") } == [0, 6, 12, 18].map { segmentName($0, ".log") })
        return (log, batch.readableBytes)
    }

    private static func config(batchBytes: Int) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = batchBytes * 3
        config.indexIntervalBytes = 1
        return config
    }

    private func checkpointText(_ value: Int64) -> [UInt8] {
        Array("0\n1\n\(value)\n".utf8)
    }

    /// Damages segment 6's second batch (offsets 8 and 9), at its end for the tail kinds.
    private func damageSegment6(_ fixture: SegmentedFixture, _ damage: String, batchBytes size: Int) throws {
        let name = segmentName(6, ".log")
        var bytes = try fixture.bytes(name)
        switch damage {
        case "cut": bytes = Array(bytes.prefix(size + size / 2))
        case "zeroed": bytes.replaceSubrange(size..<bytes.count, with: [UInt8](repeating: 0, count: bytes.count - size))
        case "bitFlip": bytes[2 * size - 4] ^= 0x40
        default: Issue.record("unknown damage \(damage)")
        }
        try fixture.write(bytes, to: name)
    }

    /// A recovery point of 6 (segment 0 trusted) or no checkpoint at all (all scanned).
    @Test(arguments: [("cut", true), ("zeroed", true), ("bitFlip", true), ("cut", false)])
    func crash_damagedSealedSegmentAboveRecoveryPoint_isCut_withEveryLaterSegment(damage: String, checkpoint: Bool) async throws {
        let fixture = try SegmentedFixture()
        let (_, size) = try await fourSegments(fixture)
        // The flushes after offset 6 never reached the disk, as a power loss would leave it.
        if checkpoint {
            try fixture.write(checkpointText(6), to: "recovery-point")
        } else {
            try FileManager.default.removeItem(atPath: fixture.path("recovery-point"))
        }
        try damageSegment6(fixture, damage, batchBytes: size)

        let store = try fixture.restarted()
        let config = Self.config(batchBytes: size)
        let again = try await store.openLog(testPartition, config: config)
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 8))
        #expect(try fixture.files().filter { $0.hasSuffix(".log") } == [0, 6].map { segmentName($0, ".log") })
        #expect(try fixture.bytes(segmentName(6, ".log")).count == size)
        #expect(try await again.readBatches(from: 0).map(\.baseOffset) == [0, 2, 4, 6])
        #expect(try await again.readBatches(from: 8).isEmpty)
        #expect(try await again.appendAsLeader(makeBatch(count: 2, prefix: "after")).firstOffset == 8)
        #expect(try await again.readValues(from: 0).map(\.0) == Array(0...9))
        #expect(await again.segmented?.recoveryPointState().current ?? -1 <= 8)
    }

    @Test func crash_damageBelowRecoveryPoint_isNotRescanned_andFailsReadsThere() async throws {
        let fixture = try SegmentedFixture()
        let (log, size) = try await fourSegments(fixture)
        let state = await log.segmented?.recoveryPointState()
        #expect(state?.current == 24)
        // Checkpointed once the recovery point passes a segment's base offset: here 18 or 24,
        // depending on which fsync round got there first.
        let checkpointed = try #require(state?.checkpointed)
        #expect(checkpointed >= 18)
        #expect(try fixture.bytes("recovery-point") == checkpointText(checkpointed))
        try damageSegment6(fixture, "bitFlip", batchBytes: size)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: Self.config(batchBytes: size))
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 24))
        let error = await #expect(throws: LogStoreError.self) {
            _ = try await again.read(LogReadRequest(fetchOffset: 8, maxBytes: 1 << 20))
        }
        guard case let .corruptLog(_, file, position, _) = error else {
            Issue.record("expected corruptLog, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix(segmentName(6, ".log")) && position == Int64(size))
        #expect(try await again.readBatches(from: 12).map(\.baseOffset) == [12, 14, 16, 18, 20, 22])
    }

    @Test func cleanRestart_scansNoSegment_whateverTheRecoveryPoint() async throws {
        let fixture = try SegmentedFixture()
        let (_, size) = try await fourSegments(fixture)
        try await fixture.store.close()
        try fixture.write(checkpointText(0), to: "recovery-point")
        try damageSegment6(fixture, "bitFlip", batchBytes: size)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: Self.config(batchBytes: size))
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 24))
        await #expect(throws: LogStoreError.self) { _ = try await again.read(LogReadRequest(fetchOffset: 8, maxBytes: 1 << 20)) }
        #expect(await again.segmented?.recoveryPointState().current == 24)
    }

    @Test func truncation_lowersTheCheckpointedRecoveryPoint_durably() async throws {
        let fixture = try SegmentedFixture()
        let (log, size) = try await fourSegments(fixture)
        try await log.truncate(to: 10)
        #expect(try fixture.bytes("recovery-point") == checkpointText(10))
        #expect(await log.segmented?.recoveryPointState().current == 10)
        // Offsets 10 on are written again (the cut segment 6, its batches older than
        // segment.ms by the clock, rolls at once); should the checkpoints written by later
        // flushes be lost, a crash still scans them, so a tear there is cut, not trusted.
        for _ in 0..<4 { try await log.appendAsLeader(makeBatch(count: 2, prefix: "new")) }
        try await log.flush()
        #expect(try fixture.files().filter { $0.hasSuffix(".log") } == [0, 6, 10, 14].map { segmentName($0, ".log") })
        try fixture.write(checkpointText(10), to: "recovery-point")
        let name = segmentName(10, ".log")
        try fixture.write(Array(try fixture.bytes(name).prefix(size + size / 2)), to: name)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: Self.config(batchBytes: size))
        #expect(await again.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 12))
        #expect(try await again.readValues(from: 0).map(\.1).suffix(2) == ["new-0", "new-1"])
        #expect(try !fixture.files().contains(segmentName(14, ".log")))

        try await again.truncateFully(startingAt: 100)
        #expect(try fixture.bytes("recovery-point") == checkpointText(100))
    }
}
