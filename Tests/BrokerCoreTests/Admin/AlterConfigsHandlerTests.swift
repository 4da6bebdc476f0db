// Goal: AlterConfigs replaces and IncrementalAlterConfigs edits topic, broker and logger
// configs with Kafka's validation, writes them to the cluster metadata (so they apply live),
// and writes nothing for validate_only.
// Method: run both routes through AdminHarness at old and new versions and read the response
// structs, the fake's metadata and the typed settings that result.

import Logging
import Testing
import TernBrokerCore
import TernCoordination
import TernLogStore
import TernProtocol

@Suite struct AlterConfigsHandlerTests {
    private typealias Legacy = AlterConfigsRequest.Resource
    private typealias Incremental = IncrementalAlterConfigsRequest.Resource

    private func legacy(_ harness: AdminHarness, _ resources: [Legacy], validateOnly: Bool = false, version: Int16) async throws
        -> [AlterConfigsResponse.ResourceResult] {
        let request = AlterConfigsRequest(resources: resources, validateOnly: validateOnly)
        guard case .alterConfigs(let body) = try await harness.call(.alterConfigs(request), version: version) else {
            throw AdminHarness.HarnessError.noBody
        }
        return body.responses
    }

    private func incremental(_ harness: AdminHarness, _ resources: [Incremental], validateOnly: Bool = false, version: Int16)
        async throws -> [IncrementalAlterConfigsResponse.ResourceResult] {
        let request = IncrementalAlterConfigsRequest(resources: resources, validateOnly: validateOnly)
        guard case .incrementalAlterConfigs(let body) = try await harness.call(.incrementalAlterConfigs(request), version: version) else {
            throw AdminHarness.HarnessError.noBody
        }
        return body.responses
    }

    private func change(_ name: String, _ operation: ConfigOperation, _ value: String?) -> Incremental.Config {
        Incremental.Config(name: name, configOperation: operation.rawValue, value: value)
    }

    @Test func alter_v0Topic_replacesTheWholeSetAndAppliesLive() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("t", configs: ["retention.ms": "1000", "cleanup.policy": "compact"])
        let answer = try await legacy(harness, [Legacy(resourceType: 2, resourceName: "t",
                                                       configs: [.init(name: "retention.bytes", value: "4096")])], version: 0)
        #expect(answer == [.init(errorCode: 0, errorMessage: nil, resourceType: 2, resourceName: "t")])
        let metadata = await harness.coordination.state
        let topic = try #require(metadata.topics["t"])
        #expect(topic.configs == ["retention.bytes": "4096"])
        let settings = TopicConfigCatalog().settings(topicOverrides: topic.configs, metadata: metadata, configuration: harness.configuration)
        #expect(settings.log.retentionBytes == 4096 && settings.log.cleanupPolicy == .delete)
    }

    @Test func alter_v2Brokers_storesDynamicConfigsAndRefusesReadOnly() async throws {
        let harness = AdminHarness()
        let answer = try await legacy(harness, [
            Legacy(resourceType: 4, resourceName: "", configs: [.init(name: "log.retention.ms", value: "60000")]),
            Legacy(resourceType: 4, resourceName: "2", configs: [.init(name: "min.insync.replicas", value: "2")]),
            Legacy(resourceType: 4, resourceName: "1", configs: [.init(name: "num.partitions", value: "3")]),
            Legacy(resourceType: 8, resourceName: "1", configs: [.init(name: "root", value: "DEBUG")]),
            Legacy(resourceType: 2, resourceName: "nope", configs: []),
        ], version: 2)
        let codes: [KafkaErrorCode] = [.noError, .noError, .invalidRequest, .invalidRequest, .unknownTopicOrPartition]
        #expect(answer.map(\.errorCode) == codes.map(\.rawValue))
        #expect(answer[2].errorMessage == "Cannot update these configs dynamically: Set(num.partitions)")
        #expect(answer[3].errorMessage == "Unknown resource type 8")
        let configs = await harness.coordination.state.brokerConfigs
        #expect(configs == ["": ["log.retention.ms": "60000"], "2": ["min.insync.replicas": "2"]])
        _ = try await harness.createTopic("later")
        let settings = TopicConfigCatalog().settings(topicOverrides: [:], metadata: await harness.coordination.state,
                                                     configuration: harness.configuration)
        #expect(settings.log.retentionDuration == .seconds(60))
    }

    @Test func alter_requestProblems_refusedWithKafkasMessages() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("t")
        let together = try await legacy(harness, [
            Legacy(resourceType: 4, resourceName: "", configs: [.init(name: "a", value: "1"), .init(name: "a", value: "2")]),
            Legacy(resourceType: 2, resourceName: "dup", configs: []),
            Legacy(resourceType: 2, resourceName: "dup", configs: []),
        ], validateOnly: true, version: 1)
        #expect(together.map(\.errorMessage) == [
            "Error due to duplicate config keys", "Each resource must appear at most once.", "Each resource must appear at most once.",
        ])
        let unset = try await legacy(harness, [Legacy(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", value: nil)])],
                                     version: 1)
        #expect(unset.first?.errorMessage == "Null value not supported for : retention.ms")
        let bad = try await legacy(harness, [Legacy(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", value: "x")])],
                                   version: 1)
        #expect(bad.first?.errorCode == KafkaErrorCode.invalidConfig.rawValue)
        #expect(bad.first?.errorMessage == "Invalid value x for configuration retention.ms: Not a number of type LONG")
    }

    @Test func incremental_v0Topic_setDeleteAppendSubtract() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("t", configs: ["retention.ms": "1000", "segment.ms": "60000"])
        let answer = try await incremental(harness, [Incremental(resourceType: 2, resourceName: "t", configs: [
            change("retention.ms", .delete, nil), change("max.message.bytes", .set, "2048"),
            change("cleanup.policy", .append, "compact"), change("follower.replication.throttled.replicas", .append, "0:1,1:2"),
        ])], version: 0)
        #expect(answer.map(\.errorCode) == [0])
        #expect(await harness.coordination.state.topics["t"]?.configs == [
            "segment.ms": "60000", "max.message.bytes": "2048", "cleanup.policy": "delete,compact",
            "follower.replication.throttled.replicas": "0:1,1:2",
        ])
        _ = try await incremental(harness, [Incremental(resourceType: 2, resourceName: "t", configs: [
            change("cleanup.policy", .subtract, "delete"),
        ])], version: 1)
        #expect(await harness.coordination.state.topics["t"]?.configs["cleanup.policy"] == "compact")
    }

    @Test func incremental_v1Refusals_leaveConfigsUnchanged() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("t", configs: ["retention.ms": "1000"])
        let resources = [
            Incremental(resourceType: 2, resourceName: "t", configs: [change("retention.ms", .append, "5")]),
            Incremental(resourceType: 2, resourceName: "u", configs: [change("retention.ms", .set, nil)]),
            Incremental(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", configOperation: 9, value: "5")]),
            Incremental(resourceType: 4, resourceName: "", configs: [change("log.retention.hours", .set, "1")]),
            Incremental(resourceType: 4, resourceName: "", configs: [change("log.cleanup.policy", .append, "compact")]),
        ]
        var messages: [String?] = []
        for resource in resources {
            messages += try await incremental(harness, [resource], version: 1).map(\.errorMessage)
        }
        #expect(messages == [
            "Can't APPEND to key retention.ms because its type is not LIST.",
            "Null value not supported for : retention.ms",
            "Unknown operation type 9",
            "Cannot update these configs dynamically: Set(log.retention.hours)",
            nil,
        ])
        #expect(await harness.coordination.state.topics["t"]?.configs == ["retention.ms": "1000"])
        #expect(await harness.coordination.state.brokerConfigs[""] == ["log.cleanup.policy": "delete,compact"])
    }

    @Test func incremental_validateOnly_checksButWritesNothing() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("t")
        let answer = try await incremental(harness, [
            Incremental(resourceType: 2, resourceName: "t", configs: [change("retention.ms", .set, "5")]),
            Incremental(resourceType: 2, resourceName: "t.x", configs: [change("retention.ms", .set, "-7")]),
        ], validateOnly: true, version: 1)
        #expect(answer.map(\.errorCode) == [0, KafkaErrorCode.unknownTopicOrPartition.rawValue])
        #expect(await harness.coordination.state.topics["t"]?.configs == [:])
    }

    @Test func incremental_brokerLogger_setsAndClearsLevels() async throws {
        let harness = AdminHarness()
        let logger = "tern.replication"
        let answer = try await incremental(harness, [
            Incremental(resourceType: 8, resourceName: "1", configs: [change(logger, .set, "DEBUG"), change("root", .set, "WARN")]),
        ], version: 1)
        #expect(answer.map(\.errorCode) == [0])
        #expect(await harness.apis.configs.loggers.levels == ["root": .warning, logger: .debug])
        let resources = [
            Incremental(resourceType: 8, resourceName: "1", configs: [change("root", .delete, nil)]),
            Incremental(resourceType: 8, resourceName: "2", configs: [change(logger, .set, "INFO")]),
            Incremental(resourceType: 8, resourceName: "1", configs: [change(logger, .set, "LOUD")]),
            Incremental(resourceType: 8, resourceName: "1", configs: [change("nobody", .set, "INFO")]),
            Incremental(resourceType: 8, resourceName: "1", configs: [change(logger, .append, "INFO")]),
        ]
        var refusals: [IncrementalAlterConfigsResponse.ResourceResult] = []
        for resource in resources {
            refusals += try await incremental(harness, [resource], version: 0)
        }
        #expect(refusals.map(\.errorMessage) == [
            "Removing the log level of the root logger is not allowed",
            "Unexpected broker id, expected 1, but received 2",
            "Cannot set the log level of tern.replication to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN",
            "Logger nobody does not exist!",
            "APPEND operation is not allowed for the BROKER_LOGGER resource",
        ])
        _ = try await incremental(harness, [
            Incremental(resourceType: 8, resourceName: "1", configs: [change(logger, .delete, nil)]),
        ], version: 1)
        #expect(await harness.apis.configs.loggers.levels[logger] == .warning)
    }
}
