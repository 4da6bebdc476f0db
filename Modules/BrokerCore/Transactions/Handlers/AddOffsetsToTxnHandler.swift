// AddOffsetsToTxn, versions 0–4.
//
// The group's `__consumer_offsets` partition joins the transaction, so the producer's
// TxnOffsetCommit may write there and the transaction's markers reach it. PRODUCER_FENCED
// reaches clients older than v2 as INVALID_PRODUCER_EPOCH, as in Kafka.

import TernProtocol
import TernTransactionCoordinator

struct AddOffsetsToTxnHandler {
    static let versions: ClosedRange<Int16> = 0...4
    let apis: TransactionApis

    func handle(_ request: AddOffsetsToTxnRequest, version: Int16) async -> AddOffsetsToTxnResponse {
        let error = await apis.service.addOffsets(AddOffsetsToTxnEvent(
            transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch,
            groupId: request.groupId))
        return AddOffsetsToTxnResponse(errorCode: TransactionApis.code(error, fencedAsInvalidEpoch: version < 2).rawValue)
    }
}
