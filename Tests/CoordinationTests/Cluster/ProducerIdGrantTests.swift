// Goal: producer id blocks are never granted twice, across sessions and restarts.
// Method: grant blocks through embedded clients over a metadata file in a temp directory,
// restart the service over the same file, and compare the ranges.

import Foundation
import Testing
import TernCoordination
import TernPrimitives

@Suite struct ProducerIdGrantTests {
    @Test func allocate_acrossSessionsAndRestart_neverOverlaps() async throws {
        let directory = NSTemporaryDirectory() + "tern-pid-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var random = SeededRandom(seed: 5)
        let first = try EmbeddedCoordination.open(dataDirectory: directory, random: &random)
        let a = try await first.allocateProducerIds(count: 1000)
        let b = try await EmbeddedCoordination.service(dataDirectory: directory + "-other", random: &random).client()
            .allocateProducerIds(count: 10)
        #expect(a == 0...999 && b == 0...9)
        let c = try await first.allocateProducerIds(count: 1000)
        #expect(c == 1000...1999)
        await first.close()
        let restarted = try EmbeddedCoordination.open(dataDirectory: directory, random: &random)
        #expect(try await restarted.allocateProducerIds(count: 5) == 2000...2004)
        await #expect(throws: CoordinationError.self) { _ = try await restarted.allocateProducerIds(count: 0) }
        try? FileManager.default.removeItem(atPath: directory + "-other")
    }
}
