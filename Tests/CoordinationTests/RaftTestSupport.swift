// Helpers for the Raft unit tests: a small hand-cranked cluster. Unlike the simulator it has no
// randomness of its own and no clock of its own: a test moves time, cuts nodes off, delivers
// messages and completes disk writes explicitly, then looks at what came out.

import TernCoordination
public import TernPrimitives

extension Array where Element == RaftNode.Action {
    /// The messages among the actions, in order.
    var sends: [(message: RaftMessage, to: NodeID)] {
        compactMap { action in
            if case let .send(message, to) = action { return (message, to) }
            return nil
        }
    }

    /// The persist requests among the actions.
    var persists: [PersistRequest] {
        compactMap { action in
            if case let .persist(request) = action { return request }
            return nil
        }
    }
}

/// A message in flight between two test nodes.
struct Envelope {
    var from: NodeID
    var to: NodeID
    var message: RaftMessage
}

/// A cluster of `RaftNode`s wired together by hand.
final class TestCluster {
    var nodes: [NodeID: RaftNode] = [:]
    var disks: [NodeID: DurableState] = [:]
    var pendingWrites: [NodeID: [PersistRequest]] = [:]
    var network: [Envelope] = []
    var applied: [NodeID: [LogEntry]] = [:]
    var restored: [NodeID: [Snapshot]] = [:]
    var readsReady: [NodeID: [UInt64]] = [:]
    var readsFailed: [NodeID: [UInt64]] = [:]
    /// Nodes whose messages, both ways, are dropped.
    var isolated: Set<NodeID> = []
    /// Directed links whose messages are dropped: `[from, to]`.
    var cutLinks: Set<[NodeID]> = []
    /// When false, writes wait for `persist(_:)`; when true, `run` completes them as it goes.
    var autoPersist = true
    var now = Instant.zero
    let configurations: [NodeID: RaftConfiguration]
    let ids: [NodeID]

    init(size: Int, tweak: (inout RaftConfiguration) -> Void = { _ in }) {
        ids = (1...size).map { NodeID(Int32($0)) }
        var configurations: [NodeID: RaftConfiguration] = [:]
        for id in ids {
            var configuration = RaftConfiguration(
                nodeID: id, voters: Set(ids),
                electionTimeout: .milliseconds(100), heartbeatInterval: .milliseconds(10))
            tweak(&configuration)
            configurations[id] = configuration
        }
        self.configurations = configurations
        for id in ids {
            disks[id] = .empty
            boot(id)
        }
    }

    subscript(_ id: Int32) -> RaftNode {
        nodes[NodeID(id)]!
    }

    /// Starts (or restarts) a node from its disk alone.
    func boot(_ id: NodeID) {
        pendingWrites[id] = []
        applied[id] = []
        let seed = UInt64(id.rawValue) &* 7919
        var node = RaftNode(configuration: configurations[id]!, durable: disks[id]!, random: SeededRandom(seed: seed), now: now)
        let actions = node.start(now: now)
        nodes[id] = node
        record(id, actions)
    }

    /// Carries out a node's actions: messages go on the network, writes into the queue.
    func record(_ id: NodeID, _ actions: [RaftNode.Action]) {
        for action in actions {
            switch action {
            case let .send(message, to):
                if !isolated.contains(id), !isolated.contains(to), !cutLinks.contains([id, to]) {
                    network.append(Envelope(from: id, to: to, message: message))
                }
            case let .persist(request):
                pendingWrites[id, default: []].append(request)
            case let .apply(entries):
                applied[id, default: []].append(contentsOf: entries)
            case let .restoreSnapshot(snapshot):
                restored[id, default: []].append(snapshot)
            case let .readReady(requestID, _):
                readsReady[id, default: []].append(requestID)
            case let .readFailed(requestID, _):
                readsFailed[id, default: []].append(requestID)
            case .leaderChanged, .armTimer:
                break
            }
        }
    }

    /// Lands every queued write of `id` and reports them done.
    func persist(_ id: NodeID) {
        guard let requests = pendingWrites[id], let last = requests.last else { return }
        pendingWrites[id] = []
        for request in requests {
            let problem = disks[id]!.land(request)
            precondition(problem == nil, problem ?? "")
        }
        let actions = nodes[id]!.persisted(upTo: last.ticket, now: now)
        record(id, actions)
    }

    func tick(_ id: NodeID) {
        let actions = nodes[id]!.tick(now: now)
        record(id, actions)
    }

    /// Moves time past every election deadline and fires `id`'s timer alone.
    func timeOut(_ id: NodeID) {
        now = now + .milliseconds(250)
        tick(id)
    }

    /// Moves time by `duration` and ticks every node.
    func advance(_ duration: Duration) {
        now = now + duration
        for id in ids where nodes[id] != nil {
            tick(id)
        }
    }

    func deliver(_ envelope: Envelope) {
        guard nodes[envelope.to] != nil else { return }
        let actions = nodes[envelope.to]!.receive(envelope.message, from: envelope.from, now: now)
        record(envelope.to, actions)
    }

    /// Delivers messages (and, with `autoPersist`, completes writes) until nothing moves.
    func run(maxSteps: Int = 100_000) {
        for _ in 0..<maxSteps {
            if autoPersist {
                for id in ids where !(pendingWrites[id]?.isEmpty ?? true) {
                    persist(id)
                }
            }
            guard !network.isEmpty else {
                if autoPersist, ids.allSatisfy({ pendingWrites[$0]?.isEmpty ?? true }) { return }
                if !autoPersist { return }
                continue
            }
            deliver(network.removeFirst())
        }
        preconditionFailure("test cluster did not settle")
    }

    /// Elects `id`: its timer fires, then messages flow until the cluster settles.
    func elect(_ id: NodeID) {
        timeOut(id)
        run()
    }

    func propose(_ id: NodeID, _ bytes: [UInt8]) -> RaftNode.ProposeOutcome {
        let (outcome, actions) = nodes[id]!.propose(bytes, now: now)
        record(id, actions)
        return outcome
    }

    /// Loses the node's memory and its unfinished writes.
    func crash(_ id: NodeID) {
        nodes[id] = nil
        pendingWrites[id] = []
        network.removeAll { $0.to == id }
    }
}

// Lets tests write node ids as plain numbers.
extension NodeID: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int32) {
        self.init(value)
    }
}
