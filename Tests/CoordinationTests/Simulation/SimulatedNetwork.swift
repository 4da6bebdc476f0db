// The simulated network: per-message loss, delay, duplication and reordering, plus partitions
// that follow the run's `PartitionPattern`. It only decides; the simulator schedules deliveries.

import TernCoordination
import TernPrimitives

/// A directed link between two nodes.
struct Link: Hashable {
    var from: NodeID
    var to: NodeID
}

struct SimulatedNetwork {
    /// Where the partition schedule stands.
    private enum Schedule {
        /// The network is whole until the instant.
        case calm(until: Instant)
        /// A partition holds until the instant.
        case held(until: Instant)
        /// Swizzle-clog, cutting: one more link goes per fault tick.
        case swizzleCutting(remaining: [Link], cut: [Link])
        /// Swizzle-clog, all cut: holds until the instant.
        case swizzleHeld(until: Instant, cut: [Link])
        /// Swizzle-clog, restoring in random order: one link comes back per fault tick.
        case swizzleRestoring(remaining: [Link])
    }

    private(set) var cutLinks: Set<Link> = []
    private var schedule: Schedule
    private let options: SimulationOptions
    private let nodes: [NodeID]
    /// False once the fault phase ends: no loss, duplication or reordering.
    private(set) var faultsEnabled = true

    init(options: SimulationOptions, nodes: [NodeID]) {
        self.options = options
        self.nodes = nodes
        schedule = .calm(until: .zero + options.partitionCalm)
    }

    /// When each copy of a message sent now arrives: none when lost or cut, two when duplicated.
    func deliveryDelays(from: NodeID, to: NodeID, random: inout SeededRandom) -> [Duration] {
        if cutLinks.contains(Link(from: from, to: to)) { return [] }
        if faultsEnabled, Self.chance(options.lossProbability, &random) { return [] }
        var delays = [delay(&random)]
        if faultsEnabled, Self.chance(options.duplicateProbability, &random) {
            delays.append(delay(&random))
        }
        return delays
    }

    private func delay(_ random: inout SeededRandom) -> Duration {
        let low = options.networkDelayMin.nanosecondsClamped
        let high = options.networkDelayMax.nanosecondsClamped
        var nanoseconds = low + Int64(random.next() % UInt64(max(high - low, 1)))
        // Reordering: an occasional message takes several times the usual worst case.
        if faultsEnabled, Self.chance(options.reorderProbability, &random) {
            nanoseconds += Int64(random.next() % UInt64(max(high * 5, 1)))
        }
        return .nanoseconds(nanoseconds)
    }

    /// Moves the partition schedule along; returns a line describing any change, for tracing.
    /// Half of the partitions that single nodes out pick the current `leader`, if any, because
    /// cutting off a leader is what exercises elections and log repair.
    mutating func faultTick(now: Instant, leader: NodeID?, random: inout SeededRandom) -> String? {
        guard faultsEnabled else { return nil }
        switch schedule {
        case let .calm(until):
            guard now >= until else { return nil }
            return startPartition(now: now, leader: leader, random: &random)
        case let .held(until):
            guard now >= until else { return nil }
            cutLinks = []
            schedule = .calm(until: now + options.partitionCalm)
            return "network healed"
        case .swizzleCutting(var remaining, var cut):
            guard !remaining.isEmpty else {
                schedule = .swizzleHeld(until: now + options.partitionHold, cut: cut)
                return nil
            }
            let link = remaining.removeFirst()
            cutLinks.insert(link)
            cut.append(link)
            schedule = .swizzleCutting(remaining: remaining, cut: cut)
            return "swizzle cut \(link.from)->\(link.to)"
        case let .swizzleHeld(until, cut):
            guard now >= until else { return nil }
            schedule = .swizzleRestoring(remaining: Self.shuffled(cut, &random))
            return nil
        case var .swizzleRestoring(remaining):
            guard !remaining.isEmpty else {
                schedule = .calm(until: now + options.partitionCalm)
                return nil
            }
            let link = remaining.removeFirst()
            cutLinks.remove(link)
            schedule = .swizzleRestoring(remaining: remaining)
            return "swizzle restored \(link.from)->\(link.to)"
        }
    }

    private mutating func startPartition(now: Instant, leader: NodeID?, random: inout SeededRandom) -> String? {
        var pattern = options.partitionPattern
        if pattern == .mixed {
            let concrete: [PartitionPattern] = [.isolateOne, .splitMinority, .oneWay, .swizzleClog]
            pattern = concrete[Int(random.next() % UInt64(concrete.count))]
        }
        var shuffledNodes = Self.shuffled(nodes, &random)
        if let leader, random.next() % 2 == 0 {
            shuffledNodes = [leader] + shuffledNodes.filter { $0 != leader }
        }
        switch pattern {
        case .none, .mixed:
            schedule = .calm(until: .zero + .seconds(1_000_000))
            return nil
        case .isolateOne:
            cutLinks = Set(links(between: [shuffledNodes[0]], and: Array(shuffledNodes.dropFirst())))
        case .splitMinority:
            let size = 1 + Int(random.next() % UInt64(max(nodes.count / 2, 1)))
            cutLinks = Set(links(between: Array(shuffledNodes.prefix(size)), and: Array(shuffledNodes.dropFirst(size))))
        case .oneWay:
            let all = Self.shuffled(links(between: nodes, and: nodes), &random)
            cutLinks = Set(all.prefix(1 + Int(random.next() % UInt64(max(all.count / 2, 1)))))
        case .swizzleClog:
            let size = 1 + Int(random.next() % UInt64(max(nodes.count / 2 + 1, 1)))
            let chosen = Array(shuffledNodes.prefix(size))
            let others = nodes.filter { !chosen.contains($0) }
            let remaining = Self.shuffled(links(between: chosen, and: others.isEmpty ? nodes : others), &random)
            schedule = .swizzleCutting(remaining: remaining, cut: [])
            return "swizzle-clog starts on \(chosen)"
        }
        schedule = .held(until: now + options.partitionHold)
        return "partition \(pattern): \(cutLinks.count) links cut"
    }

    /// Ends the fault phase: every link restored, no loss, duplication or reordering.
    mutating func heal() {
        cutLinks = []
        faultsEnabled = false
        schedule = .calm(until: .zero + .seconds(1_000_000))
    }

    /// Both directions between every node of `left` and every other node of `right`.
    private func links(between left: [NodeID], and right: [NodeID]) -> [Link] {
        var result: [Link] = []
        for a in left {
            for b in right where a != b {
                result.append(Link(from: a, to: b))
                result.append(Link(from: b, to: a))
            }
        }
        return result
    }

    static func chance(_ probability: Double, _ random: inout SeededRandom) -> Bool {
        Double(random.next() >> 11) / Double(1 << 53) < probability
    }

    static func shuffled<T>(_ items: [T], _ random: inout SeededRandom) -> [T] {
        var result = items
        guard result.count > 1 else { return result }
        for position in stride(from: result.count - 1, to: 0, by: -1) {
            let other = Int(random.next() % UInt64(position + 1))
            result.swapAt(position, other)
        }
        return result
    }
}
