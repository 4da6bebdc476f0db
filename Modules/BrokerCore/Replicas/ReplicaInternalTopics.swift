public import NIOCore
public import TernCoordination
import TernLogStore
public import TernPrimitives
import TernProtocol

/// The internal topics as stored by this broker's replicas: what the group coordinator (and
/// later the transaction coordinator) reads and writes through `InternalTopicStore`.
///
/// An internal topic is created on first use with Kafka's placement and its replication factor
/// capped at the number of live brokers, so a single development broker works without
/// `offsets.topic.replication.factor=1` (Kafka instead refuses to create the topic until enough
/// brokers are up).
public struct ReplicaInternalTopics: InternalTopicStore {
    let replicas: ReplicaManager
    let coordination: any CoordinationClient
    let metadata: MetadataCache
    let replicationFactor: Int

    /// Internal topics over `replicas`, created through `coordination` with up to
    /// `replicationFactor` replicas.
    public init(replicas: ReplicaManager, coordination: any CoordinationClient, metadata: MetadataCache, replicationFactor: Int) {
        self.replicas = replicas
        self.coordination = coordination
        self.metadata = metadata
        self.replicationFactor = replicationFactor
    }

    public func ensureTopic(_ name: String, partitionCount: Int32, configs: [String: String]) async throws(InternalTopicError) {
        var current = await coordination.metadata()
        if current.topics[name] == nil {
            let brokers = Array(current.brokers.values)
            var generator = SystemRandomNumberGenerator()
            let assignment: [[Int32]]
            do {
                assignment = try ReplicaPlacement.assign(
                    partitionCount: partitionCount, replicationFactor: Int16(max(1, min(replicationFactor, brokers.count))),
                    brokers: brokers, using: &generator)
            } catch {
                throw .creationFailed("\(name): \(error)")
            }
            let topic = TopicMetadata(
                name: name, id: KafkaUUID.random(using: &generator),
                partitions: assignment.map { PartitionAssignment(replicas: $0, leader: $0[0], inSyncReplicas: $0) },
                configs: configs)
            do throws(CoordinationError) {
                try await coordination.createTopic(topic)
            } catch .topicExists {
                // Another broker created it first.
            } catch {
                throw .creationFailed("\(name): \(error)")
            }
            current = await coordination.metadata()
        }
        metadata.update(current)
        await replicas.apply(current)
    }

    public func append(_ batch: ByteBuffer, to partition: TopicPartition) async throws(InternalTopicError) -> Int64 {
        guard let replica = replicas.partition(partition), await replica.isLeader else { throw .notLeader(partition) }
        do throws(PartitionError) {
            return try await replica.appendAsLeader(batch, logAppendTime: nil, requiredAcks: -1).firstOffset
        } catch .notLeaderOrFollower {
            throw .notLeader(partition)
        } catch {
            throw .storage("\(error)")
        }
    }

    public func read(_ partition: TopicPartition, from offset: Int64, maxBytes: Int) async throws(InternalTopicError) -> InternalTopicRead {
        guard let replica = replicas.partition(partition), await replica.isLeader else { throw .notLeader(partition) }
        let highWatermark = await replica.highWatermark
        do {
            let result = try await replica.read(fetchOffset: offset, maxBytes: maxBytes, maxOffset: highWatermark, minOneBatch: true)
            return InternalTopicRead(batches: try result.readAllBytes(), highWatermark: highWatermark)
        } catch {
            throw .storage("\(error)")
        }
    }

    public func isLeader(of partition: TopicPartition) async -> Bool {
        guard let replica = replicas.partition(partition) else { return false }
        return await replica.isLeader
    }
}
