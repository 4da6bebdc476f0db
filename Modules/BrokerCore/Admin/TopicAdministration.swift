public import TernCoordination
public import TernProtocol

/// What `TopicAdministration.createTopic` answers, shaped for CreateTopics.
public struct TopicCreationOutcome: Hashable, Sendable {
    /// `.noError` when the topic was created (or would be, for validate-only).
    public var errorCode: KafkaErrorCode
    /// What went wrong, or nil.
    public var errorMessage: String?
    /// The topic as created; for validate-only, as it would be created, with id zero. Nil on
    /// failure.
    public var topic: TopicMetadata?
    /// The topic's effective configs in name order (CreateTopics v5+); empty on failure.
    public var configs: [ConfigDescription]

    /// A failure.
    init(_ refusal: AdminRefusal) {
        errorCode = refusal.kafkaErrorCode
        errorMessage = refusal.message
        topic = nil
        configs = []
    }

    /// A success.
    init(topic: TopicMetadata, configs: [ConfigDescription]) {
        errorCode = .noError
        errorMessage = nil
        self.topic = topic
        self.configs = configs
    }

    /// The partition count, or -1 on failure.
    public var partitionCount: Int32 { topic.map { Int32($0.partitions.count) } ?? -1 }
    /// The replication factor, or -1 on failure.
    public var replicationFactor: Int16 { topic?.partitions.first.map { Int16($0.replicas.count) } ?? -1 }
}

/// Creates, deletes and grows topics in the cluster metadata, with Kafka's validation and
/// messages. Serves CreateTopics, DeleteTopics and CreatePartitions, and Metadata's
/// auto-creation.
///
/// Checks run in the order Kafka's controller runs them, so a request with several problems
/// gets the error Kafka would give. Writes go to the `CoordinationClient`; a broker's replica
/// manager sees them through `updates()`. Validation reads one metadata snapshot: two brokers
/// creating colliding names at the same instant can both succeed, where Kafka's single
/// controller would refuse the second.
public actor TopicAdministration {
    /// The most partitions one topic may have: a bound on what one request can make the broker
    /// allocate. Kafka has no such limit.
    public static let partitionCountMax = 100_000

    let coordination: any CoordinationClient
    let configuration: BrokerConfiguration
    /// The topic configs.
    public nonisolated let topicConfigs: TopicConfigCatalog
    /// The broker configs.
    public nonisolated let brokerConfigs: BrokerConfigCatalog
    private var random: any RandomNumberGenerator & Sendable

    /// An administration writing to `coordination` for the broker `configuration` describes;
    /// topic ids and placement offsets come from `random`.
    public init(
        coordination: any CoordinationClient, configuration: BrokerConfiguration,
        topicConfigs: TopicConfigCatalog = TopicConfigCatalog(), random: some RandomNumberGenerator & Sendable
    ) {
        self.coordination = coordination
        self.configuration = configuration
        self.topicConfigs = topicConfigs
        self.brokerConfigs = BrokerConfigCatalog(topicConfigs: topicConfigs)
        self.random = random
    }

    /// The broker settings in effect now (dynamic configs included).
    public func brokerSettings() async -> BrokerSettings {
        brokerConfigs.settings(in: ConfigLayers(metadata: await coordination.metadata(), configuration: configuration))
    }

    /// Creates topic `name`, or only checks that it could be created when `validateOnly`.
    ///
    /// `partitions` and `replicationFactor` of -1 take `num.partitions` and
    /// `default.replication.factor`. `assignments` (partition → replicas, preferred leader
    /// first) replaces both, which must then be -1. `configs` are the topic's overrides. Each
    /// partition starts with its first replica leading, every replica in sync, epoch 0.
    public func createTopic(
        name: String, partitions: Int32, replicationFactor: Int16, assignments: [Int32: [Int32]]?,
        configs: [String: String], validateOnly: Bool
    ) async -> TopicCreationOutcome {
        let metadata = await coordination.metadata()
        let planned: (topic: TopicMetadata, configs: [ConfigDescription])
        do {
            planned = try plan(name: name, partitions: partitions, replicationFactor: replicationFactor,
                               assignments: assignments, configs: configs, validateOnly: validateOnly, in: metadata)
        } catch {
            return TopicCreationOutcome(error)
        }
        if !validateOnly {
            do {
                try await coordination.createTopic(planned.topic)
            } catch .topicExists {
                return TopicCreationOutcome(AdminRefusal(.topicAlreadyExists, "Topic '\(name)' already exists."))
            } catch {
                return TopicCreationOutcome(AdminRefusal(error))
            }
        }
        return TopicCreationOutcome(topic: planned.topic, configs: planned.configs)
    }

    private func plan(
        name: String, partitions: Int32, replicationFactor: Int16, assignments: [Int32: [Int32]]?,
        configs: [String: String], validateOnly: Bool, in metadata: ClusterMetadata
    ) throws(AdminRefusal) -> (topic: TopicMetadata, configs: [ConfigDescription]) {
        try checkName(name, in: metadata)
        let layers = ConfigLayers(metadata: metadata, configuration: configuration)
        let overrides: [String: String]
        do {
            overrides = try topicConfigs.validate(configs, in: layers)
        } catch {
            throw AdminRefusal(error)
        }
        let replicas: [[Int32]]
        if let assignments, !assignments.isEmpty {
            replicas = try manualReplicas(assignments, partitions: partitions, replicationFactor: replicationFactor, in: metadata)
        } else {
            replicas = try placedReplicas(partitions: partitions, replicationFactor: replicationFactor, in: metadata, layers: layers)
        }
        let topic = TopicMetadata(
            name: name, id: validateOnly ? .zero : KafkaUUID.random(using: &random),
            partitions: replicas.map { PartitionAssignment(replicas: $0, leader: $0[0], leaderEpoch: 0, inSyncReplicas: $0) },
            configs: overrides)
        var effective = layers
        effective.topicOverrides = overrides
        return (topic, topicConfigs.describe(in: effective, includeSynonyms: false, includeDocumentation: false))
    }

    private func checkName(_ name: String, in metadata: ClusterMetadata) throws(AdminRefusal) {
        if name == TopicNames.clusterMetadataTopic {
            throw AdminRefusal(.invalidRequest, "Creation of internal topic \(name) is prohibited.")
        }
        if let problem = TopicNames.problem(with: name) {
            throw AdminRefusal(.invalidTopicException, problem)
        }
        if metadata.topics[name] != nil {
            throw AdminRefusal(.topicAlreadyExists, "Topic '\(name)' already exists.")
        }
        if let existing = metadata.topics.keys.filter({ TopicNames.collide(name, $0) }).min() {
            throw AdminRefusal(.invalidTopicException, "Topic '\(name)' collides with existing topic: \(existing)")
        }
    }

    private func manualReplicas(
        _ assignments: [Int32: [Int32]], partitions: Int32, replicationFactor: Int16, in metadata: ClusterMetadata
    ) throws(AdminRefusal) -> [[Int32]] {
        if replicationFactor != -1 {
            throw AdminRefusal(.invalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.")
        }
        if partitions != -1 {
            throw AdminRefusal(.invalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.")
        }
        if assignments.count > Self.partitionCountMax {
            throw AdminRefusal(.invalidPartitions, "Tern accepts at most \(Self.partitionCountMax) partitions per topic.")
        }
        let registered = Set(metadata.brokers.keys)
        var factor: Int?
        for (_, replicas) in assignments.sorted(by: { $0.key < $1.key }) {
            try RoundRobinPlacement.validate(replicas, registered: registered, replicationFactor: factor)
            factor = replicas.count
        }
        let ordered = assignments.keys.sorted()
        guard ordered == Array(0..<Int32(ordered.count)) else {
            throw AdminRefusal(.invalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence")
        }
        return ordered.map { assignments[$0] ?? [] }
    }

    private func placedReplicas(
        partitions: Int32, replicationFactor: Int16, in metadata: ClusterMetadata, layers: ConfigLayers
    ) throws(AdminRefusal) -> [[Int32]] {
        if replicationFactor < -1 || replicationFactor == 0 {
            throw AdminRefusal(.invalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
        }
        if partitions < -1 || partitions == 0 {
            throw AdminRefusal(.invalidPartitions, "Number of partitions was set to an invalid non-positive value.")
        }
        let settings = brokerConfigs.settings(in: layers)
        let count = Int(partitions == -1 ? settings.numPartitions : partitions)
        let factor = Int(replicationFactor == -1 ? settings.defaultReplicationFactor : replicationFactor)
        if count > Self.partitionCountMax {
            throw AdminRefusal(.invalidPartitions, "Tern accepts at most \(Self.partitionCountMax) partitions per topic.")
        }
        return try place(partitions: 0..<count, replicationFactor: factor, in: metadata,
                         failure: { "Unable to replicate the partition \(factor) time(s): \($0)" })
    }

    /// Round-robin replicas for `partitions` over the live brokers, from a random offset.
    func place(
        partitions: Range<Int>, replicationFactor: Int, in metadata: ClusterMetadata, failure: (String) -> String
    ) throws(AdminRefusal) -> [[Int32]] {
        let brokers = Array(metadata.brokers.keys)
        let start = brokers.isEmpty ? 0 : Int(random.next() % UInt64(brokers.count))
        guard let replicas = RoundRobinPlacement.place(
            partitions: partitions, replicationFactor: replicationFactor, brokers: brokers, start: start) else {
            throw AdminRefusal(.invalidReplicationFactor,
                failure(RoundRobinPlacement.shortfall(replicationFactor: replicationFactor, brokerCount: brokers.count)))
        }
        return replicas
    }
}
