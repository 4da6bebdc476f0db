public import TernCoordination
import Synchronization

/// The latest cluster metadata this broker has seen, readable without waiting. The broker's
/// metadata loop writes it; handlers read it.
public final class MetadataCache: Sendable {
    // The mutex guards the snapshot; readers copy the value out.
    private let snapshot: Mutex<ClusterMetadata>

    /// A cache holding `initial`.
    public init(_ initial: ClusterMetadata) {
        snapshot = Mutex(initial)
    }

    /// The latest snapshot.
    public var current: ClusterMetadata {
        snapshot.withLock { $0 }
    }

    /// Replaces the snapshot unless `metadata` is older.
    public func update(_ metadata: ClusterMetadata) {
        snapshot.withLock { current in
            if metadata.version >= current.version { current = metadata }
        }
    }
}
