public import TernPrimitives

/// A `ReplicatedLog` of one node that keeps nothing on disk: a proposal commits at once, in the
/// order proposals reach the actor, and is applied before `propose` returns. For unit tests and
/// for `tern-coordinator --consensus memory`, an explicit non-durable backend like the broker's
/// `--store memory`; everything is lost when the process ends.
///
/// There is never an election: this node leads term 1 from the start, `readBarrier` has nothing
/// to wait for (every commit is already applied when `propose` returns), and messages sent to
/// the leader arrive in this node's own inbox.
public actor MemoryReplicatedLog: ReplicatedLog {
    public nonisolated let localNode: NodeID
    private let stateMachine: any ReplicatedStateMachine
    private let term: Term
    private var lastIndex = LogIndex.zero
    private var closed = false
    /// Committed commands not yet handed to the state machine, in index order.
    private var unapplied: [CommittedCommand] = []
    /// Proposers waiting for their command to be applied by the proposer that is applying.
    /// One per running `propose` call, so bounded by the callers' own concurrency.
    private var waiters: [LogIndex: CheckedContinuation<Void, Never>] = [:]
    private var applying = false
    private var appliedIndex = LogIndex.zero
    /// Read barriers waiting for an index to be applied; one per running `readBarrier` call.
    private var barrierWaiters: [(index: LogIndex, continuation: CheckedContinuation<Void, Never>)] = []
    /// Commands since the last snapshot; compacted into a snapshot past `compactionEntries`.
    private var entriesSinceSnapshot = 0
    private let compactionEntries: Int
    private var latestSnapshot: StateMachineSnapshot?
    private let inbox: AsyncStream<(from: NodeID, message: [UInt8])>
    private let inboxInput: AsyncStream<(from: NodeID, message: [UInt8])>.Continuation

    /// A log led by `localNode` that applies to `stateMachine`. Every `compactionEntries`
    /// commands it takes a snapshot, as a real log would before truncating, so the state
    /// machine's snapshot path runs in tests too.
    public init(localNode: NodeID = NodeID(1), stateMachine: any ReplicatedStateMachine, compactionEntries: Int = 10_000) {
        precondition(compactionEntries > 0, "compaction needs at least one entry between snapshots")
        self.localNode = localNode
        self.stateMachine = stateMachine
        self.term = Term(1)
        self.compactionEntries = compactionEntries
        // The inbox holds keep-alives; a consumer that stalls loses the oldest, which is what
        // best-effort delivery allows, and the buffer stays bounded.
        (inbox, inboxInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    /// The last snapshot taken, if any.
    public var snapshot: StateMachineSnapshot? { latestSnapshot }

    /// The index of the last committed command.
    public var commitIndex: LogIndex { lastIndex }

    public func propose(_ command: [UInt8]) async throws(ReplicationError) {
        guard !closed else { throw .closed }
        lastIndex = lastIndex.successor
        let index = lastIndex
        unapplied.append(CommittedCommand(index: index, term: term, command: command))
        if applying {
            // Another proposer is applying; it will apply this command in index order too.
            // Whether it already has is checked where the waiter is registered, since
            // `await` may suspend before the body runs.
            await withCheckedContinuation { continuation in
                if appliedIndex >= index { continuation.resume() } else { waiters[index] = continuation }
            }
            return
        }
        // Only one proposer applies at a time, taking every command queued meanwhile, so the
        // state machine sees indices in order even though `apply` suspends this actor.
        applying = true
        while !unapplied.isEmpty {
            let batch = unapplied
            unapplied.removeAll()
            await stateMachine.apply(batch)
            for applied in batch {
                waiters.removeValue(forKey: applied.index)?.resume()
            }
            appliedIndex = batch[batch.count - 1].index
            let passed = barrierWaiters.filter { $0.index <= appliedIndex }
            barrierWaiters.removeAll { $0.index <= appliedIndex }
            for waiter in passed { waiter.continuation.resume() }
            entriesSinceSnapshot += batch.count
            if entriesSinceSnapshot >= compactionEntries {
                entriesSinceSnapshot = 0
                latestSnapshot = await stateMachine.snapshot()
            }
        }
        applying = false
    }

    public func readBarrier() async throws(ReplicationError) {
        guard !closed else { throw .closed }
        // Everything committed so far must be applied; only a proposer mid-apply can be behind.
        let target = lastIndex
        guard appliedIndex < target else { return }
        await withCheckedContinuation { continuation in
            if appliedIndex >= target { continuation.resume() } else { barrierWaiters.append((target, continuation)) }
        }
    }

    public nonisolated func leadershipChanges() -> AsyncStream<Leadership> {
        let (stream, continuation) = AsyncStream.makeStream(of: Leadership.self)
        continuation.yield(Leadership(leader: localNode, term: term, isLocal: true))
        // One view for the log's whole life; the stream ends only when its consumer stops.
        return stream
    }

    public func sendToLeader(_ message: [UInt8]) async {
        guard !closed else { return }
        inboxInput.yield((from: localNode, message: message))
    }

    public nonisolated func leaderInbox() -> AsyncStream<(from: NodeID, message: [UInt8])> {
        inbox
    }

    /// Refuses later proposals and barriers with `.closed` and ends the inbox.
    public func close() {
        closed = true
        inboxInput.finish()
    }
}
