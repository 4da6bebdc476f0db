public import TernPrimitives
import Synchronization
import TernCoordination
public import TernTransactionCoordinator

/// Appends transaction markers to the partitions this broker leads, and tells the parts of
/// the broker that care (the group coordinator, for transactional offset commits in
/// `__consumer_offsets`) that a marker was written.
///
/// Both ways a marker arrives go through here: a WriteTxnMarkers request from a transaction
/// coordinator on another broker, and the coordinator on this broker writing locally.
public final class TransactionMarkerWriter: Sendable {
    /// What an observer hears: the partition, the producer and how its transaction ended.
    public typealias Observer = @Sendable (TopicPartition, Int64, TransactionResult) async -> Void

    private let replicas: ReplicaManager
    private let metadata: MetadataCache
    // Guarded by the mutex; observers are added at assembly, before any marker is written.
    private let observers = Mutex<[Observer]>([])

    /// A writer over the replicas this broker hosts.
    public init(replicas: ReplicaManager, metadata: MetadataCache) {
        self.replicas = replicas
        self.metadata = metadata
    }

    /// Adds an observer of written markers.
    public func observe(_ observer: @escaping Observer) {
        observers.withLock { $0.append(observer) }
    }

    /// Appends the marker to `partition` as its leader; returns the marker's offset. Throws
    /// UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, or the producer-state refusal
    /// (a stale producer or coordinator epoch).
    @discardableResult
    public func write(_ partition: TopicPartition, producerId: Int64, producerEpoch: Int16, coordinatorEpoch: Int32,
                      result: TransactionResult) async throws(PartitionError) -> Int64 {
        guard let replica = replicas.partition(partition) else {
            if metadata.current.assignment(of: partition) == nil { throw .unknownTopicOrPartition(partition) }
            throw .notLeaderOrFollower(partition)
        }
        let offset = try await replica.writeTransactionMarker(
            producerId: producerId, producerEpoch: producerEpoch, coordinatorEpoch: coordinatorEpoch, result: result)
        for observer in observers.withLock({ $0 }) {
            await observer(partition, producerId, result)
        }
        return offset
    }
}
