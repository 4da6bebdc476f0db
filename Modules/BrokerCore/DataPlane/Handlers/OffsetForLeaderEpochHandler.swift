// OffsetForLeaderEpoch, versions 0–4.
//
// Answers from the leader's epoch cache: the end offset of the largest epoch ≤ the one asked
// (the next epoch's start, or the log end for the current epoch) and that epoch (v1+). An epoch
// the cache cannot place answers UNDEFINED (-1, -1) without error, as Kafka does.
// current_leader_epoch (v2+) is checked first. Consumers use it to detect log truncation after
// an unclean leader change.

import TernLogStore
import TernPrimitives
import TernProtocol

struct OffsetForLeaderEpochHandler {
    static let versions: ClosedRange<Int16> = 0...4
    let apis: DataPlaneApis

    func handle(_ request: OffsetForLeaderEpochRequest, context: RequestContext) async -> OffsetForLeaderEpochResponse {
        var response = OffsetForLeaderEpochResponse()
        for topic in request.topics {
            var partitions: [OffsetForLeaderEpochResponse.Topic.Partition] = []
            for partition in topic.partitions {
                let key = TopicPartition(topic: topic.topic, partition: partition.partition)
                partitions.append(await endOffset(key, request: partition))
            }
            response.topics.append(OffsetForLeaderEpochResponse.Topic(topic: topic.topic, partitions: partitions))
        }
        return response
    }

    private func endOffset(_ key: TopicPartition, request: OffsetForLeaderEpochRequest.Topic.Partition) async -> OffsetForLeaderEpochResponse.Topic.Partition {
        do throws(PartitionError) {
            let replica = try await apis.leader(of: key)
            try await replica.validate(currentLeaderEpoch: request.currentLeaderEpoch)
            guard let entry = await replica.endOffset(forLeaderEpoch: request.leaderEpoch) else {
                return OffsetForLeaderEpochResponse.Topic.Partition(errorCode: 0, partition: key.partition, leaderEpoch: -1, endOffset: -1)
            }
            return OffsetForLeaderEpochResponse.Topic.Partition(errorCode: 0, partition: key.partition, leaderEpoch: entry.epoch, endOffset: entry.offset)
        } catch {
            apis.logIfServerSide(error, api: "OffsetForLeaderEpoch")
            return OffsetForLeaderEpochResponse.Topic.Partition(errorCode: error.kafkaErrorCode.rawValue, partition: key.partition, leaderEpoch: -1, endOffset: -1)
        }
    }
}
