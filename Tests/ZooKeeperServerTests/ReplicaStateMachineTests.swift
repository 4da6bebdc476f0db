// Goal: the replica as a state machine, without a transport: the command encoding round-trips
// and refuses garbage, a repeated proposal is skipped, zxids follow term and order, snapshots
// restore an equal state, and read barriers coalesce. Commands are applied directly, as a log
// would deliver them.

import Logging
import Testing
import TernCoordination
import TernPrimitives
import TernZooKeeper
@testable import TernZooKeeperServer

@Suite struct ReplicaStateMachineTests {
    private static func makeReplica() -> ZooKeeperReplica {
        ZooKeeperReplica(
            node: NodeID(2), clock: ManualClock(), random: SeededRandom(seed: 1),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    private static func command(_ sequence: UInt64, session: Int64, _ kinds: [ZooKeeperTransaction.Kind]) -> [UInt8] {
        ReplicaCommand(
            proposal: ProposalID(origin: NodeID(3), incarnation: 42, sequence: sequence), sessionID: session,
            transactions: kinds.enumerated().map { (Int32($0.offset + 1), ZooKeeperTransaction(time: 5, sessionID: session, kind: $0.element)) }
        ).encoded
    }

    private static let openSession = ZooKeeperTransaction.Kind.createSession(timeout: 6000, password: Array(repeating: 1, count: 16))

    @Test func command_roundTrips_andRefusesTruncation() throws {
        let bytes = Self.command(7, session: 9, [Self.openSession, .write(.create(ZooKeeperCreate(path: "/a", data: [1])))])
        let decoded = try ReplicaCommand(encoded: bytes)
        #expect(decoded.proposal == ProposalID(origin: NodeID(3), incarnation: 42, sequence: 7))
        #expect(decoded.transactions.count == 2)
        #expect(decoded.encoded == bytes)
        for cut in 0..<bytes.count {
            #expect(throws: JuteDecodeError.self) { try ReplicaCommand(encoded: Array(bytes[..<cut])) }
        }
    }

    @Test func apply_repeatedProposal_isSkipped_andGarbageIsSkipped() async {
        let replica = Self.makeReplica()
        let open = Self.command(1, session: 9, [Self.openSession])
        let create = Self.command(2, session: 9, [.write(.create(ZooKeeperCreate(path: "/a")))])
        await replica.apply([
            CommittedCommand(index: 1, term: 1, command: open), CommittedCommand(index: 2, term: 1, command: create),
            CommittedCommand(index: 3, term: 1, command: [0xFF, 1, 2]), CommittedCommand(index: 4, term: 1, command: []),
        ])
        let before = await replica.tree
        await replica.apply([CommittedCommand(index: 5, term: 1, command: create)])
        #expect(await replica.tree == before)
        #expect(before.node(at: "/a") != nil)
        #expect(before.lastZxid == 1 << 32 | 2)
    }

    @Test func zxid_restartsCounterInEachTerm_andNeverFalls() {
        #expect(ZooKeeperReplica.zxid(after: 0, term: 1) == 1 << 32 | 1)
        #expect(ZooKeeperReplica.zxid(after: 1 << 32 | 5, term: 1) == 1 << 32 | 6)
        #expect(ZooKeeperReplica.zxid(after: 1 << 32 | 5, term: 3) == 3 << 32 | 1)
        #expect(ZooKeeperReplica.zxid(after: 3 << 32 | 1, term: 2) == 3 << 32 | 2)
    }

    @Test func snapshot_restoresEqualTreeAndDeduplicationTable() async {
        let replica = Self.makeReplica()
        let create = Self.command(2, session: 9, [.write(.create(ZooKeeperCreate(path: "/a", data: [4])))])
        await replica.apply([
            CommittedCommand(index: 1, term: 2, command: Self.command(1, session: 9, [Self.openSession])),
            CommittedCommand(index: 2, term: 2, command: create),
        ])
        let snapshot = await replica.snapshot()
        #expect(snapshot.index == 2)
        #expect(snapshot.term == 2)
        let restored = Self.makeReplica()
        await restored.restore(snapshot)
        #expect(await restored.tree == replica.tree)
        // The restored table still knows proposal 2, so a late repeat changes nothing.
        await restored.apply([CommittedCommand(index: 3, term: 2, command: create)])
        #expect(await restored.tree == replica.tree)
        #expect(await restored.snapshot().bytes == snapshot.bytes)
    }

    @Test func barriers_readsArrivingDuringOne_shareTheNext() {
        var barriers = ReadBarrierCoalescer()
        let first = barriers.join()
        #expect(first.generation == 1 && first.start == 1)
        let second = barriers.join()
        let third = barriers.join()
        #expect(second.generation == 2 && second.start == nil)
        #expect(third.generation == 2 && third.start == nil)
        #expect(barriers.end(1) == 2)
        #expect(barriers.finished == 1)
        #expect(barriers.end(2) == nil)
        #expect(!barriers.isRunning)
    }
}

@Suite struct MemoryReplicatedLogTests {
    @Test func propose_concurrently_appliesEveryCommandOnceInIndexOrder() async throws {
        let recorder = RecordingStateMachine()
        let log = MemoryReplicatedLog(stateMachine: recorder, compactionEntries: 7)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in 0..<40 {
                group.addTask { try await log.propose([UInt8(value)]) }
            }
            try await group.waitForAll()
        }
        let indices = await recorder.indices
        #expect(indices == (1...40).map { LogIndex(UInt64($0)) })
        #expect(Set(await recorder.values) == Set(0..<40))
        try await log.readBarrier()
        #expect(await log.snapshot != nil)
        await log.close()
        await #expect(throws: ReplicationError.closed) { try await log.propose([1]) }
    }
}

private actor RecordingStateMachine: ReplicatedStateMachine {
    var indices: [LogIndex] = []
    var values: [Int] = []

    func apply(_ commands: [CommittedCommand]) async {
        for command in commands {
            indices.append(command.index)
            values.append(Int(command.command[0]))
        }
    }

    func snapshot() async -> StateMachineSnapshot {
        StateMachineSnapshot(index: indices.last ?? .zero, term: 1, bytes: values.map { UInt8($0) })
    }

    func restore(_ snapshot: StateMachineSnapshot) async {}
}
