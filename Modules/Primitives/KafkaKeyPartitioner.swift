/// Where Kafka puts a key in an internal topic: `abs(key.hashCode) % count`, with Java's
/// `String.hashCode` and Kafka's `Utils.abs` (which maps Int.min to 0). Group ids go to
/// `__consumer_offsets` and transactional ids to `__transaction_state` this way, so each lands
/// on the partition a Kafka broker would choose.
public enum KafkaKeyPartitioner {
    /// The partition of `key` among `partitionCount` partitions.
    public static func partition(for key: String, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "an internal topic has at least one partition")
        var hash: Int32 = 0
        for unit in key.utf16 { hash = hash &* 31 &+ Int32(unit) }
        let positive = hash == .min ? 0 : abs(hash)
        return positive % partitionCount
    }
}
