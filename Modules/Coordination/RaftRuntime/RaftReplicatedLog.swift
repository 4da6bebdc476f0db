public import TernPrimitives

// The Raft runtime: what makes the sans-IO `RaftNode` run on real clocks, disks and sockets, and
// what turns it into the `ReplicatedLog` the ZooKeeper server codes against.
//
// # Why one event loop inside the actor
//
// The core's actions must run in order ("apply these entries before the next action"), and
// applying them means awaiting the state machine. An actor alone would let a second message in
// at every await, interleaving two events' actions. So every input (a timer tick, a peer's
// envelope, a finished write, a caller's proposal) becomes an event in one queue, and one task
// takes events one at a time: call the core, perform its actions in order, then maybe snapshot.
// Caller-facing methods only register a waiter and enqueue; they never touch the core.
//
// # Why writes leave the loop
//
// A `persist` action is handed to a writer task and the loop moves on; the core already holds
// back every message that promises durability until it hears `persisted(upTo:)`, and the leader
// replicates in parallel with its own write (thesis §10.2.1). While one batch is being synced,
// new requests pile up and go down together in the next call: group commit falls out of the
// queue with no timer. A storage failure stops the node: it may not make promises it cannot keep.
//
// # Why proposals are tagged, and forwarded
//
// A client may talk to any node, and only the leader can append. A follower forwards the command
// to the leader it knows; the leader appends it with a tag naming the origin node and the
// origin's proposal id (`ProposalTag`). Every node strips the tag before the state machine sees
// the command, and the origin resolves its waiter when it applies the tagged entry itself, so a
// caller returns only once its own node reflects the write (read-your-writes on that node). No
// answer travels back from leader to origin on success, so a lost reply cannot strand a waiter.
// If the term changes before the entry applies, or the timeout passes, the caller gets
// `.outcomeUnknown`: the entry may still commit. A refusal from the leader (not leader any more,
// overloaded) means nothing was appended, and is reported as such so the caller can retry.
//
// # Why reads ask the leader
//
// `readBarrier` uses the core's read-index (thesis §6.4): on the leader, directly; on a follower
// the runtime asks the leader for a confirmed read index and then waits until its own state
// machine has applied that far. No clock-based lease is trusted anywhere.
//
// # Snapshots and restarts
//
// Every `snapshotInterval` applied entries the runtime asks the state machine for its state,
// stamps it with the applied index and its term (the state machine need not track no-ops), and
// hands it to the core, which compacts the log and persists the snapshot. At start the stored
// snapshot is restored into the state machine first, then the core starts from the stored log
// and relearns the commit index from the leader; entries after the snapshot apply again.

/// Why a runtime could not start.
public enum RaftRuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Storage could not be read.
    case storage(RaftStorageError)
    /// The peer network could not start.
    case network(PeerNetworkError)
    /// `start()` was called twice, or after `shutdown()`.
    case alreadyStarted

    public var description: String {
        switch self {
        case let .storage(error): "raft storage: \(error)"
        case let .network(error): "raft network: \(error)"
        case .alreadyStarted: "raft runtime already started"
        }
    }
}

/// A `ReplicatedLog` run by Raft: one node of a group, driving one state machine.
public actor RaftReplicatedLog: ReplicatedLog {
    enum Phase { case idle, running, stopped }

    enum Event {
        case start
        case tick
        case persisted(PersistTicket)
        case delivery(PeerDelivery)
        case propose(proposalID: UInt64, command: [UInt8])
        case read(readID: UInt64)
    }

    struct ProposalWaiter {
        var continuation: CheckedContinuation<Result<Void, ReplicationError>, Never>
        var deadline: Instant
        /// The leader the proposal went to (this node when it leads) and its term; once the
        /// term changes or another leader appears, the entry's fate is unknown.
        var sentTo: (leader: NodeID, term: Term)?
    }

    struct ReadWaiter {
        var continuation: CheckedContinuation<Result<Void, ReplicationError>, Never>
        var deadline: Instant
        /// The term of the leader asked, for reads forwarded to one.
        var forwardedTerm: Term?
    }

    /// Who a read handed to the core is for.
    enum ReadRoute {
        case local(readID: UInt64)
        case remote(peer: NodeID, requestID: UInt64)
    }

    public nonisolated let localNode: NodeID
    let configuration: RaftConfiguration
    let storage: any RaftStorage
    let network: any PeerNetwork
    let stateMachine: any ReplicatedStateMachine
    let clock: any BrokerClock
    let options: RaftRuntimeOptions
    let observers: RuntimeObservers

    var phase = Phase.idle
    /// The core. Before `start` it is a placeholder built from an empty disk, never driven.
    var node: RaftNode
    /// The last index the state machine has actually applied (the core's `appliedIndex` runs
    /// ahead of it while an apply action is being performed).
    var appliedIndex = LogIndex.zero
    var lastSnapshotAttempt = LogIndex.zero

    // The event queue and the loop that drains it.
    var events: [Event] = []
    var eventsHead = 0
    var deliveriesQueued = 0
    var wakeLoop: CheckedContinuation<Void, Never>?
    var loopTask: Task<Void, Never>?
    var pumpTask: Task<Void, Never>?
    var sweepTask: Task<Void, Never>?
    var timerTask: Task<Void, Never>?

    // Writes waiting for the writer, and the writer.
    var pendingWrites: [PersistRequest] = []
    var writerTask: Task<Void, Never>?

    // Callers waiting.
    var nextProposalID: UInt64
    var proposals: [UInt64: ProposalWaiter] = [:]
    var nextReadID: UInt64 = 1
    var reads: [UInt64: ReadWaiter] = [:]
    /// Reads whose index is known, waiting for the state machine to apply that far.
    var readsAwaitingApply: [UInt64: LogIndex] = [:]
    var nextCoreReadID: UInt64 = 1
    var coreReads: [UInt64: ReadRoute] = [:]

    /// A runtime for node `configuration.nodeID`. Nothing runs until `start()`. The runtime
    /// owns `storage` and `network` from then on: it starts and closes both.
    public init(
        configuration: RaftConfiguration,
        storage: any RaftStorage,
        network: any PeerNetwork,
        stateMachine: any ReplicatedStateMachine,
        clock: any BrokerClock = SystemClock(),
        options: RaftRuntimeOptions = RaftRuntimeOptions()
    ) {
        localNode = configuration.nodeID
        self.configuration = configuration
        self.storage = storage
        self.network = network
        self.stateMachine = stateMachine
        self.clock = clock
        self.options = options
        observers = RuntimeObservers(
            initial: Leadership(leader: nil, term: .zero, isLocal: false), inboxBufferMax: options.leaderInboxBufferMax)
        node = RaftNode(configuration: configuration, durable: .empty, random: SeededRandom(seed: 0), now: .zero)
        var system = SystemRandomNumberGenerator()
        nextProposalID = system.next()
    }

    /// Restores the state machine and the core from storage, starts the network and the node.
    public func start() async throws(RaftRuntimeError) {
        guard case .idle = phase else { throw .alreadyStarted }
        phase = .running
        let durable: DurableState
        do {
            durable = try await storage.load()
        } catch {
            phase = .stopped
            throw .storage(error)
        }
        if let snapshot = durable.snapshot {
            await stateMachine.restore(StateMachineSnapshot(index: snapshot.index, term: snapshot.term, bytes: snapshot.data))
            appliedIndex = snapshot.index
            lastSnapshotAttempt = snapshot.index
        }
        var system = SystemRandomNumberGenerator()
        let seed = options.randomSeed ?? system.next()
        node = RaftNode(configuration: configuration, durable: durable, random: SeededRandom(seed: seed), now: clock.now)
        do {
            try await network.start()
        } catch {
            phase = .stopped
            await storage.close()
            throw .network(error)
        }
        observers.publish(Leadership(leader: nil, term: node.term, isLocal: false))
        options.log("raft node \(localNode.rawValue) starting: term \(node.term.rawValue), log \(node.snapshotIndex.rawValue)...\(node.lastIndex.rawValue)")
        loopTask = Task { await self.runLoop() }
        pumpTask = Task { await self.pumpDeliveries() }
        sweepTask = Task { await self.sweepExpiredWaiters() }
        enqueue(.start)
    }

    /// Stops the node: no more events, waits for the write in progress, fails every waiter
    /// with `.closed`, ends the streams, and closes the network and storage.
    public func shutdown() async {
        guard case .running = phase else {
            phase = .stopped
            return
        }
        await halt(reason: "shutdown")
    }

    /// The stop shared by `shutdown` and a storage failure.
    func halt(reason: String) async {
        guard case .running = phase else { return }
        phase = .stopped
        observers.publish(Leadership(leader: nil, term: node.term, isLocal: false))
        options.log("raft node \(localNode.rawValue) stopping: \(reason)")
        wakeLoop?.resume()
        wakeLoop = nil
        timerTask?.cancel()
        sweepTask?.cancel()
        pumpTask?.cancel()
        await loopTask?.value
        await writerTask?.value
        failAllWaiters(.closed)
        observers.finish()
        await network.shutdown()
        await pumpTask?.value
        await storage.close()
    }

    // MARK: The event loop

    func enqueue(_ event: Event) {
        guard case .running = phase else { return }
        events.append(event)
        if let wake = wakeLoop {
            wakeLoop = nil
            wake.resume()
        }
    }

    private func dequeue() -> Event? {
        guard eventsHead < events.count else { return nil }
        let event = events[eventsHead]
        eventsHead += 1
        if eventsHead == events.count {
            events.removeAll(keepingCapacity: true)
            eventsHead = 0
        } else if eventsHead >= 1024 {
            events.removeFirst(eventsHead)
            eventsHead = 0
        }
        return event
    }

    private func runLoop() async {
        while case .running = phase {
            guard let event = dequeue() else {
                // Re-checked where the loop parks: `await` may suspend before the body runs,
                // and an event enqueued meanwhile found no loop to wake.
                await withCheckedContinuation { continuation in
                    if case .running = phase, eventsHead == events.count {
                        wakeLoop = continuation
                    } else {
                        continuation.resume()
                    }
                }
                continue
            }
            await process(event)
            await compactIfDue()
        }
    }

    private func pumpDeliveries() async {
        for await delivery in network.deliveries {
            // The network bounds each peer's queue; this bounds what waits for the loop.
            guard deliveriesQueued < PeerNetworkLimits.inboundQueuedMax else { continue }
            deliveriesQueued += 1
            enqueue(.delivery(delivery))
        }
    }

    private func sweepExpiredWaiters() async {
        let period = min(options.proposalTimeout, options.readTimeout, .milliseconds(100))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            expireWaiters(now: clock.now)
        }
    }

    private func process(_ event: Event) async {
        let now = clock.now
        switch event {
        case .start:
            await perform(node.start(now: now))
        case .tick:
            await perform(node.tick(now: now))
        case let .persisted(ticket):
            await perform(node.persisted(upTo: ticket, now: now))
        case let .delivery(delivery):
            deliveriesQueued -= 1
            await receive(delivery, now: now)
        case let .propose(proposalID, command):
            await proposeToCore(proposalID: proposalID, command: command, now: now)
        case let .read(readID):
            await handOverRead(.local(readID: readID), now: now)
        }
    }
}
