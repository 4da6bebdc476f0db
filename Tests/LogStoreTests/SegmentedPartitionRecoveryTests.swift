// Goal: crash recovery is owed per partition, not per store. A partition left unrecovered by
// a crash stays owed recovery through any number of later runs that do not open it, even
// when those runs shut down cleanly; a partition recovered (or created) in a run is clean
// after that run's clean shutdown. Method: two partitions appended in a run that is then
// abandoned (a crash); damage a batch's payload in one (only a CRC scan notices); a second
// run opens only the other partition and closes cleanly; a third run opens the damaged one
// and must find the damage cut by recovery.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedPartitionRecoveryTests {
    private let other = TopicPartition(topic: "other", partition: 3)

    /// Flips a payload bit of the last of three one-record batches of `partition`.
    private func damageLastBatch(_ fixture: SegmentedFixture, _ partition: TopicPartition) throws {
        let size = try makeBatch(count: 1).readableBytes
        var bytes = try fixture.bytes(segmentName(0, ".log"), partition)
        #expect(bytes.count == 3 * size)
        bytes[3 * size - 2] ^= 0x01
        try fixture.write(bytes, to: segmentName(0, ".log"), partition)
    }

    @Test func partitionNotOpenedAfterACrash_isStillRecovered_afterALaterCleanShutdown() async throws {
        let fixture = try SegmentedFixture()
        for partition in [testPartition, other] {
            let log = try await fixture.store.openLog(partition, config: LogConfig())
            for _ in 0..<3 { try await log.appendAsLeader(makeBatch(count: 1)) }
        }
        try damageLastBatch(fixture, testPartition)

        // A run that opens only the other partition and shuts down cleanly.
        let second = try fixture.restarted()
        let opened = try await second.openLog(other, config: LogConfig())
        #expect(await opened.offsets().logEndOffset == 3)
        try await second.close()

        let third = try fixture.restarted()
        let recovered = try await third.openLog(testPartition, config: LogConfig())
        #expect(await recovered.offsets().logEndOffset == 2)
        #expect(try await recovered.readValues(from: 0).map(\.0) == [0, 1])
        try await third.close()

        // Recovered once, the partition is clean: the next clean run loads it without a scan.
        let fourth = try fixture.restarted()
        #expect(try await fourth.openLog(testPartition, config: LogConfig()).offsets().logEndOffset == 2)
        #expect(try await fourth.openLog(other, config: LogConfig()).offsets().logEndOffset == 3)
    }

    @Test func crashDuringARunThatRecoversNothing_keepsEveryPartitionOwed() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        for _ in 0..<3 { try await log.appendAsLeader(makeBatch(count: 1)) }
        try damageLastBatch(fixture, testPartition)

        // Two more runs: one crashes, one closes cleanly; neither opens the partition.
        _ = try await fixture.restarted().openLog(other, config: LogConfig())
        try await fixture.restarted().close()

        let last = try fixture.restarted()
        #expect(try await last.openLog(testPartition, config: LogConfig()).offsets().logEndOffset == 2)
    }

    @Test func partitionDeletedWhileOwedRecovery_andCreatedAgain_startsEmpty() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        for _ in 0..<3 { try await log.appendAsLeader(makeBatch(count: 1)) }

        let second = try fixture.restarted()
        try await second.deleteLog(testPartition)
        let fresh = try await second.openLog(testPartition, config: LogConfig())
        try await fresh.appendAsLeader(makeBatch(count: 1))
        try await second.close()

        let third = try fixture.restarted()
        #expect(try await third.openLog(testPartition, config: LogConfig()).offsets().logEndOffset == 1)
    }
}
