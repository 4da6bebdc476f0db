import TernCoordination
public import TernProtocol

/// Metadata and DescribeCluster: what clients learn about brokers, topics and leaders.
public struct MetadataApis: ApiComponent {
    let metadata: MetadataCache
    let configuration: BrokerConfiguration
    /// Creates a topic for Metadata's auto-creation with the broker's defaults, returning the
    /// CreateTopics error code (NONE when created); nil when auto-creation is off.
    let autoCreateTopic: (@Sendable (String) async -> KafkaErrorCode)?

    /// Metadata APIs answering from `metadata`.
    public init(metadata: MetadataCache, configuration: BrokerConfiguration,
                autoCreateTopic: (@Sendable (String) async -> KafkaErrorCode)?) {
        self.metadata = metadata
        self.configuration = configuration
        self.autoCreateTopic = autoCreateTopic
    }

    public var routes: [ApiRoute] {
        [
            ApiRoute(.metadata, versions: MetadataHandler.versions) { body, context in
                guard case .metadata(let request) = body else { preconditionFailure("routed \(body.apiKey) to Metadata") }
                return .body(.metadata(await MetadataHandler(apis: self).handle(request, context: context)))
            },
            ApiRoute(.describeCluster, versions: DescribeClusterHandler.versions) { body, context in
                guard case .describeCluster(let request) = body else { preconditionFailure("routed \(body.apiKey) to DescribeCluster") }
                return .body(.describeCluster(DescribeClusterHandler(apis: self).handle(request, context: context)))
            },
            ApiRoute(.describeTopicPartitions, versions: DescribeTopicPartitionsHandler.versions) { body, context in
                guard case .describeTopicPartitions(let request) = body else { preconditionFailure("routed \(body.apiKey) to DescribeTopicPartitions") }
                return .body(.describeTopicPartitions(DescribeTopicPartitionsHandler(apis: self).handle(request, context: context)))
            },
        ]
    }

    /// Kafka's internal topics, flagged `is_internal`.
    static let internalTopics: Set<String> = ["__consumer_offsets", "__transaction_state"]
}

/// Kafka's topic-name rule: 1–249 characters of `[a-zA-Z0-9._-]`, and not `.` or `..`.
public func isLegalTopicName(_ name: String) -> Bool {
    guard !name.isEmpty, name.utf8.count <= 249, name != ".", name != ".." else { return false }
    return name.utf8.allSatisfy { byte in
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2E || byte == 0x5F || byte == 0x2D
    }
}
