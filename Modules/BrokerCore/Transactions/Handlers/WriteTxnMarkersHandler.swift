// WriteTxnMarkers, versions 0–1 (v1 flexible).
//
// A transaction coordinator asks the leader of each partition in a finished transaction to
// append its commit or abort marker. Each partition is answered on its own: the marker's
// offset is not returned, only an error code (UNKNOWN_TOPIC_OR_PARTITION,
// NOT_LEADER_OR_FOLLOWER, INVALID_PRODUCER_EPOCH for a producer epoch older than the
// partition's, TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch, or a storage
// error). The markers are appended as acks=all would append them. Kafka restricts the API to
// brokers (CLUSTER_ACTION); this broker has no authorization yet, so anyone may call it.

import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

struct WriteTxnMarkersHandler {
    static let versions: ClosedRange<Int16> = 0...1
    let writer: TransactionMarkerWriter

    func handle(_ request: WriteTxnMarkersRequest) async -> WriteTxnMarkersResponse {
        var response = WriteTxnMarkersResponse()
        for marker in request.markers {
            var result = WriteTxnMarkersResponse.MarkerResult(producerId: marker.producerId)
            for topic in marker.topics {
                var topicResult = WriteTxnMarkersResponse.MarkerResult.TopicResult(name: topic.name)
                for index in topic.partitionIndexes {
                    let code = await write(marker, to: TopicPartition(topic: topic.name, partition: index))
                    topicResult.partitions.append(.init(partitionIndex: index, errorCode: code.rawValue))
                }
                result.topics.append(topicResult)
            }
            response.markers.append(result)
        }
        return response
    }

    private func write(_ marker: WriteTxnMarkersRequest.Marker, to partition: TopicPartition) async -> KafkaErrorCode {
        do throws(PartitionError) {
            try await writer.write(partition, producerId: marker.producerId, producerEpoch: marker.producerEpoch,
                                   coordinatorEpoch: marker.coordinatorEpoch, result: marker.transactionResult ? .commit : .abort)
            return .noError
        } catch {
            return error.kafkaErrorCode
        }
    }
}
