// Goal: offsets committed over the wire come back from OffsetFetch at every version shape: with
// their metadata string and leader epoch, for several groups in one v8 request, as "every
// committed offset" when no topics are named, and with group-level errors where each version
// puts them. Commits to unknown partitions, v9's unknown-group answer, explicit retention (v2–4)
// and failed writes are covered too. Method: `GroupFixture` over the routes; the manual clock
// drives the retention check.

import Testing
import TernBrokerCore
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

private func commit(
    _ group: String, _ offsets: [(topic: String, partition: Int32, offset: Int64)], metadata: String? = nil,
    generation: Int32 = -1, memberId: String = "", retentionMs: Int64 = -1
) -> OffsetCommitRequest {
    let topics = Dictionary(grouping: offsets, by: \.topic).sorted { $0.key < $1.key }
    return OffsetCommitRequest(
        groupId: group, generationIdOrMemberEpoch: generation, memberId: memberId, retentionTimeMs: retentionMs,
        topics: topics.map { name, entries in
            OffsetCommitRequest.Topic(name: name, partitions: entries.map {
                .init(partitionIndex: $0.partition, committedOffset: $0.offset, committedLeaderEpoch: 4, committedMetadata: metadata)
            })
        })
}

private func errors(_ response: OffsetCommitResponse) -> [String: Int16] {
    var result: [String: Int16] = [:]
    for topic in response.topics {
        for partition in topic.partitions { result["\(topic.name)-\(partition.partitionIndex)"] = partition.errorCode }
    }
    return result
}

@Suite struct GroupOffsetTests {
    @Test func commitThenFetch_withMetadata_returnsOffsetsEpochAndMetadata() async throws {
        let fixture = try await GroupFixture.started()
        let committed = try await fixture.send(
            commit("g1", [("orders", 0, 42), ("orders", 1, 7)], metadata: "checkpoint-1"), version: 8)
        #expect(errors(committed) == ["orders-0": 0, "orders-1": 0])

        let fetched = try await fixture.send(OffsetFetchRequest(
            groupId: "g1", topics: [.init(name: "orders", partitionIndexes: [0, 1, 2])], requireStable: true), version: 7)
        #expect(fetched.errorCode == 0)
        let partitions = try #require(fetched.topics.first?.partitions)
        #expect(partitions.map(\.committedOffset) == [42, 7, -1])
        #expect(partitions.map(\.metadata) == ["checkpoint-1", "checkpoint-1", ""])
        #expect(partitions.map(\.committedLeaderEpoch) == [4, 4, -1])
        #expect(partitions.map(\.errorCode) == [0, 0, 0])
    }

    @Test func offsetFetch_v8SeveralGroups_answersEachGroupIncludingAllTopics() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.send(commit("g1", [("orders", 0, 1)]), version: 6)
        _ = try await fixture.send(commit("g2", [("payments", 0, 9), ("orders", 2, 3)], metadata: "m"), version: 6)
        let fetched = try await fixture.send(OffsetFetchRequest(groups: [
            .init(groupId: "g1", topics: [.init(name: "orders", partitionIndexes: [0])]),
            .init(groupId: "g2", topics: nil),
            .init(groupId: "never-committed", topics: nil),
        ]), version: 8)
        #expect(fetched.groups.map(\.groupId) == ["g1", "g2", "never-committed"])
        #expect(fetched.groups.map(\.errorCode) == [0, 0, 0])
        #expect(fetched.groups[0].topics.flatMap(\.partitions).map(\.committedOffset) == [1])
        #expect(fetched.groups[1].topics.map(\.name) == ["orders", "payments"])
        #expect(fetched.groups[1].topics.flatMap(\.partitions).map(\.committedOffset) == [3, 9])
        #expect(fetched.groups[1].topics.flatMap(\.partitions).map(\.metadata) == ["m", "m"])
        #expect(fetched.groups[2].topics.isEmpty)
    }

    @Test func offsetCommit_unknownTopicOrPartition_refusedWhileOthersCommit() async throws {
        let fixture = try await GroupFixture.started()
        let committed = try await fixture.send(commit("g", [("orders", 0, 5), ("orders", 9, 5), ("nope", 0, 5)]), version: 2)
        #expect(errors(committed) == [
            "orders-0": 0, "orders-9": KafkaErrorCode.unknownTopicOrPartition.rawValue,
            "nope-0": KafkaErrorCode.unknownTopicOrPartition.rawValue,
        ])
    }

    @Test func offsetCommit_generationForUnknownGroup_v9GroupIdNotFoundEarlierIllegalGeneration() async throws {
        let fixture = try await GroupFixture.started()
        let v9 = try await fixture.send(commit("ghost", [("orders", 0, 1)], generation: 3, memberId: "m"), version: 9)
        #expect(errors(v9) == ["orders-0": KafkaErrorCode.groupIdNotFound.rawValue])
        let v8 = try await fixture.send(commit("ghost", [("orders", 0, 1)], generation: 3, memberId: "m"), version: 8)
        #expect(errors(v8) == ["orders-0": KafkaErrorCode.illegalGeneration.rawValue])
    }

    @Test func offsetCommit_memberOfFormedGroup_acceptedWithItsGeneration() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("g")
        let stale = try await fixture.send(
            commit("g", [("orders", 0, 1)], generation: formed.generation + 1, memberId: formed.leader), version: 7)
        #expect(errors(stale) == ["orders-0": KafkaErrorCode.illegalGeneration.rawValue])
        let current = try await fixture.send(
            commit("g", [("orders", 0, 1)], generation: formed.generation, memberId: formed.leader), version: 7)
        #expect(errors(current) == ["orders-0": 0])
    }

    @Test func offsetCommit_v2ExplicitRetention_expiresAtTheRetentionCheck() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.send(commit("short", [("orders", 0, 11)], retentionMs: 1_000), version: 2)
        _ = try await fixture.send(commit("long", [("orders", 0, 12)]), version: 2)
        // The retention check runs every 10 minutes (Kafka's default interval).
        await fixture.advance(by: .seconds(601))
        let fetched = try await fixture.send(OffsetFetchRequest(groups: [
            .init(groupId: "short", topics: [.init(name: "orders", partitionIndexes: [0])]),
            .init(groupId: "long", topics: [.init(name: "orders", partitionIndexes: [0])]),
        ]), version: 8)
        #expect(fetched.groups.map { $0.topics.first?.partitions.first?.committedOffset } == [-1, 12])
    }

    @Test func offsetCommit_storeLostLeadership_isNotCoordinatorPerPartition() async throws {
        let fixture = try await GroupFixture.started()
        await fixture.store.failAppends(with: .notLeader(TopicPartition(topic: "__consumer_offsets", partition: 0)))
        let failed = try await fixture.send(commit("g", [("orders", 0, 1), ("orders", 1, 1)]), version: 5)
        #expect(errors(failed) == ["orders-0": KafkaErrorCode.notCoordinator.rawValue, "orders-1": KafkaErrorCode.notCoordinator.rawValue])
        await fixture.store.failAppends(with: nil)
        let fetched = try await fixture.send(
            OffsetFetchRequest(groupId: "g", topics: [.init(name: "orders", partitionIndexes: [0])]), version: 5)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == -1)
    }

    @Test func offsetFetch_groupCoordinatedElsewhere_errorWhereEachVersionPutsIt() async throws {
        let store = MemoryInternalTopicStore()
        try await store.ensureTopic("__consumer_offsets", partitionCount: 50, configs: [:])
        // "my-group" lives in partition 12 (see FindCoordinatorTests), which this broker does not lead.
        await store.setLeader(false, of: TopicPartition(topic: "__consumer_offsets", partition: 12))
        let fixture = try await GroupFixture.started(store: store)
        let request = OffsetFetchRequest(groupId: "my-group", topics: [.init(name: "orders", partitionIndexes: [0, 1])])

        let v1 = try await fixture.send(request, version: 1)
        #expect(v1.topics.flatMap(\.partitions).map(\.errorCode) == [16, 16])
        #expect(v1.topics.flatMap(\.partitions).map(\.committedOffset) == [-1, -1])
        let v3 = try await fixture.send(request, version: 3)
        #expect(v3.errorCode == KafkaErrorCode.notCoordinator.rawValue)
        #expect(v3.topics.isEmpty)
        let v8 = try await fixture.send(OffsetFetchRequest(groups: [.init(groupId: "my-group", topics: nil)]), version: 8)
        #expect(v8.groups.map(\.errorCode) == [KafkaErrorCode.notCoordinator.rawValue])
        let committed = try await fixture.send(commit("my-group", [("orders", 0, 1)]), version: 8)
        #expect(errors(committed) == ["orders-0": KafkaErrorCode.notCoordinator.rawValue])
    }
}
