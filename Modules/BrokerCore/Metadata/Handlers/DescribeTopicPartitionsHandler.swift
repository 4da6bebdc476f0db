// DescribeTopicPartitions, version 0 (KIP-966).
//
// Metadata for many partitions, paged: topics in name order (all of them when the list is
// empty), partitions in index order, starting at the cursor, at most
// `response_partition_limit` partitions per answer (capped at 2000, Kafka's
// `max.request.partition.size.limit`), with `next_cursor` naming where the next page starts.
// A cursor topic missing from an explicit list answers INVALID_REQUEST, as Kafka does. Without
// eligible-leader-replica support both ELR lists are null. Authorized operations are the full
// allow-all set, as there is no authorizer.

import TernCoordination
import TernProtocol

struct DescribeTopicPartitionsHandler {
    static let versions: ClosedRange<Int16> = 0...0
    static let partitionLimitMax: Int32 = 2000
    let apis: MetadataApis

    func handle(_ request: DescribeTopicPartitionsRequest, context: RequestContext) -> DescribeTopicPartitionsResponse {
        let metadata = apis.metadata.current
        let requested = request.topics.map(\.name)
        var names = requested.isEmpty ? metadata.topics.keys.sorted() : Array(Set(requested)).sorted()
        var firstPartition: Int32 = 0
        if let cursor = request.cursor {
            guard requested.isEmpty || requested.contains(cursor.topicName), cursor.partitionIndex >= 0 else {
                return DescribeTopicPartitionsResponse(topics: [DescribeTopicPartitionsResponse.Topic(
                    errorCode: KafkaErrorCode.invalidRequest.rawValue, name: cursor.topicName)])
            }
            names = names.filter { $0 >= cursor.topicName }
            if names.first == cursor.topicName { firstPartition = cursor.partitionIndex }
        }
        var budget = Int(min(max(request.responsePartitionLimit, 1), Self.partitionLimitMax))
        var response = DescribeTopicPartitionsResponse()
        for (position, name) in names.enumerated() {
            guard let topic = metadata.topics[name] else {
                response.topics.append(DescribeTopicPartitionsResponse.Topic(
                    errorCode: (isLegalTopicName(name) ? KafkaErrorCode.unknownTopicOrPartition : .invalidTopicException).rawValue, name: name))
                continue
            }
            let start = position == 0 ? Int(firstPartition) : 0
            let indices = Array(start..<max(start, topic.partitions.count))
            let taken = indices.prefix(budget)
            budget -= taken.count
            response.topics.append(DescribeTopicPartitionsResponse.Topic(
                errorCode: 0, name: topic.name, topicId: topic.id, isInternal: MetadataApis.internalTopics.contains(topic.name),
                partitions: taken.map { partition(topic.partitions[$0], index: Int32($0), metadata: metadata) },
                topicAuthorizedOperations: MetadataHandler.topicOperations))
            if taken.count < indices.count || (budget == 0 && position + 1 < names.count) {
                let next = taken.count < indices.count ? (name, Int32(start + taken.count)) : (names[position + 1], Int32(0))
                response.nextCursor = DescribeTopicPartitionsRequest.Cursor(topicName: next.0, partitionIndex: next.1)
                break
            }
        }
        return response
    }

    private func partition(_ assignment: PartitionAssignment, index: Int32, metadata: ClusterMetadata) -> DescribeTopicPartitionsResponse.Topic.Partition {
        DescribeTopicPartitionsResponse.Topic.Partition(
            errorCode: assignment.leader < 0 ? KafkaErrorCode.leaderNotAvailable.rawValue : 0, partitionIndex: index,
            leaderId: assignment.leader, leaderEpoch: assignment.leaderEpoch, replicaNodes: assignment.replicas,
            isrNodes: assignment.inSyncReplicas, offlineReplicas: assignment.replicas.filter { metadata.brokers[$0] == nil })
    }
}
