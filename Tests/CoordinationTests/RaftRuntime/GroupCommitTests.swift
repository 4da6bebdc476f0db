// Goal: writes that queue up while one is being synced go down together in the next storage
// call (group commit), and nothing is acknowledged before its write is durable. Method: a
// single-node group over storage whose `persist` can be held shut; proposals made while it is
// shut must not return, and once it opens they must land in fewer calls than requests.

import Synchronization
import Testing
import TernCoordination
import TernPrimitives

/// Memory storage whose writes wait while the gate is shut, recording each call's batch size.
final class GatedRaftStorage: RaftStorage {
    private struct State {
        var shut = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var batchSizes: [Int] = []
    }

    private let inner = MemoryRaftStorage()
    private let state = Mutex(State())

    var batchSizes: [Int] { state.withLock { $0.batchSizes } }
    var callsWaiting: Int { state.withLock { $0.waiting.count } }

    func shut() { state.withLock { $0.shut = true } }

    func open() {
        let waiting = state.withLock { state in
            state.shut = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func load() async throws(RaftStorageError) -> DurableState {
        try await inner.load()
    }

    func persist(_ requests: [PersistRequest]) async throws(RaftStorageError) {
        await withCheckedContinuation { continuation in
            let proceed = state.withLock { state in
                if state.shut { state.waiting.append(continuation) }
                return !state.shut
            }
            if proceed { continuation.resume() }
        }
        state.withLock { $0.batchSizes.append(requests.count) }
        try await inner.persist(requests)
    }

    func close() async {
        open()
    }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

@Suite struct GroupCommitTests {
    @Test func persist_whileSyncInProgress_laterWritesShareOneCall() async throws {
        let storage = GatedRaftStorage()
        let node = NodeID(1)
        let log = RaftReplicatedLog(
            configuration: testRaftConfiguration(node: node, voters: [node]),
            storage: storage, network: InProcessPeerHub().network(for: node), stateMachine: ListStateMachine())
        try await log.start()
        try await eventually("the single node leading") {
            var views = log.leadershipChanges().makeAsyncIterator()
            return await views.next()?.isLocal == true
        }
        try await log.propose(Array("warm-up".utf8))
        let callsBefore = storage.batchSizes.count

        storage.shut()
        let acknowledged = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await log.propose(Array("first".utf8))
                acknowledged.increment()
            }
            // The first write is now held in `persist`; the next ones queue behind it.
            try await eventually("the first write held") { storage.callsWaiting == 1 }
            for number in 0..<8 {
                group.addTask {
                    try await log.propose(Array("queued-\(number)".utf8))
                    acknowledged.increment()
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(acknowledged.value == 0, "nothing is acknowledged before its write is durable")
            storage.open()
            try await group.waitForAll()
        }
        let calls = Array(storage.batchSizes.dropFirst(callsBefore))
        #expect(calls.reduce(0, +) >= 9)
        #expect(calls.count < 9, "queued writes were grouped: \(calls)")
        #expect(calls.contains { $0 > 1 })
        await log.shutdown()
    }
}
