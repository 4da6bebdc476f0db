import Synchronization

// Where a Raft node keeps what must survive a restart: the hard state, the log and the latest
// snapshot. The runtime batches the core's `persist` actions and hands each batch to `persist`,
// which returns only once every request in it is durable; only then does the core hear
// `persisted(upTo:)`. One call per batch is what lets a file implementation pay one fdatasync
// for many writes (group commit).

/// Why storage failed. The runtime stops the node on any of these: a node that cannot make
/// its promises durable must not make them.
public enum RaftStorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// The stored bytes contradict themselves beyond what a torn final write explains.
    case corrupt(path: String, detail: String)
    /// The storage was closed.
    case closed

    public var description: String {
        switch self {
        case let .io(operation, path, code): "\(operation) \(path) failed (errno \(code))"
        case let .corrupt(path, detail): "\(path) is corrupt: \(detail)"
        case .closed: "storage closed"
        }
    }
}

/// Durable storage for one Raft node.
public protocol RaftStorage: Sendable {
    /// Reads what is durable, repairing a torn final write. Called once, before any `persist`.
    func load() async throws(RaftStorageError) -> DurableState

    /// Performs `requests` in order, each one's parts in the order `PersistRequest` documents,
    /// and returns once all of them are durable.
    func persist(_ requests: [PersistRequest]) async throws(RaftStorageError)

    /// Releases files and threads; later calls throw `.closed`.
    func close() async
}

/// Storage in memory, for tests: survives a restart of the runtime that uses it (pass the same
/// instance to the next runtime), not of the process.
public final class MemoryRaftStorage: RaftStorage {
    private struct State {
        var durable = DurableState.empty
        var persistCalls = 0
    }

    private let state = Mutex(State())

    /// Empty storage: a node that has never run.
    public init() {}

    /// How many `persist` calls have landed; each is one sync in the file implementation.
    public var persistCalls: Int { state.withLock { $0.persistCalls } }

    public func load() async throws(RaftStorageError) -> DurableState {
        state.withLock { $0.durable }
    }

    public func persist(_ requests: [PersistRequest]) async throws(RaftStorageError) {
        try state.withLock { state throws(RaftStorageError) in
            for request in requests {
                try state.durable.land(request, path: "memory")
            }
            state.persistCalls += 1
        }
    }

    public func close() async {}
}

extension DurableState {
    /// The index of the last stored entry, or of the snapshot when no entry follows it.
    var storedLastIndex: LogIndex {
        entries.last?.index ?? snapshot?.index ?? .zero
    }

    /// Drops the entries at and after `index`. Entries are contiguous, so the cut is found by
    /// arithmetic instead of a scan: storage runs this for every write.
    mutating func dropEntries(from index: LogIndex) {
        guard let first = entries.first, index <= storedLastIndex else { return }
        let keep = index > first.index ? index - first.index : 0
        entries.removeSubrange(keep...)
    }

    /// Drops the entries at and before `index`.
    mutating func dropEntries(through index: LogIndex) {
        guard let first = entries.first, index >= first.index else { return }
        entries.removeFirst(min(entries.count, index.successor - first.index))
    }

    /// Applies one request: truncate, snapshot, hard state, entries, as `PersistRequest`
    /// documents. A request that leaves a hole in the log is the core's bug or a corrupt file.
    mutating func land(_ request: PersistRequest, path: String) throws(RaftStorageError) {
        if let write = request.log {
            dropEntries(from: write.from)
        }
        if let newSnapshot = request.snapshot {
            snapshot = newSnapshot
            dropEntries(through: newSnapshot.index)
            if let first = entries.first, first.index != newSnapshot.index.successor {
                entries = []
            }
        }
        if let newHardState = request.hardState {
            hardState = newHardState
        }
        for entry in request.log?.entries ?? [] {
            guard entry.index == storedLastIndex.successor else {
                throw .corrupt(path: path, detail: "entry \(entry.index) does not follow \(storedLastIndex)")
            }
            entries.append(entry)
        }
    }
}
