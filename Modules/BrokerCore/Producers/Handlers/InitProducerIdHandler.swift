// InitProducerId, versions 0–5.
//
// - Idempotent producers (transactional id null) get a new producer id from the
//   `ProducerIdSource` at epoch 0, as Kafka's transaction coordinator answers them; any
//   producer id and epoch sent along (v3+) are ignored, as in Kafka, since without a
//   transactional id nothing ties the old id to the new one. When no id can be had the
//   source's error maps to COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
// - A producer id and epoch must both be set or both be -1 (else INVALID_REQUEST), and a
//   transactional id, when sent, must not be empty (else INVALID_REQUEST), as in Kafka.
// - Transactional producers (transactional id set) go to the transaction coordinator, which
//   fences an older producer of the same id (bumping the epoch, aborting its open
//   transaction) and answers CONCURRENT_TRANSACTIONS while that abort completes; v3+ send
//   the id and epoch they hold to recover (KIP-360). PRODUCER_FENCED reaches clients older
//   than v4 as INVALID_PRODUCER_EPOCH, as in Kafka. A broker assembled without a coordinator
//   refuses them with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which clients treat as fatal at
//   once rather than retrying until their timeout.

import Logging
import TernProtocol
import TernTransactionCoordinator

struct InitProducerIdHandler {
    static let versions: ClosedRange<Int16> = 0...5
    let apis: ProducerApis

    func handle(_ request: InitProducerIdRequest, context: RequestContext) async -> InitProducerIdResponse {
        if (request.producerId == -1) != (request.producerEpoch == -1) {
            return failure(.invalidRequest)
        }
        if let transactionalId = request.transactionalId {
            if transactionalId.isEmpty { return failure(.invalidRequest) }
            if let service = apis.transactions {
                let expected = request.producerId >= 0 ? ProducerIdAndEpoch(producerId: request.producerId, epoch: request.producerEpoch) : nil
                let result = await service.initProducerId(InitProducerIdEvent(
                    transactionalId: transactionalId, transactionTimeout: .milliseconds(Int64(request.transactionTimeoutMs)),
                    expected: expected))
                return InitProducerIdResponse(
                    errorCode: TransactionApis.code(result.error, fencedAsInvalidEpoch: context.apiVersion < 4).rawValue,
                    producerId: result.producerId, producerEpoch: result.producerEpoch)
            }
            apis.logger.warning("refusing a transactional producer: transactions are not supported", metadata: [
                "transactionalId": "\(transactionalId)", "client": "\(context.clientId)", "address": "\(context.clientAddress)"])
            return failure(.transactionalIdAuthorizationFailed)
        }
        do {
            let producerId = try await apis.producerIds.nextProducerId()
            return InitProducerIdResponse(errorCode: KafkaErrorCode.noError.rawValue, producerId: producerId, producerEpoch: 0)
        } catch {
            apis.logger.error("cannot allocate a producer id", metadata: ["error": "\(error)"])
            return failure(error.kafkaErrorCode)
        }
    }

    private func failure(_ code: KafkaErrorCode) -> InitProducerIdResponse {
        InitProducerIdResponse(errorCode: code.rawValue, producerId: -1, producerEpoch: -1)
    }
}
