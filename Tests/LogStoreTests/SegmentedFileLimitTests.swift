// Goal: the store never holds more than openFilesMax segment descriptors however many
// partitions it serves, and a read result keeps working after its descriptor is evicted
// from the cache or its log is deleted. Method: open many partitions with a small limit and
// count this process's descriptors that point into the store's directory (other tests run
// in parallel, so the whole /proc/self/fd count would be noise).

import Foundation
import NIOCore
import Testing
@testable import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct SegmentedFileLimitTests {
    /// Descriptors of this process whose target lies under `directory`, except the store's
    /// `.lock`, which is held for as long as the store is open and is no segment file.
    private func descriptors(under directory: String) throws -> Int {
        let resolved = (directory as NSString).resolvingSymlinksInPath
        return try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { name in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name)) ?? ""
            guard !target.hasSuffix("/" + DirectoryLock.fileName) else { return false }
            return target.hasPrefix(resolved + "/") || target.hasPrefix(directory + "/")
        }.count
    }

    @Test func manyPartitions_stayWithinOpenFilesMax() async throws {
        let fixture = try SegmentedFixture(openFilesMax: 64)
        // Three files per partition: 900 in all, fourteen times the limit. (Creating a file
        // costs about a millisecond on this disk, so more partitions only slow the test.)
        var logs: [any PartitionLog] = []
        for number in 0..<300 {
            let log = try await fixture.store.openLog(TopicPartition(topic: "t", partition: Int32(number)), config: LogConfig())
            for _ in 0..<2 { try await log.appendAsLeader(makeBatch(count: 2)) }
            logs.append(log)
        }
        for log in logs {
            #expect(try await log.readValues(from: 0).count == 4)
            _ = try await log.offset(forTimestamp: 0)
        }
        #expect(fixture.store.cachedFileCount <= 64)
        #expect(try descriptors(under: fixture.directory) <= 64)
    }

    @Test func readResult_survivesEviction_andDeletion() async throws {
        let fixture = try SegmentedFixture(openFilesMax: 4)
        let first = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await first.appendAsLeader(makeBatch(count: 3, prefix: "keep"))
        let result = try await first.read(LogReadRequest(fetchOffset: 0, maxBytes: 1 << 20))
        for number in 1...10 {
            let log = try await fixture.store.openLog(TopicPartition(topic: "t", partition: Int32(number)), config: LogConfig())
            try await log.appendAsLeader(makeBatch(count: 1))
        }
        try await fixture.store.deleteLog(testPartition)
        #expect(!FileManager.default.fileExists(atPath: fixture.partitionDirectory()))
        let values = try decodeBatches(result.readAllBytes()).flatMap(\.records).map { $0.value.map { String(buffer: $0) } }
        #expect(values == ["keep-0", "keep-1", "keep-2"])
    }

    @Test func closingALog_releasesItsDescriptors() async throws {
        let fixture = try SegmentedFixture()
        let log = try await fixture.store.openLog(testPartition, config: LogConfig())
        try await log.appendAsLeader(makeBatch(count: 1))
        #expect(try descriptors(under: fixture.directory) > 0)
        try await log.close()
        #expect(try descriptors(under: fixture.directory) == 0)
        #expect(fixture.store.cachedFileCount == 0)
    }
}
