// Goal: DescribeConfigs reports topic, broker, cluster-default and logger configs with Kafka's
// values, sources, flags, synonyms and documentation at each version, and fails each bad
// resource alone with Kafka's code.
// Method: seed a topic and dynamic configs in the fake, run the route through AdminHarness and
// read the response struct.

import Testing
import TernBrokerCore
import TernCoordination
import TernProtocol

@Suite struct DescribeConfigsHandlerTests {
    private typealias Resource = DescribeConfigsRequest.Resource

    private func results(_ harness: AdminHarness, _ resources: [Resource], synonyms: Bool = false,
                         documentation: Bool = false, version: Int16) async throws -> [DescribeConfigsResponse.ResourceResult] {
        let request = DescribeConfigsRequest(resources: resources, includeSynonyms: synonyms, includeDocumentation: documentation)
        guard case .describeConfigs(let body) = try await harness.call(.describeConfigs(request), version: version) else {
            throw AdminHarness.HarnessError.noBody
        }
        return body.results
    }

    private func harnessWithTopic() async throws -> AdminHarness {
        let harness = AdminHarness(properties: ["log.retention.hours": "48"],
                                   brokerConfigs: ["": ["log.segment.bytes": "2097152"], "1": ["message.max.bytes": "5000"]])
        _ = try await harness.createTopic("t", configs: ["retention.ms": "1000"])
        return harness
    }

    @Test func handle_v0Topic_reportsValuesAndIsDefault() async throws {
        let harness = try await harnessWithTopic()
        let result = try #require(try await results(harness, [Resource(resourceType: 2, resourceName: "t", configurationKeys: nil)],
                                                    version: 0).first)
        #expect(result.errorCode == 0 && result.resourceName == "t" && result.resourceType == 2)
        let configs = Dictionary(uniqueKeysWithValues: result.configs.map { ($0.name, $0) })
        #expect(configs.count == TopicConfigCatalog().names.count)
        #expect(configs["retention.ms"]?.value == "1000" && configs["retention.ms"]?.isDefault == false)
        #expect(configs["segment.bytes"]?.value == "2097152" && configs["segment.bytes"]?.isDefault == false)
        #expect(configs["max.message.bytes"]?.value == "5000")
        #expect(configs["preallocate"]?.value == "false" && configs["preallocate"]?.isDefault == true)
        #expect(configs.values.allSatisfy { !$0.readOnly && !$0.isSensitive && $0.synonyms.isEmpty })
        let emptyKeys = try await results(harness, [Resource(resourceType: 2, resourceName: "t", configurationKeys: [])], version: 0)
        #expect(emptyKeys.first?.configs.count == TopicConfigCatalog().names.count)
    }

    @Test func handle_v1TopicWithSynonyms_listsLayersAndSources() async throws {
        let harness = try await harnessWithTopic()
        let result = try #require(try await results(
            harness, [Resource(resourceType: 2, resourceName: "t", configurationKeys: ["retention.ms", "segment.bytes", "nope"])],
            synonyms: true, version: 1).first)
        #expect(result.configs.map(\.name) == ["retention.ms", "segment.bytes"])
        let retention = result.configs[0]
        #expect(retention.configSource == ConfigSource.topicConfig.rawValue)
        #expect(retention.synonyms.map(\.name) == ["retention.ms", "log.retention.hours", "log.retention.hours"])
        #expect(retention.synonyms.map(\.source) == [1, 4, 5])
        #expect(retention.synonyms.map(\.value) == ["1000", "48", "168"])
        #expect(result.configs[1].configSource == ConfigSource.dynamicDefaultBrokerConfig.rawValue)
    }

    @Test func handle_v3Documentation_reportsTypeAndDocsOnlyWhenAsked() async throws {
        let harness = try await harnessWithTopic()
        let keys = ["cleanup.policy"]
        let with = try await results(harness, [Resource(resourceType: 2, resourceName: "t", configurationKeys: keys)],
                                     documentation: true, version: 3)
        #expect(with.first?.configs.first?.configType == ConfigType.list.rawValue)
        #expect(with.first?.configs.first?.documentation?.isEmpty == false)
        let without = try await results(harness, [Resource(resourceType: 2, resourceName: "t", configurationKeys: keys)], version: 4)
        #expect(without.first?.configs.first?.documentation == nil)
        #expect(without.first?.configs.first?.configType == ConfigType.list.rawValue)
    }

    @Test func handle_v4Brokers_ownIdAllConfigsDefaultsOnlySetOnes() async throws {
        let harness = try await harnessWithTopic()
        let answer = try await results(harness, [
            Resource(resourceType: 4, resourceName: "1", configurationKeys: ["message.max.bytes", "num.partitions", "node.id"]),
            Resource(resourceType: 4, resourceName: "", configurationKeys: nil),
        ], synonyms: true, version: 4)
        let own = Dictionary(uniqueKeysWithValues: answer[0].configs.map { ($0.name, $0) })
        #expect(own["message.max.bytes"]?.value == "5000" && own["message.max.bytes"]?.configSource == 2)
        #expect(own["message.max.bytes"]?.readOnly == false)
        #expect(own["num.partitions"]?.readOnly == true && own["num.partitions"]?.configSource == 5)
        #expect(own["node.id"]?.value == "1" && own["node.id"]?.configSource == 4)
        #expect(answer[1].configs.map(\.name) == ["log.segment.bytes"])
        #expect(answer[1].configs.first?.configSource == 3)
    }

    @Test func handle_badResources_failAloneWithKafkasCodes() async throws {
        let harness = try await harnessWithTopic()
        let answer = try await results(harness, [
            Resource(resourceType: 2, resourceName: "missing", configurationKeys: nil),
            Resource(resourceType: 2, resourceName: "bad/name", configurationKeys: nil),
            Resource(resourceType: 4, resourceName: "2", configurationKeys: nil),
            Resource(resourceType: 4, resourceName: "one", configurationKeys: nil),
            Resource(resourceType: 16, resourceName: "sub", configurationKeys: nil),
            Resource(resourceType: 2, resourceName: "t", configurationKeys: ["retention.ms"]),
        ], version: 2)
        let codes: [KafkaErrorCode] = [.unknownTopicOrPartition, .invalidTopicException, .invalidRequest, .invalidRequest,
                                       .invalidRequest, .noError]
        #expect(answer.map(\.errorCode) == codes.map(\.rawValue))
        #expect(answer[2].errorMessage == "Unexpected broker id, expected 1 or empty string, but received 2")
        #expect(answer[3].errorMessage == "Broker id must be an integer, but it is: one")
        #expect(answer.dropLast().allSatisfy { $0.configs.isEmpty })
    }

    @Test func handle_brokerLogger_listsLoggersWithLevels() async throws {
        let harness = AdminHarness()
        let answer = try await results(harness, [
            Resource(resourceType: 8, resourceName: "1", configurationKeys: nil),
            Resource(resourceType: 8, resourceName: "", configurationKeys: nil),
        ], version: 4)
        #expect(answer[0].configs.map(\.name) == ["root", "tern.replication"])
        #expect(answer[0].configs.allSatisfy { $0.value == "INFO" && $0.configSource == ConfigSource.dynamicBrokerLoggerConfig.rawValue })
        #expect(answer[1].errorCode == KafkaErrorCode.invalidRequest.rawValue && answer[1].errorMessage == "Broker id must not be empty")
    }
}
