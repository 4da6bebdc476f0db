// The snapshot encoding of a producer-state table, written at clean close and periodically,
// and read back when a partition is hosted again. Our own format (Kafka's `.snapshot` files
// use a schema of theirs; nothing needs to read ours but us), big-endian:
//
//     magic        4 bytes  "TPST"
//     version      uint16   2 (1 is still read: it has no coordinator epoch or transaction)
//     crc          uint32   CRC-32C of every byte after this field
//     offset       int64    the state covers the batches below this offset
//     lastAbort    int64    the last abort marker's offset, -1 for none (version 2)
//     producers    uint32   count, then per producer, in ascending producer id:
//       producerId    int64
//       epoch         int16
//       lastTimestamp int64
//       coordinatorEpoch int32     (version 2)
//       currentTransactionFirstOffset int64, -1 when none is open (version 2)
//       batches       uint8    count (≤ 5), then per batch, oldest first:
//         firstSequence int32, lastSequence int32, firstOffset int64, lastOffset int64,
//         maxTimestamp int64
//
// A snapshot that fails any check is refused as a whole; the caller rebuilds the state from
// the log instead, which is slower but never wrong.

import NIOCore
public import TernPrimitives
import TernProtocol

/// Why snapshot bytes could not be decoded.
public enum ProducerSnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes end before the structure does.
    case truncated
    /// The magic or version is not one this code writes.
    case unknownFormat
    /// The checksum does not match the bytes.
    case checksumMismatch
    /// The bytes decode but describe something impossible.
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated: "the producer snapshot is truncated"
        case .unknownFormat: "the producer snapshot has an unknown magic or version"
        case .checksumMismatch: "the producer snapshot's checksum does not match"
        case .invalid(let reason): "the producer snapshot is invalid: \(reason)"
        }
    }
}

extension ProducerStateTable {
    static let snapshotMagic: [UInt8] = Array("TPST".utf8)
    static let snapshotVersion: UInt16 = 2
    /// Bytes before the checksummed part: magic, version, crc.
    static let snapshotHeaderSize = 10

    /// The table encoded as a snapshot covering the batches below `offset`.
    public func snapshotBytes(upTo offset: Int64) -> [UInt8] {
        var body = ByteBuffer()
        body.reserveCapacity(12 + producers.count * (31 + Self.batchesRetained * 32))
        body.writeInteger(offset)
        body.writeInteger(lastAbortMarkerOffset)
        body.writeInteger(UInt32(producers.count))
        for (producerId, entry) in producers.sorted(by: { $0.key < $1.key }) {
            body.writeInteger(producerId)
            body.writeInteger(entry.epoch)
            body.writeInteger(entry.lastTimestamp)
            body.writeInteger(entry.coordinatorEpoch)
            body.writeInteger(entry.currentTransactionFirstOffset ?? -1)
            body.writeInteger(UInt8(entry.batches.count))
            for batch in entry.batches {
                body.writeInteger(batch.firstSequence)
                body.writeInteger(batch.lastSequence)
                body.writeInteger(batch.firstOffset)
                body.writeInteger(batch.lastOffset)
                body.writeInteger(batch.maxTimestamp)
            }
        }
        var out = ByteBuffer()
        out.writeBytes(Self.snapshotMagic)
        out.writeInteger(Self.snapshotVersion)
        out.writeInteger(CRC32C.checksum(body))
        out.writeBuffer(&body)
        return Array(out.readableBytesView)
    }

    /// Decodes a snapshot, checking it covers the batches below `offset` (as the store
    /// recorded it).
    public init(snapshot bytes: [UInt8], offset: Int64, producersMax: Int = Limits.producersPerPartitionMax) throws(ProducerSnapshotError) {
        self.init(producersMax: producersMax)
        var buffer = ByteBuffer(bytes: bytes)
        guard let magic = buffer.readBytes(length: 4), let version = buffer.readInteger(as: UInt16.self),
              let crc = buffer.readInteger(as: UInt32.self)
        else { throw .truncated }
        guard magic == Self.snapshotMagic, version == 1 || version == Self.snapshotVersion else { throw .unknownFormat }
        guard CRC32C.checksum(buffer) == crc else { throw .checksumMismatch }
        guard let covered = buffer.readInteger(as: Int64.self) else { throw .truncated }
        if version >= 2 {
            guard let lastAbort = buffer.readInteger(as: Int64.self) else { throw .truncated }
            lastAbortMarkerOffset = lastAbort
        }
        guard let count = buffer.readInteger(as: UInt32.self) else { throw .truncated }
        guard covered == offset else { throw .invalid("it covers offset \(covered), stored as \(offset)") }
        // Each producer takes at least 19 bytes (31 in version 2), so a count the bytes cannot
        // hold is refused before anything is allocated for it.
        guard Int(count) <= buffer.readableBytes / (version == 1 ? 19 : 31) else { throw .truncated }
        for _ in 0..<count {
            let (producerId, entry) = try Self.readEntry(from: &buffer, version: version)
            guard producers[producerId] == nil else { throw .invalid("producer \(producerId) appears twice") }
            producers[producerId] = entry
        }
        guard buffer.readableBytes == 0 else { throw .invalid("\(buffer.readableBytes) bytes follow the last producer") }
    }

    private static func readEntry(from buffer: inout ByteBuffer, version: UInt16) throws(ProducerSnapshotError) -> (Int64, Entry) {
        guard let producerId = buffer.readInteger(as: Int64.self), let epoch = buffer.readInteger(as: Int16.self),
              let lastTimestamp = buffer.readInteger(as: Int64.self)
        else { throw .truncated }
        var coordinatorEpoch: Int32 = -1
        var transactionFirstOffset: Int64 = -1
        if version >= 2 {
            guard let readEpoch = buffer.readInteger(as: Int32.self), let readOffset = buffer.readInteger(as: Int64.self) else { throw .truncated }
            coordinatorEpoch = readEpoch
            transactionFirstOffset = readOffset
        }
        guard let batchCount = buffer.readInteger(as: UInt8.self) else { throw .truncated }
        guard producerId >= 0, epoch >= 0 else { throw .invalid("producer \(producerId) epoch \(epoch)") }
        guard Int(batchCount) <= batchesRetained else { throw .invalid("producer \(producerId) has \(batchCount) batches") }
        var batches: [BatchMetadata] = []
        for _ in 0..<batchCount {
            guard let firstSequence = buffer.readInteger(as: Int32.self), let lastSequence = buffer.readInteger(as: Int32.self),
                  let firstOffset = buffer.readInteger(as: Int64.self), let lastOffset = buffer.readInteger(as: Int64.self),
                  let maxTimestamp = buffer.readInteger(as: Int64.self)
            else { throw .truncated }
            batches.append(BatchMetadata(firstSequence: firstSequence, lastSequence: lastSequence,
                                         firstOffset: firstOffset, lastOffset: lastOffset, maxTimestamp: maxTimestamp))
        }
        guard transactionFirstOffset >= -1 else { throw .invalid("producer \(producerId) transaction at \(transactionFirstOffset)") }
        return (producerId, Entry(epoch: epoch, batches: batches, lastTimestamp: lastTimestamp, coordinatorEpoch: coordinatorEpoch,
                                  currentTransactionFirstOffset: transactionFirstOffset < 0 ? nil : transactionFirstOffset))
    }
}
