// How a controller picks a partition's leader. Pure functions over a `PartitionAssignment` and
// the set of live brokers; the controller stores the result with a conditional
// `updatePartition(_:to:expectedPartitionEpoch:)`, passing the `partitionEpoch` it read.
//
// Every change of leader or in-sync replicas raises `leaderEpoch` (as Kafka's ZooKeeper-mode
// controller does), so a replica that hears of the new state can tell it from the old even when
// the leader stayed. When no replica may lead, the in-sync replicas are left as they were: they
// are the replicas that still hold every committed record, and the first of them to return can
// then lead without losing any.

/// Leader elections for one partition.
public enum LeaderElection {
    /// The partition's state after its brokers' liveness changed, or nil when nothing changes.
    ///
    /// A live leader in the in-sync replicas stays, and dead replicas leave the in-sync set.
    /// Otherwise the new leader is the first replica, in preferred order, that is live and in
    /// sync. With `uncleanLeaderElection` (Kafka's `unclean.leader.election.enable`) and no
    /// such replica, the first live replica leads alone, and records it never had are lost.
    /// With no candidate at all the leader becomes -1.
    ///
    /// A controller also uses this for a leader shutting down: leave it out of `liveBrokers`.
    public static func elect(
        _ current: PartitionAssignment, liveBrokers: Set<Int32>, uncleanLeaderElection: Bool = false
    ) -> PartitionAssignment? {
        let liveInSync = current.inSyncReplicas.filter(liveBrokers.contains)
        if current.leader >= 0, liveInSync.contains(current.leader) {
            return changed(current, leader: current.leader, inSyncReplicas: liveInSync)
        }
        if let leader = current.replicas.first(where: { liveBrokers.contains($0) && liveInSync.contains($0) }) {
            return changed(current, leader: leader, inSyncReplicas: liveInSync)
        }
        if uncleanLeaderElection, let leader = current.replicas.first(where: liveBrokers.contains) {
            return changed(current, leader: leader, inSyncReplicas: [leader])
        }
        return changed(current, leader: -1, inSyncReplicas: current.inSyncReplicas)
    }

    /// The partition's state with its preferred replica (the first) leading, or nil when it
    /// already leads or cannot: it must be live and in sync (Kafka's preferred-leader election).
    public static func electPreferred(_ current: PartitionAssignment, liveBrokers: Set<Int32>) -> PartitionAssignment? {
        guard let preferred = current.replicas.first, preferred != current.leader,
              liveBrokers.contains(preferred), current.inSyncReplicas.contains(preferred)
        else { return nil }
        return changed(current, leader: preferred, inSyncReplicas: current.inSyncReplicas.filter(liveBrokers.contains))
    }

    /// `current` with a new leader and in-sync set and the next leader epoch, or nil when both
    /// are as they were.
    private static func changed(_ current: PartitionAssignment, leader: Int32, inSyncReplicas: [Int32]) -> PartitionAssignment? {
        guard leader != current.leader || inSyncReplicas != current.inSyncReplicas else { return nil }
        var next = current
        next.leader = leader
        next.inSyncReplicas = inSyncReplicas
        next.leaderEpoch = current.leaderEpoch + 1
        return next
    }
}
