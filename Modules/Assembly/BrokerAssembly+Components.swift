import TernBrokerCore
import TernCoordination
import TernProtocol

extension BrokerAssembly {
    /// The API components of a broker, each given only the collaborators it needs.
    static func makeComponents(configuration: BrokerConfiguration, parts: BrokerParts, metadata: MetadataCache,
                               replicas: ReplicaManager) -> [any ApiComponent] {
        let dataPlane = DataPlaneApis(replicas: replicas, metadata: metadata, codecs: parts.codecs, clock: parts.clock, logger: parts.logger)
        let metadataApis = MetadataApis(metadata: metadata, configuration: configuration, autoCreateTopic: nil)
        return [dataPlane, metadataApis]
    }
}

/// Resolves a topic's effective settings from the metadata.
struct BrokerTopicSettings: Sendable {
    let configuration: BrokerConfiguration

    func settings(for topic: String, in metadata: ClusterMetadata) -> TopicSettings {
        TopicSettings()
    }
}
