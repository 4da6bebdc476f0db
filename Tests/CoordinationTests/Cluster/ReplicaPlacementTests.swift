// Goal: replica placement spreads leaders and followers the way Kafka's round-robin scheme
// does, keeps replicas of a partition on distinct brokers (and distinct racks when it can), and
// refuses impossible requests with Kafka's error codes. Method: compare fixed start positions
// against the layout Kafka documents for five brokers, and check spread properties over many
// start positions, seeds and rack layouts.

import Testing
import TernCoordination
import TernPrimitives
import TernProtocol

@Suite struct ReplicaPlacementTests {
    private let fiveBrokers = (0...4).map { sampleBroker(Int32($0)) }

    @Test func assign_fiveBrokersStartZero_matchesKafkasDocumentedLayout() throws {
        let replicas = try ReplicaPlacement.assign(
            partitionCount: 10, replicationFactor: 3, brokers: fiveBrokers.reversed(), startIndex: 0, replicaShift: 0)
        #expect(replicas == [
            [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
            [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
        ])
    }

    @Test func assign_anyStart_spreadsLeadersEvenlyOnDistinctBrokers() throws {
        for start in 0..<5 {
            for shift in 0..<5 {
                let replicas = try ReplicaPlacement.assign(
                    partitionCount: 20, replicationFactor: 3, brokers: fiveBrokers, startIndex: start, replicaShift: shift)
                #expect(replicas.allSatisfy { Set($0).count == 3 })
                let leaders = Dictionary(grouping: replicas.map { $0[0] }) { $0 }.mapValues(\.count)
                #expect(leaders.values.allSatisfy { $0 == 4 }, "start \(start) shift \(shift)")
                let all = Dictionary(grouping: replicas.flatMap { $0 }) { $0 }.mapValues(\.count)
                #expect(all.values.allSatisfy { $0 == 12 }, "start \(start) shift \(shift)")
            }
        }
    }

    @Test func assign_oneBroker_placesEverythingOnIt() throws {
        let replicas = try ReplicaPlacement.assign(
            partitionCount: 3, replicationFactor: 1, brokers: [sampleBroker(7)], startIndex: 0, replicaShift: 0)
        #expect(replicas == [[7], [7], [7]])
    }

    @Test func assign_impossibleRequest_throwsWithKafkaCode() {
        let cases: [(Int32, Int16, [BrokerRegistration], ReplicaPlacementError)] = [
            (3, 4, Array(fiveBrokers.prefix(3)), .invalidReplicationFactor(4, liveBrokers: 3)),
            (3, 0, fiveBrokers, .invalidReplicationFactor(0, liveBrokers: 5)),
            (3, -1, fiveBrokers, .invalidReplicationFactor(-1, liveBrokers: 5)),
            (3, 1, [], .invalidReplicationFactor(1, liveBrokers: 0)),
            (0, 1, fiveBrokers, .invalidPartitionCount(0)),
            (-2, 1, fiveBrokers, .invalidPartitionCount(-2)),
        ]
        for (partitions, factor, brokers, expected) in cases {
            #expect(throws: expected) {
                try ReplicaPlacement.assign(
                    partitionCount: partitions, replicationFactor: factor, brokers: brokers, startIndex: 0, replicaShift: 0)
            }
            var random = SeededRandom(seed: 1)
            #expect(throws: expected) {
                try ReplicaPlacement.assign(
                    partitionCount: partitions, replicationFactor: factor, brokers: brokers, using: &random)
            }
        }
        #expect(ReplicaPlacementError.invalidReplicationFactor(4, liveBrokers: 3).kafkaErrorCode == .invalidReplicationFactor)
        #expect(ReplicaPlacementError.invalidPartitionCount(0).kafkaErrorCode == .invalidPartitions)
    }

    @Test func assign_sameSeed_samePlacementAndEveryBrokerLeads() throws {
        var first = SeededRandom(seed: 11)
        var second = SeededRandom(seed: 11)
        let one = try ReplicaPlacement.assign(partitionCount: 10, replicationFactor: 2, brokers: fiveBrokers, using: &first)
        let two = try ReplicaPlacement.assign(partitionCount: 10, replicationFactor: 2, brokers: fiveBrokers, using: &second)
        #expect(one == two)
        #expect(Set(one.map { $0[0] }) == [0, 1, 2, 3, 4])
    }

    @Test func assign_threeRacks_alternatesRacksAndSpansThemAll() throws {
        let racks = ["rack1", "rack3", "rack3", "rack2", "rack2", "rack1"]
        let brokers = racks.enumerated().map { sampleBroker(Int32($0.offset), rack: $0.element) }
        let replicas = try ReplicaPlacement.assign(
            partitionCount: 6, replicationFactor: 3, brokers: brokers, startIndex: 0, replicaShift: 0)
        #expect(replicas == [[0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3]])
        for start in 0..<6 {
            for shift in 0..<6 {
                let placed = try ReplicaPlacement.assign(
                    partitionCount: 12, replicationFactor: 3, brokers: brokers, startIndex: start, replicaShift: shift)
                #expect(placed.allSatisfy { Set($0.map { racks[Int($0)] }).count == 3 }, "start \(start) shift \(shift)")
                #expect(placed.allSatisfy { Set($0).count == 3 })
            }
        }
    }

    @Test func assign_unevenRacks_putsEachPartitionInBothRacks() throws {
        let brokers = [sampleBroker(1, rack: "a"), sampleBroker(2, rack: "a"), sampleBroker(3, rack: "a"), sampleBroker(4, rack: "b")]
        for start in 0..<4 {
            for shift in 0..<4 {
                let placed = try ReplicaPlacement.assign(
                    partitionCount: 8, replicationFactor: 3, brokers: brokers, startIndex: start, replicaShift: shift)
                #expect(placed.allSatisfy { $0.contains(4) && Set($0).count == 3 }, "start \(start) shift \(shift)")
            }
        }
    }

    @Test func assign_someBrokersWithoutRack_ignoresRacks() throws {
        let mixed = [sampleBroker(0, rack: "a"), sampleBroker(1), sampleBroker(2, rack: "b"), sampleBroker(3, rack: "a"), sampleBroker(4)]
        let placed = try ReplicaPlacement.assign(partitionCount: 10, replicationFactor: 3, brokers: mixed, startIndex: 1, replicaShift: 2)
        let plain = try ReplicaPlacement.assign(partitionCount: 10, replicationFactor: 3, brokers: fiveBrokers, startIndex: 1, replicaShift: 2)
        #expect(placed == plain)
    }

    @Test func assignAdditional_existingPartitions_continuesFromPartitionZerosLeader() throws {
        let existing = [
            PartitionAssignment(replicas: [2, 3, 4], leader: 2, inSyncReplicas: [2, 3, 4]),
            PartitionAssignment(replicas: [3, 4, 0], leader: 3, inSyncReplicas: [3, 4, 0]),
            PartitionAssignment(replicas: [4, 0, 1], leader: 4, inSyncReplicas: [4, 0, 1]),
        ]
        let added = try ReplicaPlacement.assignAdditional(
            partitionCount: 4, replicationFactor: 3, after: existing, brokers: fiveBrokers)
        let expected = try ReplicaPlacement.assign(
            partitionCount: 4, replicationFactor: 3, brokers: fiveBrokers, startIndex: 2, replicaShift: 2, firstPartition: 3)
        #expect(added == expected)
        #expect(added.map { $0[0] } == [0, 1, 2, 3], "leaders continue the round after partition 2's broker 4")
    }

    @Test func assignAdditional_partitionZerosLeaderGone_startsAtNextBroker() throws {
        let existing = [PartitionAssignment(replicas: [2], leader: 2, inSyncReplicas: [2])]
        let live = fiveBrokers.filter { $0.id != 2 }
        let added = try ReplicaPlacement.assignAdditional(partitionCount: 2, replicationFactor: 1, after: existing, brokers: live)
        // Placement order is 0, 1, 3, 4; broker 3 is the first at or after 2, at index 2.
        // Partition 1 starts at (1 + 2) % 4 = 3: broker 4.
        #expect(added == [[4], [0]])
    }
}
