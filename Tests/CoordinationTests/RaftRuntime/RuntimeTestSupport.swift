// Shared pieces of the runtime tests: a small deterministic state machine (an append-only list
// of commands), a cluster of runtimes in one process, and bounded waiting.

import Foundation
import Testing
import TernCoordination
import TernPrimitives

/// An append-only list: the simplest state machine whose whole history can be compared.
actor ListStateMachine: ReplicatedStateMachine {
    private(set) var items: [[UInt8]] = []
    private(set) var lastIndex = LogIndex.zero
    private(set) var lastTerm = Term.zero
    /// How often a snapshot replaced the state, to tell catching up by snapshot from by log.
    private(set) var restores = 0
    private(set) var restoredIndices: [LogIndex] = []

    func apply(_ commands: [CommittedCommand]) async {
        for command in commands {
            precondition(command.index > lastIndex, "commands must arrive in log order")
            items.append(command.command)
            lastIndex = command.index
            lastTerm = command.term
        }
    }

    func snapshot() async -> StateMachineSnapshot {
        var bytes: [UInt8] = []
        for item in items {
            withUnsafeBytes(of: UInt32(item.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: item)
        }
        return StateMachineSnapshot(index: lastIndex, term: lastTerm, bytes: bytes)
    }

    func restore(_ snapshot: StateMachineSnapshot) async {
        var decoded: [[UInt8]] = []
        var position = 0
        let bytes = snapshot.bytes
        while position + 4 <= bytes.count {
            let length = bytes[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
            position += 4
            precondition(position + length <= bytes.count, "our own snapshot encoding")
            decoded.append(Array(bytes[position..<(position + length)]))
            position += length
        }
        items = decoded
        lastIndex = snapshot.index
        lastTerm = snapshot.term
        restores += 1
        restoredIndices.append(snapshot.index)
    }

    var strings: [String] { items.map { String(decoding: $0, as: UTF8.self) } }
}

/// Waits until `condition` holds, checking every 20 ms for at most `timeout`. The 30 s default
/// is for the full parallel test run on 2 cores, where other suites can starve the pool for
/// seconds; an idle machine elects and applies in well under one.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

/// Proposes `text` until it is known to be in the log exactly once, as a careful client would:
/// refusals mean nothing was appended, so it retries them; after `.outcomeUnknown` it waits for
/// a read barrier, which settles the entry's fate (a barrier completes only once a leader has
/// committed an entry of its own term, and with it every entry that will ever commit before
/// it), and proposes again only if the entry is not there. Elections caused by a starved
/// machine therefore cannot make a test see a write twice or not at all.
func proposeOnce(_ text: String, log: RaftReplicatedLog, machine: ListStateMachine) async throws {
    for _ in 0..<100 {
        do {
            try await log.propose(Array(text.utf8))
            return
        } catch .noLeader, .overloaded {
            try await Task.sleep(for: .milliseconds(50))
        } catch .outcomeUnknown {
            try await settle(log)
            if await machine.strings.contains(text) { return }
        }
    }
    Issue.record("\(text) was never applied")
}

/// Waits for a read barrier to succeed, retrying while there is no leader.
func settle(_ log: RaftReplicatedLog) async throws {
    for _ in 0..<100 {
        do {
            try await log.readBarrier()
            return
        } catch .noLeader, .overloaded, .outcomeUnknown {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    Issue.record("no read barrier completed")
}

/// Raft settings for tests: elections take a fraction of a second, with enough slack that a
/// loaded machine (CI shares two cores) does not starve heartbeats into needless elections.
func testRaftConfiguration(node: NodeID, voters: Set<NodeID>) -> RaftConfiguration {
    RaftConfiguration(nodeID: node, voters: voters, electionTimeout: .milliseconds(400), heartbeatInterval: .milliseconds(40))
}

/// Several runtimes in one process over an `InProcessPeerHub`.
final class RuntimeCluster {
    let ids: [NodeID]
    let hub = InProcessPeerHub()
    var storages: [NodeID: any RaftStorage] = [:]
    var machines: [NodeID: ListStateMachine] = [:]
    var logs: [NodeID: RaftReplicatedLog] = [:]
    let snapshotInterval: Int
    /// Directories of file storage, removed by `cleanUp`.
    private var directories: [NodeID: String] = [:]
    private let useFiles: Bool

    init(size: Int = 3, snapshotInterval: Int = 10_000, useFiles: Bool = false) {
        ids = (1...size).map { NodeID(Int32($0)) }
        self.snapshotInterval = snapshotInterval
        self.useFiles = useFiles
    }

    /// The storage of `id` for its next run: the same memory storage every time, or a new
    /// `FileRaftStorage` on the node's own directory, as a restarted process would open it.
    func storage(for id: NodeID) -> any RaftStorage {
        if useFiles {
            let directory = directories[id] ?? NSTemporaryDirectory() + "raft-runtime-\(UUID().uuidString)"
            directories[id] = directory
            let storage = FileRaftStorage(directory: directory)
            storages[id] = storage
            return storage
        }
        if let existing = storages[id] { return existing }
        let storage = MemoryRaftStorage()
        storages[id] = storage
        return storage
    }

    /// Starts `id` with a fresh state machine; its state comes back from storage and peers.
    func start(_ id: NodeID) async throws {
        let machine = ListStateMachine()
        let log = RaftReplicatedLog(
            configuration: testRaftConfiguration(node: id, voters: Set(ids)),
            storage: storage(for: id),
            network: hub.network(for: id),
            stateMachine: machine,
            options: RaftRuntimeOptions(snapshotInterval: snapshotInterval, proposalTimeout: .seconds(3), readTimeout: .seconds(2))
        )
        machines[id] = machine
        logs[id] = log
        try await log.start()
    }

    func startAll() async throws {
        for id in ids { try await start(id) }
    }

    func stop(_ id: NodeID) async {
        await logs[id]?.shutdown()
        logs[id] = nil
    }

    func stopAll() async {
        for id in ids { await stop(id) }
    }

    func cleanUp() async {
        await stopAll()
        for directory in directories.values { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The node every running node agrees leads, once there is one.
    func awaitLeader(among running: [NodeID]? = nil, timeout: Duration = .seconds(30)) async throws -> NodeID {
        let members = running ?? ids
        var found: NodeID?
        try await eventually("a leader among \(members)", timeout: timeout) {
            var views: [Leadership] = []
            for id in members {
                guard let log = logs[id] else { return false }
                var iterator = log.leadershipChanges().makeAsyncIterator()
                guard let view = await iterator.next() else { return false }
                views.append(view)
            }
            guard let leader = views.first?.leader, members.contains(leader),
                  views.allSatisfy({ $0.leader == leader && $0.term == views[0].term })
            else { return false }
            found = leader
            return true
        }
        return try #require(found)
    }

    /// Proposes `text` through `id` until it is known to be applied exactly once.
    func propose(_ text: String, via id: NodeID) async throws {
        try await proposeOnce(text, log: try #require(logs[id]), machine: try #require(machines[id]))
    }

    /// Waits until every node in `members` has applied exactly `expected`.
    func awaitApplied(_ expected: [String], on members: [NodeID]? = nil, timeout: Duration = .seconds(30)) async throws {
        for id in members ?? ids {
            let machine = try #require(machines[id])
            try await eventually("node \(id.rawValue) applying \(expected.count) commands", timeout: timeout) {
                await machine.strings == expected
            }
        }
    }
}
