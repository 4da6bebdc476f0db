// Goal: leader election picks who Kafka's controller would pick, loses data only when unclean
// election is allowed, and raises the leader epoch on every change and only then. Method: feed
// hand-written partition states and live-broker sets to the pure election functions.

import Testing
import TernCoordination

@Suite struct LeaderElectionTests {
    private let healthy = PartitionAssignment(
        replicas: [1, 2, 3], leader: 1, leaderEpoch: 5, inSyncReplicas: [1, 2, 3], partitionEpoch: 9)

    @Test func elect_leaderAndInSyncReplicasLive_changesNothing() {
        #expect(LeaderElection.elect(healthy, liveBrokers: [1, 2, 3]) == nil)
        #expect(LeaderElection.elect(healthy, liveBrokers: [1, 2, 3, 4], uncleanLeaderElection: true) == nil)
    }

    @Test func elect_followerDied_shrinksInSyncReplicasKeepsLeaderRaisesEpoch() {
        let next = LeaderElection.elect(healthy, liveBrokers: [1, 3])
        #expect(next == PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 6, inSyncReplicas: [1, 3], partitionEpoch: 9))
    }

    @Test func elect_leaderDied_picksFirstLiveInSyncReplicaInPreferredOrder() {
        let current = PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 5, inSyncReplicas: [3, 1, 2])
        let next = LeaderElection.elect(current, liveBrokers: [2, 3])
        #expect(next?.leader == 2, "replica order, not ISR order")
        #expect(next?.inSyncReplicas == [3, 2])
        #expect(next?.leaderEpoch == 6)
    }

    @Test func elect_leaderDiedOnlyOutOfSyncReplicasLive_hasNoLeaderAndKeepsInSyncReplicas() {
        let current = PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 5, inSyncReplicas: [1])
        let next = LeaderElection.elect(current, liveBrokers: [2, 3])
        #expect(next == PartitionAssignment(replicas: [1, 2, 3], leader: -1, leaderEpoch: 6, inSyncReplicas: [1]))
        #expect(next.flatMap { LeaderElection.elect($0, liveBrokers: [2, 3]) } == nil, "already leaderless: no change")
    }

    @Test func elect_leaderlessAndInSyncReplicaReturns_electsIt() throws {
        let leaderless = PartitionAssignment(replicas: [1, 2, 3], leader: -1, leaderEpoch: 6, inSyncReplicas: [1])
        let next = try #require(LeaderElection.elect(leaderless, liveBrokers: [1, 2]))
        #expect(next.leader == 1)
        #expect(next.inSyncReplicas == [1])
        #expect(next.leaderEpoch == 7)
    }

    @Test func elect_uncleanAllowedNoInSyncReplicaLive_picksFirstLiveReplicaAlone() {
        let current = PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 5, inSyncReplicas: [1])
        let next = LeaderElection.elect(current, liveBrokers: [3, 2], uncleanLeaderElection: true)
        #expect(next == PartitionAssignment(replicas: [1, 2, 3], leader: 2, leaderEpoch: 6, inSyncReplicas: [2]))
    }

    @Test func elect_uncleanAllowedButInSyncReplicaLive_staysClean() {
        let current = PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 5, inSyncReplicas: [1, 3])
        let next = LeaderElection.elect(current, liveBrokers: [2, 3], uncleanLeaderElection: true)
        #expect(next?.leader == 3)
        #expect(next?.inSyncReplicas == [3])
    }

    @Test func elect_noReplicaLive_hasNoLeaderEvenUnclean() {
        let next = LeaderElection.elect(healthy, liveBrokers: [7], uncleanLeaderElection: true)
        #expect(next?.leader == -1)
        #expect(next?.inSyncReplicas == [1, 2, 3])
    }

    @Test func electPreferred_preferredLiveInSyncNotLeading_movesLeadership() {
        let current = PartitionAssignment(replicas: [1, 2, 3], leader: 2, leaderEpoch: 5, inSyncReplicas: [2, 3, 1])
        let next = LeaderElection.electPreferred(current, liveBrokers: [1, 2, 3])
        #expect(next == PartitionAssignment(replicas: [1, 2, 3], leader: 1, leaderEpoch: 6, inSyncReplicas: [2, 3, 1]))
    }

    @Test func electPreferred_preferredLeadingOutOfSyncOrDead_changesNothing() {
        #expect(LeaderElection.electPreferred(healthy, liveBrokers: [1, 2, 3]) == nil)
        let lagging = PartitionAssignment(replicas: [1, 2, 3], leader: 2, inSyncReplicas: [2, 3])
        #expect(LeaderElection.electPreferred(lagging, liveBrokers: [1, 2, 3]) == nil)
        let dead = PartitionAssignment(replicas: [1, 2, 3], leader: 2, inSyncReplicas: [1, 2, 3])
        #expect(LeaderElection.electPreferred(dead, liveBrokers: [2, 3]) == nil)
    }
}
