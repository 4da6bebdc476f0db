// Goal: the memory store's own promises and the Kafka rules the contract suite does not pin
// down: reopening within one store, the leader-epoch cache's edge cases, segment rolls by
// size, the log start inside a batch, and compaction across segments. Method: drive a
// MemoryLogStore through the PartitionLog protocol with a manual clock and check what reads,
// ListOffsets and OffsetForLeaderEpoch answer.

import NIOCore
import Testing
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct MemoryLogStoreTests {
    private let clock = ManualClock()

    private func openLog(_ config: LogConfig = LogConfig()) async throws -> (MemoryLogStore, any PartitionLog) {
        let store = MemoryLogStore(clock: clock)
        return (store, try await store.openLog(testPartition, config: config))
    }

    // MARK: The store

    @Test func openLog_afterLogClosed_returnsNewLogOverSameData() async throws {
        let (store, log) = try await openLog()
        try await log.appendAsLeader(makeBatch(count: 3))
        try await log.checkpointHighWatermark(3)
        try await log.close()
        let again = try await store.openLog(testPartition, config: LogConfig())
        #expect(again !== log)
        #expect(try await again.readValues(from: 0).map(\.1) == ["v-0", "v-1", "v-2"])
        #expect(await again.checkpointedHighWatermark() == 3)
        await #expect(throws: LogStoreError.closed(testPartition)) { _ = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: 100)) }
    }

    @Test func openLog_whileOpen_returnsSameLog() async throws {
        let (store, log) = try await openLog()
        #expect(try await store.openLog(testPartition, config: LogConfig()) === log)
    }

    @Test func close_store_refusesFurtherOpens_andClosesLogs() async throws {
        let (store, log) = try await openLog()
        await store.close()
        await #expect(throws: LogStoreError.closed(testPartition)) { _ = try await store.openLog(testPartition, config: LogConfig()) }
        await #expect(throws: LogStoreError.closed(testPartition)) { try await log.flush() }
    }

    // MARK: Appends and reads

    @Test func read_returnsBatchesAsStored_acrossSegments() async throws {
        let batch = try makeBatch(count: 2)
        let sent = batch
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes
        let (_, log) = try await openLog(config)
        for _ in 0..<3 { try await log.appendAsLeader(batch, epoch: 2) }
        let result = try await log.read(LogReadRequest(fetchOffset: 1, maxBytes: 1 << 20))
        // Only the base offset and leader epoch (both outside the CRC) differ from the input.
        var expected = ByteBuffer()
        for baseOffset: Int64 in [0, 2, 4] {
            var stamped = batch
            stamped.setRecordBatchBaseOffset(baseOffset, batchAt: stamped.readerIndex)
            stamped.setRecordBatchPartitionLeaderEpoch(2, batchAt: stamped.readerIndex)
            expected.writeImmutableBuffer(stamped)
        }
        #expect(try result.readAllBytes() == expected)
        #expect(batch == sent, "the caller's buffer is never patched")
    }

    /// A batch that fills its buffer is kept where it lies with its stamp beside it; a small
    /// one in a big buffer (one record in a receive buffer) is copied, so it pins nothing.
    @Test func append_keepsOnlyBatchesThatFillTheirBuffer() async throws {
        let batch = try makeBatch(count: 2)
        var roomy = ByteBuffer()
        roomy.reserveCapacity(batch.readableBytes * 8)
        roomy.writeImmutableBuffer(batch)
        let (_, log) = try await openLog()
        try await log.appendAsLeader(batch, epoch: 1)
        try await log.appendAsLeader(roomy, epoch: 1)
        let kept = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: 1, maxOffset: 2))
        let copied = try await log.read(LogReadRequest(fetchOffset: 2, maxBytes: 1))
        #expect(kept.slices.count == 2)
        #expect(copied.slices.count == 1)
        let copiedBytes = try #require(copied.slices.first).readBytes()
        #expect(copiedBytes.storageCapacity < roomy.storageCapacity)
        #expect(copiedBytes.getInteger(at: copiedBytes.readerIndex, as: Int64.self) == 2)
        #expect(try kept.readAllBytes().getInteger(at: 0, as: Int64.self) == 0)
    }

    @Test func append_rollsBySize_exactlyWhenTheAppendWouldOverflow() async throws {
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        config.retentionBytes = 0
        let (_, log) = try await openLog(config)
        for _ in 0..<3 { try await log.appendAsLeader(batch) }
        // Two batches fill the first segment exactly; the third rolled a new one.
        let result = try await log.enforceRetention(now: clock.wallClockMilliseconds)
        #expect(result.segmentsDeleted == 1 && result.bytesDeleted == Int64(batch.readableBytes * 2))
        #expect(await log.offsets() == LogOffsets(logStartOffset: 4, logEndOffset: 6))
    }

    @Test func append_severalBatchesAsLeader_stampsEach() async throws {
        let (_, log) = try await openLog()
        var both = try makeBatch(count: 2)
        var second = try makeBatch(count: 3)
        both.writeBuffer(&second)
        let info = try await log.append(LogAppend(batches: both, origin: .leader(epoch: 1, logAppendTime: 99)))
        #expect(info.firstOffset == 0 && info.lastOffset == 4 && info.recordCount == 5 && info.maxTimestamp == 99)
        let batches = try await log.readBatches(from: 0)
        #expect(batches.map(\.baseOffset) == [0, 2])
        #expect(batches.allSatisfy { $0.maxTimestamp == 99 && $0.attributes.timestampType == .logAppendTime })
    }

    @Test func append_asReplica_learnsLeaderEpochsFromBatches() async throws {
        let (_, log) = try await openLog()
        for (offset, epoch) in [(Int64(0), Int32(2)), (2, 2), (4, 5)] {
            var batch = try makeBatch(count: 2)
            batch.setRecordBatchBaseOffset(offset, batchAt: batch.readerIndex)
            batch.setRecordBatchPartitionLeaderEpoch(epoch, batchAt: batch.readerIndex)
            _ = try await log.append(LogAppend(batches: batch, origin: .replica))
        }
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 2, offset: 0), LeaderEpochEntry(epoch: 5, offset: 4)])
    }

    @Test func append_asReplica_hostileLaterBaseOffset_isRejected() async throws {
        let (_, log) = try await openLog()
        var first = try makeBatch(count: 1)
        var second = try makeBatch(count: 1)
        second.setRecordBatchBaseOffset(Int64.max - 1, batchAt: second.readerIndex)
        first.writeBuffer(&second)
        let both = first
        await #expect(throws: LogStoreError.self) { try await log.append(LogAppend(batches: both, origin: .replica)) }
        #expect(await log.offsets().logEndOffset == 0)
    }

    // MARK: The log start inside a batch

    @Test func advanceLogStartOffset_insideBatch_hidesEarlierRecordsFromListOffsets() async throws {
        let (_, log) = try await openLog()
        let base: Int64 = 1_700_000_000_000
        let records = [TestRecord(key: "a", value: "1", timestampDelta: 500), TestRecord(key: "b", value: "2", timestampDelta: 100)]
        try await log.appendAsLeader(makeBatch(records, baseTimestamp: base))
        #expect(try await log.maxTimestampOffset()?.offset == 0)
        #expect(try await log.advanceLogStartOffset(to: 1) == 1)
        #expect(try await log.maxTimestampOffset() == TimestampOffset(timestamp: base + 100, offset: 1, leaderEpoch: 0))
        #expect(try await log.offset(forTimestamp: base)?.offset == 1)
        #expect(try await log.readBatches(from: 1).map(\.baseOffset) == [0])
    }

    @Test func advanceLogStartOffset_pastLogEnd_isOutOfRange() async throws {
        let (_, log) = try await openLog()
        try await log.appendAsLeader(makeBatch(count: 2))
        await #expect(throws: LogStoreError.offsetOutOfRange(requested: 3, logStart: 0, logEnd: 2)) {
            _ = try await log.advanceLogStartOffset(to: 3)
        }
        #expect(try await log.advanceLogStartOffset(to: 2) == 2)
    }

    // MARK: ListOffsets

    @Test func maxTimestampOffset_ties_answerTheEarliestRecord() async throws {
        let (_, log) = try await openLog()
        let records = [TestRecord(key: "a", value: "1", timestampDelta: 7), TestRecord(key: "b", value: "2", timestampDelta: 7)]
        try await log.appendAsLeader(makeBatch(records, baseTimestamp: 1000))
        try await log.appendAsLeader(makeBatch(records, baseTimestamp: 1000))
        #expect(try await log.maxTimestampOffset() == TimestampOffset(timestamp: 1007, offset: 0, leaderEpoch: 0))
    }

    @Test func offsetForTimestamp_logAppendTimeBatch_usesTheAppendTimeForEveryRecord() async throws {
        let (_, log) = try await openLog()
        try await log.appendAsLeader(makeBatch(count: 3, baseTimestamp: 10), epoch: 4, logAppendTime: 5000)
        #expect(try await log.offset(forTimestamp: 4000) == TimestampOffset(timestamp: 5000, offset: 0, leaderEpoch: 4))
        #expect(try await log.offset(forTimestamp: 5001) == nil)
        #expect(try await log.maxTimestampOffset() == TimestampOffset(timestamp: 5000, offset: 0, leaderEpoch: 4))
    }

    @Test func timestampQueries_emptyLog_answerNil() async throws {
        let (_, log) = try await openLog()
        #expect(try await log.offset(forTimestamp: 0) == nil)
        #expect(try await log.maxTimestampOffset() == nil)
    }

    // MARK: The leader-epoch cache

    @Test func assignLeaderEpoch_olderEpoch_isIgnored_andSameEpochEarlierOffset_movesStart() async throws {
        let (_, log) = try await openLog()
        try await log.assignLeaderEpoch(3, startOffset: 10)
        try await log.assignLeaderEpoch(2, startOffset: 20)
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 3, offset: 10)])
        try await log.assignLeaderEpoch(3, startOffset: 5)
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 3, offset: 5)])
        try await log.assignLeaderEpoch(4, startOffset: 5)
        // Epoch 3 started where 4 does, so it held no data and is replaced.
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 4, offset: 5)])
    }

    @Test func endOffsetForLeaderEpoch_edgeCases_followKafka() async throws {
        let (_, log) = try await openLog()
        #expect(await log.endOffset(forLeaderEpoch: 0) == nil)
        try await log.assignLeaderEpoch(3, startOffset: 0)
        try await log.appendAsLeader(makeBatch(count: 4), epoch: 3)
        try await log.assignLeaderEpoch(6, startOffset: 4)
        try await log.appendAsLeader(makeBatch(count: 2), epoch: 6)
        // Below the earliest epoch: the requested epoch, ending where the earliest starts.
        #expect(await log.endOffset(forLeaderEpoch: 1) == LeaderEpochEntry(epoch: 1, offset: 0))
        #expect(await log.endOffset(forLeaderEpoch: 5) == LeaderEpochEntry(epoch: 3, offset: 4))
        #expect(await log.endOffset(forLeaderEpoch: 6) == LeaderEpochEntry(epoch: 6, offset: 6))
        #expect(await log.endOffset(forLeaderEpoch: 7) == nil)
        #expect(await log.endOffset(forLeaderEpoch: -1) == nil)
    }

    @Test func leaderEpochs_followLogStart_andFullTruncation() async throws {
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes
        let (_, log) = try await openLog(config)
        try await log.appendAsLeader(batch, epoch: 1)
        try await log.appendAsLeader(batch, epoch: 2)
        try await log.appendAsLeader(batch, epoch: 3)
        _ = try await log.advanceLogStartOffset(to: 3)
        #expect(await log.leaderEpochs() == [LeaderEpochEntry(epoch: 2, offset: 3), LeaderEpochEntry(epoch: 3, offset: 4)])
        try await log.truncateFully(startingAt: 10)
        #expect(await log.leaderEpochs().isEmpty)
    }

    // MARK: Truncation

    @Test func truncate_intoSealedSegment_makesItActiveAgain() async throws {
        let batch = try makeBatch(count: 2)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        config.retentionBytes = 0
        let (_, log) = try await openLog(config)
        for _ in 0..<5 { try await log.appendAsLeader(batch) }
        try await log.truncate(to: 3)
        #expect(await log.offsets().logEndOffset == 2)
        // The first segment, cut back to one batch, is the active one again: it takes the
        // next batch without rolling, so retention still has nothing sealed to delete.
        try await log.appendAsLeader(batch)
        #expect(try await log.enforceRetention(now: clock.wallClockMilliseconds).segmentsDeleted == 0)
        try await log.appendAsLeader(batch)
        #expect(try await log.enforceRetention(now: clock.wallClockMilliseconds).logStartOffset == 4)
    }

    // MARK: Compaction

    @Test func compact_keyRewrittenInActiveSegment_supersedesSealedRecords() async throws {
        let now = clock.wallClockMilliseconds
        let first = try makeBatch([TestRecord(key: "a", value: "a1"), TestRecord(key: "b", value: "b1")], baseTimestamp: now, compression: .zstd)
        var config = LogConfig()
        config.cleanupPolicy = .compact
        config.segmentBytes = first.readableBytes
        let (_, log) = try await openLog(config)
        try await log.appendAsLeader(first)
        try await log.appendAsLeader(makeBatch([TestRecord(key: "a", value: "a2")], baseTimestamp: now))
        let result = try await log.compact(now: now)
        #expect(result.recordsRead == 2 && result.recordsRemoved == 1)
        #expect(result.bytesAfter < result.bytesBefore)
        #expect(try await log.readValues(from: 0).map(\.0) == [1, 2])
        let rewritten = try #require(try await log.readBatches(from: 0).first)
        #expect(rewritten.attributes.compression == .zstd && rewritten.lastOffsetDelta == 1)
    }

    @Test func compact_deletePolicy_doesNothing() async throws {
        let (_, log) = try await openLog()
        try await log.appendAsLeader(makeBatch([TestRecord(key: "a", value: "1"), TestRecord(key: "a", value: "2")]))
        #expect(try await log.compact(now: clock.wallClockMilliseconds) == CompactionResult(recordsRead: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0))
    }
}
