public import TernCoordination
import TernProtocol

/// The config resource types Tern serves (`resource_type` of the config APIs).
public enum ConfigResourceType: Int8, Hashable, Sendable {
    /// A topic's overrides.
    case topic = 2
    /// A broker's dynamic configs (`<id>`) or the cluster-wide defaults (`""`).
    case broker = 4
    /// A broker's logger levels (KIP-412).
    case brokerLogger = 8
}

/// What DescribeConfigs answers for one resource.
public struct ConfigResourceDescription: Hashable, Sendable {
    /// The resource's error, or success.
    public var outcome: AdminOutcome
    /// The configs; empty on error.
    public var configs: [ConfigDescription]
}

/// Describes and alters topic, broker and logger configs with Kafka's validation and
/// messages. Serves DescribeConfigs, AlterConfigs and IncrementalAlterConfigs.
///
/// Topic overrides live in `TopicMetadata.configs` and dynamic broker configs in
/// `ClusterMetadata.brokerConfigs`; a change is a write of the resource's whole new map through
/// the `CoordinationClient`, which the replica manager picks up from `updates()` and applies.
/// An incremental change reads, edits and writes back without a conditional write, so two
/// concurrent changes to one resource can lose one of them.
///
/// Broker resources may name any broker id: the metadata is shared, so a change for another
/// broker is stored for it to apply. (Kafka answers INVALID_REQUEST there, since its clients
/// send a broker's changes to that broker.) Describing a broker reports this broker's view
/// only, as Kafka does.
public struct ConfigAdministration: Sendable {
    let coordination: any CoordinationClient
    let configuration: BrokerConfiguration
    /// The topic configs.
    public let topicConfigs: TopicConfigCatalog
    /// The broker configs.
    public let brokerConfigs: BrokerConfigCatalog
    /// The logger levels behind the BROKER_LOGGER resource.
    public let loggers: BrokerLoggerLevels

    /// An administration over `coordination` for the broker `configuration` describes.
    public init(
        coordination: any CoordinationClient, configuration: BrokerConfiguration,
        topicConfigs: TopicConfigCatalog = TopicConfigCatalog(), loggers: BrokerLoggerLevels = BrokerLoggerLevels()
    ) {
        self.coordination = coordination
        self.configuration = configuration
        self.topicConfigs = topicConfigs
        self.brokerConfigs = BrokerConfigCatalog(topicConfigs: topicConfigs)
        self.loggers = loggers
    }

    /// The configs of resource `name` of `type` (a raw `resource_type`); only `names` when
    /// given and not empty (Kafka reads an empty list as "all").
    public func describe(
        type: Int8, name: String, only names: [String]?, includeSynonyms: Bool, includeDocumentation: Bool
    ) async -> ConfigResourceDescription {
        let names = names?.isEmpty == true ? nil : names
        do {
            let configs = try await describedConfigs(type: type, name: name, only: names,
                                                     includeSynonyms: includeSynonyms, includeDocumentation: includeDocumentation)
            return ConfigResourceDescription(outcome: .success, configs: configs)
        } catch {
            return ConfigResourceDescription(outcome: error.outcome, configs: [])
        }
    }

    private func describedConfigs(
        type: Int8, name: String, only names: [String]?, includeSynonyms: Bool, includeDocumentation: Bool
    ) async throws(AdminRefusal) -> [ConfigDescription] {
        switch ConfigResourceType(rawValue: type) {
        case .topic?:
            if let problem = TopicNames.problem(with: name) { throw AdminRefusal(.invalidTopicException, problem) }
            let metadata = await coordination.metadata()
            guard let topic = metadata.topics[name] else { throw AdminRefusal(.unknownTopicOrPartition, nil) }
            let layers = ConfigLayers(topicOverrides: topic.configs, metadata: metadata, configuration: configuration)
            return topicConfigs.describe(in: layers, only: names, includeSynonyms: includeSynonyms,
                                         includeDocumentation: includeDocumentation)
        case .broker?:
            let layers = ConfigLayers(metadata: await coordination.metadata(), configuration: configuration)
            if name.isEmpty {
                return brokerConfigs.describeClusterDefaults(in: layers, only: names, includeSynonyms: includeSynonyms,
                                                             includeDocumentation: includeDocumentation)
            }
            guard try brokerId(name) == configuration.nodeId else {
                throw AdminRefusal(.invalidRequest,
                    "Unexpected broker id, expected \(configuration.nodeId) or empty string, but received \(name)")
            }
            return brokerConfigs.describe(in: layers, only: names, includeSynonyms: includeSynonyms,
                                          includeDocumentation: includeDocumentation)
        case .brokerLogger?:
            try checkOwnLoggerResource(name)
            return await loggers.describe(only: names)
        case nil:
            throw AdminRefusal(.invalidRequest, "Unsupported resource type: \(type)")
        }
    }

    /// Replaces the dynamic configs of resource `name` of `type` with `configs` (AlterConfigs),
    /// or only checks them when `validateOnly`.
    public func replaceConfigs(type: Int8, name: String, with configs: [String: String], validateOnly: Bool) async -> AdminOutcome {
        do {
            try await write(type: type, name: name, validateOnly: validateOnly, loggerChanges: nil) { _ in configs }
            return .success
        } catch {
            return error.outcome
        }
    }

    /// Applies `changes` to the dynamic configs of resource `name` of `type`
    /// (IncrementalAlterConfigs), or only checks them when `validateOnly`.
    public func alterConfigs(type: Int8, name: String, changes: [ConfigChange], validateOnly: Bool) async -> AdminOutcome {
        let catalog = ConfigResourceType(rawValue: type) == .broker
            ? { (name: String) in brokerConfigs[name]?.definition }
            : { (name: String) in topicConfigs[name]?.definition }
        do {
            try await write(type: type, name: name, validateOnly: validateOnly, loggerChanges: changes) {
                (current: [String: String]) throws(ConfigValidationError) in
                try ConfigChanges.apply(changes, to: current, definitions: catalog)
            }
            return .success
        } catch {
            return error.outcome
        }
    }

    /// Reads the resource's stored configs, computes and validates the new set, and writes it.
    /// Logger resources take `loggerChanges` instead; AlterConfigs, which passes none, may not
    /// change them.
    private func write(
        type: Int8, name: String, validateOnly: Bool, loggerChanges: [ConfigChange]?,
        _ newConfigs: ([String: String]) throws(ConfigValidationError) -> [String: String]
    ) async throws(AdminRefusal) {
        switch ConfigResourceType(rawValue: type) {
        case .topic?:
            if let problem = TopicNames.problem(with: name) { throw AdminRefusal(.invalidTopicException, problem) }
            let metadata = await coordination.metadata()
            guard let topic = metadata.topics[name] else { throw AdminRefusal(.unknownTopicOrPartition, nil) }
            let layers = ConfigLayers(metadata: metadata, configuration: configuration)
            let configs: [String: String]
            do {
                configs = try topicConfigs.validate(try newConfigs(topic.configs), in: layers)
            } catch {
                throw AdminRefusal(error)
            }
            guard !validateOnly else { return }
            do { try await coordination.setTopicConfigs(configs, forTopic: name) } catch { throw AdminRefusal(error) }
        case .broker?:
            if !name.isEmpty { _ = try brokerId(name) }
            let configs: [String: String]
            do {
                let stored = await coordination.metadata().brokerConfigs[name] ?? [:]
                configs = try brokerConfigs.validateDynamic(try newConfigs(stored), perBroker: !name.isEmpty)
            } catch {
                throw AdminRefusal(error)
            }
            guard !validateOnly else { return }
            do { try await coordination.setBrokerConfigs(configs, scope: name) } catch { throw AdminRefusal(error) }
        case .brokerLogger? where loggerChanges != nil:
            try checkOwnLoggerResource(name)
            let outcome = await loggers.apply(loggerChanges ?? [], validateOnly: validateOnly)
            if outcome.errorCode != .noError { throw AdminRefusal(outcome.errorCode, outcome.errorMessage) }
        case .brokerLogger?, nil:
            throw AdminRefusal(.invalidRequest, "Unknown resource type \(type)")
        }
    }

    private func brokerId(_ name: String) throws(AdminRefusal) -> Int32 {
        guard let id = Int32(name) else {
            throw AdminRefusal(.invalidRequest, "Broker id must be an integer, but it is: \(name)")
        }
        return id
    }

    private func checkOwnLoggerResource(_ name: String) throws(AdminRefusal) {
        if name.isEmpty { throw AdminRefusal(.invalidRequest, "Broker id must not be empty") }
        guard try brokerId(name) == configuration.nodeId else {
            throw AdminRefusal(.invalidRequest, "Unexpected broker id, expected \(configuration.nodeId), but received \(name)")
        }
    }
}
