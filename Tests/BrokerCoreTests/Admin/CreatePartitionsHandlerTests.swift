// Goal: CreatePartitions grows topics with placed or given replicas and refuses every bad
// request with Kafka's code and message, at old and new versions.
// Method: seed topics through the administration, run the route through AdminHarness and
// read the response struct and the fake's metadata.

import Testing
import TernBrokerCore
import TernCoordination
import TernProtocol

@Suite struct CreatePartitionsHandlerTests {
    private typealias Topic = CreatePartitionsRequest.Topic

    private func results(_ harness: AdminHarness, _ topics: [Topic], validateOnly: Bool = false, version: Int16) async throws
        -> [CreatePartitionsResponse.TopicResult] {
        let request = CreatePartitionsRequest(topics: topics, validateOnly: validateOnly)
        guard case .createPartitions(let body) = try await harness.call(.createPartitions(request), version: version) else {
            throw AdminHarness.HarnessError.noBody
        }
        return body.results
    }

    @Test func handle_v0Growth_addsPartitionsWithTheTopicsReplicationFactor() async throws {
        let harness = AdminHarness(brokers: [1, 2, 3])
        _ = try await harness.createTopic("grow", partitions: 1, replicationFactor: 2)
        let answer = try await results(harness, [Topic(name: "grow", count: 3, assignments: nil)], version: 0)
        #expect(answer == [.init(name: "grow", errorCode: 0, errorMessage: nil)])
        let topic = try #require(await harness.coordination.state.topics["grow"])
        #expect(topic.partitions.count == 3)
        #expect(topic.partitions.allSatisfy { $0.replicas.count == 2 && $0.leader == $0.replicas[0] })
    }

    @Test func handle_v3Assignments_useThemAndValidateOnlyWritesNothing() async throws {
        let harness = AdminHarness(brokers: [1, 2, 3])
        _ = try await harness.createTopic("given", partitions: 1, replicationFactor: 2)
        let dry = try await results(harness, [Topic(name: "given", count: 2, assignments: [.init(brokerIds: [3, 2])])],
                                    validateOnly: true, version: 3)
        #expect(dry.map(\.errorCode) == [0])
        #expect(await harness.coordination.state.topics["given"]?.partitions.count == 1)
        _ = try await results(harness, [Topic(name: "given", count: 2, assignments: [.init(brokerIds: [3, 2])])], version: 3)
        #expect(await harness.coordination.state.topics["given"]?.partitions.last?.replicas == [3, 2])
    }

    @Test func handle_badRequests_getKafkasCodesAndMessages() async throws {
        let harness = AdminHarness(brokers: [1, 2])
        _ = try await harness.createTopic("t", partitions: 3, replicationFactor: 1)
        let answer = try await results(harness, [
            Topic(name: "nope", count: 2, assignments: nil),
            Topic(name: "t", count: 3, assignments: nil),
            Topic(name: "t", count: 1, assignments: nil),
        ], version: 2)
        #expect(answer.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition.rawValue, KafkaErrorCode.invalidRequest.rawValue])
        #expect(answer.last?.errorMessage == "Duplicate topic name.")

        let cases: [(Topic, KafkaErrorCode, String)] = [
            (Topic(name: "t", count: 3, assignments: nil), .invalidPartitions, "Topic already has 3 partition(s)."),
            (Topic(name: "t", count: -22, assignments: nil), .invalidPartitions,
             "The topic t currently has 3 partition(s); -22 would not be an increase."),
            (Topic(name: "t", count: 5, assignments: [.init(brokerIds: [1])]), .invalidReplicaAssignment,
             "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."),
            (Topic(name: "t", count: 4, assignments: []), .invalidReplicaAssignment,
             "Attempted to add 1 additional partition(s), but only 0 assignment(s) were specified."),
            (Topic(name: "t", count: 4, assignments: [.init(brokerIds: [1, 2])]), .invalidReplicaAssignment,
             "The manual partition assignment includes a partition with 2 replica(s), but this is not consistent with previous partitions, which have 1 replica(s)."),
            (Topic(name: "t", count: 4, assignments: [.init(brokerIds: [12])]), .invalidReplicaAssignment,
             "The manual partition assignment includes broker 12, but no such broker is registered."),
            (Topic(name: "t", count: 4, assignments: [.init(brokerIds: [])]), .invalidReplicaAssignment,
             "The manual partition assignment includes an empty replica list."),
        ]
        for (topic, code, message) in cases {
            let result = try await results(harness, [topic], version: 1)
            #expect(result.first?.errorCode == code.rawValue, "\(message)")
            #expect(result.first?.errorMessage == message)
        }
        #expect(await harness.coordination.state.topics["t"]?.partitions.count == 3)
    }

    @Test func handle_tooFewLiveBrokers_refusesPlacement() async throws {
        let harness = AdminHarness(brokers: [1])
        await harness.coordination.seed(TopicMetadata(name: "wide", id: KafkaUUID(high: 5, low: 5), partitions: [
            PartitionAssignment(replicas: [1, 2], leader: 1, inSyncReplicas: [1, 2])]))
        let answer = try await results(harness, [Topic(name: "wide", count: 2, assignments: nil)], version: 3)
        #expect(answer.first?.errorCode == KafkaErrorCode.invalidReplicationFactor.rawValue)
        #expect(answer.first?.errorMessage == "The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.")
    }
}
