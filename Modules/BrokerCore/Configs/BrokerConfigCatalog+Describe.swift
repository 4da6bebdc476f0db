extension BrokerConfigCatalog {
    /// This broker's configs as DescribeConfigs reports them for resource `<id>`: every known
    /// config and every custom property set in a layer, in name order; only `filter`'s names
    /// when given.
    ///
    /// As in Kafka, a config's synonyms are its group's names from its own onward, ordered by
    /// layer; leading entries for other names are dropped, and the first remaining entry's
    /// layer is the config's source. Custom properties are reported sensitive (their type is
    /// unknown, so they might hold secrets) and read-only, as Kafka reports them.
    public func describe(
        in layers: ConfigLayers, only filter: [String]? = nil, includeSynonyms: Bool, includeDocumentation: Bool
    ) -> [ConfigDescription] {
        let custom = layers.brokerLayers.flatMap(\.values.keys).filter { entries[$0] == nil }
        let wanted = filter.map(Set.init)
        return Set(names + custom).sorted().filter { wanted?.contains($0) ?? true }.map { name in
            describe(name, in: layers, keeping: { _ in true },
                     includeSynonyms: includeSynonyms, includeDocumentation: includeDocumentation)
        }
    }

    /// The cluster-wide defaults as DescribeConfigs reports them for resource `""`: only the
    /// configs set there, with synonyms from that layer alone.
    public func describeClusterDefaults(
        in layers: ConfigLayers, only filter: [String]? = nil, includeSynonyms: Bool, includeDocumentation: Bool
    ) -> [ConfigDescription] {
        let wanted = filter.map(Set.init)
        let defaultsOnly = ConfigLayers(dynamicClusterDefault: layers.dynamicClusterDefault)
        return layers.dynamicClusterDefault.keys.sorted().filter { wanted?.contains($0) ?? true }.map { name in
            describe(name, in: defaultsOnly, keeping: { $0 == .dynamicDefaultBrokerConfig },
                     includeSynonyms: includeSynonyms, includeDocumentation: includeDocumentation)
        }
    }

    private func describe(
        _ name: String, in layers: ConfigLayers, keeping sources: (ConfigSource) -> Bool,
        includeSynonyms: Bool, includeDocumentation: Bool
    ) -> ConfigDescription {
        let entry = entries[name]
        let all = synonyms(of: name, group: entry?.synonymGroup ?? [name], in: layers).filter { sources($0.source) }
        let isSensitive = entry.map { $0.definition.isSensitive } ?? true
        let resolved = resolve(name, in: layers)
        return ConfigDescription(
            name: name, value: isSensitive ? nil : resolved.value?.canonical,
            source: all.first?.source ?? .defaultConfig,
            isReadOnly: entry.map { $0.updateMode == .readOnly } ?? true,
            isSensitive: isSensitive,
            synonyms: includeSynonyms ? all.map { isSensitive ? .init(name: $0.name, value: nil, source: $0.source) : $0 } : [],
            type: entry?.definition.type ?? .unknown,
            documentation: includeDocumentation ? entry?.definition.documentation : nil)
    }

    private func synonyms(of name: String, group: [String], in layers: ConfigLayers) -> [ConfigDescription.Synonym] {
        var found: [ConfigDescription.Synonym] = []
        for layer in layers.brokerLayers {
            for synonym in group {
                if let raw = layer.values[synonym] { found.append(.init(name: synonym, value: raw, source: layer.source)) }
            }
        }
        for synonym in group {
            if let value = entries[synonym]?.definition.defaultValue {
                found.append(.init(name: synonym, value: value, source: .defaultConfig))
            }
        }
        return Array(found.drop { $0.name != name })
    }
}
