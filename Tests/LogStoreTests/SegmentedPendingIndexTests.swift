// Goal: the active segment's index entries, held in memory between appends and written in
// batches, never change what the index files end up holding nor what lookups answer: a
// clean close leaves the same entries an entry-per-append writer would, lookups on the
// active segment see entries not yet written, and a crash that loses pending entries has
// them rebuilt from the log. Method: one-record batches with `index.interval.bytes` 1 (an
// offset entry per batch, a time entry per rising timestamp), enough of them to fill the
// pending buffer several times over; the files are read directly.

import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedPendingIndexTests {
    private let base: Int64 = 1_700_000_000_000
    /// Enough batches that the pending entries are written out several times.
    private let count = 3 * SegmentedPartitionLog.indexPendingBytesMax / (OffsetIndexEntry.size + TimeIndexEntry.size) + 7

    private var config: LogConfig {
        var config = LogConfig()
        config.indexIntervalBytes = 1
        return config
    }

    private func fill(_ log: any PartitionLog) async throws -> Int {
        for index in 0..<count {
            try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + Int64(index)))
        }
        return try makeBatch(count: 1).readableBytes
    }

    /// The entries an entry-per-batch writer leaves: every batch but the first (the
    /// interval counts bytes since the last entry) at its own position and timestamp.
    private func expectIndexes(_ fixture: SegmentedFixture, batchBytes size: Int) throws {
        let offsets = offsetIndexEntries(try fixture.bytes(segmentName(0, ".index")))
        #expect(offsets.map(\.0) == (1..<count).map { Int32($0) })
        #expect(offsets.map(\.1) == (1..<count).map { Int32($0 * size) })
        let times = timeIndexEntries(try fixture.bytes(segmentName(0, ".timeindex")))
        #expect(times.map(\.0) == (1..<count).map { base + Int64($0) })
        #expect(times.map(\.1) == (1..<count).map { Int32($0) })
    }

    @Test func cleanClose_writesEveryPendingEntry_whereAnEntryPerAppendWould() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: config)
        let size = try await fill(log)
        try await fixture.store.close()
        try expectIndexes(fixture, batchBytes: size)
    }

    @Test func lookupsOnTheActiveSegment_seeEntriesNotYetWritten() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: config)
        _ = try await fill(log)
        let last = Int64(count - 1)
        #expect(try await log.readBatches(from: last).map(\.baseOffset) == [last])
        #expect(try await log.offset(forTimestamp: base + last)?.offset == last)
        #expect(try await log.maxTimestampOffset()?.offset == last)
        // A time lookup wrote the pending entries; appends after it keep the files whole.
        try await log.appendAsLeader(makeBatch(count: 1, baseTimestamp: base + last + 1))
        #expect(try await log.offset(forTimestamp: base + last + 1)?.offset == last + 1)
    }

    @Test func crash_losingPendingEntries_rebuildsThemFromTheLog() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: config)
        let size = try await fill(log)
        try await log.flush()
        // Some entries are still only in memory when the process dies.
        #expect(try fixture.bytes(segmentName(0, ".index")).count < (count - 1) * OffsetIndexEntry.size)

        let store = try fixture.restarted()
        let again = try await store.openLog(testPartition, config: config)
        #expect(await again.offsets().logEndOffset == Int64(count))
        try expectIndexes(fixture, batchBytes: size)
        #expect(try await again.offset(forTimestamp: base + 5)?.offset == 5)
    }

    @Test func truncate_inTheActiveSegment_cutsPendingAndWrittenEntriesAlike() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: config)
        let size = try await fill(log)
        let keep = count - 3
        try await log.truncate(to: Int64(keep))
        try await fixture.store.close()
        let offsets = offsetIndexEntries(try fixture.bytes(segmentName(0, ".index")))
        #expect(offsets.map(\.0) == (1..<keep).map { Int32($0) })
        #expect(offsets.map(\.1) == (1..<keep).map { Int32($0 * size) })
        #expect(timeIndexEntries(try fixture.bytes(segmentName(0, ".timeindex"))).count == keep - 1)
    }
}
