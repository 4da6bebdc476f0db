import TernProtocol

/// Replica placement for new partitions until the shared `ReplicaPlacement` of Coordination
/// lands: partition `p`'s replicas are `rf` consecutive live brokers starting `start + p`
/// places into the sorted broker list, so leaders and followers spread evenly. Racks are not
/// considered.
enum RoundRobinPlacement {
    /// Replicas for `partitions` (partition numbers), or nil when `replicationFactor` is not
    /// positive or exceeds the brokers.
    static func place(partitions: Range<Int>, replicationFactor: Int, brokers: [Int32], start: Int) -> [[Int32]]? {
        let sorted = brokers.sorted()
        guard replicationFactor > 0, replicationFactor <= sorted.count else { return nil }
        return partitions.map { partition in
            (0..<replicationFactor).map { sorted[(start + partition + $0) % sorted.count] }
        }
    }

    /// Kafka's words for a replication factor the brokers cannot meet.
    static func shortfall(replicationFactor: Int, brokerCount: Int) -> String {
        guard replicationFactor > 0 else { return "Invalid replicationFactor \(replicationFactor)" }
        return "The target replication factor of \(replicationFactor) cannot be reached because only "
            + "\(brokerCount) broker(s) are registered."
    }

    /// Checks one manually assigned replica list as Kafka does: not empty, every broker
    /// registered and named once (in ascending id order, so the message names the least
    /// offender), and as many replicas as the partitions before it.
    static func validate(_ replicas: [Int32], registered: Set<Int32>, replicationFactor: Int?) throws(AdminRefusal) {
        guard !replicas.isEmpty else {
            throw AdminRefusal(.invalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
        }
        var previous: Int32?
        for broker in replicas.sorted() {
            guard registered.contains(broker) else {
                throw AdminRefusal(.invalidReplicaAssignment,
                    "The manual partition assignment includes broker \(broker), but no such broker is registered.")
            }
            if broker == previous {
                throw AdminRefusal(.invalidReplicaAssignment,
                    "The manual partition assignment includes the broker \(broker) more than once.")
            }
            previous = broker
        }
        if let replicationFactor, replicas.count != replicationFactor {
            throw AdminRefusal(.invalidReplicaAssignment,
                "The manual partition assignment includes a partition with \(replicas.count) replica(s), but this is not "
                + "consistent with previous partitions, which have \(replicationFactor) replica(s).")
        }
    }
}
