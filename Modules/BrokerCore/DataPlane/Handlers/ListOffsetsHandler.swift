// ListOffsets, versions 1–9.
//
// v0 answers with a list of segment base offsets (`max_num_offsets`), a shape no client we
// serve asks for and Kafka 4 dropped.
// - Special timestamps: -2 EARLIEST (log start), -1 LATEST (high watermark, or the last
//   stable offset for read_committed), -3 MAX_TIMESTAMP (v7+: the record with the largest
//   timestamp), -4 EARLIEST_LOCAL (v8+: the log start, as nothing is tiered), -5
//   LATEST_TIERED (v9+: -1, as nothing is tiered).
// - A timestamp ≥ 0 finds the first record at or after it, below the high watermark, with
//   the leader epoch of its batch (v4+); none → offset -1.
// - current_leader_epoch (v4+) is checked: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH.
// - A partition listed twice answers INVALID_REQUEST for both, as Kafka does.

import TernCoordination
import TernLogStore
import TernPrimitives
import TernProtocol

struct ListOffsetsHandler {
    static let versions: ClosedRange<Int16> = 1...9
    let apis: DataPlaneApis

    func handle(_ request: ListOffsetsRequest, context: RequestContext) async -> ListOffsetsResponse {
        var seen: [TopicPartition: Int] = [:]
        for topic in request.topics {
            for partition in topic.partitions { seen[TopicPartition(topic: topic.name, partition: partition.partitionIndex), default: 0] += 1 }
        }
        var response = ListOffsetsResponse()
        for topic in request.topics {
            var partitions: [ListOffsetsResponse.Topic.Partition] = []
            for partition in topic.partitions {
                let key = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                if seen[key, default: 0] > 1 {
                    partitions.append(Self.failure(partition.partitionIndex, .invalidRequest))
                    continue
                }
                partitions.append(await listOffset(key, request: partition, readCommitted: request.isolationLevel == 1, version: context.apiVersion))
            }
            response.topics.append(ListOffsetsResponse.Topic(name: topic.name, partitions: partitions))
        }
        return response
    }

    private func listOffset(_ key: TopicPartition, request: ListOffsetsRequest.Topic.Partition, readCommitted: Bool, version: Int16) async -> ListOffsetsResponse.Topic.Partition {
        do throws(PartitionError) {
            let replica = try await apis.leader(of: key)
            try await replica.validate(currentLeaderEpoch: request.currentLeaderEpoch)
            let epoch = await replica.assignment.leaderEpoch
            let found: TimestampOffset?
            switch request.timestamp {
            case -2, -4:
                found = TimestampOffset(timestamp: -1, offset: await replica.offsets().logStartOffset, leaderEpoch: epoch)
            case -1:
                let latest = readCommitted ? await replica.lastStableOffset : await replica.highWatermark
                found = TimestampOffset(timestamp: -1, offset: latest, leaderEpoch: epoch)
            case -3 where version >= 7:
                found = try await replica.maxTimestampOffset()
            case -5 where version >= 9:
                found = nil
            case let timestamp where timestamp >= 0:
                found = try await replica.offset(forTimestamp: timestamp)
            default:
                return Self.failure(key.partition, .invalidRequest)
            }
            guard let found else {
                return ListOffsetsResponse.Topic.Partition(partitionIndex: key.partition, errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1)
            }
            return ListOffsetsResponse.Topic.Partition(partitionIndex: key.partition, errorCode: 0, timestamp: found.timestamp,
                                                       offset: found.offset, leaderEpoch: found.leaderEpoch)
        } catch {
            apis.logIfServerSide(error, api: "ListOffsets")
            return Self.failure(key.partition, error.kafkaErrorCode)
        }
    }

    static func failure(_ index: Int32, _ code: KafkaErrorCode) -> ListOffsetsResponse.Topic.Partition {
        ListOffsetsResponse.Topic.Partition(partitionIndex: index, errorCode: code.rawValue, timestamp: -1, offset: -1, leaderEpoch: -1)
    }
}
