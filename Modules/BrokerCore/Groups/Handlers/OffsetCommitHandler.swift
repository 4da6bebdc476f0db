// OffsetCommit (key 8), versions 0–9.
//
// - v0 stored offsets in ZooKeeper in Kafka; here it commits to `__consumer_offsets` like v1,
//   as a commit outside group management (generation -1, no member id).
// - v1 adds the generation and member id, and a per-partition commit timestamp that Kafka used
//   for the expiry of that one offset; it is ignored here (the commit time is the broker's).
// - v2–4 carry `retention_time_ms`: -1 means the broker's `offsets.retention.minutes`, any
//   other value is stored as an explicit expire timestamp (record value v1), as in Kafka.
// - v5 drops the retention; v6 adds the committed leader epoch; v7 the group instance id; v8 is
//   flexible; v9 answers GROUP_ID_NOT_FOUND (not ILLEGAL_GENERATION) for a commit with a
//   generation to a group that does not exist, as Kafka does since KIP-848.
// - Partitions of topics or partitions the cluster does not know are answered
//   UNKNOWN_TOPIC_OR_PARTITION without being committed, the rest go ahead. The answer waits
//   until the commit is durable.

import TernGroupCoordinator
import TernPrimitives
import TernProtocol

struct OffsetCommitHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...9
    let service: GroupCoordinatorService
    let catalog: PartitionCatalog

    func handle(_ request: OffsetCommitRequest, context: RequestContext) async -> OffsetCommitResponse {
        let version = context.apiVersion
        var (known, errors) = await catalog.known(
            request.topics, name: \.name, partitions: \.partitions, index: \.partitionIndex)
        let partitions = known.map { topicPartition, partition in
            OffsetCommitEvent.Partition(
                topicPartition: topicPartition, offset: partition.committedOffset,
                leaderEpoch: version >= 6 ? partition.committedLeaderEpoch : -1, metadata: partition.committedMetadata)
        }
        if !partitions.isEmpty {
            let retention = (2...4).contains(version) && request.retentionTimeMs != -1
                ? Duration.milliseconds(request.retentionTimeMs) : nil
            let event = OffsetCommitEvent(
                groupId: request.groupId, generationId: version >= 1 ? request.generationIdOrMemberEpoch : -1,
                memberId: version >= 1 ? request.memberId : "", groupInstanceId: version >= 7 ? request.groupInstanceId : nil,
                retention: retention, partitions: partitions)
            errors.merge(await service.commitOffsets(event, reportsUnknownGroup: version >= 9)) { _, committed in committed }
        }
        return OffsetCommitResponse(
            throttleTimeMs: 0,
            topics: request.topics.map { topic in
                OffsetCommitResponse.Topic(name: topic.name, partitions: topic.partitions.map { partition in
                    let error = errors[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] ?? .unknownServerError
                    return OffsetCommitResponse.Topic.Partition(partitionIndex: partition.partitionIndex, errorCode: error.code)
                })
            })
    }
}
