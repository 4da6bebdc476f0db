// Goal: the segmented store's small internal parts keep their invariants on their own: the
// descriptor cache evicts least-recently-used first and never closes a handle still in use,
// and a segment's record of CRC-checked bytes only ever covers bytes that were checked.
// Method: drive each part directly with real files and hand-picked sequences.

import Foundation
import NIOCore
import Testing
@testable import TernLogStore

@Suite struct SegmentedInternalsTests {
    @Test func descriptorCache_evictsLeastRecentlyUsed_keepingHandlesInUseOpen() throws {
        let directory = NSTemporaryDirectory() + "tern-fdcache-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = (0..<3).map { "\(directory)/f\($0)" }
        for path in paths { FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])) }
        let cache = FileDescriptorCache(capacity: 2)
        let keys = (0..<3).map { SegmentFileKey(segmentID: UInt64($0), kind: .log) }

        let first = try cache.handle(keys[0], path: paths[0])
        _ = try cache.handle(keys[1], path: paths[1])
        #expect(try cache.handle(keys[0], path: paths[0]) === first)
        _ = try cache.handle(keys[2], path: paths[2])
        // Key 1 was least recently used, so it went; key 0 is still the same handle.
        #expect(cache.count == 2 && cache.opensTotal == 3)
        #expect(try cache.handle(keys[0], path: paths[0]) === first)
        _ = try cache.handle(keys[1], path: paths[1])
        #expect(cache.opensTotal == 4)
        // Evicted while held: the descriptor stays usable until the holder lets go.
        cache.evict(segmentID: 0)
        #expect(cache.count == 1)
        #expect(fcntl(first.descriptor, F_GETFD) != -1)
        let slice = FileSlice(file: first, offset: 1, length: 2)
        #expect(Array(try slice.readBytes().readableBytesView) == [2, 3])
    }

    @Test func segment_verifiedRanges_coverOnlyCheckedBytes() {
        let segment = DiskSegment(id: 1, baseOffset: 0, directory: "/nonexistent")
        segment.size = 100
        // Loaded from disk: nothing checked. A read checks [40, 60): not a prefix, not kept.
        segment.noteVerified(at: 40, upTo: 60)
        #expect(segment.verifiedBytes == 0 && segment.uncheckedEnd == 100)
        // An append at 100 is checked on the way in and starts the checked tail.
        segment.size = 120
        segment.noteVerified(at: 100, upTo: 120)
        #expect(segment.verifiedBytes == 0 && segment.uncheckedEnd == 100)
        segment.size = 130
        segment.noteVerified(at: 120, upTo: 130)
        #expect(segment.uncheckedEnd == 100)
        // A read checking [80, 100) reaches the tail, which moves down to 80.
        segment.noteVerified(at: 80, upTo: 100)
        #expect(segment.uncheckedEnd == 80 && segment.verifiedBytes == 0)
        // The prefix grows to meet the tail, and then everything is checked.
        segment.noteVerified(at: 0, upTo: 50)
        #expect(segment.verifiedBytes == 50)
        segment.noteVerified(at: 50, upTo: 80)
        #expect(segment.verifiedBytes == 130 && segment.verifiedTailStart == nil)
    }
}
