// Goal: clients find the right coordinator: this broker for the `__consumer_offsets` partitions
// it coordinates, the partition leader from the cluster metadata otherwise, and
// COORDINATOR_NOT_AVAILABLE (with Kafka's empty node) when nobody leads; the single-key shapes of
// v0–3 and the batched shape of v4+ are both right; a group lands on the partition Kafka would
// pick. Method: `GroupFixture` over the routes, with hand-set cluster metadata.

import Testing
import TernBrokerCore
import TernCoordination
import TernGroupCoordinator
import TernPrimitives
import TernProtocol

@Suite struct FindCoordinatorTests {
    /// Java's "my-group".hashCode(), by hand: s[0]·31^7 + s[1]·31^6 + … + s[7] over the UTF-16
    /// units m=109 y=121 -=45 g=103 r=114 o=111 u=117 p=112 is 3,107,649,824,542
    /// = 723·2^32 + 2,388,469,534, which as a Java int wraps to 2,388,469,534 − 2^32 =
    /// −1,906,497,762. Kafka takes `Utils.abs` of it, 1,906,497,762, and 1,906,497,762 mod 50 = 12.
    @Test func partition_myGroup_isJavasHashCodeModuloPartitionCount() async throws {
        let fixture = try await GroupFixture.started()
        #expect(fixture.service.partition(for: "my-group") == 12)
        // "" hashes to 0; "g" to 103 (its one UTF-16 unit), 103 mod 50 = 3.
        #expect(fixture.service.partition(for: "") == 0)
        #expect(fixture.service.partition(for: "g") == 3)
        #expect(GroupMetadataManager.partition(for: "my-group", partitionCount: 1) == 0)
    }

    @Test func findCoordinator_v0_answersThisBrokerInTheOldShape() async throws {
        let fixture = try await GroupFixture.started()
        let answer = try await fixture.send(FindCoordinatorRequest(key: "my-group"), version: 0)
        #expect(answer.errorCode == 0)
        #expect(answer.nodeId == 1)
        #expect(answer.host == "broker-1.test")
        #expect(answer.port == 9092)
    }

    @Test func findCoordinator_v3_groupFoundAndTransactionNotAvailable() async throws {
        let fixture = try await GroupFixture.started()
        let group = try await fixture.send(FindCoordinatorRequest(key: "my-group", keyType: 0), version: 3)
        #expect(group.errorCode == 0)
        #expect(group.errorMessage == "NONE")
        #expect(group.nodeId == 1 && group.host == "broker-1.test" && group.port == 9092)

        let transaction = try await fixture.send(FindCoordinatorRequest(key: "txn-1", keyType: 1), version: 3)
        #expect(transaction.errorCode == KafkaErrorCode.coordinatorNotAvailable.rawValue)
        #expect(transaction.errorMessage == KafkaErrorCode.coordinatorNotAvailable.message)
        #expect(transaction.nodeId == -1 && transaction.host == "" && transaction.port == -1)
    }

    @Test func findCoordinator_v4_answersEveryKeyInTheBatch() async throws {
        let fixture = try await GroupFixture.started()
        let groups = try await fixture.send(FindCoordinatorRequest(keyType: 0, coordinatorKeys: ["a", "my-group", ""]), version: 4)
        #expect(groups.coordinators.map(\.key) == ["a", "my-group", ""])
        #expect(groups.coordinators.map(\.errorCode) == [0, 0, 0])
        #expect(groups.coordinators.map(\.nodeId) == [1, 1, 1])
        #expect(groups.coordinators.allSatisfy { $0.host == "broker-1.test" && $0.port == 9092 && $0.errorMessage == nil })

        let shares = try await fixture.send(FindCoordinatorRequest(keyType: 2, coordinatorKeys: ["s"]), version: 6)
        #expect(shares.coordinators.map(\.errorCode) == [KafkaErrorCode.invalidRequest.rawValue])
        #expect(shares.coordinators.first?.nodeId == -1)
    }

    @Test func findCoordinator_partitionLedElsewhere_answersTheLeaderFromMetadata() async throws {
        let store = MemoryInternalTopicStore()
        try await store.ensureTopic("__consumer_offsets", partitionCount: 50, configs: [:])
        for partition: Int32 in [3, 12] {
            await store.setLeader(false, of: TopicPartition(topic: "__consumer_offsets", partition: partition))
        }
        let coordination = GroupFixture.defaultCoordination()
        coordination.update { metadata in
            metadata.brokers[2] = BrokerRegistration(id: 2, host: "broker-2.test", port: 9093)
            var offsets = topicMetadata("__consumer_offsets", partitions: 50)
            offsets.partitions[12] = PartitionAssignment(replicas: [2], leader: 2, inSyncReplicas: [2])
            offsets.partitions[3] = PartitionAssignment(replicas: [3], leader: -1, inSyncReplicas: [])
            metadata.topics["__consumer_offsets"] = offsets
        }
        let fixture = try await GroupFixture.started(store: store, coordination: coordination)

        // "my-group" is in partition 12 (led by broker 2); "g" in partition 3 (no leader).
        let answer = try await fixture.send(FindCoordinatorRequest(keyType: 0, coordinatorKeys: ["my-group", "g", "a"]), version: 5)
        #expect(answer.coordinators.map(\.nodeId) == [2, -1, 1])
        #expect(answer.coordinators.map(\.host) == ["broker-2.test", "", "broker-1.test"])
        #expect(answer.coordinators.map(\.errorCode) == [0, KafkaErrorCode.coordinatorNotAvailable.rawValue, 0])
        let joined = try await fixture.send(joinRequest("my-group"), version: 7)
        #expect(joined.errorCode == KafkaErrorCode.notCoordinator.rawValue)

        // Broker 2 goes away: its partition has a leader nobody can reach.
        coordination.update { $0.brokers[2] = nil }
        let gone = try await fixture.send(FindCoordinatorRequest(key: "my-group"), version: 2)
        #expect(gone.errorCode == KafkaErrorCode.coordinatorNotAvailable.rawValue)

        // This broker takes partition 12 over.
        await store.setLeader(true, of: TopicPartition(topic: "__consumer_offsets", partition: 12))
        await fixture.service.becameLeader(ofOffsetsPartition: 12)
        await fixture.service.waitUntilLoaded()
        let local = try await fixture.send(FindCoordinatorRequest(key: "my-group"), version: 1)
        #expect(local.errorCode == 0 && local.nodeId == 1)
    }

    @Test func findCoordinator_transactionsWithPartitionCount_answerTheTransactionStateLeader() async throws {
        let coordination = GroupFixture.defaultCoordination()
        coordination.update { $0.topics["__transaction_state"] = topicMetadata("__transaction_state", partitions: 50) }
        let fixture = try await GroupFixture.started(coordination: coordination)
        let apis = GroupApis(service: fixture.service, broker: fixture.broker, coordination: coordination, transactionStatePartitionCount: 50)
        let route = try #require(ApiRouter(components: [apis]).route(for: ApiKey.findCoordinator.rawValue))
        let header = RequestHeader(apiKey: ApiKey.findCoordinator.rawValue, apiVersion: 4, correlationId: 1)
        let reply = await route.handle(
            .findCoordinator(FindCoordinatorRequest(keyType: 1, coordinatorKeys: ["txn-1"])),
            RequestContext(header: header, clientAddress: "10.0.0.7:1", connectionId: 1))
        guard case let .body(.findCoordinator(answer)) = reply else {
            Issue.record("expected a FindCoordinator answer")
            return
        }
        #expect(answer.coordinators.map(\.errorCode) == [0])
        #expect(answer.coordinators.map(\.nodeId) == [1])
    }
}
