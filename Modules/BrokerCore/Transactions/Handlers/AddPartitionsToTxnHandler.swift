// AddPartitionsToTxn, versions 0–5.
//
// - v0–3 (clients): one transaction, answered per partition in `results_by_topic_v3_and_below`.
//   Partitions of topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION and the others
//   OPERATION_NOT_ATTEMPTED, without asking the coordinator, as Kafka answers.
// - v4+ (brokers, KIP-890): several transactions, each answered in `results_by_transaction`;
//   `verify_only` asks whether the partitions are in the open transaction (NONE, or
//   TRANSACTION_ABORTABLE) and changes nothing.
// - PRODUCER_FENCED reaches clients older than v2 as INVALID_PRODUCER_EPOCH, as in Kafka.
// - The coordinator answers NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or
//   COORDINATOR_NOT_AVAILABLE when it does not serve the transactional id's partition.

import TernCoordination
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

struct AddPartitionsToTxnHandler {
    static let versions: ClosedRange<Int16> = 0...5
    let apis: TransactionApis

    func handle(_ request: AddPartitionsToTxnRequest, version: Int16) async -> AddPartitionsToTxnResponse {
        if version <= 3 {
            let transaction = AddPartitionsToTxnRequest.Transaction(
                transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId,
                producerEpoch: request.v3AndBelowProducerEpoch, verifyOnly: false, topics: request.v3AndBelowTopics)
            let results = await handle(transaction, version: version)
            return AddPartitionsToTxnResponse(resultsByTopicV3AndBelow: results)
        }
        var response = AddPartitionsToTxnResponse()
        for transaction in request.transactions {
            response.resultsByTransaction.append(.init(transactionalId: transaction.transactionalId,
                                                       topicResults: await handle(transaction, version: version)))
        }
        return response
    }

    private typealias TopicResult = AddPartitionsToTxnResponse.TransactionResult.TopicResult

    private func handle(_ transaction: AddPartitionsToTxnRequest.Transaction, version: Int16) async -> [TopicResult] {
        var partitions: Set<TopicPartition> = []
        var unknown: Set<TopicPartition> = []
        let metadata = apis.metadata.current
        for topic in transaction.topics {
            for index in topic.partitions {
                let partition = TopicPartition(topic: topic.name, partition: index)
                if metadata.assignment(of: partition) == nil { unknown.insert(partition) } else { partitions.insert(partition) }
            }
        }
        let event = AddPartitionsToTxnEvent(transactionalId: transaction.transactionalId, producerId: transaction.producerId,
                                            producerEpoch: transaction.producerEpoch, partitions: partitions)
        var codes: [TopicPartition: KafkaErrorCode] = [:]
        if !unknown.isEmpty {
            for partition in unknown { codes[partition] = .unknownTopicOrPartition }
            for partition in partitions { codes[partition] = .operationNotAttempted }
        } else if transaction.verifyOnly {
            for (partition, error) in await apis.service.verifyPartitions(event) {
                codes[partition] = TransactionApis.code(error, fencedAsInvalidEpoch: false)
            }
        } else {
            let error = await apis.service.addPartitions(event)
            let code = TransactionApis.code(error, fencedAsInvalidEpoch: version < 2)
            for partition in partitions { codes[partition] = code }
        }
        return transaction.topics.map { topic in
            TopicResult(name: topic.name, resultsByPartition: topic.partitions.map { index in
                .init(partitionIndex: index, partitionErrorCode: (codes[TopicPartition(topic: topic.name, partition: index)] ?? .noError).rawValue)
            })
        }
    }
}
