// Goal: the file store and the memory store behave alike, as Kafka's log does, so either can
// back a broker. Method: every test here runs once per store kind against the `PartitionLog`
// protocol only, with a manual clock; durable-only behaviour (reopening) runs for the
// segmented store alone.

import NIOCore
import Testing
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct LogContractTests {
    // MARK: Append and read

    @Test(arguments: StoreKind.allCases)
    func append_asLeader_assignsContiguousOffsets(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        let first = try await log.appendAsLeader(makeBatch(count: 3), epoch: 5)
        let second = try await log.appendAsLeader(makeBatch(count: 2, prefix: "w"), epoch: 5)
        #expect(first.firstOffset == 0 && first.lastOffset == 2 && first.recordCount == 3)
        #expect(second.firstOffset == 3 && second.lastOffset == 4)
        #expect(await log.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 5))

        let batches = try await log.readBatches(from: 0)
        #expect(batches.map(\.baseOffset) == [0, 3])
        #expect(batches.allSatisfy { $0.partitionLeaderEpoch == 5 })
        let values = try await log.readValues(from: 0).map(\.1)
        #expect(values == ["v-0", "v-1", "v-2", "w-0", "w-1"])
    }

    @Test(arguments: StoreKind.allCases)
    func read_fromMiddleOfBatch_returnsWholeBatch(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 4))
        try await log.appendAsLeader(makeBatch(count: 4))
        let batches = try await log.readBatches(from: 5)
        #expect(batches.map(\.baseOffset) == [4])
    }

    @Test(arguments: StoreKind.allCases)
    func read_atLogEnd_isEmpty_andBeyond_isOutOfRange(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 2))
        let atEnd = try await log.read(LogReadRequest(fetchOffset: 2, maxBytes: 1 << 20))
        #expect(atEnd.slices.isEmpty && atEnd.byteCount == 0)
        await #expect(throws: LogStoreError.offsetOutOfRange(requested: 3, logStart: 0, logEnd: 2)) {
            _ = try await log.read(LogReadRequest(fetchOffset: 3, maxBytes: 1 << 20))
        }
        await #expect(throws: LogStoreError.self) {
            _ = try await log.read(LogReadRequest(fetchOffset: -1, maxBytes: 1 << 20))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func read_respectsMaxBytes_minOneBatch_andMaxOffset(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        let batch = try makeBatch(count: 10)
        let size = batch.readableBytes
        for _ in 0..<5 { try await log.appendAsLeader(batch) }

        let two = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: 2 * size + size / 2))
        #expect(two.byteCount == 2 * size)
        let tiny = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: 10, minOneBatch: true))
        #expect(tiny.byteCount == size)
        let none = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: 10, minOneBatch: false))
        #expect(none.byteCount == 0)
        let belowWatermark = try await log.readBatches(from: 0, maxOffset: 25)
        #expect(belowWatermark.map(\.baseOffset) == [0, 10, 20])
        let atWatermark = try await log.readBatches(from: 0, maxOffset: 20)
        #expect(atWatermark.map(\.baseOffset) == [0, 10])
    }

    @Test(arguments: StoreKind.allCases)
    func append_asReplica_keepsOffsets_allowsGaps_butNeverGoesBack(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        var batch = try makeBatch(count: 3)
        let info = try await log.append(LogAppend(batches: batch, origin: .replica))
        #expect(info.firstOffset == 0 && info.lastOffset == 2)
        // A compacted leader log has gaps: the next batch may start past the log end.
        batch.setRecordBatchBaseOffset(7, batchAt: batch.readerIndex)
        let next = try await log.append(LogAppend(batches: batch, origin: .replica))
        #expect(next.firstOffset == 7)
        #expect(await log.offsets().logEndOffset == 10)
        #expect(try await log.readValues(from: 0).map(\.0) == [0, 1, 2, 7, 8, 9])
        batch.setRecordBatchBaseOffset(4, batchAt: batch.readerIndex)
        let behind = batch
        await #expect(throws: LogStoreError.offsetsNotContiguous(expected: 10, found: 4)) {
            _ = try await log.append(LogAppend(batches: behind, origin: .replica))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func append_garbage_isRejected_andLogUnchanged(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 1))
        var truncated = try makeBatch(count: 3)
        truncated.moveWriterIndex(to: truncated.writerIndex - 5)
        let cut = truncated
        await #expect(throws: LogStoreError.self) { try await log.appendAsLeader(cut) }
        await #expect(throws: LogStoreError.self) { try await log.appendAsLeader(ByteBuffer(bytes: [1, 2, 3])) }
        #expect(await log.offsets().logEndOffset == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func append_withLogAppendTime_stampsBatches(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        let info = try await log.appendAsLeader(makeBatch(count: 2), logAppendTime: 1_800_000_000_000)
        #expect(info.logAppendTime == 1_800_000_000_000)
        let batch = try #require(try await log.readBatches(from: 0).first)
        #expect(batch.attributes.timestampType == .logAppendTime)
        #expect(batch.maxTimestamp == 1_800_000_000_000)
    }

    // MARK: Timestamps

    @Test(arguments: StoreKind.allCases)
    func offsetForTimestamp_findsExactRecord_evenInCompressedBatch(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        let base: Int64 = 1_700_000_000_000
        let records = (0..<5).map { TestRecord(key: "k\($0)", value: "v\($0)", timestampDelta: Int64($0) * 100) }
        try await log.appendAsLeader(makeBatch(records, baseTimestamp: base, compression: .lz4))
        try await log.appendAsLeader(makeBatch(records, baseTimestamp: base + 1000, compression: .none))

        #expect(try await log.offset(forTimestamp: base - 1)?.offset == 0)
        #expect(try await log.offset(forTimestamp: base + 250)?.offset == 3)
        #expect(try await log.offset(forTimestamp: base + 300) == TimestampOffset(timestamp: base + 300, offset: 3, leaderEpoch: 0))
        #expect(try await log.offset(forTimestamp: base + 1150)?.offset == 7)
        #expect(try await log.offset(forTimestamp: base + 5000) == nil)
        #expect(try await log.maxTimestampOffset() == TimestampOffset(timestamp: base + 1400, offset: 9, leaderEpoch: 0))
    }

    // MARK: Truncation and log start

    @Test(arguments: StoreKind.allCases)
    func truncate_removesBatchesAtAndAfterOffset(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        for _ in 0..<4 { try await log.appendAsLeader(makeBatch(count: 5)) }
        try await log.truncate(to: 12)
        #expect(await log.offsets().logEndOffset == 10)
        #expect(try await log.readBatches(from: 0).map(\.baseOffset) == [0, 5])
        let info = try await log.appendAsLeader(makeBatch(count: 1))
        #expect(info.firstOffset == 10)
        try await log.truncate(to: 100)
        #expect(await log.offsets().logEndOffset == 11)
    }

    @Test(arguments: StoreKind.allCases)
    func truncateFully_restartsTheLogAtOffset(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 5))
        try await log.truncateFully(startingAt: 42)
        #expect(await log.offsets() == LogOffsets(logStartOffset: 42, logEndOffset: 42))
        let info = try await log.appendAsLeader(makeBatch(count: 2))
        #expect(info.firstOffset == 42)
        #expect(try await log.readValues(from: 42).map(\.0) == [42, 43])
    }

    @Test(arguments: StoreKind.allCases)
    func advanceLogStartOffset_hidesOlderOffsets(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        var config = LogConfig()
        config.segmentBytes = 200
        let log = try await harness.store.openLog(testPartition, config: config)
        for _ in 0..<6 { try await log.appendAsLeader(makeBatch(count: 2)) }
        let start = try await log.advanceLogStartOffset(to: 5)
        #expect(start == 5)
        #expect(await log.offsets().logStartOffset == 5)
        await #expect(throws: LogStoreError.self) { _ = try await log.read(LogReadRequest(fetchOffset: 3, maxBytes: 1 << 20)) }
        let fromStart = try await log.readBatches(from: 5)
        #expect(fromStart.first?.baseOffset == 4)
        #expect(try await log.advanceLogStartOffset(to: 2) == 5)
    }

    // MARK: Retention

    @Test(arguments: StoreKind.allCases)
    func retentionBytes_deletesOldestWholeSegments_neverTheActiveOne(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let batch = try makeBatch(count: 4)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        config.retentionBytes = Int64(batch.readableBytes * 3)
        let log = try await harness.store.openLog(testPartition, config: config)
        for _ in 0..<10 { try await log.appendAsLeader(batch) }
        let result = try await log.enforceRetention(now: harness.clock.wallClockMilliseconds)
        #expect(result.segmentsDeleted > 0)
        let offsets = await log.offsets()
        #expect(offsets.logEndOffset == 40)
        #expect(offsets.logStartOffset % 8 == 0 && offsets.logStartOffset > 0)
        #expect(try await log.readBatches(from: offsets.logStartOffset).first?.baseOffset == offsets.logStartOffset)

        config.retentionBytes = 0
        await log.updateConfig(config)
        _ = try await log.enforceRetention(now: harness.clock.wallClockMilliseconds)
        let after = await log.offsets()
        #expect(after.logEndOffset == 40 && after.logStartOffset < 40)
    }

    @Test(arguments: StoreKind.allCases)
    func retentionTime_deletesSegmentsWhoseNewestRecordIsOld(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let now = harness.clock.wallClockMilliseconds
        let old = try makeBatch(count: 2, baseTimestamp: now - 10 * 3_600_000)
        let fresh = try makeBatch(count: 2, baseTimestamp: now)
        var config = LogConfig()
        config.segmentBytes = old.readableBytes
        config.retentionDuration = .seconds(3600)
        let log = try await harness.store.openLog(testPartition, config: config)
        for _ in 0..<3 { try await log.appendAsLeader(old) }
        for _ in 0..<2 { try await log.appendAsLeader(fresh) }
        let result = try await log.enforceRetention(now: now)
        #expect(result.segmentsDeleted == 3)
        #expect(await log.offsets().logStartOffset == 6)

        config.cleanupPolicy = .compact
        await log.updateConfig(config)
        harness.clock.advance(by: .seconds(100 * 3600))
        #expect(try await log.enforceRetention(now: harness.clock.wallClockMilliseconds).segmentsDeleted == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func segmentDuration_rollsTheActiveSegment(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        var config = LogConfig()
        config.segmentDuration = .seconds(60)
        config.retentionBytes = 0
        let log = try await harness.store.openLog(testPartition, config: config)
        try await log.appendAsLeader(makeBatch(count: 1))
        // One segment: the active one is never deleted.
        #expect(try await log.enforceRetention(now: harness.clock.wallClockMilliseconds).segmentsDeleted == 0)
        harness.clock.advance(by: .seconds(61))
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(try await log.enforceRetention(now: harness.clock.wallClockMilliseconds).segmentsDeleted == 1)
        #expect(await log.offsets() == LogOffsets(logStartOffset: 1, logEndOffset: 2))
    }

    // MARK: Compaction

    @Test(arguments: StoreKind.allCases)
    func compact_keepsLatestPerKey_andDropsOldTombstones(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        var config = LogConfig()
        config.cleanupPolicy = .compact
        config.deleteRetention = .seconds(60)
        let now = harness.clock.wallClockMilliseconds
        let first = try makeBatch([TestRecord(key: "a", value: "a1"), TestRecord(key: "b", value: "b1"), TestRecord(key: "c", value: "c1")], baseTimestamp: now)
        config.segmentBytes = first.readableBytes
        let log = try await harness.store.openLog(testPartition, config: config)
        try await log.appendAsLeader(first)
        try await log.appendAsLeader(makeBatch([TestRecord(key: "a", value: "a2"), TestRecord(key: "b", value: nil)], baseTimestamp: now))
        try await log.appendAsLeader(makeBatch([TestRecord(key: "d", value: "d1")], baseTimestamp: now))

        _ = try await log.compact(now: now)
        let kept = try await log.readValues(from: 0)
        // c1 (offset 2), a2 (3), the tombstone for b (4, still young), d1 (5, active segment).
        #expect(kept.map(\.0) == [2, 3, 4, 5])
        #expect(kept.map(\.1) == ["c1", "a2", nil, "d1"])

        harness.clock.advance(by: .seconds(120))
        let result = try await log.compact(now: harness.clock.wallClockMilliseconds)
        #expect(result.recordsRemoved >= 1)
        #expect(try await log.readValues(from: 0).map(\.1) == ["c1", "a2", "d1"])
        #expect(await log.offsets().logEndOffset == 6)
    }

    // MARK: Checkpoints and the leader-epoch cache

    @Test(arguments: StoreKind.allCases)
    func leaderEpochCache_answersOffsetForLeaderEpoch(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.assignLeaderEpoch(1, startOffset: 0)
        try await log.appendAsLeader(makeBatch(count: 3), epoch: 1)
        try await log.assignLeaderEpoch(3, startOffset: 3)
        try await log.appendAsLeader(makeBatch(count: 2), epoch: 3)
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 1, offset: 0), LeaderEpochEntry(epoch: 3, offset: 3)])
        #expect(await log.endOffset(forLeaderEpoch: 1) == LeaderEpochEntry(epoch: 1, offset: 3))
        #expect(await log.endOffset(forLeaderEpoch: 2) == LeaderEpochEntry(epoch: 1, offset: 3))
        #expect(await log.endOffset(forLeaderEpoch: 3) == LeaderEpochEntry(epoch: 3, offset: 5))

        try await log.truncate(to: 3)
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 1, offset: 0)])
        #expect(await log.endOffset(forLeaderEpoch: 1) == LeaderEpochEntry(epoch: 1, offset: 3))
    }

    @Test(arguments: StoreKind.allCases)
    func highWatermarkCheckpoint_isReadBack(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        #expect(await log.checkpointedHighWatermark() == nil)
        try await log.appendAsLeader(makeBatch(count: 3))
        try await log.checkpointHighWatermark(2)
        #expect(await log.checkpointedHighWatermark() == 2)
    }

    // MARK: The store

    @Test(arguments: StoreKind.allCases)
    func store_listsAndDeletesLogs(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let other = TopicPartition(topic: "payments", partition: 3)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        _ = try await harness.store.openLog(other, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(try await harness.store.existingPartitions().sorted() == [testPartition, other].sorted())
        try await harness.store.deleteLog(testPartition)
        #expect(try await harness.store.existingPartitions() == [other])
        let fresh = try await harness.store.openLog(testPartition, config: LogConfig())
        #expect(await fresh.offsets() == LogOffsets(logStartOffset: 0, logEndOffset: 0))
    }

    @Test(arguments: StoreKind.allCases)
    func closedLog_refusesWork(kind: StoreKind) async throws {
        let harness = try StoreHarness(kind)
        let log = try await harness.store.openLog(testPartition, config: LogConfig())
        try await log.close()
        await #expect(throws: LogStoreError.closed(testPartition)) { try await log.appendAsLeader(makeBatch(count: 1)) }
    }

    // MARK: Durable stores

    @Test func reopen_afterCleanClose_keepsEverything() async throws {
        let harness = try StoreHarness(.segmented)
        var config = LogConfig()
        config.segmentBytes = 300
        let log = try await harness.store.openLog(testPartition, config: config)
        for index in 0..<10 { try await log.appendAsLeader(makeBatch(count: 3, prefix: "r\(index)")) }
        try await log.assignLeaderEpoch(4, startOffset: 0)
        try await log.checkpointHighWatermark(27)
        _ = try await log.advanceLogStartOffset(to: 6)
        try await harness.store.close()

        let store = try harness.reopened()
        let again = try await store.openLog(testPartition, config: config)
        #expect(await again.offsets() == LogOffsets(logStartOffset: 6, logEndOffset: 30))
        #expect(await again.checkpointedHighWatermark() == 27)
        #expect(await again.leaderEpochs() == [LeaderEpochEntry(epoch: 4, offset: 6)])
        #expect(try await again.readValues(from: 6).count == 24)
        try await store.close()
    }
}
