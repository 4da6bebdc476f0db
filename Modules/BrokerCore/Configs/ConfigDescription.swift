public import TernProtocol

/// A config's effective value and where it came from.
public struct ResolvedConfig: Hashable, Sendable {
    /// The value, or nil when the config is unset and has no default.
    public var value: ConfigValue?
    /// The layer that supplied it.
    public var source: ConfigSource

    /// A resolved value.
    public init(value: ConfigValue?, source: ConfigSource) {
        self.value = value
        self.source = source
    }
}

/// One config as DescribeConfigs (and CreateTopics v5+) reports it.
public struct ConfigDescription: Hashable, Sendable {
    /// A value the config has in one layer, reported when synonyms are asked for.
    public struct Synonym: Hashable, Sendable {
        /// The name in that layer (`log.retention.hours` for `retention.ms`).
        public var name: String
        /// The value as stored there.
        public var value: String?
        /// The layer.
        public var source: ConfigSource

        /// A synonym entry.
        public init(name: String, value: String?, source: ConfigSource) {
            self.name = name
            self.value = value
            self.source = source
        }
    }

    /// The config's name.
    public var name: String
    /// The effective value in Kafka's canonical form; nil when unset or sensitive.
    public var value: String?
    /// Where the value came from.
    public var source: ConfigSource
    /// Whether AlterConfigs rejects changes to it.
    public var isReadOnly: Bool
    /// Whether the value is secret (and so not reported).
    public var isSensitive: Bool
    /// Every layer that sets it, highest precedence first; empty unless asked for.
    public var synonyms: [Synonym]
    /// The value type.
    public var type: ConfigType
    /// One line of documentation, when asked for.
    public var documentation: String?

    /// A description.
    public init(
        name: String, value: String?, source: ConfigSource, isReadOnly: Bool, isSensitive: Bool,
        synonyms: [Synonym], type: ConfigType, documentation: String?
    ) {
        self.name = name
        self.value = value
        self.source = source
        self.isReadOnly = isReadOnly
        self.isSensitive = isSensitive
        self.synonyms = synonyms
        self.type = type
        self.documentation = documentation
    }

    /// Whether the value is the built-in default (DescribeConfigs v0's `is_default`).
    public var isDefault: Bool { source == .defaultConfig }
}

/// Why a set of configs was refused, with the code and message Kafka answers with.
public struct ConfigValidationError: Error, Hashable, Sendable, KafkaErrorConvertible {
    /// The code for the resource's entry: INVALID_CONFIG for topics, INVALID_REQUEST for
    /// brokers (Kafka wraps broker validation failures that way).
    public var kafkaErrorCode: KafkaErrorCode
    /// What was wrong.
    public var message: String

    /// An error.
    public init(_ code: KafkaErrorCode, _ message: String) {
        self.kafkaErrorCode = code
        self.message = message
    }
}
