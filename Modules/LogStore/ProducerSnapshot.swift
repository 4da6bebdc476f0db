/// A partition's producer-state snapshot as the log store keeps it: bytes the broker encoded,
/// opaque to the store, and the offset they cover.
///
/// The broker's producer-state table (sequence numbers, epochs, the last few batches of each
/// idempotent producer) is rebuilt on restart from the newest snapshot plus the batches after
/// its offset, as Kafka rebuilds it from its `<offset>.snapshot` files. The store's part is to
/// keep the bytes, write them atomically, and forget them once truncation removes batches
/// they describe.
public struct ProducerSnapshot: Hashable, Sendable {
    /// The snapshot describes the producers' state after every batch below this offset.
    public var offset: Int64
    /// The broker's encoding of that state.
    public var bytes: [UInt8]

    /// A snapshot covering the batches below `offset`.
    public init(offset: Int64, bytes: [UInt8]) {
        self.offset = offset
        self.bytes = bytes
    }

    /// The largest snapshot a store accepts or reads back; a bigger file is damaged.
    public static let bytesMax = 64 << 20
}
