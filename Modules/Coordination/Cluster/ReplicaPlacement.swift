public import TernProtocol

// Where a controller puts the replicas of new partitions. The scheme is the one Kafka's
// `AdminUtils.assignReplicasToBrokers` describes: brokers in a fixed order, each partition's
// first replica (its preferred leader) taken round-robin from a start index, followers at a
// shift from it that grows by one every full round, so leaders spread evenly and the followers
// of one broker's partitions do not all land on the same other broker.
//
// With racks, the order alternates racks (the first broker of each rack, then the second of
// each, …) and a follower is skipped while its rack or itself already holds a replica of the
// partition, unless every rack or every broker already does. Racks count only when every
// broker has one (Kafka's "safe" mode); otherwise they are ignored, which is the rack-unaware
// scheme exactly: one rack, no skips.

/// Why replicas could not be placed.
public enum ReplicaPlacementError: Error, Hashable, Sendable, KafkaErrorConvertible {
    /// The replication factor is not positive or exceeds the live brokers.
    case invalidReplicationFactor(Int16, liveBrokers: Int)
    /// The partition count is not positive.
    case invalidPartitionCount(Int32)

    public var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .invalidReplicationFactor: .invalidReplicationFactor
        case .invalidPartitionCount: .invalidPartitions
        }
    }
}

/// Decides the replica lists of new partitions. Pure functions; the caller supplies the live
/// brokers and any randomness.
public enum ReplicaPlacement {
    /// Replica lists for `partitionCount` partitions numbered from `firstPartition`, preferred
    /// leader first.
    ///
    /// - Parameters:
    ///   - brokers: the live brokers, each id once; their order does not matter.
    ///   - startIndex: the position, in placement order, of partition 0's first replica.
    ///   - replicaShift: the followers' initial shift from the first replica.
    public static func assign(
        partitionCount: Int32, replicationFactor: Int16, brokers: [BrokerRegistration],
        startIndex: Int, replicaShift: Int, firstPartition: Int32 = 0
    ) throws(ReplicaPlacementError) -> [[Int32]] {
        try validate(partitionCount: partitionCount, replicationFactor: replicationFactor, brokerCount: brokers.count)
        precondition(Set(brokers.map(\.id)).count == brokers.count, "replica placement given a broker twice")
        precondition(startIndex >= 0 && replicaShift >= 0 && firstPartition >= 0, "negative placement start")
        let order = placementOrder(brokers)
        let rackCount = Set(order.map(\.rack)).count
        var shift = replicaShift
        var assignments: [[Int32]] = []
        assignments.reserveCapacity(Int(partitionCount))
        for partition in Int(firstPartition)..<(Int(firstPartition) + Int(partitionCount)) {
            if partition > 0 && partition % order.count == 0 { shift += 1 }
            let first = (partition + startIndex) % order.count
            assignments.append(replicas(
                first: first, shift: shift * rackCount, count: Int(replicationFactor), order: order, rackCount: rackCount))
        }
        return assignments
    }

    /// Replica lists for a new topic, starting at a random broker with a random shift (as Kafka
    /// does, so that topics created one after another do not all lead on the same broker).
    public static func assign(
        partitionCount: Int32, replicationFactor: Int16, brokers: [BrokerRegistration],
        using generator: inout some RandomNumberGenerator
    ) throws(ReplicaPlacementError) -> [[Int32]] {
        try validate(partitionCount: partitionCount, replicationFactor: replicationFactor, brokerCount: brokers.count)
        let startIndex = Int.random(in: 0..<brokers.count, using: &generator)
        let replicaShift = Int.random(in: 0..<brokers.count, using: &generator)
        return try assign(
            partitionCount: partitionCount, replicationFactor: replicationFactor, brokers: brokers,
            startIndex: startIndex, replicaShift: replicaShift)
    }

    /// Replica lists for `partitionCount` partitions appended to a topic that has `existing`
    /// ones: numbered after them, and continuing the round-robin from partition 0's preferred
    /// leader (from the first live broker at or after it in placement order) so the topic's
    /// leaders stay spread.
    public static func assignAdditional(
        partitionCount: Int32, replicationFactor: Int16, after existing: [PartitionAssignment], brokers: [BrokerRegistration]
    ) throws(ReplicaPlacementError) -> [[Int32]] {
        try validate(partitionCount: partitionCount, replicationFactor: replicationFactor, brokerCount: brokers.count)
        let order = placementOrder(brokers)
        var startIndex = 0
        if let leader = existing.first?.replicas.first {
            startIndex = order.firstIndex { $0.id == leader } ?? order.firstIndex { $0.id > leader } ?? 0
        }
        return try assign(
            partitionCount: partitionCount, replicationFactor: replicationFactor, brokers: brokers,
            startIndex: startIndex, replicaShift: startIndex, firstPartition: Int32(existing.count))
    }

    private static func validate(partitionCount: Int32, replicationFactor: Int16, brokerCount: Int) throws(ReplicaPlacementError) {
        guard partitionCount > 0 else { throw .invalidPartitionCount(partitionCount) }
        guard replicationFactor > 0, Int(replicationFactor) <= brokerCount else {
            throw .invalidReplicationFactor(replicationFactor, liveBrokers: brokerCount)
        }
    }

    /// A broker as placement sees it: its rack is nil for all brokers unless every one has one.
    private struct Slot {
        var id: Int32
        var rack: String?
    }

    /// The brokers in placement order: by id without racks; alternating racks (racks by name,
    /// brokers of a rack by id) with them.
    private static func placementOrder(_ brokers: [BrokerRegistration]) -> [Slot] {
        let sorted = brokers.sorted { $0.id < $1.id }
        guard sorted.allSatisfy({ $0.rack != nil }) else { return sorted.map { Slot(id: $0.id, rack: nil) } }
        let byRack = Dictionary(grouping: sorted) { $0.rack ?? "" }
        let racks = byRack.keys.sorted()
        var order: [Slot] = []
        order.reserveCapacity(sorted.count)
        for round in 0..<(byRack.values.map(\.count).max() ?? 0) {
            for rack in racks {
                if let members = byRack[rack], round < members.count {
                    order.append(Slot(id: members[round].id, rack: rack))
                }
            }
        }
        return order
    }

    /// One partition's replicas: the broker at `first`, then followers found by walking the
    /// positions after it from `shift`, skipping repeated racks and brokers.
    private static func replicas(first: Int, shift: Int, count: Int, order: [Slot], rackCount: Int) -> [Int32] {
        var chosen = [order[first].id]
        var brokersUsed: Set<Int32> = [order[first].id]
        var racksUsed: Set<String?> = [order[first].rack]
        var step = 0
        while chosen.count < count {
            // A position other than `first`: every broker comes round within order.count - 1 steps,
            // and one that passes the test always exists while chosen.count < order.count.
            let position = (first + 1 + (shift + step) % (order.count - 1)) % order.count
            let candidate = order[position]
            step += 1
            let rackFree = !racksUsed.contains(candidate.rack) || racksUsed.count == rackCount
            guard rackFree && !brokersUsed.contains(candidate.id) else { continue }
            chosen.append(candidate.id)
            brokersUsed.insert(candidate.id)
            racksUsed.insert(candidate.rack)
        }
        return chosen
    }
}
