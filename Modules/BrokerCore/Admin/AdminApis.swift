public import TernCoordination
import TernProtocol

/// The administrative APIs: CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
/// AlterConfigs and IncrementalAlterConfigs, each at every version the codec supports. (DeleteRecords
/// needs the logs and is served with the data plane.)
public struct AdminApis: ApiComponent {
    /// Topic creation, deletion and growth.
    public let topics: TopicAdministration
    /// Config description and changes.
    public let configs: ConfigAdministration

    /// The APIs over existing administrations.
    public init(topics: TopicAdministration, configs: ConfigAdministration) {
        self.topics = topics
        self.configs = configs
    }

    /// The APIs over `coordination` for the broker `configuration` describes; topic ids and
    /// placement come from `random`.
    public init(
        coordination: any CoordinationClient, configuration: BrokerConfiguration,
        random: some RandomNumberGenerator & Sendable, loggers: BrokerLoggerLevels = BrokerLoggerLevels()
    ) {
        let catalog = TopicConfigCatalog()
        self.init(
            topics: TopicAdministration(coordination: coordination, configuration: configuration, topicConfigs: catalog, random: random),
            configs: ConfigAdministration(coordination: coordination, configuration: configuration, topicConfigs: catalog, loggers: loggers))
    }

    /// One route per API, at the codec's full version range.
    public var routes: [ApiRoute] {
        let topics = self.topics
        let configs = self.configs
        return [
            ApiRoute(.createTopics, versions: 0...7) { body, _ in
                guard case .createTopics(let request) = body else { preconditionFailure("CreateTopics route got \(body.apiKey)") }
                return .body(.createTopics(await CreateTopicsHandler(administration: topics).handle(request)))
            },
            ApiRoute(.deleteTopics, versions: 0...6) { body, context in
                guard case .deleteTopics(let request) = body else { preconditionFailure("DeleteTopics route got \(body.apiKey)") }
                return .body(.deleteTopics(await DeleteTopicsHandler(administration: topics).handle(request, version: context.apiVersion)))
            },
            ApiRoute(.createPartitions, versions: 0...3) { body, _ in
                guard case .createPartitions(let request) = body else { preconditionFailure("CreatePartitions route got \(body.apiKey)") }
                return .body(.createPartitions(await CreatePartitionsHandler(administration: topics).handle(request)))
            },
            ApiRoute(.describeConfigs, versions: 0...4) { body, context in
                guard case .describeConfigs(let request) = body else { preconditionFailure("DescribeConfigs route got \(body.apiKey)") }
                return .body(.describeConfigs(await DescribeConfigsHandler(administration: configs).handle(request, version: context.apiVersion)))
            },
            ApiRoute(.alterConfigs, versions: 0...2) { body, _ in
                guard case .alterConfigs(let request) = body else { preconditionFailure("AlterConfigs route got \(body.apiKey)") }
                return .body(.alterConfigs(await AlterConfigsHandler(administration: configs).handle(request)))
            },
            ApiRoute(.incrementalAlterConfigs, versions: 0...1) { body, _ in
                guard case .incrementalAlterConfigs(let request) = body else {
                    preconditionFailure("IncrementalAlterConfigs route got \(body.apiKey)")
                }
                return .body(.incrementalAlterConfigs(await IncrementalAlterConfigsHandler(administration: configs).handle(request)))
            },
        ]
    }
}
