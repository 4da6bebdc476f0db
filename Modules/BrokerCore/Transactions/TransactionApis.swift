import TernProtocol
import TernTransactionCoordinator

/// AddPartitionsToTxn, AddOffsetsToTxn and EndTxn: the requests of an open transaction,
/// served by the transaction coordinator. (InitProducerId is `ProducerApis`'; TxnOffsetCommit
/// the group coordinator's; WriteTxnMarkers `TransactionMarkerApis`'.)
public struct TransactionApis: ApiComponent {
    let service: TransactionCoordinatorService
    let metadata: MetadataCache

    /// The APIs over `service`; `metadata` says which topics exist.
    public init(service: TransactionCoordinatorService, metadata: MetadataCache) {
        self.service = service
        self.metadata = metadata
    }

    public var routes: [ApiRoute] {
        [
            ApiRoute(.addPartitionsToTxn, versions: AddPartitionsToTxnHandler.versions) { body, context in
                guard case .addPartitionsToTxn(let request) = body else { preconditionFailure("routed \(body.apiKey) to AddPartitionsToTxn") }
                return .body(.addPartitionsToTxn(await AddPartitionsToTxnHandler(apis: self).handle(request, version: context.apiVersion)))
            },
            ApiRoute(.addOffsetsToTxn, versions: AddOffsetsToTxnHandler.versions) { body, context in
                guard case .addOffsetsToTxn(let request) = body else { preconditionFailure("routed \(body.apiKey) to AddOffsetsToTxn") }
                return .body(.addOffsetsToTxn(await AddOffsetsToTxnHandler(apis: self).handle(request, version: context.apiVersion)))
            },
            ApiRoute(.endTxn, versions: EndTxnHandler.versions) { body, context in
                guard case .endTxn(let request) = body else { preconditionFailure("routed \(body.apiKey) to EndTxn") }
                return .body(.endTxn(await EndTxnHandler(apis: self).handle(request, version: context.apiVersion)))
            },
        ]
    }

    /// The wire code of a coordinator answer; clients of versions that predate PRODUCER_FENCED
    /// get INVALID_PRODUCER_EPOCH instead.
    static func code(_ error: TransactionErrorCode, fencedAsInvalidEpoch: Bool) -> KafkaErrorCode {
        if error == .producerFenced && fencedAsInvalidEpoch { return .invalidProducerEpoch }
        return KafkaErrorCode(rawValue: error.rawValue) ?? .unknownServerError
    }
}
