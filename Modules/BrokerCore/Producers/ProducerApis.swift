public import Logging
import TernProtocol

/// InitProducerId: producer ids for idempotent producers. The per-partition producer state
/// that checks their batches lives with each `HostedPartition`; transactions (the other
/// half of Kafka's producer APIs) are not served yet.
public struct ProducerApis: ApiComponent {
    let producerIds: any ProducerIdSource
    let logger: Logger

    /// The producer APIs, handing out ids from `producerIds`.
    public init(producerIds: any ProducerIdSource, logger: Logger) {
        self.producerIds = producerIds
        self.logger = logger
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
