/// The static configuration of one broker: who it is, where clients reach it, and its
/// `server.properties`-style settings.
///
/// Settings stay as Kafka's property names and string values (`num.partitions` → `"1"`), so a
/// config file reads like Kafka's, DescribeConfigs can report each one with its source, and
/// the config catalog (`BrokerConfigCatalog`) is the one place that knows their types and
/// defaults.
public struct BrokerConfiguration: Sendable {
    /// The broker's `node.id`.
    public var nodeId: Int32
    /// The host clients are told to connect to.
    public var advertisedHost: String
    /// The port clients are told to connect to.
    public var advertisedPort: Int32
    /// The broker's rack, if any.
    public var rack: String?
    /// Static settings from the config file, flags and environment, by Kafka property name.
    public var properties: [String: String]

    /// A configuration.
    public init(nodeId: Int32, advertisedHost: String, advertisedPort: Int32, rack: String? = nil, properties: [String: String] = [:]) {
        self.nodeId = nodeId
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
        self.rack = rack
        self.properties = properties
    }
}
