// EndTxn, versions 0–4.
//
// Commits or aborts the open transaction: answered once the decision is durable in
// `__transaction_state`; the markers follow. v5 (KIP-890 part 2, an epoch bump per
// transaction) is not served. PRODUCER_FENCED reaches clients older than v2 as
// INVALID_PRODUCER_EPOCH, as in Kafka.

import TernProtocol
import TernTransactionCoordinator

struct EndTxnHandler {
    static let versions: ClosedRange<Int16> = 0...4
    let apis: TransactionApis

    func handle(_ request: EndTxnRequest, version: Int16) async -> EndTxnResponse {
        let error = await apis.service.endTransaction(EndTxnEvent(
            transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch,
            result: request.committed ? .commit : .abort))
        return EndTxnResponse(errorCode: TransactionApis.code(error, fencedAsInvalidEpoch: version < 2).rawValue)
    }
}
