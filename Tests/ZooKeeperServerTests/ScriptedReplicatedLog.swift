// Goal: a ReplicatedLog whose leadership and failures a test decides, so follower behaviour
// (keep-alives to the leader), leadership changes and failed proposals or barriers can be
// exercised without Raft. Proposals that succeed are applied at once, as on one node.

import TernCoordination
import TernPrimitives

actor ScriptedReplicatedLog: ReplicatedLog {
    nonisolated let localNode = NodeID(1)
    private let stateMachine: any ReplicatedStateMachine
    private var index = LogIndex.zero
    private let views: AsyncStream<Leadership>
    private let viewInput: AsyncStream<Leadership>.Continuation
    private let inbox: AsyncStream<(from: NodeID, message: [UInt8])>
    /// When set, proposals fail with it and apply nothing.
    var proposeFailure: ReplicationError?
    /// When set, read barriers fail with it.
    var barrierFailure: ReplicationError?
    /// Messages sent to the leader, oldest first.
    private(set) var sentToLeader: [[UInt8]] = []
    var term = Term(1)

    init(stateMachine: any ReplicatedStateMachine, leader: Leadership) {
        self.stateMachine = stateMachine
        (views, viewInput) = AsyncStream.makeStream(of: Leadership.self)
        viewInput.yield(leader)
        (inbox, _) = AsyncStream.makeStream(of: (from: NodeID, message: [UInt8]).self)
    }

    func failProposals(with error: ReplicationError?) { proposeFailure = error }
    func failBarriers(with error: ReplicationError?) { barrierFailure = error }

    /// Announces a new leadership view.
    func announce(_ view: Leadership) {
        term = view.term
        viewInput.yield(view)
    }

    func propose(_ command: [UInt8]) async throws(ReplicationError) {
        if let proposeFailure { throw proposeFailure }
        index = index.successor
        await stateMachine.apply([CommittedCommand(index: index, term: term, command: command)])
    }

    func readBarrier() async throws(ReplicationError) {
        if let barrierFailure { throw barrierFailure }
    }

    nonisolated func leadershipChanges() -> AsyncStream<Leadership> { views }

    func sendToLeader(_ message: [UInt8]) async {
        sentToLeader.append(message)
    }

    nonisolated func leaderInbox() -> AsyncStream<(from: NodeID, message: [UInt8])> { inbox }
}
