// Goal: the segmented store's throughput paths keep the store's guarantees: the I/O pool
// runs every job (polling, parked or newly started threads alike) and only on its own
// threads, also for tasks that prefer it as their executor; `openLogs` and `close` work on
// many logs at once without losing one; a log nothing changed since a clean load is known
// to need no fsync at close; write-behind starts fsyncs under the flush policy without a
// flush() call; and the read path's read-ahead window follows one consumer and restarts on
// a jump. Method: drive the pool directly with counters, and real stores in temporary
// directories, checking internal state through @testable accessors.

import Foundation
import NIOCore
import Synchronization
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

extension SegmentedPartitionLog {
    /// The read path's read-ahead window (for tests).
    func readAheadState() -> ReadAheadMark { readAheadMark }

    /// Whether closing now would skip the fsyncs (for tests).
    func closeNeedsNoSync() -> Bool { unchangedSinceCleanLoad }
}

/// Jobs run by the pool, and how many of them ran off its threads.
private final class JobCounts: Sendable {
    let ran = Atomic<Int>(0)
    let offPool = Atomic<Int>(0)
}

/// Whether the code calling this runs on an I/O pool thread; nonisolated, so it runs on the
/// calling task's preferred executor, if any.
private func onPoolThread() async -> Bool { IOThreadPool.isPoolThread }

@Suite struct SegmentedThroughputTests {
    @Test func ioPool_burstsAndIdleGaps_runEveryItemOnPoolThreads() async throws {
        // Short timeouts, so threads poll, park and exit between the bursts.
        let pool = IOThreadPool(threadsMax: 3, idleTimeout: 0.05, spinDuration: .microseconds(50))
        let counts = JobCounts()
        for burst in 0..<4 {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<250 {
                            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                                pool.submit(.call {
                                    if !IOThreadPool.isPoolThread { counts.offPool.add(1, ordering: .relaxed) }
                                    counts.ran.add(1, ordering: .relaxed)
                                    continuation.resume()
                                })
                            }
                        }
                    }
                }
            }
            #expect(counts.ran.load(ordering: .relaxed) == (burst + 1) * 2000)
            // Longer than the idle timeout: the next burst finds parked or exited threads.
            try await Task.sleep(for: .milliseconds(burst.isMultiple(of: 2) ? 100 : 1))
        }
        #expect(counts.offPool.load(ordering: .relaxed) == 0)
    }

    @Test func taskPreferringStoreExecutor_runsOnIOThreads_andAppendsInOrder() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let executor = try #require(fixture.store.preferredTaskExecutor)
        #expect(await onPoolThread() == false)
        #expect(await withTaskExecutorPreference(executor) { await onPoolThread() })
        let batch = try makeBatch(count: 3)
        let firstOffsets = try await withTaskExecutorPreference(executor) {
            var offsets: [Int64] = []
            for _ in 0..<200 {
                offsets.append(try await log.appendAsLeader(batch).firstOffset)
                #expect(await onPoolThread())
            }
            return offsets
        }
        #expect(firstOffsets == (0..<200).map { Int64($0 * 3) })
        #expect(try await log.readValues(from: 0).count == 600)
        #expect(MemoryLogStore().preferredTaskExecutor == nil)
    }

    @Test func openLogs_manyPartitions_opensEach_andFailsOnlyTheBadOne() async throws {
        let fixture = try SegmentedFixture()
        var wanted: [TopicPartition: LogConfig] = [:]
        for number in 0..<40 { wanted[TopicPartition(topic: "many", partition: Int32(number))] = LogConfig() }
        let bad = TopicPartition(topic: "..", partition: 0)
        wanted[bad] = LogConfig()
        let opened = await fixture.store.openLogs(wanted)
        #expect(opened.count == 41)
        guard case .failure = opened[bad] else {
            Issue.record("a bad topic name must fail")
            return
        }
        for number in 0..<40 {
            let partition = TopicPartition(topic: "many", partition: Int32(number))
            let log = try #require(try opened[partition]?.get())
            // The same log openLog hands out.
            #expect(try await fixture.store.openLog(partition, config: LogConfig()) === log)
            try await log.appendAsLeader(makeBatch(count: Int(number % 3) + 1))
        }
        try await fixture.store.close()
    }

    @Test func openLogs_afterCrash_recoversEveryLog() async throws {
        let fixture = try SegmentedFixture()
        let partitions = (0..<24).map { TopicPartition(topic: "crash", partition: Int32($0)) }
        for (number, partition) in partitions.enumerated() {
            let log = try await fixture.store.openLog(partition, config: LogConfig())
            for _ in 0...number % 4 { try await log.appendAsLeader(makeBatch(count: 2)) }
        }
        // No close: the next store recovers every active segment.
        let restarted = try fixture.restarted()
        let opened = await restarted.openLogs(Dictionary(uniqueKeysWithValues: partitions.map { ($0, LogConfig()) }))
        for (number, partition) in partitions.enumerated() {
            let log = try #require(try opened[partition]?.get())
            #expect(await log.offsets().logEndOffset == Int64((number % 4 + 1) * 2))
        }
        try await restarted.close()
        let clean = try fixture.restarted()
        for (number, partition) in partitions.enumerated() {
            let log = try await clean.openLog(partition, config: LogConfig())
            #expect(try await log.readValues(from: 0).count == (number % 4 + 1) * 2)
        }
        try await clean.close()
    }

    @Test func close_logUnchangedSinceCleanLoad_needsNoSync_anyChangeDoes() async throws {
        let fixture = try SegmentedFixture()
        let first = try #require(try await fixture.store.openLog(testPartition, config: LogConfig()).segmented)
        try await first.appendAsLeader(makeBatch(count: 4))
        try await first.appendAsLeader(makeBatch(count: 4))
        #expect(await !first.closeNeedsNoSync())
        try await fixture.store.close()

        // A clean load that changes nothing: close skips its fsyncs, and the data stays.
        let idle = try fixture.restarted()
        let unchanged = try #require(try await idle.openLog(testPartition, config: LogConfig()).segmented)
        #expect(await unchanged.closeNeedsNoSync())
        _ = try await unchanged.readValues(from: 0)
        #expect(await unchanged.closeNeedsNoSync())
        try await idle.close()

        // An append, and a truncation (which writes no batch), each need the fsyncs again.
        let appending = try fixture.restarted()
        let appended = try #require(try await appending.openLog(testPartition, config: LogConfig()).segmented)
        try await appended.appendAsLeader(makeBatch(count: 1))
        #expect(await !appended.closeNeedsNoSync())
        try await appending.close()
        let truncating = try fixture.restarted()
        let truncated = try #require(try await truncating.openLog(testPartition, config: LogConfig()).segmented)
        #expect(await truncated.closeNeedsNoSync())
        try await truncated.truncate(to: 4)
        #expect(await !truncated.closeNeedsNoSync())
        try await truncating.close()

        let reopened = try fixture.restarted()
        let log = try await reopened.openLog(testPartition, config: LogConfig())
        #expect(await log.offsets().logEndOffset == 4)
        #expect(try await log.readValues(from: 0).count == 4)
        try await reopened.close()

        // After a crash the load itself may have repaired files: close syncs them.
        _ = try await fixture.restarted().openLog(testPartition, config: LogConfig())
        let afterCrash = try fixture.restarted()
        let again = try #require(try await afterCrash.openLog(testPartition, config: LogConfig()).segmented)
        #expect(await !again.closeNeedsNoSync())
        try await afterCrash.close()
    }

    @Test func flushPolicy_unflushedPastWriteBehind_fsyncsInBackground() async throws {
        let fixture = try SegmentedFixture()
        let log = try #require(try await fixture.store.openLog(testPartition, config: LogConfig()).segmented)
        let batch = try makeBatch([TestRecord(key: "k", value: String(repeating: "x", count: 256 * 1024))])
        let appends = Int(SegmentedPartitionLog.writeBehindBytes) / batch.readableBytes + 1
        for _ in 0..<appends { try await log.appendAsLeader(batch) }
        // No flush() call: the round the last append started covers everything before it.
        var durable: UInt64 = 0
        for _ in 0..<500 where durable == 0 {
            durable = await log.durabilityProgress().durable
            if durable == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(durable >= SegmentedPartitionLog.writeBehindBytes)
        #expect(await log.syncRounds() >= 1)
    }

    @Test func read_sequentialFetches_keepWindowAhead_jumpStartsAnew() async throws {
        let fixture = try SegmentedFixture()
        let log = try #require(try await fixture.store.openLog(testPartition, config: LogConfig()).segmented)
        let batch = try makeBatch([TestRecord(key: "k", value: String(repeating: "r", count: 64 * 1024))])
        // About 13 MiB in one segment: more than the window.
        for _ in 0..<200 { try await log.appendAsLeader(batch) }
        let size = Int64(200 * batch.readableBytes)
        let fetchBytes = 1 << 20
        var offset: Int64 = 0
        var position: Int64 = 0
        while offset < 200 {
            let result = try await log.read(LogReadRequest(fetchOffset: offset, maxBytes: fetchBytes))
            let bytes = result.slices.reduce(0) { $0 + $1.byteCount }
            position += Int64(bytes)
            offset += Int64(bytes / batch.readableBytes)
            let mark = await log.readAheadState()
            #expect(mark.next == position)
            // Asked for at least half a window past this fetch, or up to the segment's end.
            #expect(mark.end >= min(size, position + SegmentedPartitionLog.readAheadBytes / 2))
            #expect(mark.end <= size)
        }
        // Another consumer from the start: a new window there.
        _ = try await log.read(LogReadRequest(fetchOffset: 0, maxBytes: fetchBytes))
        let restarted = await log.readAheadState()
        #expect(restarted.next < Int64(fetchBytes) + Int64(batch.readableBytes))
        #expect(restarted.end == min(size, Int64(fetchBytes) + SegmentedPartitionLog.readAheadBytes))
    }
}
