// DeleteRecords, versions 0–2.
//
// Raises each partition's log start offset to the given offset (-1: the high watermark) and
// deletes the segments wholly below it; the answer is the new low watermark. An offset above
// the high watermark answers OFFSET_OUT_OF_RANGE. With one replica the change is complete when
// the leader has made it, so timeout_ms never expires.

import TernPrimitives
import TernProtocol

struct DeleteRecordsHandler {
    static let versions: ClosedRange<Int16> = 0...2
    let apis: DataPlaneApis

    func handle(_ request: DeleteRecordsRequest, context: RequestContext) async -> DeleteRecordsResponse {
        var response = DeleteRecordsResponse()
        for topic in request.topics {
            var partitions: [DeleteRecordsResponse.Topic.Partition] = []
            for partition in topic.partitions {
                let key = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                do throws(PartitionError) {
                    let replica = try await apis.leader(of: key)
                    let lowWatermark = try await replica.deleteRecords(before: partition.offset)
                    partitions.append(DeleteRecordsResponse.Topic.Partition(partitionIndex: key.partition, lowWatermark: lowWatermark, errorCode: 0))
                } catch {
                    apis.logIfServerSide(error, api: "DeleteRecords")
                    partitions.append(DeleteRecordsResponse.Topic.Partition(partitionIndex: key.partition, lowWatermark: -1,
                                                                            errorCode: error.kafkaErrorCode.rawValue))
                }
            }
            response.topics.append(DeleteRecordsResponse.Topic(name: topic.name, partitions: partitions))
        }
        return response
    }
}
