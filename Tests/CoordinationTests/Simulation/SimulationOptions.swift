// The knobs of one simulation run, all drawn from its seed, so that each seed explores a
// different mix of faults (a "swarm", as TigerBeetle's VOPR calls it) and replays exactly.

import TernCoordination
import TernPrimitives

/// How the network is partitioned during the fault phase.
enum PartitionPattern: CaseIterable, CustomStringConvertible {
    /// No partitions; only loss, delay, duplication and reordering.
    case none
    /// One node at a time is cut off both ways.
    case isolateOne
    /// A random minority is cut off from the rest.
    case splitMinority
    /// Random directed links drop everything, the reverse direction still works.
    case oneWay
    /// FoundationDB's swizzle-clog: a few nodes' links are cut one by one, then restored one
    /// by one in a random order.
    case swizzleClog
    /// A different one of the above each time.
    case mixed

    var description: String {
        switch self {
        case .none: "none"
        case .isolateOne: "isolateOne"
        case .splitMinority: "splitMinority"
        case .oneWay: "oneWay"
        case .swizzleClog: "swizzleClog"
        case .mixed: "mixed"
        }
    }
}

struct SimulationOptions: CustomStringConvertible {
    var seed: UInt64
    var nodeCount: Int
    var electionTimeout: Duration
    var heartbeatInterval: Duration
    var networkDelayMin: Duration
    var networkDelayMax: Duration
    var lossProbability: Double
    var duplicateProbability: Double
    var reorderProbability: Double
    var partitionPattern: PartitionPattern
    /// How long a partition lasts, and how long the network then stays whole.
    var partitionHold: Duration
    var partitionCalm: Duration
    /// The chance, per fault tick, that one node crashes.
    var crashProbability: Double
    var restartDelayMax: Duration
    /// The chance that a crash tears the write in progress (a prefix lands), and that the
    /// write landed whole but was never reported.
    var tornWriteProbability: Double
    var landedUnreportedProbability: Double
    var diskLatencyMin: Duration
    var diskLatencyMax: Duration
    /// The application snapshots after this many applied entries.
    var snapshotEvery: Int
    /// Extra bytes in each snapshot, so that transfers take several chunks.
    var snapshotPaddingBytes: Int
    var limits: RaftLimits
    var proposalInterval: Duration
    var readInterval: Duration
    var faultTick: Duration
    /// Each node's clock runs at a rate within this fraction of true time.
    var clockDriftMax: Double
    var faultPhase: Duration
    /// The liveness budget: the cluster must converge this soon after healing.
    var convergenceBudget: Duration

    static func draw(seed: UInt64, nodeCount: Int) -> SimulationOptions {
        var random = SeededRandom(seed: seed ^ 0x5EED_0F_0971_0115)
        func pick(_ low: Int, _ high: Int) -> Int { low + Int(random.next() % UInt64(high - low + 1)) }
        func chance(_ maximum: Double) -> Double { maximum * Double(random.next() >> 11) / Double(1 << 53) }
        let electionTimeout = Duration.milliseconds(pick(50, 300))
        var limits = RaftLimits()
        limits.appendEntriesMax = pick(1, 64)
        limits.appendBytesMax = pick(64, 4096)
        limits.appendsInFlightMax = pick(1, 8)
        limits.uncommittedEntriesMax = pick(8, 256)
        limits.snapshotChunkBytesMax = pick(16, 512)
        limits.readsPendingMax = pick(4, 64)
        limits.heldMessagesMax = pick(16, 256)
        limits.writesInFlightMax = pick(4, 64)
        let delayMax = pick(2, 40)
        return SimulationOptions(
            seed: seed,
            nodeCount: nodeCount,
            electionTimeout: electionTimeout,
            heartbeatInterval: electionTimeout / pick(4, 10),
            networkDelayMin: .milliseconds(pick(0, 1)),
            networkDelayMax: .milliseconds(delayMax),
            lossProbability: chance(0.25),
            duplicateProbability: chance(0.1),
            reorderProbability: chance(0.2),
            partitionPattern: PartitionPattern.allCases[pick(0, PartitionPattern.allCases.count - 1)],
            partitionHold: .milliseconds(pick(200, 2_000)),
            partitionCalm: .milliseconds(pick(100, 1_500)),
            crashProbability: 0.01 + chance(0.25),
            restartDelayMax: .milliseconds(random.next() % 2 == 0 ? pick(2, 100) : pick(100, 1_500)),
            tornWriteProbability: 0.2 + chance(0.7),
            landedUnreportedProbability: chance(0.4),
            diskLatencyMin: .microseconds(pick(50, 500)),
            diskLatencyMax: .microseconds(pick(600, 40_000)),
            snapshotEvery: pick(5, 60),
            snapshotPaddingBytes: pick(0, 2_000),
            limits: limits,
            proposalInterval: .milliseconds(pick(5, 40)),
            readInterval: .milliseconds(pick(20, 200)),
            faultTick: .milliseconds(pick(20, 100)),
            clockDriftMax: chance(0.2),
            faultPhase: .seconds(8),
            convergenceBudget: .seconds(30)
        )
    }

    var description: String {
        "nodes=\(nodeCount) election=\(electionTimeout) heartbeat=\(heartbeatInterval) "
            + "delay=\(networkDelayMin)...\(networkDelayMax) loss=\(rounded(lossProbability)) "
            + "dup=\(rounded(duplicateProbability)) reorder=\(rounded(reorderProbability)) "
            + "partitions=\(partitionPattern) crash=\(rounded(crashProbability)) "
            + "torn=\(rounded(tornWriteProbability)) snapshotEvery=\(snapshotEvery) "
            + "chunk=\(limits.snapshotChunkBytesMax) appendMax=\(limits.appendEntriesMax) "
            + "inflight=\(limits.appendsInFlightMax) drift=\(rounded(clockDriftMax))"
    }

    private func rounded(_ value: Double) -> String {
        String(Double(Int(value * 1000)) / 1000)
    }
}
