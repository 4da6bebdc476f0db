// Goal: read-index serves a read only from a leader that has proved, after the read arrived,
// that a majority still follows it, and only once the read's index is applied. Method: drive
// small clusters and watch when `readReady` and `readFailed` come out.

import Testing
import TernCoordination
import TernPrimitives

@Suite struct RaftReadIndexTests {
    @Test func readIndex_leader_isReadyOnlyAfterHeartbeatRound() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        _ = cluster.propose(1, [5])
        cluster.run()
        let actions = cluster.nodes[1]!.readIndex(requestID: 7, now: cluster.now)
        cluster.record(1, actions)
        #expect(!actions.contains(.readReady(requestID: 7, index: 2)), "leadership is not yet confirmed")
        #expect(actions.sends.count == 2, "one message of the new round to each follower")
        cluster.run()
        #expect(cluster.readsReady[1] == [7])
    }

    @Test func readIndex_follower_failsWithLeaderHint() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        let actions = cluster.nodes[2]!.readIndex(requestID: 3, now: cluster.now)
        #expect(actions == [.readFailed(requestID: 3, .notLeader(leaderHint: 1))])
    }

    @Test func readIndex_cutOffLeader_neverServesAndFailsOnStepDown() {
        let cluster = TestCluster(size: 3)
        cluster.elect(1)
        cluster.isolated = [1]
        cluster.record(1, cluster.nodes[1]!.readIndex(requestID: 11, now: cluster.now))
        for _ in 0..<30 {
            cluster.advance(.milliseconds(10))
            cluster.run()
        }
        #expect(cluster.readsReady[1] == nil)
        #expect(cluster.readsFailed[1] == [11])
        #expect(cluster[1].currentRole != .leader)
    }

    @Test func readIndex_beforeNewLeaderCommitsItsTerm_waitsForIt() {
        let cluster = TestCluster(size: 3)
        cluster.autoPersist = false
        cluster.timeOut(1)
        // Deliver votes (and the writes they wait for) until node 1 leads, but no further.
        while cluster[1].currentRole != .leader {
            for id in cluster.ids { cluster.persist(id) }
            cluster.deliver(cluster.network.removeFirst())
        }
        #expect(cluster[1].commitIndex == 0)
        cluster.record(1, cluster.nodes[1]!.readIndex(requestID: 1, now: cluster.now))
        #expect(cluster.readsReady[1] == nil)
        cluster.autoPersist = true
        cluster.run()
        #expect(cluster.readsReady[1] == [1])
        #expect(cluster[1].commitIndex == 1)
    }

    @Test func readIndex_singleNode_isReadyAtOnce() {
        let cluster = TestCluster(size: 1)
        cluster.elect(1)
        let actions = cluster.nodes[1]!.readIndex(requestID: 2, now: cluster.now)
        #expect(actions.contains(.readReady(requestID: 2, index: 1)))
    }

    @Test func readIndex_tooManyPending_isRefused() {
        let cluster = TestCluster(size: 3) { $0.limits.readsPendingMax = 1 }
        cluster.elect(1)
        cluster.isolated = [2, 3]
        cluster.record(1, cluster.nodes[1]!.readIndex(requestID: 1, now: cluster.now))
        let actions = cluster.nodes[1]!.readIndex(requestID: 2, now: cluster.now)
        #expect(actions.contains(.readFailed(requestID: 2, .tooManyPending)))
    }
}
