import TernProtocol

/// Whether and where a broker config may change while the cluster runs (Kafka's "update mode").
public enum BrokerConfigUpdateMode: Hashable, Sendable {
    /// Only the config file sets it; AlterConfigs refuses it.
    case readOnly
    /// It may be set for one broker, but not as a cluster-wide default.
    case perBroker
    /// It may be set for one broker or as a cluster-wide default.
    case clusterWide
}

/// The broker configs Tern knows: the topic configs' broker synonyms (`log.retention.ms`,
/// `message.max.bytes`, …) and the broker-only configs that matter to Tern (`num.partitions`,
/// `offsets.topic.replication.factor`, …), each with its type, default and update mode.
///
/// As in Kafka, a topic config's first synonym may be altered cluster-wide or per broker and
/// the others (`log.retention.hours`, `log.roll.hours`, …) only in the config file; broker-only
/// configs are read-only. Names the catalog does not know are custom properties: stored and
/// reported as Kafka stores and reports them, never interpreted.
public struct BrokerConfigCatalog: Sendable {
    /// One broker config.
    public struct Entry: Hashable, Sendable {
        /// The config.
        public let definition: ConfigDefinition
        /// Whether AlterConfigs may change it, and at which level.
        public let updateMode: BrokerConfigUpdateMode
        /// This name and the lower-priority names that set the same thing
        /// (`log.retention.minutes` → `[log.retention.minutes, log.retention.hours]`).
        public let synonymGroup: [String]
    }

    /// The configs by name.
    public let entries: [String: Entry]
    /// Every name, sorted.
    public let names: [String]

    /// The broker configs, with the synonyms of `topicConfigs`.
    public init(topicConfigs: TopicConfigCatalog = TopicConfigCatalog()) {
        var entries: [String: Entry] = [:]
        for name in topicConfigs.names {
            guard let synonyms = topicConfigs[name]?.synonyms else { continue }
            for (rank, synonym) in synonyms.enumerated() where entries[synonym.name] == nil {
                // Kafka leaves the deprecated format version out of the dynamic configs.
                let dynamic = rank == 0 && synonym.name != "log.message.format.version"
                entries[synonym.name] = Entry(
                    definition: synonym.definition, updateMode: dynamic ? .clusterWide : .readOnly,
                    synonymGroup: synonyms[rank...].map(\.name))
            }
        }
        for entry in Self.kafkaBrokerEntries {
            precondition(entries[entry.definition.name] == nil, "broker config \(entry.definition.name) defined twice")
            entries[entry.definition.name] = entry
        }
        self.entries = entries
        self.names = entries.keys.sorted()
    }

    /// The config named `name`, if known.
    public subscript(name: String) -> Entry? { entries[name] }

    /// The value of broker config `name` on its own (Kafka reports `log.retention.ms` as null
    /// when only `log.retention.hours` is set). Unknown names resolve to their raw text.
    public func resolve(_ name: String, in layers: ConfigLayers) -> ResolvedConfig {
        guard let definition = entries[name]?.definition else {
            for layer in layers.brokerLayers {
                if let raw = layer.values[name] { return ResolvedConfig(value: .string(raw), source: layer.source) }
            }
            return ResolvedConfig(value: nil, source: .unknown)
        }
        for layer in layers.brokerLayers {
            if let raw = layer.values[name], let value = try? definition.parse(raw) {
                return ResolvedConfig(value: value, source: layer.source)
            }
        }
        return ResolvedConfig(value: definition.defaultValue.flatMap { try? definition.parse($0) }, source: .defaultConfig)
    }

    /// Checks a dynamic config change for one broker (`perBroker`) or the cluster default and
    /// returns the configs in canonical form. Refusals are INVALID_REQUEST with Kafka's
    /// message, as Kafka reports broker config failures. Unknown names pass unchanged.
    public func validateDynamic(_ configs: [String: String], perBroker: Bool) throws(ConfigValidationError) -> [String: String] {
        let readOnly = configs.keys.filter { entries[$0]?.updateMode == .readOnly }
        if !readOnly.isEmpty {
            throw ConfigValidationError(.invalidRequest, "Cannot update these configs dynamically: \(Self.setText(readOnly))")
        }
        let brokerOnly = configs.keys.filter { entries[$0]?.updateMode == .perBroker }
        if !perBroker, !brokerOnly.isEmpty {
            throw ConfigValidationError(.invalidRequest,
                "Cannot update these configs at default cluster level, broker id must be specified: \(Self.setText(brokerOnly))")
        }
        var normalized: [String: String] = [:]
        for (name, raw) in configs.sorted(by: { $0.key < $1.key }) {
            guard let definition = entries[name]?.definition else {
                normalized[name] = raw
                continue
            }
            do {
                normalized[name] = try definition.normalize(raw)
            } catch {
                throw ConfigValidationError(.invalidRequest, error.description)
            }
        }
        return normalized
    }

    /// The problems with a broker's static properties, for startup to report: every known
    /// config whose value does not parse or breaks its constraint.
    public func validateStatic(_ properties: [String: String]) -> [ConfigValueError] {
        var problems: [ConfigValueError] = []
        for (name, raw) in properties.sorted(by: { $0.key < $1.key }) {
            guard let definition = entries[name]?.definition else { continue }
            do {
                _ = try definition.parse(raw)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    /// Kafka prints config name sets as Scala does: `Set(a, b)`.
    private static func setText(_ names: [String]) -> String {
        "Set(\(names.sorted().joined(separator: ", ")))"
    }
}
