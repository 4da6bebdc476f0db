// Goal: the Raft core stays safe under every fault the simulator can throw at it, and recovers
// once the faults stop. Method: seeded whole-cluster runs (see `RaftSimulation`). CI runs a
// fixed set of seeds for 3- and 5-node clusters, plus a few single-node ones. On demand:
//
//   SIM_SEED=<n> [SIM_NODES=<k>] swift test --filter RaftSimulation   replays one run with a trace
//   SIM_SEEDS=500 swift test --filter RaftSimulation                   runs 500 random seeds
//
// A failure prints the seed, the node count and the exact command that replays it.

import Foundation
import Testing
import TernCoordination

enum SimulationEnvironment {
    static let variables = ProcessInfo.processInfo.environment

    /// The one seed to replay, from `SIM_SEED`.
    static let replaySeed: UInt64? = variables["SIM_SEED"].flatMap { UInt64($0) }

    /// How many random seeds to run, from `SIM_SEEDS`.
    static let randomSeedCount: Int? = variables["SIM_SEEDS"].flatMap { Int($0) }

    /// The node counts to replay with, from `SIM_NODES` (default 3 and 5).
    static let nodeCounts: [Int] = variables["SIM_NODES"].flatMap { Int($0) }.map { [$0] } ?? [3, 5]

    static var isOnDemand: Bool { replaySeed != nil || randomSeedCount != nil }
}

// Serialized so that if the core ever traps (a `precondition` is our own invariant failing),
// the last "starting" line names the seed that did it.
@Suite(.serialized) struct RaftSimulationTests {
    static let fixedSeeds: [UInt64] = Array(1...32)

    private func simulate(seed: UInt64, nodeCount: Int, tracing: Bool = false) -> SimulationResult {
        let options = SimulationOptions.draw(seed: seed, nodeCount: nodeCount)
        print("seed=\(seed) nodes=\(nodeCount) starting")
        let result = RaftSimulation(options: options, tracing: tracing).run()
        print("seed=\(seed) nodes=\(nodeCount): \(result.summary)")
        if let failure = result.failure {
            print("""
                seed=\(seed) nodes=\(nodeCount) FAILED: \(failure)
                options: \(options)
                \(result.summary)
                replay: SIM_SEED=\(seed) SIM_NODES=\(nodeCount) swift test --filter RaftSimulation
                """)
        }
        return result
    }

    @Test(.enabled(if: !SimulationEnvironment.isOnDemand), arguments: [3, 5], fixedSeeds)
    func simulate_fixedSeed_staysSafeAndConverges(nodeCount: Int, seed: UInt64) {
        let result = simulate(seed: seed, nodeCount: nodeCount)
        #expect(result.failure == nil, "seed=\(seed) nodes=\(nodeCount); replay with SIM_SEED=\(seed) SIM_NODES=\(nodeCount)")
    }

    @Test(.enabled(if: !SimulationEnvironment.isOnDemand), arguments: [UInt64(101), 102, 103])
    func simulate_singleNode_staysSafeAndConverges(seed: UInt64) {
        let result = simulate(seed: seed, nodeCount: 1)
        #expect(result.failure == nil, "seed=\(seed) nodes=1; replay with SIM_SEED=\(seed) SIM_NODES=1")
    }

    @Test(.enabled(if: SimulationEnvironment.replaySeed != nil))
    func simulate_replaySeed_fromEnvironment() throws {
        let seed = try #require(SimulationEnvironment.replaySeed)
        for nodeCount in SimulationEnvironment.nodeCounts {
            let result = simulate(seed: seed, nodeCount: nodeCount, tracing: true)
            #expect(result.failure == nil, "seed=\(seed) nodes=\(nodeCount)")
        }
    }

    @Test(.enabled(if: SimulationEnvironment.randomSeedCount != nil))
    func simulate_randomSeeds_fromEnvironment() throws {
        let count = try #require(SimulationEnvironment.randomSeedCount)
        var generator = SystemRandomNumberGenerator()
        var failures: [String] = []
        for _ in 0..<count {
            let seed = generator.next() as UInt64
            for nodeCount in SimulationEnvironment.nodeCounts {
                let result = simulate(seed: seed, nodeCount: nodeCount)
                if result.failure != nil { failures.append("SIM_SEED=\(seed) SIM_NODES=\(nodeCount)") }
            }
        }
        print("ran \(count) random seeds × \(SimulationEnvironment.nodeCounts); \(failures.count) failed")
        #expect(failures.isEmpty, "failing runs: \(failures)")
    }
}
