// Metadata, versions 0–12.
//
// - Brokers are the live registered brokers with their advertised endpoints; the controller is
//   the coordination service's (v1+); the cluster id v2+.
// - Topics: null (v1+) or an empty list at v0 means all topics; an empty list at v1+ means
//   none. v10+ may name topics by id only: an unknown id answers UNKNOWN_TOPIC_ID.
// - A missing topic is created when the request allows it (v4+; always before v4) and the
//   broker's `auto.create.topics.enable` is on; the answer for it is then LEADER_NOT_AVAILABLE,
//   as in Kafka, and the client asks again. An illegal name answers INVALID_TOPIC_EXCEPTION.
// - Each partition reports leader, leader epoch (v7+), replicas, ISR and offline replicas (v5+:
//   replicas not registered as live); a partition without a leader answers LEADER_NOT_AVAILABLE.
// - Authorized operations (v8+) are reported as "not requested" (INT32_MIN) unless asked; with
//   no authorizer every operation is allowed, so when asked we answer the full set Kafka
//   reports for an allow-all authorizer.

import TernCoordination
import TernProtocol

struct MetadataHandler {
    static let versions: ClosedRange<Int16> = 0...12
    let apis: MetadataApis

    func handle(_ request: MetadataRequest, context: RequestContext) async -> MetadataResponse {
        let version = context.apiVersion
        var metadata = apis.metadata.current
        var created: Set<String> = []
        var failedCreations: [String: KafkaErrorCode] = [:]
        let allowCreate = version < 4 || request.allowAutoTopicCreation
        if allowCreate, let create = apis.autoCreateTopic, let requested = request.topics {
            for name in requested.compactMap(\.name) where metadata.topics[name] == nil && isLegalTopicName(name) {
                let code = await create(name)
                if code == .noError || code == .topicAlreadyExists { created.insert(name) } else { failedCreations[name] = code }
            }
            if !created.isEmpty { metadata = apis.metadata.current }
        }
        var response = MetadataResponse(
            brokers: metadata.brokers.values.sorted { $0.id < $1.id }.map {
                MetadataResponse.Broker(nodeId: $0.id, host: $0.host, port: $0.port, rack: $0.rack)
            },
            clusterId: metadata.clusterId, controllerId: metadata.controllerId ?? -1, topics: [])
        let names: [MetadataRequest.Topic]
        if let topics = request.topics, !(version == 0 && topics.isEmpty) {
            names = topics
        } else {
            names = metadata.topics.keys.sorted().map { MetadataRequest.Topic(name: $0) }
        }
        for requested in names {
            response.topics.append(topic(requested, in: metadata, created: created, failed: failedCreations,
                                         includeOperations: request.includeTopicAuthorizedOperations))
        }
        if version >= 8, version <= 10, request.includeClusterAuthorizedOperations {
            response.clusterAuthorizedOperations = Self.clusterOperations
        }
        return response
    }

    private func topic(_ requested: MetadataRequest.Topic, in metadata: ClusterMetadata, created: Set<String>,
                       failed: [String: KafkaErrorCode], includeOperations: Bool) -> MetadataResponse.Topic {
        let found: TopicMetadata? = if let name = requested.name { metadata.topics[name] } else { metadata.topic(withId: requested.topicId) }
        guard let topic = found else {
            let code: KafkaErrorCode
            if let name = requested.name {
                code = !isLegalTopicName(name) ? .invalidTopicException
                    : created.contains(name) ? .leaderNotAvailable : failed[name] ?? .unknownTopicOrPartition
            } else {
                code = .unknownTopicId
            }
            return MetadataResponse.Topic(errorCode: code.rawValue, name: requested.name, topicId: requested.topicId, partitions: [])
        }
        let partitions = topic.partitions.enumerated().map { index, assignment in
            MetadataResponse.Topic.Partition(
                errorCode: assignment.leader < 0 ? KafkaErrorCode.leaderNotAvailable.rawValue : 0,
                partitionIndex: Int32(index), leaderId: assignment.leader, leaderEpoch: assignment.leaderEpoch,
                replicaNodes: assignment.replicas, isrNodes: assignment.inSyncReplicas,
                offlineReplicas: assignment.replicas.filter { metadata.brokers[$0] == nil })
        }
        var answer = MetadataResponse.Topic(errorCode: 0, name: topic.name, topicId: topic.id,
                                            isInternal: MetadataApis.internalTopics.contains(topic.name), partitions: partitions)
        if includeOperations { answer.topicAuthorizedOperations = Self.topicOperations }
        return answer
    }

    // Bit sets of Kafka's AclOperation codes an allow-all authorizer reports.
    // Topic: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11.
    static let topicOperations: Int32 = [3, 4, 5, 6, 7, 8, 10, 11].reduce(0) { $0 | (1 << $1) }
    // Cluster: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
    static let clusterOperations: Int32 = [5, 7, 8, 9, 10, 11, 12].reduce(0) { $0 | (1 << $1) }
}
