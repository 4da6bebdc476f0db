// ReplicaManager opening logs: the partitions a metadata snapshot newly assigns here are opened
// through the store's batch `openLogs` (which a durable store runs several at a time), and a
// partition whose log fails to open is left out without keeping the others from being hosted.
// Method: a store wrapping a MemoryLogStore records every open call and fails the partitions
// it is told to.

import Logging
import Synchronization
import Testing
import TernBrokerCore
import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct ReplicaManagerTests {
    @Test func apply_newTopic_opensItsLogsInOneBatch() async throws {
        let store = RecordingLogStore(failing: [])
        let replicas = ReplicaManager(nodeId: 1, logStore: store, logger: Logger(label: "test")) { _, _ in TopicSettings() }
        await replicas.apply(Self.cluster(topic: "orders", partitions: 4, version: 1))
        #expect(store.calls == [.batch(4)])
        for index in 0..<4 {
            #expect(replicas.partition(TopicPartition(topic: "orders", partition: Int32(index))) != nil)
        }
        // A later snapshot with nothing new opens nothing.
        await replicas.apply(Self.cluster(topic: "orders", partitions: 4, version: 2))
        #expect(store.calls == [.batch(4)])
    }

    @Test func apply_oneLogFailsToOpen_theOthersAreHosted() async throws {
        let broken = TopicPartition(topic: "orders", partition: 2)
        let store = RecordingLogStore(failing: [broken])
        let replicas = ReplicaManager(nodeId: 1, logStore: store, logger: Logger(label: "test")) { _, _ in TopicSettings() }
        await replicas.apply(Self.cluster(topic: "orders", partitions: 3, version: 1))
        #expect(replicas.partition(broken) == nil)
        #expect(replicas.partition(TopicPartition(topic: "orders", partition: 0)) != nil)
        #expect(replicas.partition(TopicPartition(topic: "orders", partition: 1)) != nil)
    }

    static func cluster(topic: String, partitions: Int, version: Int64) -> ClusterMetadata {
        var cluster = ClusterMetadata(clusterId: "test-cluster", controllerId: 1,
                                      brokers: [1: BrokerRegistration(id: 1, host: "127.0.0.1", port: 9092)], version: version)
        cluster.topics[topic] = TopicMetadata(
            name: topic, id: KafkaUUID(high: 7, low: 7),
            partitions: (0..<partitions).map { _ in PartitionAssignment(replicas: [1], leader: 1, inSyncReplicas: [1]) })
        return cluster
    }
}

/// A memory store that records how logs are opened and fails the partitions in `failing`.
final class RecordingLogStore: LogStore {
    enum Call: Equatable, Sendable {
        case single(TopicPartition)
        case batch(Int)
    }

    private let inner = MemoryLogStore()
    private let failing: Set<TopicPartition>
    // The mutex guards the calls recorded so far.
    private let recorded = Mutex<[Call]>([])

    init(failing: Set<TopicPartition>) {
        self.failing = failing
    }

    var calls: [Call] {
        recorded.withLock { $0 }
    }

    func openLog(_ partition: TopicPartition, config: LogConfig) async throws(LogStoreError) -> any PartitionLog {
        recorded.withLock { $0.append(.single(partition)) }
        return try await open(partition, config: config)
    }

    func openLogs(_ partitions: [TopicPartition: LogConfig]) async -> [TopicPartition: Result<any PartitionLog, LogStoreError>] {
        recorded.withLock { $0.append(.batch(partitions.count)) }
        var logs: [TopicPartition: Result<any PartitionLog, LogStoreError>] = [:]
        for (partition, config) in partitions {
            do throws(LogStoreError) {
                logs[partition] = .success(try await open(partition, config: config))
            } catch {
                logs[partition] = .failure(error)
            }
        }
        return logs
    }

    private func open(_ partition: TopicPartition, config: LogConfig) async throws(LogStoreError) -> any PartitionLog {
        if failing.contains(partition) { throw .io(operation: "open", path: "\(partition)", errno: 5) }
        return try await inner.openLog(partition, config: config)
    }

    func deleteLog(_ partition: TopicPartition) async throws(LogStoreError) {
        try await inner.deleteLog(partition)
    }

    func existingPartitions() async throws(LogStoreError) -> [TopicPartition] {
        try await inner.existingPartitions()
    }

    func close() async throws(LogStoreError) {
        try await inner.close()
    }
}
