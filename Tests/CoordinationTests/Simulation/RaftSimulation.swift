// A seeded, deterministic whole-cluster simulation of the Raft core (in the spirit of
// TigerBeetle's VOPR and FoundationDB's simulator). One thread, one event queue ordered by
// (time, insertion sequence), one `SeededRandom`: the same seed replays the same run.
//
// The simulator is the driver `RaftNode` expects: it carries out every action (messages through
// `SimulatedNetwork`, writes through a per-node simulated disk that completes them in order,
// timers, applying entries to `SimulatedApplication`, taking snapshots) and feeds the results
// back as events. A crash throws away the node's memory and its unfinished writes; the write in
// progress may land whole, not at all, or torn (a prefix of its steps). A restarted node sees
// only its durable state.
//
// Phase 1 turns every fault on for `faultPhase` of simulated time while a client proposes and
// reads; `SafetyChecker` looks at every event. Phase 2 heals the network, restarts every node,
// turns faults off and requires convergence within `convergenceBudget`: one leader that all
// follow, every proposal acknowledged, every node applied the same state.
//
// This file holds the event loop and the node-side driving; `RaftSimulation+Client` the client
// and the convergence check.

import TernCoordination
import TernPrimitives

struct SimulationResult {
    var failure: String?
    var summary: String
}

final class RaftSimulation {
    enum Event {
        case deliver(Link, RaftMessage)
        case timer(NodeID, incarnation: Int)
        case diskDone(NodeID, incarnation: Int)
        case restart(NodeID)
        case faultTick
        case propose
        case read
        case heal
        case convergenceCheck
    }

    struct Node {
        var raft: RaftNode?
        /// Raised on every crash, so events meant for an earlier life are ignored.
        var incarnation = 0
        var disk = DurableState.empty
        /// Writes issued and not yet durable, in order; the first is in progress.
        var writes: [PersistRequest] = []
        var diskFreeAt = Instant.zero
        var timerDeadline: Instant?
        var application = SimulatedApplication()
        /// How fast this node's clock runs against simulated time.
        var clockRate = 1.0
    }

    enum Phase {
        case faults
        case converging(since: Instant)
        case converged
    }

    let options: SimulationOptions
    var random: SeededRandom
    var queue = EventQueue<Event>()
    var nodes: [Node]
    var network: SimulatedNetwork
    var checker = SafetyChecker()
    var client = SimulatedClient()
    var now = Instant.zero
    var phase = Phase.faults
    var trace: [String]?
    var statistics = Statistics()
    let ids: [NodeID]

    struct Statistics {
        var events = 0
        var messages = 0
        var crashes = 0
        var tornWrites = 0
        var snapshotsTaken = 0
        var snapshotsRestored = 0
    }

    /// Events a run may take before it is declared stuck in a loop.
    static let eventsMax = 500_000

    init(options: SimulationOptions, tracing: Bool = false) {
        self.options = options
        random = SeededRandom(seed: options.seed)
        ids = (1...options.nodeCount).map { NodeID(Int32($0)) }
        nodes = Array(repeating: Node(), count: options.nodeCount)
        network = SimulatedNetwork(options: options, nodes: ids)
        for position in nodes.indices {
            let spread = Double(random.next() >> 11) / Double(1 << 53) * 2 - 1
            nodes[position].clockRate = 1 + spread * options.clockDriftMax
        }
        trace = tracing ? [] : nil
    }

    func run() -> SimulationResult {
        for id in ids { boot(id) }
        queue.schedule(.faultTick, at: now + options.faultTick)
        queue.schedule(.propose, at: now + options.proposalInterval)
        queue.schedule(.read, at: now + options.readInterval)
        queue.schedule(.heal, at: now + options.faultPhase)
        while let (time, event) = queue.popNext() {
            now = time
            statistics.events += 1
            handle(event)
            if let failure = checker.failure { return result(failure: failure) }
            if case .converged = phase { return result(failure: nil) }
            if statistics.events > Self.eventsMax {
                return result(failure: "no convergence after \(Self.eventsMax) events")
            }
        }
        return result(failure: "the event queue ran dry")
    }

    private func handle(_ event: Event) {
        switch event {
        case let .deliver(link, message):
            // A message to a node that is down is lost; `perform` skips it.
            perform(link.to) { $0.receive(message, from: link.from, now: $1) }
        case let .timer(id, incarnation):
            let node = nodes[index(id)]
            guard node.incarnation == incarnation, node.raft != nil,
                  let deadline = node.timerDeadline, deadline <= localTime(id) else { return }
            perform(id) { $0.tick(now: $1) }
        case let .diskDone(id, incarnation):
            diskDone(id, incarnation: incarnation)
        case let .restart(id):
            if nodes[index(id)].raft == nil { boot(id) }
        case .faultTick:
            faultTick()
        case .propose:
            proposeTick()
        case .read:
            readTick()
        case .heal:
            heal()
        case .convergenceCheck:
            convergenceCheck()
        }
    }

    func index(_ id: NodeID) -> Int { Int(id.rawValue) - 1 }

    func log(_ line: @autoclosure () -> String) {
        if trace != nil {
            trace!.append("\(now.nanoseconds / 1_000)us \(line())")
            if trace!.count > 400 { trace!.removeFirst(100) }
        }
    }

    // MARK: Driving nodes

    /// The node's own clock, which runs at its drifting rate. Raft's safety must not depend
    /// on clocks agreeing; drift only changes who times out when.
    func localTime(_ id: NodeID) -> Instant {
        Instant(nanoseconds: Int64((Double(now.nanoseconds) * nodes[index(id)].clockRate).rounded(.down)))
    }

    /// The simulated instant at which the node's clock reaches `deadline`, rounded up.
    private func simulatedTime(of deadline: Instant, on id: NodeID) -> Instant {
        let nanoseconds = (Double(deadline.nanoseconds) / nodes[index(id)].clockRate).rounded(.up) + 1
        return Instant(nanoseconds: nanoseconds >= Double(Int64.max) ? .max : Int64(nanoseconds))
    }

    /// Runs one event on a live node, carries out its actions, and lets the checker look.
    func perform(_ id: NodeID, _ event: (inout RaftNode, Instant) -> [RaftNode.Action]) {
        guard var raft = nodes[index(id)].raft else { return }
        let actions = event(&raft, localTime(id))
        nodes[index(id)].raft = raft
        carryOut(actions, on: id)
        takeSnapshotIfDue(id)
        if let raft = nodes[index(id)].raft { checker.observe(raft) }
    }

    private func carryOut(_ actions: [RaftNode.Action], on id: NodeID) {
        for action in actions {
            switch action {
            case let .send(message, to):
                send(message, from: id, to: to)
            case let .persist(request):
                enqueueWrite(request, on: id)
            case let .apply(entries):
                nodes[index(id)].application = checker.applied(entries, by: id, to: nodes[index(id)].application)
                client.observeApplied(entries, at: now)
            case let .restoreSnapshot(snapshot):
                statistics.snapshotsRestored += 1
                nodes[index(id)].application = checker.restored(snapshot, by: id)
            case let .readReady(requestID, readIndex):
                if let read = client.reads.removeValue(forKey: requestID) {
                    checker.servedRead(at: id, index: readIndex, state: nodes[index(id)].application, requiredIndex: read.requiredIndex)
                    client.readsServed += 1
                }
            case let .readFailed(requestID, _):
                client.reads[requestID] = nil
            case let .leaderChanged(leader, term):
                log("\(id) sees leader \(leader.map { "\($0)" } ?? "none") in \(term)")
                if leader != nil { client.leaderHint = leader }
            case let .armTimer(deadline):
                nodes[index(id)].timerDeadline = deadline
                queue.schedule(.timer(id, incarnation: nodes[index(id)].incarnation), at: max(simulatedTime(of: deadline, on: id), now))
            }
        }
    }

    private func send(_ message: RaftMessage, from: NodeID, to: NodeID) {
        statistics.messages += 1
        for delay in network.deliveryDelays(from: from, to: to, random: &random) {
            queue.schedule(.deliver(Link(from: from, to: to), message), at: now + delay)
        }
    }

    private func takeSnapshotIfDue(_ id: NodeID) {
        guard let raft = nodes[index(id)].raft else { return }
        let application = nodes[index(id)].application
        guard application.appliedIndex - raft.snapshotIndex >= options.snapshotEvery else { return }
        statistics.snapshotsTaken += 1
        let snapshot = application.snapshot(paddingBytes: options.snapshotPaddingBytes)
        var node = raft
        let actions = node.compact(to: snapshot, now: localTime(id))
        nodes[index(id)].raft = node
        carryOut(actions, on: id)
    }

    // MARK: Disk

    private func enqueueWrite(_ request: PersistRequest, on id: NodeID) {
        let position = index(id)
        nodes[position].writes.append(request)
        let start = max(now, nodes[position].diskFreeAt)
        let done = start + Self.between(options.diskLatencyMin, options.diskLatencyMax, &random)
        nodes[position].diskFreeAt = done
        queue.schedule(.diskDone(id, incarnation: nodes[position].incarnation), at: done)
    }

    private func diskDone(_ id: NodeID, incarnation: Int) {
        let position = index(id)
        guard nodes[position].incarnation == incarnation, !nodes[position].writes.isEmpty else { return }
        let request = nodes[position].writes.removeFirst()
        if let problem = nodes[position].disk.land(request) {
            checker.fail("disk of \(id): \(problem)")
            return
        }
        perform(id) { $0.persisted(upTo: request.ticket, now: $1) }
    }

    // MARK: Crashes and restarts

    func boot(_ id: NodeID) {
        let position = index(id)
        var configuration = RaftConfiguration(
            nodeID: id, voters: Set(ids),
            electionTimeout: options.electionTimeout, heartbeatInterval: options.heartbeatInterval)
        configuration.limits = options.limits
        let disk = nodes[position].disk
        nodes[position].raft = RaftNode(configuration: configuration, durable: disk, random: SeededRandom(seed: random.next()), now: localTime(id))
        nodes[position].timerDeadline = nil
        nodes[position].application = disk.snapshot.map { checker.restored($0, by: id) } ?? SimulatedApplication()
        log("\(id) boots: \(disk.hardState.term), snapshot \(disk.snapshot?.index ?? .zero), last \(disk.lastIndex)")
        perform(id) { $0.start(now: $1) }
    }

    func crash(_ id: NodeID) {
        let position = index(id)
        statistics.crashes += 1
        if let inProgress = nodes[position].writes.first {
            let steps = DurableState.stepCount(of: inProgress)
            var landed = 0
            if SimulatedNetwork.chance(options.tornWriteProbability, &random) {
                landed = Int(random.next() % UInt64(steps))
                statistics.tornWrites += 1
            } else if SimulatedNetwork.chance(options.landedUnreportedProbability, &random) {
                landed = steps
            }
            if let problem = nodes[position].disk.land(inProgress, stepsLanded: landed) {
                checker.fail("disk of \(id) on crash: \(problem)")
            }
            log("\(id) crashes; \(inProgress.ticket) landed \(landed)/\(steps) steps, \(nodes[position].writes.count - 1) writes lost")
        } else {
            log("\(id) crashes")
        }
        nodes[position].raft = nil
        nodes[position].incarnation += 1
        nodes[position].writes = []
        nodes[position].diskFreeAt = now
        nodes[position].timerDeadline = nil
        nodes[position].application = SimulatedApplication()
        client.forgetReads(at: id)
    }

    private func faultTick() {
        guard case .faults = phase else { return }
        queue.schedule(.faultTick, at: now + options.faultTick)
        let leader = ids.first { nodes[index($0)].raft?.currentRole == .leader }
        if let change = network.faultTick(now: now, leader: leader, random: &random) { log(change) }
        if SimulatedNetwork.chance(options.crashProbability, &random) {
            // A third of the time the victim leads, so that elections come often; a third of
            // the time it has a write in progress, so that torn and landed-but-unreported writes
            // come up often.
            let up = ids.filter { nodes[index($0)].raft != nil }
            let leading = up.filter { nodes[index($0)].raft?.currentRole == .leader }
            let writing = up.filter { !nodes[index($0)].writes.isEmpty }
            let candidates = switch random.next() % 3 {
            case 0 where !leading.isEmpty: leading
            case 1 where !writing.isEmpty: writing
            default: up
            }
            if !candidates.isEmpty {
                let victim = candidates[Int(random.next() % UInt64(candidates.count))]
                crash(victim)
                let delay = Self.between(.milliseconds(1), options.restartDelayMax, &random)
                queue.schedule(.restart(victim), at: now + delay)
            }
        }
    }

    static func between(_ low: Duration, _ high: Duration, _ random: inout SeededRandom) -> Duration {
        let lowNanoseconds = low.nanosecondsClamped
        let span = max(high.nanosecondsClamped - lowNanoseconds, 1)
        return .nanoseconds(lowNanoseconds + Int64(random.next() % UInt64(span)))
    }

    private func result(failure: String?) -> SimulationResult {
        let maxTerm = nodes.compactMap { $0.raft?.term }.max() ?? .zero
        let summary = "events=\(statistics.events) messages=\(statistics.messages) crashes=\(statistics.crashes) "
            + "torn=\(statistics.tornWrites) leaderTerms=\(checker.leaderTerms) maxTerm=\(maxTerm.rawValue) "
            + "applied=\(checker.canonical.count) acknowledged=\(client.acknowledgedCount) "
            + "reads=\(client.readsServed) snapshots=\(statistics.snapshotsTaken)/\(statistics.snapshotsRestored) "
            + "simulated=\(now.nanoseconds / 1_000_000)ms"
        var text = failure
        if let failure, let trace {
            text = failure + "\n" + trace.suffix(150).joined(separator: "\n")
        }
        return SimulationResult(failure: text, summary: summary)
    }
}
