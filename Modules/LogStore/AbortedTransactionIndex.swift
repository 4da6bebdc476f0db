// The aborted-transaction index of one partition: what Kafka keeps in its `.txnindex` files,
// here one list per partition. A read_committed Fetch returns the entries whose offset range
// meets the fetched range, so the consumer can drop those producers' records.
//
// Entries arrive in the order the abort markers were appended, so `lastOffset` only grows; an
// entry at or below the last one is a replay of an abort already recorded (the broker
// re-adds the aborts it meets while replaying the log after a restart, in case the index lost
// its tail) and is ignored. The file form is Kafka's entry layout, big-endian, one after
// another: version int16 (0), producerId int64, firstOffset int64, lastOffset int64,
// lastStableOffset int64. A torn last entry is dropped on load.

public import NIOCore

/// One aborted transaction in a partition.
public struct AbortedTransaction: Hashable, Sendable {
    /// The producer whose transaction was aborted.
    public var producerId: Int64
    /// The offset of the transaction's first record in the partition.
    public var firstOffset: Int64
    /// The offset of the abort marker.
    public var lastOffset: Int64
    /// The last stable offset once the abort completed.
    public var lastStableOffset: Int64

    /// An entry.
    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64, lastStableOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.lastStableOffset = lastStableOffset
    }
}

/// The aborted transactions of one partition, oldest abort first.
public struct AbortedTransactionIndex: Hashable, Sendable {
    /// Bytes of one entry in the file form.
    public static let entrySize = 34

    /// The entries, by ascending `lastOffset`.
    public private(set) var entries: [AbortedTransaction] = []

    /// An empty index.
    public init() {}

    /// Adds `transaction` unless an abort at or after its marker is already recorded;
    /// returns whether it was added.
    @discardableResult
    public mutating func append(_ transaction: AbortedTransaction) -> Bool {
        if let last = entries.last, transaction.lastOffset <= last.lastOffset { return false }
        entries.append(transaction)
        return true
    }

    /// The entries whose range [firstOffset, lastOffset] meets [startOffset, upperBound).
    public func overlapping(from startOffset: Int64, upTo upperBound: Int64) -> [AbortedTransaction] {
        // Entries end in ascending order; skip those ending before the start by bisection.
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].lastOffset < startOffset { low = middle + 1 } else { high = middle }
        }
        return entries[low...].filter { $0.firstOffset < upperBound }
    }

    /// Drops the entries whose marker lies at or after `offset` (the log was truncated there);
    /// returns how many remain.
    @discardableResult
    public mutating func truncate(from offset: Int64) -> Int {
        entries.removeAll { $0.lastOffset >= offset }
        return entries.count
    }

    /// Drops the entries wholly below `offset` (the log start moved past them).
    public mutating func removeBefore(_ offset: Int64) {
        entries.removeAll { $0.lastOffset < offset }
    }

    /// The file form of `transaction`.
    public static func encode(_ transaction: AbortedTransaction, into buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(0))
        buffer.writeInteger(transaction.producerId)
        buffer.writeInteger(transaction.firstOffset)
        buffer.writeInteger(transaction.lastOffset)
        buffer.writeInteger(transaction.lastStableOffset)
    }

    /// The file form of every entry.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(entries.count * Self.entrySize)
        for entry in entries { Self.encode(entry, into: &buffer) }
        return buffer
    }

    /// Decodes the file form; a torn last entry and anything after an entry of an unknown
    /// version or out of order is ignored (the index is rebuilt from the log from there).
    public init(decoding bytes: ByteBuffer) {
        var buffer = bytes
        while buffer.readableBytes >= Self.entrySize {
            guard let version = buffer.readInteger(as: Int16.self), version == 0,
                  let producerId = buffer.readInteger(as: Int64.self), let firstOffset = buffer.readInteger(as: Int64.self),
                  let lastOffset = buffer.readInteger(as: Int64.self), let lastStableOffset = buffer.readInteger(as: Int64.self),
                  append(AbortedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: lastOffset,
                                            lastStableOffset: lastStableOffset))
            else { break }
        }
    }
}
