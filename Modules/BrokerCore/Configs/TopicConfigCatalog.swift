/// A broker config that supplies a topic config's default, and how its unit converts.
public struct ConfigSynonym: Hashable, Sendable {
    /// The broker config.
    public let definition: ConfigDefinition
    /// The factor from the broker config's unit to the topic config's milliseconds (1 when
    /// the units agree; 3 600 000 for `log.retention.hours`).
    public let millisecondsPerUnit: Int64

    /// A synonym.
    public init(_ definition: ConfigDefinition, millisecondsPerUnit: Int64 = 1) {
        self.definition = definition
        self.millisecondsPerUnit = millisecondsPerUnit
    }

    /// The broker config's name.
    public var name: String { definition.name }

    /// `value` in the topic config's unit.
    func converted(_ value: ConfigValue) -> ConfigValue {
        guard millisecondsPerUnit != 1, case .integer(let number) = value else { return value }
        let (product, overflow) = number.multipliedReportingOverflow(by: millisecondsPerUnit)
        return .integer(overflow ? (number < 0 ? .min : .max) : product)
    }
}

/// Every topic config Kafka 3.9 defines: type, default, constraint, documentation and the
/// broker configs that default it. Resolves a topic's effective configs from `ConfigLayers`,
/// describes them for DescribeConfigs, and validates overrides for CreateTopics and the
/// AlterConfigs APIs.
///
/// Precedence follows Kafka: the topic's override, then the broker synonyms. Where a topic
/// config has several synonyms (`log.retention.ms`, `.minutes`, `.hours`), the first synonym
/// set anywhere wins, and for each synonym the per-broker value beats the cluster default,
/// which beats the config file — exactly how Kafka merges dynamic configs over the static
/// ones before it picks `ms` over `minutes` over `hours`. A stored value that no longer
/// parses is skipped, so resolution never fails.
public struct TopicConfigCatalog: Sendable {
    /// One topic config and its broker synonyms, highest priority first.
    public struct Entry: Hashable, Sendable {
        /// The topic config.
        public let definition: ConfigDefinition
        /// Its broker synonyms, highest priority first; empty when only topics set it.
        public let synonyms: [ConfigSynonym]
    }

    /// The configs by name.
    public let entries: [String: Entry]
    /// Every name, sorted.
    public let names: [String]

    /// Kafka 3.9's topic configs.
    public init() {
        var entries: [String: Entry] = [:]
        for entry in Self.kafkaEntries {
            precondition(entries[entry.definition.name] == nil, "topic config \(entry.definition.name) defined twice")
            entries[entry.definition.name] = entry
        }
        self.entries = entries
        self.names = entries.keys.sorted()
    }

    /// The config named `name`, if Kafka defines it.
    public subscript(name: String) -> Entry? { entries[name] }

    /// The effective value of topic config `name` in `layers`. `name` must be a known config.
    public func resolve(_ name: String, in layers: ConfigLayers) -> ResolvedConfig {
        guard let entry = entries[name] else { preconditionFailure("unknown topic config \(name)") }
        if let raw = layers.topicOverrides[name], let value = try? entry.definition.parse(raw) {
            return ResolvedConfig(value: value, source: .topicConfig)
        }
        for synonym in entry.synonyms {
            for layer in layers.brokerLayers {
                if let raw = layer.values[synonym.name], let value = try? synonym.definition.parse(raw) {
                    return ResolvedConfig(value: synonym.converted(value), source: layer.source)
                }
            }
        }
        let value = entry.definition.defaultValue.flatMap { try? entry.definition.parse($0) }
        return ResolvedConfig(value: value, source: .defaultConfig)
    }

    /// Every topic config as DescribeConfigs reports it, in name order; only `filter`'s names
    /// when given (unknown names are skipped, as Kafka skips them).
    public func describe(
        in layers: ConfigLayers, only filter: [String]? = nil, includeSynonyms: Bool, includeDocumentation: Bool
    ) -> [ConfigDescription] {
        let wanted = filter.map(Set.init)
        return names.filter { wanted?.contains($0) ?? true }.map {
            describe($0, in: layers, includeSynonyms: includeSynonyms, includeDocumentation: includeDocumentation)
        }
    }

    private func describe(_ name: String, in layers: ConfigLayers, includeSynonyms: Bool, includeDocumentation: Bool) -> ConfigDescription {
        guard let entry = entries[name] else { preconditionFailure("unknown topic config \(name)") }
        let resolved = resolve(name, in: layers)
        return ConfigDescription(
            name: name, value: resolved.value?.canonical, source: resolved.source, isReadOnly: false,
            isSensitive: entry.definition.isSensitive,
            synonyms: includeSynonyms ? synonyms(of: entry, in: layers) : [],
            type: entry.definition.type,
            documentation: includeDocumentation ? entry.definition.documentation : nil)
    }

    /// Every layer that sets the config, in Kafka's order: the override, then each broker
    /// layer across all synonyms, then the synonyms' built-in defaults.
    private func synonyms(of entry: Entry, in layers: ConfigLayers) -> [ConfigDescription.Synonym] {
        var found: [ConfigDescription.Synonym] = []
        if let raw = layers.topicOverrides[entry.definition.name] {
            found.append(.init(name: entry.definition.name, value: raw, source: .topicConfig))
        }
        for layer in layers.brokerLayers {
            for synonym in entry.synonyms {
                if let raw = layer.values[synonym.name] {
                    found.append(.init(name: synonym.name, value: raw, source: layer.source))
                }
            }
        }
        for synonym in entry.synonyms {
            if let value = synonym.definition.defaultValue {
                found.append(.init(name: synonym.name, value: value, source: .defaultConfig))
            }
        }
        return found
    }
}
