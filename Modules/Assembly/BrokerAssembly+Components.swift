import TernBrokerCore
import TernCoordination
import TernPrimitives
import TernProtocol

extension BrokerAssembly {
    /// The API components of a broker, each given only the collaborators it needs.
    static func makeComponents(configuration: BrokerConfiguration, parts: BrokerParts, metadata: MetadataCache,
                               replicas: ReplicaManager, admin: AdminApis) -> [any ApiComponent] {
        let dataPlane = DataPlaneApis(replicas: replicas, metadata: metadata, codecs: parts.codecs, clock: parts.clock, logger: parts.logger)
        let topics = admin.topics
        let autoCreate = configuration.properties["auto.create.topics.enable"].map { $0.lowercased() != "false" } ?? true
        let creator = autoCreate ? topicCreator(topics: topics) : nil
        let metadataApis = MetadataApis(metadata: metadata, configuration: configuration, autoCreateTopic: creator)
        return [dataPlane, metadataApis, admin]
    }
}

extension BrokerAssembly {
    /// Metadata's auto-creation: CreateTopics with the broker's defaults. The admin's
    /// coordination client hosts the new topic here before answering, so the client's next
    /// Metadata finds its leader.
    static func topicCreator(topics: TopicAdministration) -> @Sendable (String) async -> KafkaErrorCode {
        { (name: String) async -> KafkaErrorCode in
            await topics.createTopic(name: name, partitions: -1, replicationFactor: -1, assignments: nil,
                                     configs: [:], validateOnly: false).errorCode
        }
    }
}

/// Resolves a topic's effective settings from the metadata through the config catalog.
struct BrokerTopicSettings: Sendable {
    let configuration: BrokerConfiguration
    let catalog: TopicConfigCatalog

    func settings(for topic: String, in metadata: ClusterMetadata) -> TopicSettings {
        catalog.settings(topicOverrides: metadata.topics[topic]?.configs ?? [:], metadata: metadata, configuration: configuration)
    }
}
