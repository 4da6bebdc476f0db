// Helpers for the segmented store's own tests: a fresh store directory, raw access to the
// files a partition writes, and a way to open a second store over the same directory as a
// restarted broker would after a crash (the earlier stores are abandoned, so no
// clean-shutdown marker is written, and their directory locks dropped, as a dead process's
// would be).

import Foundation
import NIOCore
import Synchronization
@testable import TernLogStore
import TernPrimitives
import TernProtocol

/// A segmented store in a temporary directory, removed when the fixture goes.
final class SegmentedFixture: Sendable {
    let directory: String
    let clock: ManualClock
    let store: SegmentedLogStore
    /// Every store opened over the directory, so a restart can "crash" them all.
    private let opened: Mutex<[SegmentedLogStore]>

    init(openFilesMax: Int = 1024, clock: ManualClock = ManualClock()) throws {
        directory = NSTemporaryDirectory() + "tern-seglog-" + UUID().uuidString
        self.clock = clock
        store = try SegmentedLogStore(directory: directory, clock: clock, openFilesMax: openFilesMax)
        opened = Mutex([store])
    }

    /// A new store over the same directory, as after a restart: the stores opened before
    /// are abandoned as they are (closed or not) and lose their directory locks.
    func restarted(openFilesMax: Int = 1024) throws -> SegmentedLogStore {
        for earlier in opened.withLock({ $0 }) { earlier.releaseLockAsIfCrashed() }
        let store = try SegmentedLogStore(directory: directory, clock: clock, openFilesMax: openFilesMax)
        opened.withLock { $0.append(store) }
        return store
    }

    /// The partition's directory.
    func partitionDirectory(_ partition: TopicPartition = testPartition) -> String {
        directory + "/" + partition.description
    }

    /// The path of a file in the partition's directory.
    func path(_ name: String, _ partition: TopicPartition = testPartition) -> String {
        partitionDirectory(partition) + "/" + name
    }

    /// A file's bytes.
    func bytes(_ name: String, _ partition: TopicPartition = testPartition) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name, partition))))
    }

    /// Replaces a file's bytes.
    func write(_ bytes: [UInt8], to name: String, _ partition: TopicPartition = testPartition) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name, partition)))
    }

    /// The names in the partition's directory, sorted.
    func files(_ partition: TopicPartition = testPartition) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: partitionDirectory(partition)).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Kafka's file name for a segment with this base offset.
func segmentName(_ baseOffset: Int64, _ suffix: String) -> String {
    String(repeating: "0", count: 20 - String(baseOffset).count) + String(baseOffset) + suffix
}

/// Decodes `.index` bytes into (relative offset, position) pairs.
func offsetIndexEntries(_ bytes: [UInt8]) -> [(Int32, Int32)] {
    stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { start in
        (bigEndianInteger(bytes, start, as: Int32.self), bigEndianInteger(bytes, start + 4, as: Int32.self))
    }
}

/// Decodes `.timeindex` bytes into (timestamp, relative offset) pairs.
func timeIndexEntries(_ bytes: [UInt8]) -> [(Int64, Int32)] {
    stride(from: 0, to: bytes.count - bytes.count % 12, by: 12).map { start in
        (bigEndianInteger(bytes, start, as: Int64.self), bigEndianInteger(bytes, start + 8, as: Int32.self))
    }
}

func bigEndianInteger<T: FixedWidthInteger>(_ bytes: [UInt8], _ start: Int, as: T.Type) -> T {
    bytes[start..<(start + MemoryLayout<T>.size)].reduce(T.zero) { ($0 << 8) | T(truncatingIfNeeded: $1) }
}

extension PartitionLog {
    /// The store-internal log behind the protocol, for counters tests inspect.
    var segmented: SegmentedPartitionLog? { self as? SegmentedPartitionLog }
}

/// Runs `body` in a task of its own and returns whether it finished within `limit`. A body
/// that hangs is left behind rather than awaited, so a hang fails the test that asked
/// instead of stalling the whole run.
func finishes(within limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws -> Bool {
    let waiter = Mutex<CheckedContinuation<Bool, any Error>?>(nil)
    let settle = { @Sendable (outcome: Result<Bool, any Error>) in
        waiter.withLock { $0.take() }?.resume(with: outcome)
    }
    return try await withCheckedThrowingContinuation { continuation in
        waiter.withLock { $0 = continuation }
        Task {
            do {
                try await body()
                settle(.success(true))
            } catch {
                settle(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: limit)
            settle(.success(false))
        }
    }
}
