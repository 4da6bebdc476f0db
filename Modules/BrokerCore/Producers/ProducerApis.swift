public import Logging
import TernProtocol

/// InitProducerId: producer ids for idempotent producers, and for transactional ones through
/// the transaction coordinator. The per-partition producer state that checks their batches
/// lives with each `HostedPartition`.
public struct ProducerApis: ApiComponent {
    let producerIds: any ProducerIdSource
    let logger: Logger
    let transactions: TransactionCoordinatorService?

    /// The producer APIs, handing out ids from `producerIds`.
    /// Without `transactions`, transactional ids are refused.
    public init(producerIds: any ProducerIdSource, logger: Logger, transactions: TransactionCoordinatorService? = nil) {
        self.producerIds = producerIds
        self.logger = logger
        self.transactions = transactions
    }

    public var routes: [ApiRoute] {
        [
            ApiRoute(.initProducerId, versions: InitProducerIdHandler.versions) { body, context in
                guard case .initProducerId(let request) = body else { preconditionFailure("routed \(body.apiKey) to InitProducerId") }
                return .body(.initProducerId(await InitProducerIdHandler(apis: self).handle(request, context: context)))
            },
        ]
    }
}
