import TernProtocol

extension TopicConfigCatalog {
    /// Checks a topic's complete set of overrides, as CreateTopics and the AlterConfigs APIs
    /// store them, and returns them in canonical form. Every refusal is INVALID_CONFIG with
    /// Kafka's message. `layers` supplies the broker defaults that cross-field checks read
    /// (its `topicOverrides` are ignored).
    ///
    /// Beyond Kafka: `remote.storage.enable=true` is refused because Tern has no tiered storage
    /// (Kafka refuses it the same way when tiered storage is off), and an empty
    /// `cleanup.policy` is refused because Tern's logs always delete or compact.
    public func validate(_ overrides: [String: String], in layers: ConfigLayers) throws(ConfigValidationError) -> [String: String] {
        for name in overrides.keys.sorted() where entries[name] == nil {
            throw ConfigValidationError(.invalidConfig, "Unknown topic config name: \(name)")
        }
        var normalized: [String: String] = [:]
        for (name, raw) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let definition = entries[name]?.definition else { continue }
            do {
                normalized[name] = try definition.normalize(raw)
            } catch {
                throw ConfigValidationError(.invalidConfig, error.description)
            }
        }
        var effective = layers
        effective.topicOverrides = normalized
        try checkCrossFieldRules(effective)
        return normalized
    }

    private func checkCrossFieldRules(_ layers: ConfigLayers) throws(ConfigValidationError) {
        let minimumLag = integer("min.compaction.lag.ms", in: layers)
        let maximumLag = integer("max.compaction.lag.ms", in: layers)
        if minimumLag > maximumLag {
            throw ConfigValidationError(.invalidConfig,
                "conflict topic config setting min.compaction.lag.ms (\(minimumLag)) > max.compaction.lag.ms (\(maximumLag))")
        }
        if boolean("remote.storage.enable", in: layers) {
            throw ConfigValidationError(.invalidConfig,
                "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.")
        }
        if list("cleanup.policy", in: layers).isEmpty {
            throw ConfigValidationError(.invalidConfig,
                "Tern requires cleanup.policy to name at least one of compact, delete")
        }
    }

    // Typed reads of a resolved config. Every catalog config has a non-null default of its
    // type, so a missing or mistyped value here is a catalog bug.

    func integer(_ name: String, in layers: ConfigLayers) -> Int64 {
        guard case .integer(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not an integer") }
        return value
    }

    func boolean(_ name: String, in layers: ConfigLayers) -> Bool {
        guard case .boolean(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not a boolean") }
        return value
    }

    func string(_ name: String, in layers: ConfigLayers) -> String {
        guard case .string(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not a string") }
        return value
    }

    func list(_ name: String, in layers: ConfigLayers) -> [String] {
        guard case .list(let value)? = resolve(name, in: layers).value else { preconditionFailure("\(name) is not a list") }
        return value
    }
}
