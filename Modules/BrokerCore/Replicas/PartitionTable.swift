import Synchronization
import TernPrimitives

/// The replica manager's table of hosted partitions, readable without entering the actor.
final class PartitionTable: Sendable {
    // The mutex guards the dictionary; readers copy a reference out and release at once.
    private let partitions = Mutex<[TopicPartition: HostedPartition]>([:])

    init() {}

    func get(_ partition: TopicPartition) -> HostedPartition? {
        partitions.withLock { $0[partition] }
    }

    func replace(with table: [TopicPartition: HostedPartition]) {
        partitions.withLock { $0 = table }
    }
}
