// InitProducerId, versions 0–5.
//
// - Idempotent producers (transactional id null) get a new producer id from the
//   `ProducerIdSource` at epoch 0, as Kafka's transaction coordinator answers them; any
//   producer id and epoch sent along (v3+) are ignored, as in Kafka, since without a
//   transactional id nothing ties the old id to the new one. When no id can be had the
//   source's error maps to COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
// - A producer id and epoch must both be set or both be -1 (else INVALID_REQUEST), and a
//   transactional id, when sent, must not be empty (else INVALID_REQUEST), as in Kafka.
// - Transactional producers (transactional id set) are refused with
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED until transactions are implemented: this broker
//   authorises no transactional id because it runs no transaction coordinator. The code is
//   chosen for what clients do with it: the Java client and librdkafka both fail
//   `initTransactions()` at once with a fatal error, whereas COORDINATOR_NOT_AVAILABLE or
//   NOT_COORDINATOR would have them retry until their timeout, and librdkafka retries any
//   code it does not know. Each refusal is logged so an operator sees why.

import Logging
import TernProtocol

struct InitProducerIdHandler {
    static let versions: ClosedRange<Int16> = 0...5
    let apis: ProducerApis

    func handle(_ request: InitProducerIdRequest, context: RequestContext) async -> InitProducerIdResponse {
        if (request.producerId == -1) != (request.producerEpoch == -1) {
            return failure(.invalidRequest)
        }
        if let transactionalId = request.transactionalId {
            if transactionalId.isEmpty { return failure(.invalidRequest) }
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
