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
        let creator = autoCreate ? topicCreator(topics: topics, coordination: parts.coordination, metadata: metadata, replicas: replicas) : nil
        let metadataApis = MetadataApis(metadata: metadata, configuration: configuration, autoCreateTopic: creator)
        return [dataPlane, metadataApis, admin]
    }
}

extension BrokerAssembly {
    /// Metadata's auto-creation: CreateTopics with the broker's defaults, and the new topic
    /// hosted before answering so the client's next Metadata finds its leader.
    static func topicCreator(topics: TopicAdministration, coordination: any CoordinationClient, metadata: MetadataCache,
                             replicas: ReplicaManager) -> @Sendable (String) async -> KafkaErrorCode {
        { (name: String) async -> KafkaErrorCode in
            let outcome = await topics.createTopic(name: name, partitions: -1, replicationFactor: -1, assignments: nil,
                                                   configs: [:], validateOnly: false)
            guard outcome.errorCode == .noError else { return outcome.errorCode }
            let snapshot = await coordination.metadata()
            metadata.update(snapshot)
            await replicas.apply(snapshot)
            return .noError
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
