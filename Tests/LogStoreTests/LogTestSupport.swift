// Shared helpers for the log store tests: stores of each kind in a fresh place, and batches
// built with the Protocol module's encoder.

import Foundation
import NIOCore
import TernCompression
import TernLogStore
import TernPrimitives
import TernProtocol

/// Which store a contract test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case segmented

    var description: String { rawValue }

    /// Whether data outlives the store object (a new store on the same place sees it).
    var isDurable: Bool { self == .segmented }
}

/// A store of one kind, plus what it takes to open another store over the same data.
final class StoreHarness: Sendable {
    let kind: StoreKind
    let directory: String
    let clock: ManualClock
    let store: any LogStore

    init(_ kind: StoreKind, clock: ManualClock = ManualClock()) throws {
        self.kind = kind
        self.clock = clock
        directory = NSTemporaryDirectory() + "tern-logtest-" + UUID().uuidString
        store = try Self.makeStore(kind, directory: directory, clock: clock)
    }

    static func makeStore(_ kind: StoreKind, directory: String, clock: ManualClock) throws -> any LogStore {
        switch kind {
        case .memory: MemoryLogStore(clock: clock)
        case .segmented: try SegmentedLogStore(directory: directory, clock: clock)
        }
    }

    /// A new store over the same directory (durable kinds only).
    func reopened() throws -> any LogStore {
        precondition(kind.isDurable, "only durable stores can be reopened")
        return try Self.makeStore(kind, directory: directory, clock: clock)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A record to put in a test batch.
struct TestRecord: Hashable {
    var key: String?
    var value: String?
    var timestampDelta: Int64 = 0
}

/// Builds one v2 batch (offsets from 0, as a producer sends it).
func makeBatch(
    _ records: [TestRecord], baseTimestamp: Int64 = 1_700_000_000_000,
    compression: CompressionType = .none
) throws -> ByteBuffer {
    let encoded = records.enumerated().map { index, record in
        Record(
            timestampDelta: record.timestampDelta, offsetDelta: Int32(index),
            key: record.key.map { ByteBuffer(string: $0) }, value: record.value.map { ByteBuffer(string: $0) }
        )
    }
    let maxDelta = records.map(\.timestampDelta).max() ?? 0
    let batch = RecordBatch(baseTimestamp: baseTimestamp, maxTimestamp: baseTimestamp + maxDelta, records: encoded)
    var buffer = ByteBuffer()
    let codecs = CompressionCodecs()
    try batch.encode(into: &buffer, compression: compression) { bytes in
        try codecs.codec(for: compression).compress(bytes)
    }
    return buffer
}

/// A batch of `count` records with values `"\(prefix)-\(i)"` and keys `"k\(i)"`.
func makeBatch(count: Int, prefix: String = "v", baseTimestamp: Int64 = 1_700_000_000_000) throws -> ByteBuffer {
    try makeBatch((0..<count).map { TestRecord(key: "k\($0)", value: "\(prefix)-\($0)") }, baseTimestamp: baseTimestamp)
}

extension PartitionLog {
    /// Appends as leader at epoch 0 with CreateTime.
    @discardableResult
    func appendAsLeader(_ batch: ByteBuffer, epoch: Int32 = 0, logAppendTime: Int64? = nil) async throws -> LogAppendInfo {
        try await append(LogAppend(batches: batch, origin: .leader(epoch: epoch, logAppendTime: logAppendTime)))
    }

    /// Every batch from `offset` up to the log end, decoded.
    func readBatches(from offset: Int64, maxBytes: Int = 64 << 20, maxOffset: Int64? = nil) async throws -> [RecordBatch] {
        let result = try await read(LogReadRequest(fetchOffset: offset, maxBytes: maxBytes, maxOffset: maxOffset))
        return try decodeBatches(result.readAllBytes())
    }

    /// The (offset, value) of every record from `offset`.
    func readValues(from offset: Int64) async throws -> [(Int64, String?)] {
        try await readBatches(from: offset).flatMap { batch in
            batch.records.map { record in
                (batch.baseOffset + Int64(record.offsetDelta), record.value.map { String(buffer: $0) })
            }
        }
    }
}

/// Decodes back-to-back batches, decompressing with the real codecs.
func decodeBatches(_ bytes: ByteBuffer) throws -> [RecordBatch] {
    try RecordBatchSplitter.entries(in: bytes).map { entry in
        guard case let .batch(view) = entry else { throw DecodeError.invalidValue("not a v2 batch") }
        return try RecordBatch(view: view) { codec, compressed in
            try CompressionCodecs().codec(for: codec).decompress(compressed, limit: 64 << 20)
        }
    }
}

let testPartition = TopicPartition(topic: "orders", partition: 0)
