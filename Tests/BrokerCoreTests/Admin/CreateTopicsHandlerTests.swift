// Goal: CreateTopics answers every version with Kafka's per-topic codes and messages, creates
// topics in the cluster metadata as asked, and writes nothing for validate_only.
// Method: build request structs, run the route through AdminHarness (which also encodes the
// answer at the request's version) and read the response struct and the fake's metadata.

import Testing
import TernBrokerCore
import TernCoordination
import TernProtocol

@Suite struct CreateTopicsHandlerTests {
    private typealias Topic = CreateTopicsRequest.Topic

    private func results(_ harness: AdminHarness, _ topics: [Topic], validateOnly: Bool = false,
                         version: Int16) async throws -> [CreateTopicsResponse.TopicResult] {
        let response = try await harness.call(.createTopics(CreateTopicsRequest(topics: topics, validateOnly: validateOnly)), version: version)
        guard case .createTopics(let body) = response else { throw AdminHarness.HarnessError.noBody }
        return body.topics
    }

    @Test func handle_v0_createsTopicWithRoundRobinReplicas() async throws {
        let harness = AdminHarness(brokers: [1, 2, 3])
        let answer = try await results(harness, [Topic(name: "orders", numPartitions: 3, replicationFactor: 2)], version: 0)
        #expect(answer.map(\.errorCode) == [0])
        let topic = try #require(await harness.coordination.state.topics["orders"])
        #expect(topic.partitions.count == 3 && topic.id != .zero)
        for partition in topic.partitions {
            #expect(partition.replicas.count == 2 && Set(partition.replicas).count == 2)
            #expect(partition.leader == partition.replicas[0] && partition.inSyncReplicas == partition.replicas && partition.leaderEpoch == 0)
        }
        #expect(Set(topic.partitions.map(\.leader)).count == 3)
    }

    @Test func handle_v7_returnsIdCountsAndEffectiveConfigs() async throws {
        let harness = AdminHarness(properties: ["num.partitions": "4", "log.retention.hours": "1"])
        let answer = try await results(harness, [Topic(name: "events", numPartitions: -1, replicationFactor: -1,
                                                       configs: [.init(name: "cleanup.policy", value: "compact")])], version: 7)
        let result = try #require(answer.first)
        #expect(result.errorCode == 0 && result.errorMessage == nil)
        #expect(result.numPartitions == 4 && result.replicationFactor == 1)
        #expect(result.topicId == (await harness.coordination.state.topics["events"]?.id))
        let configs = try #require(result.configs)
        #expect(configs.map(\.name) == TopicConfigCatalog().names)
        #expect(configs.first { $0.name == "cleanup.policy" }?.configSource == ConfigSource.topicConfig.rawValue)
        #expect(configs.first { $0.name == "retention.ms" }?.value == "3600000")
        #expect(configs.first { $0.name == "retention.ms" }?.configSource == ConfigSource.staticBrokerConfig.rawValue)
        #expect(await harness.coordination.state.topics["events"]?.configs == ["cleanup.policy": "compact"])
    }

    @Test func handle_validateOnly_answersAsCreationButWritesNothing() async throws {
        let harness = AdminHarness()
        let answer = try await results(harness, [Topic(name: "dry", numPartitions: 2, replicationFactor: 1)], validateOnly: true, version: 5)
        #expect(answer.first?.errorCode == 0 && answer.first?.numPartitions == 2 && answer.first?.configs?.isEmpty == false)
        #expect(await harness.coordination.state.topics.isEmpty)
    }

    @Test func handle_badTopics_getKafkasCodesAndMessages() async throws {
        let harness = AdminHarness(brokers: [1, 2])
        _ = try await harness.createTopic("a.b")
        let answer = try await results(harness, [
            Topic(name: "bad name", numPartitions: 1, replicationFactor: 1),
            Topic(name: "a_b", numPartitions: 1, replicationFactor: 1),
            Topic(name: "a.b", numPartitions: 1, replicationFactor: 1),
            Topic(name: "wide", numPartitions: 1, replicationFactor: 3),
            Topic(name: "zero", numPartitions: 0, replicationFactor: 1),
            Topic(name: "norf", numPartitions: 1, replicationFactor: 0),
            Topic(name: "conf", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "retention.ms", value: "soon")]),
            Topic(name: "nul", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "retention.ms", value: nil)]),
            Topic(name: "twice", numPartitions: 1, replicationFactor: 1),
            Topic(name: "twice", numPartitions: 2, replicationFactor: 1),
            Topic(name: "__cluster_metadata", numPartitions: 1, replicationFactor: 1),
        ], version: 4)
        let expected: [(String, KafkaErrorCode, String)] = [
            ("bad name", .invalidTopicException, "Topic name \"bad name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"),
            ("a_b", .invalidTopicException, "Topic 'a_b' collides with existing topic: a.b"),
            ("a.b", .topicAlreadyExists, "Topic 'a.b' already exists."),
            ("wide", .invalidReplicationFactor,
             "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered."),
            ("zero", .invalidPartitions, "Number of partitions was set to an invalid non-positive value."),
            ("norf", .invalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value."),
            ("conf", .invalidConfig, "Invalid value soon for configuration retention.ms: Not a number of type LONG"),
            ("nul", .invalidConfig, "Null value not supported for topic configs: retention.ms"),
            ("twice", .invalidRequest, "Duplicate topic name."),
            ("__cluster_metadata", .invalidRequest, "Creation of internal topic __cluster_metadata is prohibited."),
        ]
        #expect(answer.map(\.name) == expected.map(\.0))
        for (result, (name, code, message)) in zip(answer, expected) {
            #expect(result.errorCode == code.rawValue, "\(name)")
            #expect(result.errorMessage == message, "\(name)")
            #expect(result.numPartitions == -1 && result.replicationFactor == -1)
        }
        #expect(await harness.coordination.state.topics.keys.sorted() == ["a.b"])
    }

    @Test func handle_manualAssignments_placeReplicasOrRefuseLikeKafka() async throws {
        let harness = AdminHarness(brokers: [1, 2, 3])
        typealias Assignment = CreateTopicsRequest.Topic.ReplicaAssignment
        func topic(_ name: String, _ assignments: [(Int32, [Int32])], partitions: Int32 = -1, factor: Int16 = -1) -> Topic {
            Topic(name: name, numPartitions: partitions, replicationFactor: factor,
                  assignments: assignments.map { Assignment(partitionIndex: $0.0, brokerIds: $0.1) })
        }
        let answer = try await results(harness, [
            topic("good", [(1, [3, 1]), (0, [2, 3])]),
            topic("rf", [(0, [1])], factor: 1),
            topic("gap", [(0, [1]), (2, [2])]),
            topic("dup", [(0, [1]), (0, [2])]),
            topic("ghost", [(0, [9])]),
            topic("again", [(0, [2, 2])]),
            topic("ragged", [(0, [1, 2]), (1, [1])]),
        ], version: 3)
        let codes: [KafkaErrorCode] = [.noError, .invalidRequest, .invalidReplicaAssignment, .invalidReplicaAssignment,
                                       .invalidReplicaAssignment, .invalidReplicaAssignment, .invalidReplicaAssignment]
        #expect(answer.map(\.errorCode) == codes.map(\.rawValue))
        #expect(answer.map(\.errorMessage) == [
            nil,
            "A manual partition assignment was specified, but replication factor was not set to -1.",
            "partitions should be a consecutive 0-based integer sequence",
            "Found multiple manual partition assignments for partition 0",
            "The manual partition assignment includes broker 9, but no such broker is registered.",
            "The manual partition assignment includes the broker 2 more than once.",
            "The manual partition assignment includes a partition with 1 replica(s), but this is not consistent with previous partitions, which have 2 replica(s).",
        ])
        let good = try #require(await harness.coordination.state.topics["good"])
        #expect(good.partitions.map(\.replicas) == [[2, 3], [3, 1]])
        #expect(good.partitions.map(\.leader) == [2, 3])
    }
}
