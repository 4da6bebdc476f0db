// Goal: appends are fsynced exactly as the durability config asks, concurrent durable
// appends share fsyncs (group commit), and the log's code runs on the store's I/O threads,
// never on Swift's cooperative pool. Method: count fsync rounds through the store's
// internal counter while driving appends sequentially, concurrently, and with a manual clock.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

extension SegmentedPartitionLog {
    /// Whether the actor's code runs on one of the store's I/O threads.
    func runsOnIOThread() -> Bool { IOThreadPool.isPoolThread }
}

@Suite struct SegmentedDurabilityTests {
    @Test func fsyncBeforeAcknowledge_concurrentAppends_shareFsyncs() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.durability = .fsyncBeforeAcknowledge
        config.segmentBytes = 64 * 1024
        let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
        let batch = try makeBatch(count: 1)
        let size = UInt64(batch.readableBytes)
        let appends = 300
        let offsets = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<appends {
                group.addTask {
                    let info = try await log.appendAsLeader(batch)
                    // Acknowledged means an fsync covering this append's bytes has finished.
                    let durable = await log.durabilityProgress().durable
                    #expect(durable >= UInt64(info.lastOffset + 1) * size)
                    return info.firstOffset
                }
            }
            var offsets: [Int64] = []
            for try await offset in group { offsets.append(offset) }
            return offsets
        }
        #expect(offsets.sorted() == (0..<Int64(appends)).map { $0 })
        let rounds = await log.syncRounds()
        #expect(rounds >= 1 && rounds < appends)
        let progress = await log.durabilityProgress()
        #expect(progress.durable == progress.appended)
    }

    /// Steady appenders, each waiting for its fsync before its next append (producers with
    /// one request in flight): the appenders a round covers come back while the next round
    /// is about to start, and must be able to join it. Before rounds gathered them, the
    /// first to return started a round alone and a round covered about one append.
    @Test func fsyncBeforeAcknowledge_steadyAppenders_joinTheNextRound() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.durability = .fsyncBeforeAcknowledge
        let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
        let batch = try makeBatch(count: 1)
        let appenders = 8
        let appendsEach = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<appenders {
                group.addTask(executorPreference: fixture.store.preferredTaskExecutor) {
                    for _ in 0..<appendsEach { _ = try await log.appendAsLeader(batch) }
                }
            }
            try await group.waitForAll()
        }
        let rounds = await log.syncRounds()
        #expect(rounds * 2 <= appenders * appendsEach, "\(rounds) fsync rounds for \(appenders * appendsEach) appends")
    }

    /// Appenders in tasks that prefer the store's executor: such a task's call into the
    /// log can be queued on the lane behind the end of a round, so whether a round is
    /// running, checked before the append registered as its waiter, could be stale by then,
    /// and the waiter waited for a round nobody started (the benchmark's 8 appenders hung
    /// about one run in four). Bounded: 16 appenders × 100 appends, four times, 30 s each.
    @Test func fsyncBeforeAcknowledge_appendersPreferringTheStoreExecutor_neverWaitForAnEndedRound() async throws {
        var config = LogConfig()
        config.durability = .fsyncBeforeAcknowledge
        let batch = try makeBatch(count: 1)
        for _ in 0..<4 {
            let fixture = try SegmentedFixture()
            let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
            let executor = fixture.store.preferredTaskExecutor
            let finished = try await finishes(within: .seconds(30)) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask(executorPreference: executor) {
                            for _ in 0..<100 { _ = try await log.appendAsLeader(batch) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let progress = await log.durabilityProgress()
            #expect(finished, "appends stalled with \(progress.appended) bytes appended, \(progress.durable) durable")
            guard finished else { return }
        }
    }

    @Test func flushPolicy_messages_flushesFromTheAppendThatReachesTheCount() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.durability = .flushPolicy(messages: 5, interval: nil)
        let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
        for _ in 0..<4 { try await log.appendAsLeader(makeBatch(count: 1)) }
        #expect(await log.syncRounds() == 0)
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(await log.syncRounds() == 1)
        try await log.appendAsLeader(makeBatch(count: 3))
        #expect(await log.syncRounds() == 1)
        try await log.appendAsLeader(makeBatch(count: 2))
        #expect(await log.syncRounds() == 2)
    }

    @Test func flushPolicy_interval_isDrivenByFlushDueLogs() async throws {
        let fixture = try SegmentedFixture()
        var config = LogConfig()
        config.durability = .flushPolicy(messages: nil, interval: .seconds(1))
        let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
        try await log.appendAsLeader(makeBatch(count: 1))
        await fixture.store.flushDueLogs()
        #expect(await log.syncRounds() == 0)
        fixture.clock.advance(by: .seconds(1))
        await fixture.store.flushDueLogs()
        #expect(await log.syncRounds() == 1)
        fixture.clock.advance(by: .seconds(5))
        await fixture.store.flushDueLogs()
        // Nothing new was appended, so there is nothing to flush.
        #expect(await log.syncRounds() == 1)
    }

    @Test func flushPolicy_default_fsyncsOnlyOnFlush_withoutRolls() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 1)
        let log = try #require(try await fixture.store.openLog(testPartition, config: LogConfig()).segmented)
        for _ in 0..<20 { try await log.appendAsLeader(batch) }
        #expect(await log.syncRounds() == 0)
        try await log.flush()
        #expect(await log.syncRounds() == 1)
        let progress = await log.durabilityProgress()
        #expect(progress.durable == progress.appended && progress.appended == UInt64(20 * batch.readableBytes))
        try await log.flush()
        #expect(await log.syncRounds() == 1)
    }

    @Test func roll_syncsTheSealedSegmentInTheBackground() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 1)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 2
        let log = try #require(try await fixture.store.openLog(testPartition, config: config).segmented)
        for _ in 0..<2 { try await log.appendAsLeader(batch) }
        #expect(await log.syncRounds() == 0)
        try await log.appendAsLeader(batch)
        let deadline = ContinuousClock.now + .seconds(10)
        while await log.syncRounds() == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(await log.syncRounds() >= 1)
        #expect(await log.durabilityProgress().durable >= UInt64(2 * batch.readableBytes))
    }

    @Test func concurrentReadsAndAppends_alwaysSeeWholeBatches() async throws {
        let fixture = try SegmentedFixture()
        let batch = try makeBatch(count: 3)
        var config = LogConfig()
        config.segmentBytes = batch.readableBytes * 5
        config.indexIntervalBytes = batch.readableBytes
        let log = try await fixture.store.openLog(testPartition, config: config)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<100 { try await log.appendAsLeader(batch) }
            }
            for reader in 0..<4 {
                group.addTask {
                    for round in 0..<50 {
                        let end = await log.offsets().logEndOffset
                        let from = end == 0 ? 0 : Int64((reader * 7 + round * 13) % Int(end))
                        let batches = try await log.readBatches(from: from, maxBytes: batch.readableBytes * 4)
                        #expect(batches.allSatisfy { $0.records.count == 3 && $0.baseOffset % 3 == 0 })
                        #expect(batches.first.map { $0.baseOffset <= from && from < $0.baseOffset + 3 } ?? (from == end))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await log.readValues(from: 0).count == 300)
    }

    @Test func partitionLog_runsOnTheStoresIOThreads() async throws {
        let fixture = try SegmentedFixture()
        let log = try #require(try await fixture.store.openLog(testPartition, config: LogConfig()).segmented)
        #expect(await log.runsOnIOThread())
        #expect(!IOThreadPool.isPoolThread)
    }

    @Test func failedLog_staysOffline_otherLogsWork() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        let other = try await fixture.store.openLog(TopicPartition(topic: "other", partition: 0), config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 1))
        // Replace the partition directory with a file: every later file operation fails.
        try FileManager.default.removeItem(atPath: fixture.partitionDirectory())
        try Data().write(to: URL(fileURLWithPath: fixture.partitionDirectory()))
        await #expect(throws: LogStoreError.self) { try await log.truncateFully(startingAt: 10) }
        await #expect(throws: LogStoreError.self) { try await log.appendAsLeader(makeBatch(count: 1)) }
        try await other.appendAsLeader(makeBatch(count: 1))
        #expect(try await other.readValues(from: 0).count == 1)
    }
}
