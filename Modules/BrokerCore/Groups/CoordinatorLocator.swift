// Where a client finds the coordinator of a key: the leader of the key's partition of the
// coordinator's internal topic. The partition is `abs(javaHashCode(key)) % partitionCount`, with
// Java's `String.hashCode` and Kafka's `Utils.abs`, so a key maps to the same partition as on
// Kafka (`GroupMetadataManager.partition(for:partitionCount:)` computes it).
//
// Groups: a partition this broker coordinates (loaded or loading) answers with this broker, so a
// single broker works whatever the cluster metadata says about internal topics; otherwise the
// partition's leader comes from the cluster metadata, and an unknown topic, partition, leader or
// unregistered leader is COORDINATOR_NOT_AVAILABLE, as in Kafka (which would also start creating
// the topic; here the group coordinator creates it at start).
//
// Transactions: answered from the cluster metadata of `__transaction_state` when the broker was
// given that topic's partition count; without it (no transaction coordinator yet) every
// transactional id is COORDINATOR_NOT_AVAILABLE, which clients retry.

import TernCoordination
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

/// Finds the broker that coordinates a group or transactional id.
struct CoordinatorLocator: Sendable {
    /// Kafka's key types: 0 group, 1 transaction (2 share group, not served).
    enum KeyType: Int8 {
        case group = 0
        case transaction = 1
    }

    /// A coordinator's address, or why there is none.
    struct Location: Hashable, Sendable {
        var error: KafkaErrorCode
        var nodeId: Int32
        var host: String
        var port: Int32

        /// Kafka's `Node.noNode()`, sent with every error.
        static func failure(_ error: KafkaErrorCode) -> Location {
            Location(error: error, nodeId: -1, host: "", port: -1)
        }
    }

    /// The transaction coordinator's topic.
    static let transactionStateTopic = "__transaction_state"

    let broker: BrokerConfiguration
    let groups: GroupCoordinatorService
    let coordination: any CoordinationClient
    let transactionStatePartitionCount: Int32?

    /// Locates the coordinator of each key, reading the cluster metadata at most once.
    func locate(_ keys: [String], keyType rawKeyType: Int8) async -> [Location] {
        guard let keyType = KeyType(rawValue: rawKeyType) else {
            return keys.map { _ in .failure(.invalidRequest) }
        }
        var metadata: ClusterMetadata?
        var locations: [Location] = []
        for key in keys {
            switch keyType {
            case .group:
                let partition = groups.partition(for: key)
                if await groups.hostsPartition(partition) {
                    locations.append(me)
                    continue
                }
                if metadata == nil { metadata = await coordination.metadata() }
                locations.append(leader(of: TopicPartition(topic: GroupCoordinatorService.offsetsTopic, partition: partition), in: metadata))
            case .transaction:
                guard let count = transactionStatePartitionCount else {
                    locations.append(.failure(.coordinatorNotAvailable))
                    continue
                }
                if metadata == nil { metadata = await coordination.metadata() }
                let partition = GroupMetadataManager.partition(for: key, partitionCount: count)
                locations.append(leader(of: TopicPartition(topic: Self.transactionStateTopic, partition: partition), in: metadata))
            }
        }
        return locations
    }

    private var me: Location {
        Location(error: .noError, nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort)
    }

    private func leader(of partition: TopicPartition, in metadata: ClusterMetadata?) -> Location {
        guard let metadata, let assignment = metadata.assignment(of: partition), assignment.leader >= 0 else {
            return .failure(.coordinatorNotAvailable)
        }
        if assignment.leader == broker.nodeId { return me }
        guard let leader = metadata.brokers[assignment.leader] else { return .failure(.coordinatorNotAvailable) }
        return Location(error: .noError, nodeId: leader.id, host: leader.host, port: leader.port)
    }
}
