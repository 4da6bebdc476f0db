// TxnOffsetCommit (key 28), versions 0–4.
//
// A transactional producer commits a consumer group's offsets inside its transaction (after
// AddOffsetsToTxn put the group's `__consumer_offsets` partition in it). The offsets are
// written in the producer's transactional batch and become the group's committed offsets when
// the transaction's commit marker reaches that partition; an abort drops them. Until then an
// OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT for their partitions.
// - v2 adds the committed leader epoch; v3 the generation, member id and group instance id
//   (checked as OffsetCommit checks them; before v3 the commit is outside group management);
//   v3+ flexible.
// - Partitions the cluster does not know are answered UNKNOWN_TOPIC_OR_PARTITION, the rest go
//   ahead. The answer waits until the records are durable.
// - The producer's epoch is checked by the partition when the batch is appended (a fenced
//   producer gets INVALID_PRODUCER_EPOCH); Kafka 3.x does not ask the transaction
//   coordinator either, except through KIP-890 verification, which is not done here.

import TernGroupCoordinator
import TernPrimitives
import TernProtocol

struct TxnOffsetCommitHandler: Sendable {
    static let versions: ClosedRange<Int16> = 0...4
    let service: GroupCoordinatorService
    let catalog: PartitionCatalog

    func handle(_ request: TxnOffsetCommitRequest, context: RequestContext) async -> TxnOffsetCommitResponse {
        let version = context.apiVersion
        var (known, errors) = await catalog.known(
            request.topics, name: \.name, partitions: \.partitions, index: \.partitionIndex)
        let partitions = known.map { topicPartition, partition in
            OffsetCommitEvent.Partition(
                topicPartition: topicPartition, offset: partition.committedOffset,
                leaderEpoch: version >= 2 ? partition.committedLeaderEpoch : -1, metadata: partition.committedMetadata)
        }
        if !partitions.isEmpty {
            let commit = OffsetCommitEvent(
                groupId: request.groupId, generationId: version >= 3 ? request.generationId : -1,
                memberId: version >= 3 ? request.memberId : "", groupInstanceId: version >= 3 ? request.groupInstanceId : nil,
                retention: nil, partitions: partitions)
            let event = TransactionalOffsetCommitEvent(
                commit: commit, producer: TransactionalProducer(producerId: request.producerId, producerEpoch: request.producerEpoch))
            errors.merge(await service.commitTransactionalOffsets(event)) { _, committed in committed }
        }
        return TxnOffsetCommitResponse(
            throttleTimeMs: 0,
            topics: request.topics.map { topic in
                TxnOffsetCommitResponse.TopicResult(name: topic.name, partitions: topic.partitions.map { partition in
                    let error = errors[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] ?? .unknownServerError
                    return .init(partitionIndex: partition.partitionIndex, errorCode: error.code)
                })
            })
    }
}
