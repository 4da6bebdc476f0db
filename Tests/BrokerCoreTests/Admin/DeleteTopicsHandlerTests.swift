// Goal: DeleteTopics deletes by name (v0–5) and by name or id (v6) with Kafka's per-topic
// answers, and honours delete.topic.enable with the code each version expects.
// Method: seed topics through the administration, run the route through AdminHarness and
// read the response struct and the fake's metadata.

import Testing
import TernBrokerCore
import TernCoordination
import TernProtocol

@Suite struct DeleteTopicsHandlerTests {
    private func responses(_ harness: AdminHarness, _ request: DeleteTopicsRequest, version: Int16) async throws
        -> [DeleteTopicsResponse.TopicResult] {
        guard case .deleteTopics(let body) = try await harness.call(.deleteTopics(request), version: version) else {
            throw AdminHarness.HarnessError.noBody
        }
        return body.responses
    }

    @Test func handle_v1ByName_deletesKnownAndReportsUnknown() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("gone")
        let answer = try await responses(harness, DeleteTopicsRequest(topicNames: ["gone", "never"]), version: 1)
        #expect(answer.map(\.name) == ["gone", "never"])
        #expect(answer.map(\.errorCode) == [0, KafkaErrorCode.unknownTopicOrPartition.rawValue])
        #expect(await harness.coordination.state.topics.isEmpty)
    }

    @Test func handle_v6ByNameAndId_answersWithBothAndKafkasErrors() async throws {
        let harness = AdminHarness()
        let byId = try await harness.createTopic("by-id")
        let byName = try await harness.createTopic("by-name")
        let clash = try await harness.createTopic("clash")
        let stranger = KafkaUUID(high: 1, low: 2)
        typealias State = DeleteTopicsRequest.TopicState
        let request = DeleteTopicsRequest(topics: [
            State(name: nil, topicId: byId.id), State(name: "by-name"), State(name: nil, topicId: stranger),
            State(name: "x", topicId: stranger), State(name: nil), State(name: "dup"), State(name: "dup"),
            State(name: "clash"), State(name: nil, topicId: clash.id),
        ])
        let answer = try await responses(harness, request, version: 6)
        #expect(answer.count == 8)
        #expect(answer[0] == .init(name: "by-id", topicId: byId.id, errorCode: 0, errorMessage: nil))
        #expect(answer[1] == .init(name: "by-name", topicId: byName.id, errorCode: 0, errorMessage: nil))
        #expect(answer[2].name == nil && answer[2].topicId == stranger && answer[2].errorCode == KafkaErrorCode.unknownTopicId.rawValue)
        #expect(answer[3].errorMessage == "You may not specify both topic name and topic id.")
        #expect(answer[4].errorMessage == "Neither topic name nor id were specified.")
        #expect(answer[5] == .init(name: "dup", topicId: .zero, errorCode: KafkaErrorCode.invalidRequest.rawValue,
                                   errorMessage: "Duplicate topic name."))
        #expect(answer[6].name == "clash" && answer[6].errorMessage == "The provided topic name maps to an ID that was already supplied.")
        #expect(answer[7].topicId == clash.id && answer[7].errorCode == KafkaErrorCode.invalidRequest.rawValue)
        #expect(await harness.coordination.state.topics.keys.sorted() == ["clash"])
    }

    @Test func handle_deletionDisabled_v2InvalidRequestAndV5Disabled() async throws {
        let harness = AdminHarness(properties: ["delete.topic.enable": "false"])
        _ = try await harness.createTopic("kept")
        let old = try await responses(harness, DeleteTopicsRequest(topicNames: ["kept"]), version: 2)
        #expect(old.map(\.errorCode) == [KafkaErrorCode.invalidRequest.rawValue])
        let new = try await responses(harness, DeleteTopicsRequest(topicNames: ["kept"]), version: 5)
        #expect(new.map(\.errorCode) == [KafkaErrorCode.topicDeletionDisabled.rawValue])
        #expect(new.first?.errorMessage == KafkaErrorCode.topicDeletionDisabled.message)
        #expect(await harness.coordination.state.topics["kept"] != nil)
    }

    @Test func handle_internalTopic_isDeletedAsInKafka() async throws {
        let harness = AdminHarness()
        _ = try await harness.createTopic("__consumer_offsets", configs: ["cleanup.policy": "compact"])
        let answer = try await responses(harness, DeleteTopicsRequest(topicNames: ["__consumer_offsets"]), version: 4)
        #expect(answer.map(\.errorCode) == [0])
    }
}
