// Goal: the config catalogs know Kafka's configs, parse and check values with Kafka's messages,
// resolve a topic's configs with Kafka's precedence, and turn them into typed TopicSettings.
// Method: pure calls on the catalogs with hand-built ConfigLayers; no cluster involved.

import Testing
import TernBrokerCore
import TernLogStore
import TernPrimitives
import TernProtocol

@Suite struct ConfigCatalogTests {
    let topics = TopicConfigCatalog()
    var brokers: BrokerConfigCatalog { BrokerConfigCatalog(topicConfigs: topics) }

    @Test func init_kafkaCatalog_everyDefaultParsesAndSynonymsAreBrokerConfigs() throws {
        #expect(topics.names.count == 36)
        for name in topics.names {
            let entry = try #require(topics[name])
            if let value = entry.definition.defaultValue { _ = try entry.definition.parse(value) }
            for synonym in entry.synonyms {
                #expect(brokers[synonym.name] != nil, "\(synonym.name)")
                if let value = synonym.definition.defaultValue { _ = try synonym.definition.parse(value) }
            }
        }
        let unsynonymed = topics.names.filter { topics[$0]?.synonyms.isEmpty ?? false }
        #expect(unsynonymed == ["follower.replication.throttled.replicas", "leader.replication.throttled.replicas",
                                "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable"])
        for name in brokers.names { if let value = brokers[name]?.definition.defaultValue { _ = try brokers[name]?.definition.parse(value) } }
    }

    @Test(arguments: [
        ("retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"),
        ("retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1"),
        ("segment.bytes", "3000000000", "Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT"),
        ("min.cleanable.dirty.ratio", "1.5", "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"),
        ("cleanup.policy", "compact,forever", "Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete"),
        ("message.timestamp.type", "Now", "Invalid value Now for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"),
        ("preallocate", "yes", "Invalid value yes for configuration preallocate: Expected value to be either true or false"),
        ("compression.lz4.level", "18", "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17"),
    ])
    func parse_badValue_isRefusedWithKafkasMessage(name: String, value: String, message: String) throws {
        let definition = try #require(topics[name]?.definition)
        #expect(throws: ConfigValueError.self) { try definition.parse(value) }
        do {
            _ = try definition.parse(value)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func normalize_spacesAndCase_giveKafkasCanonicalForm() throws {
        #expect(try topics["preallocate"]?.definition.normalize(" TRUE ") == "true")
        #expect(try topics["cleanup.policy"]?.definition.normalize("compact , delete") == "compact,delete")
        #expect(try topics["min.cleanable.dirty.ratio"]?.definition.normalize("1") == "1.0")
        #expect(try topics["retention.ms"]?.definition.normalize(" 1000") == "1000")
    }

    @Test func resolve_everyLayer_followsKafkasPrecedence() {
        var layers = ConfigLayers(
            topicOverrides: ["retention.bytes": "1"], dynamicBroker: ["log.retention.bytes": "2"],
            dynamicClusterDefault: ["log.retention.bytes": "3"], staticBroker: ["log.retention.bytes": "4"])
        #expect(topics.resolve("retention.bytes", in: layers) == ResolvedConfig(value: .integer(1), source: .topicConfig))
        layers.topicOverrides = [:]
        #expect(topics.resolve("retention.bytes", in: layers) == ResolvedConfig(value: .integer(2), source: .dynamicBrokerConfig))
        layers.dynamicBroker = [:]
        #expect(topics.resolve("retention.bytes", in: layers) == ResolvedConfig(value: .integer(3), source: .dynamicDefaultBrokerConfig))
        layers.dynamicClusterDefault = [:]
        #expect(topics.resolve("retention.bytes", in: layers) == ResolvedConfig(value: .integer(4), source: .staticBrokerConfig))
        layers.staticBroker = [:]
        #expect(topics.resolve("retention.bytes", in: layers) == ResolvedConfig(value: .integer(-1), source: .defaultConfig))
    }

    @Test func resolve_retentionSynonyms_millisecondsBeatMinutesBeatHoursInAnyLayer() {
        let hoursOnly = ConfigLayers(dynamicClusterDefault: ["log.retention.hours": "2"])
        #expect(topics.resolve("retention.ms", in: hoursOnly).value == .integer(7_200_000))
        let mixed = ConfigLayers(dynamicBroker: ["log.retention.hours": "2"], staticBroker: ["log.retention.minutes": "5"])
        #expect(topics.resolve("retention.ms", in: mixed) == ResolvedConfig(value: .integer(300_000), source: .staticBrokerConfig))
        let unparsable = ConfigLayers(dynamicBroker: ["log.retention.ms": "soon"], staticBroker: ["log.retention.ms": "10"])
        #expect(topics.resolve("retention.ms", in: unparsable).value == .integer(10))
    }

    @Test func settings_noOverrides_areTopicSettingsDefaults() {
        #expect(topics.settings(in: ConfigLayers()) == TopicSettings())
    }

    @Test func settings_overrides_mapToTypedFields() {
        let layers = ConfigLayers(
            topicOverrides: [
                "retention.ms": "-1", "retention.bytes": "1000", "cleanup.policy": "compact,delete",
                "flush.messages": "100", "compression.type": "zstd", "message.timestamp.type": "LogAppendTime",
                "message.timestamp.difference.max.ms": "5000", "message.timestamp.after.max.ms": "10",
                "min.insync.replicas": "2", "unclean.leader.election.enable": "true", "segment.ms": "60000",
            ],
            staticBroker: ["log.flush.interval.ms": "250", "log.segment.bytes": "1048576", "message.max.bytes": "2000"])
        let settings = topics.settings(in: layers)
        #expect(settings.log.retentionDuration == nil)
        #expect(settings.log.retentionBytes == 1000)
        #expect(settings.log.cleanupPolicy == .compactAndDelete)
        #expect(settings.log.durability == .flushPolicy(messages: 100, interval: .milliseconds(250)))
        #expect(settings.log.segmentBytes == 1_048_576)
        #expect(settings.log.segmentDuration == .seconds(60))
        #expect(settings.maxMessageBytes == 2000)
        #expect(settings.compression == .codec(.zstd))
        #expect(settings.timestampType == .logAppendTime)
        #expect(settings.timestampBeforeMax == 5000)
        #expect(settings.timestampAfterMax == 10)
        #expect(settings.minInSyncReplicas == 2)
        #expect(settings.uncleanLeaderElection)
        #expect(topics.settings(in: ConfigLayers(topicOverrides: ["compression.type": "uncompressed"])).compression == .codec(.none))
    }

    @Test func validate_overrides_refusedWithInvalidConfig() throws {
        let cases: [([String: String], String)] = [
            (["retention.hours": "1"], "Unknown topic config name: retention.hours"),
            (["retention.ms": "x"], "Invalid value x for configuration retention.ms: Not a number of type LONG"),
            (["min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5"],
             "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"),
            (["remote.storage.enable": "true"],
             "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage."),
        ]
        for (overrides, message) in cases {
            #expect(throws: ConfigValidationError(.invalidConfig, message)) { try topics.validate(overrides, in: ConfigLayers()) }
        }
        #expect(throws: ConfigValidationError(.invalidConfig,
                "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)")) {
            try topics.validate(["min.compaction.lag.ms": "10"],
                                in: ConfigLayers(dynamicClusterDefault: ["log.cleaner.max.compaction.lag.ms": "5"]))
        }
        #expect(try topics.validate(["retention.ms": " 100 ", "preallocate": "TRUE"], in: ConfigLayers())
                == ["retention.ms": "100", "preallocate": "true"])
    }

    @Test func describe_withSynonyms_listsEveryLayerOverrideFirst() throws {
        let layers = ConfigLayers(
            topicOverrides: ["retention.ms": "1000"], dynamicBroker: ["log.retention.minutes": "3"],
            dynamicClusterDefault: ["log.retention.ms": "2000"], staticBroker: ["log.retention.hours": "5"])
        let described = try #require(topics.describe(in: layers, only: ["retention.ms"], includeSynonyms: true,
                                                     includeDocumentation: true).first)
        #expect(described.value == "1000")
        #expect(described.source == .topicConfig)
        #expect(!described.isReadOnly)
        #expect(described.type == .long)
        #expect(described.documentation?.isEmpty == false)
        #expect(described.synonyms.map(\.name) == ["retention.ms", "log.retention.minutes", "log.retention.ms", "log.retention.hours",
                                                   "log.retention.hours"])
        #expect(described.synonyms.map(\.source) == [.topicConfig, .dynamicBrokerConfig, .dynamicDefaultBrokerConfig,
                                                     .staticBrokerConfig, .defaultConfig])
        let plain = try #require(topics.describe(in: ConfigLayers(), only: ["flush.ms"], includeSynonyms: false,
                                                 includeDocumentation: false).first)
        #expect(plain.source == .defaultConfig && plain.isDefault && plain.synonyms.isEmpty && plain.documentation == nil)
        #expect(plain.value == String(Int64.max))
    }

    @Test func brokerDescribe_ownConfigs_reportValuesSourcesAndReadOnly() throws {
        let layers = ConfigLayers(dynamicClusterDefault: ["log.retention.ms": "5000", "custom.thing": "x"],
                                  staticBroker: ["log.retention.hours": "24", "num.partitions": "3"])
        let described = brokers.describe(in: layers, includeSynonyms: true, includeDocumentation: false)
        let byName = Dictionary(uniqueKeysWithValues: described.map { ($0.name, $0) })
        let retention = try #require(byName["log.retention.ms"])
        #expect(retention.value == "5000" && retention.source == .dynamicDefaultBrokerConfig && !retention.isReadOnly)
        #expect(retention.synonyms.map(\.name) == ["log.retention.ms", "log.retention.hours", "log.retention.hours"])
        let hours = try #require(byName["log.retention.hours"])
        #expect(hours.value == "24" && hours.source == .staticBrokerConfig && hours.isReadOnly)
        let partitions = try #require(byName["num.partitions"])
        #expect(partitions.value == "3" && partitions.isReadOnly && partitions.type == .int)
        let loops = try #require(byName["num.network.threads"])
        #expect(loops.value == String(BrokerConfigCatalog.networkThreadsDefault) && loops.isReadOnly && loops.source == .defaultConfig)
        #expect(BrokerConfigCatalog.networkThreadsDefault >= 1)
        let custom = try #require(byName["custom.thing"])
        #expect(custom.value == nil && custom.isSensitive && custom.type == .unknown)
        #expect(byName["log.roll.ms"]?.value == nil)
        #expect(byName["log.roll.ms"]?.source == .defaultConfig)

        let defaults = brokers.describeClusterDefaults(in: layers, includeSynonyms: true, includeDocumentation: false)
        #expect(defaults.map(\.name) == ["custom.thing", "log.retention.ms"])
        #expect(defaults.allSatisfy { $0.source == .dynamicDefaultBrokerConfig })
        #expect(defaults.last?.synonyms.map(\.source) == [.dynamicDefaultBrokerConfig])
    }

    @Test func validateDynamic_readOnlyOrBadValue_refusedWithInvalidRequest() throws {
        #expect(throws: ConfigValidationError(.invalidRequest, "Cannot update these configs dynamically: Set(log.dirs, num.partitions)")) {
            try brokers.validateDynamic(["num.partitions": "3", "log.dirs": "/x", "log.retention.ms": "1"], perBroker: true)
        }
        #expect(throws: ConfigValidationError(.invalidRequest,
                "Invalid value many for configuration message.max.bytes: Not a number of type INT")) {
            try brokers.validateDynamic(["message.max.bytes": "many"], perBroker: false)
        }
        #expect(try brokers.validateDynamic(["log.cleanup.policy": "compact ,delete", "my.plugin.flag": " on "], perBroker: false)
                == ["log.cleanup.policy": "compact,delete", "my.plugin.flag": " on "])
        #expect(brokers.validateStatic(["num.partitions": "zero", "unknown": "x"]).map(\.name) == ["num.partitions"])
    }

    @Test func brokerSettings_staticAndDynamic_typedWithDefaults() {
        let defaults = brokers.settings(in: ConfigLayers())
        #expect(defaults.numPartitions == 1 && defaults.defaultReplicationFactor == 1 && defaults.autoCreateTopicsEnable)
        #expect(defaults.offsetsTopicPartitions == 50 && defaults.offsetsTopicReplicationFactor == 3)
        #expect(defaults.groupInitialRebalanceDelay == .seconds(3) && defaults.offsetsRetention == .seconds(10080 * 60))
        let configured = brokers.settings(in: ConfigLayers(staticBroker: ["num.partitions": "6", "delete.topic.enable": "false"]))
        #expect(configured.numPartitions == 6 && !configured.deleteTopicEnable)
    }
}
