// Goal: the admin APIs (DescribeGroups, ListGroups, DeleteGroups, OffsetDelete) report and remove
// groups as Kafka's do at each version: descriptions with members, assignments and the
// authorized-operations field, listings filtered by state (v4) and type (v5), deletions refused
// for groups with members, offset deletions refused for unknown partitions. Every route is
// advertised at the codec's full range. Method: `GroupFixture` over the routes.

import Testing
import TernBrokerCore
import TernGroupCoordinator
import TernProtocol

@Suite struct GroupAdminTests {
    @Test func routes_groupApis_advertiseTheCodecsFullRanges() async throws {
        let fixture = try await GroupFixture.started()
        let keys: [ApiKey] = [
            .findCoordinator, .joinGroup, .syncGroup, .heartbeat, .leaveGroup, .offsetCommit, .offsetFetch, .offsetDelete,
            .describeGroups, .listGroups, .deleteGroups,
        ]
        for key in keys {
            let advertised = fixture.router.advertised.first { $0.apiKey == key.rawValue }
            #expect(advertised?.minVersion == key.supportedVersions.lowerBound, "\(key)")
            #expect(advertised?.maxVersion == key.supportedVersions.upperBound, "\(key)")
        }
    }

    @Test func describeGroups_stableGroup_reportsMembersAssignmentsAndOperations() async throws {
        let fixture = try await GroupFixture.started()
        let formed = try await fixture.formGroup("g")
        let answer = try await fixture.send(DescribeGroupsRequest(groups: ["g", "unknown"], includeAuthorizedOperations: true), version: 3)
        let group = answer.groups[0]
        #expect(group.errorCode == 0)
        #expect(group.groupState == "Stable")
        #expect(group.protocolType == "consumer")
        #expect(group.protocolData == "range")
        #expect(group.authorizedOperations == 328)
        let leader = try #require(group.members.first { $0.memberId == formed.leader })
        #expect(leader.memberAssignment == [1])
        #expect(leader.memberMetadata == subscription(["orders"]))
        #expect(leader.clientId == "c")
        #expect(answer.groups[1].groupState == "Dead")
        #expect(answer.groups[1].errorCode == 0)
        #expect(answer.groups[1].authorizedOperations == 328)

        let withoutOperations = try await fixture.send(DescribeGroupsRequest(groups: ["g"]), version: 5)
        #expect(withoutOperations.groups[0].authorizedOperations == Int32.min)
    }

    @Test func listGroups_filters_byStateFromV4AndTypeFromV5() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.formGroup("stable-group")
        _ = try await fixture.send(OffsetCommitRequest(groupId: "simple", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 1)]),
        ]), version: 3)

        let all = try await fixture.send(ListGroupsRequest(), version: 0)
        #expect(all.groups.map(\.groupId) == ["simple", "stable-group"])
        #expect(all.groups.map(\.protocolType) == ["", "consumer"])
        let stable = try await fixture.send(ListGroupsRequest(statesFilter: ["stable"]), version: 4)
        #expect(stable.groups.map(\.groupId) == ["stable-group"])
        #expect(stable.groups.map(\.groupState) == ["Stable"])
        let empty = try await fixture.send(ListGroupsRequest(statesFilter: ["Empty"]), version: 4)
        #expect(empty.groups.map(\.groupId) == ["simple"])
        let consumerType = try await fixture.send(ListGroupsRequest(typesFilter: ["consumer"]), version: 5)
        #expect(consumerType.groups.isEmpty)
        let classic = try await fixture.send(ListGroupsRequest(typesFilter: ["Classic"]), version: 5)
        #expect(classic.groups.map(\.groupType) == ["classic", "classic"])
    }

    @Test func deleteGroups_mixedGroups_deletesOnlyEmptyOnesOncePerName() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.formGroup("busy")
        _ = try await fixture.send(OffsetCommitRequest(groupId: "idle", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 8)]),
        ]), version: 3)
        let answer = try await fixture.send(DeleteGroupsRequest(groupsNames: ["busy", "idle", "missing", "idle"]), version: 2)
        #expect(answer.results.map(\.groupId) == ["busy", "idle", "missing"])
        #expect(answer.results.map(\.errorCode) == [
            KafkaErrorCode.nonEmptyGroup.rawValue, 0, KafkaErrorCode.groupIdNotFound.rawValue,
        ])
        let fetched = try await fixture.send(
            OffsetFetchRequest(groupId: "idle", topics: [.init(name: "orders", partitionIndexes: [0])]), version: 4)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == -1)
    }

    @Test func offsetDelete_simpleGroup_deletesKnownPartitionsAndRefusesUnknownOnes() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.send(OffsetCommitRequest(groupId: "simple", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 1), .init(partitionIndex: 1, committedOffset: 2)]),
        ]), version: 3)
        let answer = try await fixture.send(OffsetDeleteRequest(groupId: "simple", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0)]), .init(name: "nope", partitions: [.init(partitionIndex: 0)]),
        ]), version: 0)
        #expect(answer.errorCode == 0)
        #expect(answer.topics.map(\.name) == ["orders", "nope"])
        #expect(answer.topics.flatMap(\.partitions).map(\.errorCode) == [0, KafkaErrorCode.unknownTopicOrPartition.rawValue])
        let fetched = try await fixture.send(
            OffsetFetchRequest(groupId: "simple", topics: [.init(name: "orders", partitionIndexes: [0, 1])]), version: 6)
        #expect(fetched.topics.first?.partitions.map(\.committedOffset) == [-1, 2])

        let unknown = try await fixture.send(OffsetDeleteRequest(groupId: "ghost", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0)]),
        ]), version: 0)
        #expect(unknown.errorCode == KafkaErrorCode.groupIdNotFound.rawValue)
        #expect(unknown.topics.isEmpty)
    }

    @Test func offsetDelete_subscribedTopicOfStableGroup_isGroupSubscribedToTopic() async throws {
        let fixture = try await GroupFixture.started()
        _ = try await fixture.formGroup("g")
        let answer = try await fixture.send(OffsetDeleteRequest(groupId: "g", topics: [
            .init(name: "orders", partitions: [.init(partitionIndex: 0)]), .init(name: "payments", partitions: [.init(partitionIndex: 0)]),
        ]), version: 0)
        #expect(answer.topics.flatMap(\.partitions).map(\.errorCode) == [KafkaErrorCode.groupSubscribedToTopic.rawValue, 0])
    }
}
