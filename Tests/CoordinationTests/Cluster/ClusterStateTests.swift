// Goal: every command changes the cluster metadata exactly as the protocol documents, errors
// leave it untouched, and sessions own their ephemeral state. Method: apply commands to a bare
// `ClusterState` from hand-picked sessions and check the metadata, the reply, the version and
// the actions (persist only for durable changes, publish for every change).

import Testing
import TernCoordination
import TernPrimitives
import TernProtocol

@Suite struct ClusterStateTests {
    private let alice = CoordinationSessionID(1)
    private let bob = CoordinationSessionID(2)

    private func isDurable(_ outcome: ClusterState.Outcome) -> Bool {
        outcome.actions.count == 2 && outcome.actions.first.map { if case .persist = $0 { true } else { false } } == true
    }

    private func isEphemeral(_ outcome: ClusterState.Outcome) -> Bool {
        outcome.actions.count == 1 && outcome.actions.first.map { if case .publish = $0 { true } else { false } } == true
    }

    @Test func newClusterId_seededGenerator_isKafkaFormAndRepeatable() {
        var first = SeededRandom(seed: 5)
        var second = SeededRandom(seed: 5)
        let id = ClusterState.newClusterId(using: &first)
        #expect(id.count == 22)
        #expect(KafkaUUID(base64: id) != nil)
        #expect(id == ClusterState.newClusterId(using: &second))
    }

    @Test func createTopic_newName_persistsPublishesAndRaisesVersion() throws {
        var state = ClusterState(clusterId: "c")
        let topic = sampleTopic("orders", partitionCount: 3)
        let outcome = try state.apply(.createTopic(topic), from: alice)
        #expect(outcome.reply == .done)
        #expect(state.metadata.topics["orders"] == topic)
        #expect(state.metadata.version == 1)
        #expect(outcome.actions == [.persist(state.durable), .publish(state.metadata)])
    }

    @Test func createTopic_nameOrIdTaken_throwsTopicExistsAndChangesNothing() throws {
        var state = ClusterState(clusterId: "c")
        let topic = sampleTopic("orders", idSeed: 1)
        _ = try state.apply(.createTopic(topic), from: alice)
        let before = state.metadata
        #expect(throws: CoordinationError.topicExists("orders")) {
            try state.apply(.createTopic(sampleTopic("orders", idSeed: 2)), from: alice)
        }
        #expect(throws: CoordinationError.topicExists("payments")) {
            try state.apply(.createTopic(sampleTopic("payments", idSeed: 1)), from: alice)
        }
        #expect(state.metadata == before)
    }

    @Test func deleteTopic_presentOrAbsent_removesItOrThrowsUnknownTopic() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders")), from: alice)
        _ = try state.apply(.setTopicConfigs(["retention.ms": "1000"], topic: "orders"), from: alice)
        let outcome = try state.apply(.deleteTopic(name: "orders"), from: alice)
        #expect(isDurable(outcome))
        #expect(state.metadata.topics.isEmpty)
        #expect(throws: CoordinationError.unknownTopic("orders")) {
            try state.apply(.deleteTopic(name: "orders"), from: alice)
        }
    }

    @Test func addPartitions_existingTopic_appendsInOrder() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders", partitionCount: 2)), from: alice)
        let added = PartitionAssignment(replicas: [2, 3], leader: 2, inSyncReplicas: [2, 3])
        _ = try state.apply(.addPartitions([added], topic: "orders"), from: alice)
        #expect(state.metadata.topics["orders"]?.partitions.count == 3)
        #expect(state.metadata.assignment(of: TopicPartition(topic: "orders", partition: 2)) == added)
        #expect(throws: CoordinationError.unknownTopic("nope")) {
            try state.apply(.addPartitions([added], topic: "nope"), from: alice)
        }
    }

    @Test func apply_writeThatChangesNothing_keepsVersionAndHasNoActions() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders")), from: alice)
        _ = try state.apply(.setTopicConfigs(["cleanup.policy": "compact"], topic: "orders"), from: alice)
        let version = state.metadata.version
        #expect(try state.apply(.setTopicConfigs(["cleanup.policy": "compact"], topic: "orders"), from: alice).actions.isEmpty)
        #expect(try state.apply(.addPartitions([], topic: "orders"), from: alice).actions.isEmpty)
        #expect(try state.apply(.setBrokerConfigs([:], scope: "1"), from: alice).actions.isEmpty)
        #expect(try state.apply(.endSession, from: bob).actions.isEmpty)
        #expect(state.metadata.version == version)
    }

    @Test func setTopicConfigs_unknownTopic_throwsUnknownTopic() {
        var state = ClusterState(clusterId: "c")
        #expect(throws: CoordinationError.unknownTopic("nope")) {
            try state.apply(.setTopicConfigs(["a": "b"], topic: "nope"), from: alice)
        }
    }

    @Test func setBrokerConfigs_thenEmptyMap_replacesThenRemovesScope() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.setBrokerConfigs(["log.retention.ms": "1", "x": "y"], scope: ""), from: alice)
        _ = try state.apply(.setBrokerConfigs(["log.retention.ms": "2"], scope: ""), from: alice)
        #expect(state.metadata.brokerConfigs == ["": ["log.retention.ms": "2"]])
        let outcome = try state.apply(.setBrokerConfigs([:], scope: ""), from: alice)
        #expect(isDurable(outcome))
        #expect(state.metadata.brokerConfigs.isEmpty)
    }

    @Test func registerBroker_idHeldByAnotherSession_throwsBrokerIdInUse() throws {
        var state = ClusterState(clusterId: "c")
        let outcome = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        #expect(isEphemeral(outcome))
        #expect(throws: CoordinationError.brokerIdInUse(1)) {
            try state.apply(.registerBroker(sampleBroker(1)), from: bob)
        }
        #expect(state.session(registering: 1) == alice)
    }

    @Test func registerBroker_sameSessionNewAddress_replacesRegistration() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        let moved = BrokerRegistration(id: 1, host: "elsewhere", port: 9093)
        _ = try state.apply(.registerBroker(moved), from: alice)
        #expect(state.metadata.brokers[1] == moved)
        #expect(state.metadata.version == 2)
    }

    @Test func claimController_secondClaimant_getsTheHolder() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        _ = try state.apply(.registerBroker(sampleBroker(2)), from: bob)
        let won = try state.apply(.claimController(brokerId: 1), from: alice)
        #expect(won.reply == .controller(1))
        #expect(isEphemeral(won))
        let lost = try state.apply(.claimController(brokerId: 2), from: bob)
        #expect(lost.reply == .controller(1))
        #expect(lost.actions.isEmpty)
        #expect(state.metadata.controllerId == 1)
        #expect(state.controllerSession == alice)
    }

    @Test func claimController_forBrokerOfAnotherSession_throwsBrokerIdInUse() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        #expect(throws: CoordinationError.brokerIdInUse(1)) {
            try state.apply(.claimController(brokerId: 1), from: bob)
        }
        #expect(state.metadata.controllerId == nil)
    }

    @Test func endSession_holdingBrokerAndController_dropsBothInOneVersion() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        _ = try state.apply(.registerBroker(sampleBroker(2)), from: bob)
        _ = try state.apply(.claimController(brokerId: 1), from: alice)
        let version = state.metadata.version
        let outcome = try state.apply(.endSession, from: alice)
        #expect(isEphemeral(outcome))
        #expect(state.metadata.version == version + 1)
        #expect(state.metadata.brokers.keys.sorted() == [2])
        #expect(state.metadata.controllerId == nil)
        #expect(try state.apply(.claimController(brokerId: 2), from: bob).reply == .controller(2))
        #expect(throws: Never.self) { try state.apply(.registerBroker(sampleBroker(1)), from: bob) }
    }

    @Test func updatePartition_expectedEpoch_storesNextEpoch() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders", partitionCount: 2)), from: alice)
        let partition = TopicPartition(topic: "orders", partition: 1)
        let next = PartitionAssignment(replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, inSyncReplicas: [2, 3], partitionEpoch: 99)
        let outcome = try state.apply(.updatePartition(partition, next, expectedPartitionEpoch: 0), from: alice)
        #expect(outcome.reply == .partitionEpoch(1))
        #expect(isDurable(outcome))
        var stored = next
        stored.partitionEpoch = 1
        #expect(state.metadata.assignment(of: partition) == stored)
        #expect(state.metadata.assignment(of: TopicPartition(topic: "orders", partition: 0))?.leader == 1)
    }

    @Test func updatePartition_staleEpoch_throwsMismatchWithActualEpoch() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders")), from: alice)
        let partition = TopicPartition(topic: "orders", partition: 0)
        let next = PartitionAssignment(replicas: [1, 2, 3], leader: 2, inSyncReplicas: [2, 3])
        _ = try state.apply(.updatePartition(partition, next, expectedPartitionEpoch: 0), from: alice)
        let before = state.metadata
        #expect(throws: CoordinationError.partitionEpochMismatch(partition, expected: 0, actual: 1)) {
            try state.apply(.updatePartition(partition, next, expectedPartitionEpoch: 0), from: bob)
        }
        #expect(state.metadata == before)
    }

    @Test func updatePartition_absentTopicOrPartition_throwsUnknownTopic() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.createTopic(sampleTopic("orders")), from: alice)
        let next = PartitionAssignment(replicas: [1], leader: 1, inSyncReplicas: [1])
        for partition in [TopicPartition(topic: "nope", partition: 0), TopicPartition(topic: "orders", partition: 1),
                          TopicPartition(topic: "orders", partition: -1)] {
            #expect(throws: CoordinationError.unknownTopic(partition.topic)) {
                try state.apply(.updatePartition(partition, next, expectedPartitionEpoch: 0), from: alice)
            }
        }
    }

    @Test func restoring_durableMetadata_hasNoBrokersOrController() throws {
        var state = ClusterState(clusterId: "c")
        _ = try state.apply(.registerBroker(sampleBroker(1)), from: alice)
        _ = try state.apply(.claimController(brokerId: 1), from: alice)
        _ = try state.apply(.createTopic(sampleTopic("orders")), from: alice)
        let restored = ClusterState(restoring: state.durable)
        #expect(restored.metadata.topics == state.metadata.topics)
        #expect(restored.metadata.clusterId == "c")
        #expect(restored.metadata.brokers.isEmpty)
        #expect(restored.metadata.controllerId == nil)
        #expect(restored.controllerSession == nil)
    }
}
