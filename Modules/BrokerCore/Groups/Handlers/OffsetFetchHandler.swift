// OffsetFetch (key 9), versions 0–9.
//
// - v0 read offsets from ZooKeeper in Kafka; here it reads `__consumer_offsets` like v1.
// - v0–1 name the partitions; a group-level error (NOT_COORDINATOR, …) is reported on every
//   requested partition, as Kafka's error response for those versions does.
// - v2+ may send a null topic list for every committed offset, and report group-level errors in
//   the top-level error code (with no topics). v3 adds the throttle time, v5 the leader epoch,
//   v6 is flexible, v7 adds `require_stable`: a partition whose commit is still being written
//   answers UNSTABLE_OFFSET_COMMIT instead of an older offset.
// - v8+ fetch several groups per request, each with its own error code and topics.
// - v9 adds a member id and epoch per group for KIP-848 consumer groups; classic groups ignore
//   them, as Kafka's do.
// - A partition without a committed offset answers offset -1, leader epoch -1, metadata "".
//   Requested partitions answer in request order; "every committed offset" answers in topic
//   and partition order.

import TernGroupCoordinator
import TernPrimitives
import TernProtocol

struct OffsetFetchHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...9
    let service: GroupCoordinatorService

    /// One group's answer, before it takes the shape of a version.
    private struct GroupAnswer {
        var error: GroupErrorCode
        /// Topics in answer order, each with its partitions in answer order.
        var topics: [(name: String, partitions: [(index: Int32, offset: FetchedOffset)])]
    }

    func handle(_ request: OffsetFetchRequest, context: RequestContext) async -> OffsetFetchResponse {
        let version = context.apiVersion
        let requireStable = version >= 7 && request.requireStable
        if version >= 8 {
            var groups: [OffsetFetchResponse.Group] = []
            for group in request.groups {
                let requested = group.topics?.map { ($0.name, $0.partitionIndexes) }
                let answer = await fetch(group.groupId, requested: requested, requireStable: requireStable)
                groups.append(OffsetFetchResponse.Group(
                    groupId: group.groupId,
                    topics: answer.topics.map { topic in
                        OffsetFetchResponse.Group.GroupTopic(name: topic.name, partitions: topic.partitions.map {
                            OffsetFetchResponse.Group.GroupTopic.GroupPartition(
                                partitionIndex: $0.index, committedOffset: $0.offset.offset, committedLeaderEpoch: $0.offset.leaderEpoch,
                                metadata: $0.offset.metadata, errorCode: $0.offset.error.code)
                        })
                    },
                    errorCode: answer.error.code))
            }
            return OffsetFetchResponse(throttleTimeMs: 0, groups: groups)
        }
        // v0–1 always name topics; a null list there decodes as none.
        let requested = version >= 2 ? request.topics?.map { ($0.name, $0.partitionIndexes) } : (request.topics ?? []).map { ($0.name, $0.partitionIndexes) }
        var answer = await fetch(request.groupId, requested: requested, requireStable: requireStable)
        if version < 2, answer.error != .noError {
            let failed = FetchedOffset(offset: -1, leaderEpoch: -1, metadata: "", error: answer.error)
            answer.topics = (requested ?? []).map { name, indexes in (name, indexes.map { ($0, failed) }) }
        }
        return OffsetFetchResponse(
            throttleTimeMs: 0,
            topics: answer.topics.map { topic in
                OffsetFetchResponse.Topic(name: topic.name, partitions: topic.partitions.map {
                    OffsetFetchResponse.Topic.Partition(
                        partitionIndex: $0.index, committedOffset: $0.offset.offset, committedLeaderEpoch: $0.offset.leaderEpoch,
                        metadata: $0.offset.metadata, errorCode: $0.offset.error.code)
                })
            },
            errorCode: answer.error.code)
    }

    /// Fetches one group's offsets: `requested` topics with their partitions, or nil for all.
    private func fetch(_ groupId: String, requested: [(String, [Int32])]?, requireStable: Bool) async -> GroupAnswer {
        let partitions = requested?.flatMap { name, indexes in indexes.map { TopicPartition(topic: name, partition: $0) } }
        let result = await service.fetchOffsets(groupId: groupId, partitions: partitions, requireStable: requireStable)
        guard result.error == .noError else { return GroupAnswer(error: result.error, topics: []) }
        if let requested {
            return GroupAnswer(error: .noError, topics: requested.map { name, indexes in
                (name, indexes.map { ($0, result.partitions[TopicPartition(topic: name, partition: $0)] ?? .absent) })
            })
        }
        let byTopic = Dictionary(grouping: result.partitions.keys.sorted(), by: \.topic)
        return GroupAnswer(error: .noError, topics: byTopic.keys.sorted().map { name in
            (name, (byTopic[name] ?? []).map { ($0.partition, result.partitions[$0] ?? .absent) })
        })
    }
}
