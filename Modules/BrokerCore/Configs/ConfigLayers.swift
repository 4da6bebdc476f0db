public import TernCoordination

/// The places a config value can come from, as one broker sees them. A topic config is looked
/// up in this order (Kafka's precedence): the topic's override, then its broker synonyms as set
/// for this broker, as cluster-wide defaults, in the config file, and last the built-in default.
public struct ConfigLayers: Hashable, Sendable {
    /// The topic's own overrides (`TopicMetadata.configs`); empty for broker lookups.
    public var topicOverrides: [String: String]
    /// Dynamic configs set for this broker (`ClusterMetadata.brokerConfigs["<id>"]`).
    public var dynamicBroker: [String: String]
    /// Dynamic cluster-wide defaults (`ClusterMetadata.brokerConfigs[""]`).
    public var dynamicClusterDefault: [String: String]
    /// The broker's static properties (its config file).
    public var staticBroker: [String: String]

    /// Layers from explicit maps.
    public init(
        topicOverrides: [String: String] = [:], dynamicBroker: [String: String] = [:],
        dynamicClusterDefault: [String: String] = [:], staticBroker: [String: String] = [:]
    ) {
        self.topicOverrides = topicOverrides
        self.dynamicBroker = dynamicBroker
        self.dynamicClusterDefault = dynamicClusterDefault
        self.staticBroker = staticBroker
    }

    /// The layers `configuration`'s broker sees in `metadata`, with `topicOverrides` on top.
    public init(topicOverrides: [String: String] = [:], metadata: ClusterMetadata, configuration: BrokerConfiguration) {
        self.init(
            topicOverrides: topicOverrides,
            dynamicBroker: metadata.brokerConfigs[String(configuration.nodeId)] ?? [:],
            dynamicClusterDefault: metadata.brokerConfigs[""] ?? [:],
            staticBroker: configuration.staticConfigProperties)
    }

    /// The three broker layers in precedence order, each with the source it reports.
    var brokerLayers: [(source: ConfigSource, values: [String: String])] {
        [(.dynamicBrokerConfig, dynamicBroker), (.dynamicDefaultBrokerConfig, dynamicClusterDefault),
         (.staticBrokerConfig, staticBroker)]
    }
}

extension BrokerConfiguration {
    /// The static properties, plus the broker's identity where the file left it out: `node.id`,
    /// `broker.id`, `advertised.listeners` and `broker.rack` come from the typed fields, so
    /// DescribeConfigs reports what the broker actually uses.
    public var staticConfigProperties: [String: String] {
        var properties = self.properties
        if properties["node.id"] == nil { properties["node.id"] = String(nodeId) }
        if properties["broker.id"] == nil { properties["broker.id"] = String(nodeId) }
        if properties["advertised.listeners"] == nil {
            properties["advertised.listeners"] = "PLAINTEXT://\(advertisedHost):\(advertisedPort)"
        }
        if properties["broker.rack"] == nil, let rack { properties["broker.rack"] = rack }
        return properties
    }
}
