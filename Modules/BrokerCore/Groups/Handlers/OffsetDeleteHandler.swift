// OffsetDelete (key 47), version 0.
//
// - Deletes a group's committed offsets of some partitions (KIP-496). An empty group may drop
//   any; a consumer group with members only those of topics it does not subscribe to
//   (GROUP_SUBSCRIBED_TO_TOPIC otherwise); other groups with members none (NON_EMPTY_GROUP).
// - Partitions the cluster does not know are answered UNKNOWN_TOPIC_OR_PARTITION. A group-level
//   error (GROUP_ID_NOT_FOUND, NOT_COORDINATOR, …) is answered alone, with no topics, as Kafka's
//   error response is.

import TernGroupCoordinator
import TernPrimitives
import TernProtocol

struct OffsetDeleteHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...0
    let service: GroupCoordinatorService
    let catalog: PartitionCatalog

    func handle(_ request: OffsetDeleteRequest, context: RequestContext) async -> OffsetDeleteResponse {
        let requested = request.topics.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.partitionIndex) } }
        let unknown = await catalog.unknown(requested)
        let result = await service.deleteOffsets(groupId: request.groupId, partitions: requested.filter { !unknown.contains($0) })
        guard result.error == .noError else {
            return OffsetDeleteResponse(errorCode: result.error.code, throttleTimeMs: 0, topics: [])
        }
        return OffsetDeleteResponse(
            errorCode: 0, throttleTimeMs: 0,
            topics: request.topics.map { topic in
                OffsetDeleteResponse.Topic(name: topic.name, partitions: topic.partitions.map { partition in
                    let topicPartition = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                    let error = unknown.contains(topicPartition) ? .unknownTopicOrPartition : result.partitions[topicPartition] ?? .noError
                    return OffsetDeleteResponse.Topic.Partition(partitionIndex: partition.partitionIndex, errorCode: error.code)
                })
            })
    }
}
