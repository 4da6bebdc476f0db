import Synchronization

/// Where the embedded coordination service keeps its durable metadata: a file in the data
/// directory (`ClusterMetadataFile`) or memory (`MemoryClusterMetadataStore`).
///
/// Both calls are synchronous and may block briefly: the service calls them from inside its
/// actor so that no other command can run between changing the state and storing it. Stores
/// hold small values and are written only on durable changes (topics, partitions, configs).
public protocol ClusterMetadataStore: Sendable {
    /// The stored metadata, or nil when nothing was ever stored.
    func load() throws(CoordinationStorageError) -> DurableClusterMetadata?

    /// Replaces the stored metadata. When this returns, a `load` after a crash sees `metadata`;
    /// when it throws, a `load` sees either the old or the new metadata, never a mix.
    func save(_ metadata: DurableClusterMetadata) throws(CoordinationStorageError)
}

/// Why stored metadata could not be loaded or saved.
public enum CoordinationStorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// The file exists but does not hold valid metadata. The service refuses to start rather
    /// than start empty, which would forget every topic.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno): "\(operation) \(path) failed: errno \(errno)"
        case .corrupt(let path, let reason): "corrupt cluster metadata in \(path): \(reason)"
        }
    }
}

/// A store that keeps the last saved metadata in memory: the `memory://` backend, and a way
/// for tests to restart a service without a disk. It can be told to fail its saves.
public final class MemoryClusterMetadataStore: ClusterMetadataStore {
    private struct State {
        var saved: DurableClusterMetadata?
        var saveFailure: CoordinationStorageError?
        var saveCount = 0
    }

    private let state: Mutex<State>

    /// Creates a store holding `metadata`, or nothing.
    public init(_ metadata: DurableClusterMetadata? = nil) {
        state = Mutex(State(saved: metadata))
    }

    public func load() throws(CoordinationStorageError) -> DurableClusterMetadata? {
        state.withLock { $0.saved }
    }

    public func save(_ metadata: DurableClusterMetadata) throws(CoordinationStorageError) {
        let failure = state.withLock { state -> CoordinationStorageError? in
            if let failure = state.saveFailure { return failure }
            state.saved = metadata
            state.saveCount += 1
            return nil
        }
        if let failure { throw failure }
    }

    /// The last saved metadata.
    public var saved: DurableClusterMetadata? { state.withLock { $0.saved } }

    /// How many saves succeeded.
    public var saveCount: Int { state.withLock { $0.saveCount } }

    /// Makes every later save throw `failure` (nil: succeed again), to test failed writes.
    public func failSaves(with failure: CoordinationStorageError?) {
        state.withLock { $0.saveFailure = failure }
    }
}
