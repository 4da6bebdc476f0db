public import Logging
public import TernCoordination
import NIOCore
public import TernPrimitives
import TernTransport
public import TernZooKeeper

/// Work the replica needs done outside the actor, by `ZooKeeperServer.run()`'s task group:
/// anything that waits on the log.
enum ReplicaJob: Sendable {
    /// Propose a command; report with `proposalEnded`.
    case propose(batch: UInt64, command: [UInt8])
    /// Run a read barrier; report with `barrierEnded`.
    case readBarrier(generation: UInt64)
    /// Send session keep-alives to the leader.
    case sendToLeader([UInt8])
}

/// One node's ZooKeeper state: the znode tree as a `ReplicatedStateMachine`, plus everything
/// that belongs to this node alone: its client connections and their request pipelines, the
/// watches of the sessions connected here, read barriers, and, while it leads, session expiry.
///
/// One actor, so that applying a transaction, firing its watches and answering the reads that
/// follow it happen in one order with no suspension in between; every wait on the log happens
/// outside, in jobs that report back.
public actor ZooKeeperReplica: ReplicatedStateMachine {
    let node: NodeID
    let incarnation: UInt64
    let configuration: ZooKeeperServerConfiguration
    let clock: any BrokerClock
    var random: any RandomNumberGenerator & Sendable
    let logger: Logger

    var database = ZooKeeperDatabase()
    /// The last log entry applied, which snapshots are stamped with.
    var lastApplied = (index: LogIndex.zero, term: Term(0))
    /// The last proposal applied for each live session, for duplicate detection; replicated.
    var lastProposals: [Int64: ProposalID] = [:]
    /// Whose proposals are in flight from this node, by sequence number.
    var batches: [UInt64: BatchOwner] = [:]
    var nextBatch: UInt64 = 0
    /// Apply results of createSession proposals, held for the handshake that proposed them.
    var handshakeResults: [UInt64: ZooKeeperApplyResult] = [:]
    var sessionIDs: ZooKeeperSessionIDGenerator

    /// Client connections of this node, by transport connection id.
    var connections: [UInt64: ClientConnection] = [:]
    /// Which connection each session connected here uses.
    var sessionConnections: [Int64: UInt64] = [:]
    var barriers = ReadBarrierCoalescer()

    var isLeader = false
    var tracker = ZooKeeperSessionTracker()
    /// Sessions seen alive since the last keep-alive to the leader (followers only), with a
    /// renegotiated timeout or -1.
    var touchedSessions: [Int64: Int32] = [:]
    var lastContainerSweep: Instant?

    let jobs: AsyncStream<ReplicaJob>
    let jobInput: AsyncStream<ReplicaJob>.Continuation

    /// Who waits for a proposal of this node.
    enum BatchOwner: Sendable {
        /// Writes of a client connection, with the sequence numbers of their pipeline entries.
        case connection(UInt64, sequences: [UInt64])
        /// A connect that asked for a new session.
        case handshake
        /// The leader's closeSession for an expired session.
        case expiry(sessionID: Int64)
        /// The leader's container and TTL clean-up.
        case sweep
    }

    /// A replica for node `node`. Session ids carry the node id in their top byte, so it must
    /// be 1 to 254. `random` makes session passwords and must be unpredictable in production
    /// (`SystemRandomNumberGenerator`); `clock` stamps transactions and times sessions.
    public init(
        node: NodeID, configuration: ZooKeeperServerConfiguration = ZooKeeperServerConfiguration(),
        clock: any BrokerClock = SystemClock(), random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        logger: Logger = Logger(label: "tern.zookeeper")
    ) {
        precondition((1...254).contains(node.rawValue), "ZooKeeper node ids are 1 to 254")
        self.node = node
        self.configuration = configuration
        self.clock = clock
        var random = random
        incarnation = random.next()
        self.random = random
        self.logger = logger
        // Checked above: the generator refuses only node 255.
        sessionIDs = ZooKeeperSessionIDGenerator(serverID: UInt8(node.rawValue), wallClockMilliseconds: clock.wallClockMilliseconds)!
        (jobs, jobInput) = AsyncStream.makeStream(of: ReplicaJob.self)
    }

    /// The replicated tree, for tests and diagnostics.
    public var tree: ZooKeeperTree { database.tree }

    // MARK: ReplicatedStateMachine

    public func apply(_ commands: [CommittedCommand]) async {
        for committed in commands {
            lastApplied = (committed.index, committed.term)
            // Empty entries are the log's own (a new leader's no-op).
            guard !committed.command.isEmpty else { continue }
            let command: ReplicaCommand
            do {
                command = try ReplicaCommand(encoded: committed.command)
            } catch {
                // Every replica refuses the same bytes, so skipping keeps them equal.
                logger.error("skipping undecodable command at \(committed.index): \(error)")
                continue
            }
            apply(command, term: committed.term)
        }

    }

    public func snapshot() async -> StateMachineSnapshot {
        StateMachineSnapshot(
            index: lastApplied.index, term: lastApplied.term,
            bytes: ReplicaSnapshot(lastProposals: lastProposals, tree: database.tree).encoded)
    }

    public func restore(_ snapshot: StateMachineSnapshot) async {
        let restored: ReplicaSnapshot
        do {
            restored = try ReplicaSnapshot(encoded: snapshot.bytes)
        } catch {
            // A snapshot we cannot read leaves us unable to follow the log at all.
            preconditionFailure("snapshot at \(snapshot.index) does not decode: \(error)")
        }
        database.install(restored.tree)
        lastApplied = (snapshot.index, snapshot.term)
        lastProposals = restored.lastProposals
        if isLeader { tracker.trackAll(database.tree, now: clock.now) }
        // Watches went with the old tree, and replies in flight may never come: clients
        // reconnect, re-send their watches, and learn the fate of their writes by reading.
        for id in Array(connections.keys) {
            close(id, because: "state restored from a snapshot")
        }
    }

    // MARK: Applying

    private func apply(_ command: ReplicaCommand, term: Term) {
        if command.proposal.isRepeat(of: lastProposals[command.sessionID]) {
            logger.debug("skipping repeated proposal \(command.proposal.sequence) of session \(hex(command.sessionID))")
            return
        }
        var results: [ZooKeeperApplyResult] = []
        results.reserveCapacity(command.transactions.count)
        for (_, transaction) in command.transactions {
            let zxid = Self.zxid(after: database.tree.lastZxid, term: term)
            let applied = database.apply(transaction, zxid: zxid)
            deliver(applied.notifications)
            sessionEffects(of: applied.result, proposal: command.proposal)
            results.append(applied.result)
        }
        lastProposals[command.sessionID] = database.tree.session(command.sessionID) == nil ? nil : command.proposal
        guard command.proposal.origin == node, command.proposal.incarnation == incarnation else { return }
        route(results, of: command.proposal.sequence)
    }

    /// Zxids are ZooKeeper's epoch and counter: the high 32 bits are the Raft term the entry
    /// was proposed in, and the counter restarts at 1 in each new term. Every replica applies
    /// the same entries with the same terms, so every replica computes the same zxids; and
    /// terms never fall along the log, so zxids always rise.
    static func zxid(after last: Int64, term: Term) -> Int64 {
        let epoch = Int64(min(term.rawValue, UInt64(Int32.max))) << 32
        return max(last + 1, epoch | 1)
    }

    /// Hands each apply result to whoever on this node waits for it.
    private func route(_ results: [ZooKeeperApplyResult], of batch: UInt64) {
        switch batches[batch] {
        case .connection(let id, let sequences):
            guard connections[id] != nil else { return }
            for (sequence, result) in zip(sequences, results) {
                _ = connections[id]?.pipeline.fill(sequence, with: result)
            }
            flush(id)
        case .handshake:
            handshakeResults[batch] = results.first
        case .expiry, .sweep, nil:
            break
        }
    }

    /// Pushes watch events to the connections of their sessions. They go out before the reply
    /// of any request answered after this transaction, so a client sees the event before it
    /// can see the change, as ZooKeeper promises.
    func deliver(_ notifications: [ZooKeeperWatchNotification]) {
        for notification in notifications {
            guard let id = sessionConnections[notification.sessionID], let connection = connections[id] else { continue }
            var buffer = ByteBuffer()
            notification.write(to: &buffer)
            push(buffer, to: connection.connection)
        }
    }

    func push(_ frame: ByteBuffer, to connection: ServerConnection) {
        do {
            try connection.push(FramePayload(frame))
        } catch {
            // The connection is closing (or was just closed for its backlog); its close
            // notice cleans up.
            logger.debug("connection \(connection.id): push failed: \(error)")
        }
    }

    /// The effects of session changes on this node's own bookkeeping.
    private func sessionEffects(of result: ZooKeeperApplyResult, proposal: ProposalID) {
        switch result.outcome {
        case .sessionCreated(let session):
            if isLeader { tracker.track(session.id, timeoutMilliseconds: session.timeout, now: clock.now) }
        case .sessionClosed:
            tracker.remove(result.sessionID)
            lastProposals[result.sessionID] = nil
            guard let id = sessionConnections[result.sessionID] else { return }
            // A client's own closeSession is answered through its pipeline; any other close
            // (expiry, a close sent on another connection) ends this connection now.
            if case .connection(id, _) = batches[proposal.sequence], proposal.origin == node, proposal.incarnation == incarnation {
                return
            }
            logger.info("session \(hex(result.sessionID)) closed: closing connection \(id)")
            close(id, because: "session closed")
        case .sessionRefused, .write, .multi:
            break
        }
    }
}

/// A session id as ZooKeeper prints it.
func hex(_ sessionID: Int64) -> String {
    "0x" + String(UInt64(bitPattern: sessionID), radix: 16)
}
