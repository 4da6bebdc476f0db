// Goal: the transaction request handlers shape Kafka's answers: AddPartitionsToTxn v0–3 answers
// per partition with UNKNOWN_TOPIC_OR_PARTITION and OPERATION_NOT_ATTEMPTED when a topic is
// unknown, v4+ batches transactions and answers verify_only from the open transaction, and
// old versions of EndTxn see PRODUCER_FENCED as INVALID_PRODUCER_EPOCH. Method: the routes of
// `TransactionApis` over a loaded coordinator service and the DataPlaneHarness's metadata.

import Logging
import Testing
import TernBrokerCore
import TernPrimitives
import TernProtocol
import TernTransactionCoordinator

@Suite struct TransactionApisTests {
    private func setUp() async throws -> (DataPlaneHarness, TransactionApis, Int64) {
        let broker = await DataPlaneHarness(topics: ["orders": 2])
        let service = TransactionCoordinatorService(
            store: MemoryInternalTopicStore(), clock: broker.clock, configuration: TransactionCoordinatorConfiguration(),
            partitionCount: 2, producerIds: InMemoryProducerIdSource(first: 50), markers: broker.markers,
            coordinatorEpoch: { _ in 0 }, logger: Logger(label: "test"), sleep: { _ in try await Task.sleep(for: .seconds(3600)) })
        try await service.start()
        await service.waitUntilLoaded()
        let initialized = await service.initProducerId(InitProducerIdEvent(transactionalId: "tx", transactionTimeout: .seconds(60)))
        return (broker, TransactionApis(service: service, metadata: broker.metadata), initialized.producerId)
    }

    private func send(_ apis: TransactionApis, _ body: KafkaRequestBody, version: Int16) async -> KafkaResponseBody? {
        let header = RequestHeader(apiKey: body.apiKey.rawValue, apiVersion: version, correlationId: 1, clientId: "test")
        guard let route = apis.routes.first(where: { $0.apiKey == body.apiKey }),
              case .body(let response) = await route.handle(body, RequestContext(header: header, clientAddress: "127.0.0.1:1", connectionId: 1))
        else { return nil }
        return response
    }

    @Test func addPartitions_v3UnknownTopic_othersNotAttempted() async throws {
        let (_, apis, producerId) = try await setUp()
        let request = AddPartitionsToTxnRequest(
            v3AndBelowTransactionalId: "tx", v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: 0,
            v3AndBelowTopics: [.init(name: "orders", partitions: [0]), .init(name: "missing", partitions: [0])])
        guard case .addPartitionsToTxn(let response)? = await send(apis, .addPartitionsToTxn(request), version: 3) else {
            Issue.record("no answer")
            return
        }
        let codes = response.resultsByTopicV3AndBelow.map { $0.resultsByPartition.map(\.partitionErrorCode) }
        #expect(codes == [[KafkaErrorCode.operationNotAttempted.rawValue], [KafkaErrorCode.unknownTopicOrPartition.rawValue]])
    }

    @Test func addPartitions_v4Batched_andVerifyOnly() async throws {
        let (_, apis, producerId) = try await setUp()
        let add = AddPartitionsToTxnRequest(transactions: [
            .init(transactionalId: "tx", producerId: producerId, producerEpoch: 0, verifyOnly: false, topics: [.init(name: "orders", partitions: [0])]),
        ])
        guard case .addPartitionsToTxn(let added)? = await send(apis, .addPartitionsToTxn(add), version: 4) else {
            Issue.record("no answer")
            return
        }
        #expect(added.resultsByTransaction.first?.topicResults.first?.resultsByPartition.first?.partitionErrorCode == 0)
        let verify = AddPartitionsToTxnRequest(transactions: [
            .init(transactionalId: "tx", producerId: producerId, producerEpoch: 0, verifyOnly: true, topics: [.init(name: "orders", partitions: [0, 1])]),
        ])
        guard case .addPartitionsToTxn(let verified)? = await send(apis, .addPartitionsToTxn(verify), version: 5) else {
            Issue.record("no answer")
            return
        }
        let codes = verified.resultsByTransaction.first?.topicResults.first?.resultsByPartition.map(\.partitionErrorCode)
        #expect(codes == [0, KafkaErrorCode.transactionAbortable.rawValue])
    }

    @Test func endTxn_fencedEpoch_isInvalidProducerEpochBeforeV2() async throws {
        let (_, apis, producerId) = try await setUp()
        for (version, expected) in [(Int16(1), KafkaErrorCode.invalidProducerEpoch), (2, .producerFenced)] {
            let request = EndTxnRequest(transactionalId: "tx", producerId: producerId, producerEpoch: 9, committed: true)
            guard case .endTxn(let response)? = await send(apis, .endTxn(request), version: version) else {
                Issue.record("no answer")
                continue
            }
            #expect(response.errorCode == expected.rawValue)
        }
    }
}
