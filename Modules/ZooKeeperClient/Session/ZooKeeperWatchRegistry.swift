public import TernZooKeeper

/// The watches a session holds, as the client knows them: recorded when a read that asked for
/// one is answered, removed when the watch fires (they are one-shot), and re-sent with
/// setWatches after a reconnect. Pure bookkeeping, no I/O.
public struct ZooKeeperWatchRegistry: Hashable, Sendable {
    /// What a read watches.
    public enum Kind: Hashable, Sendable {
        /// getData: data changes and deletion.
        case data
        /// exists: creation, data changes and deletion.
        case exist
        /// getChildren: child list changes and deletion.
        case child
    }

    private var data: Set<String> = []
    private var exist: Set<String> = []
    private var child: Set<String> = []

    /// An empty registry.
    public init() {}

    /// Whether no watch is held.
    public var isEmpty: Bool { data.isEmpty && exist.isEmpty && child.isEmpty }

    /// Records a watch the server accepted.
    public mutating func add(_ kind: Kind, path: String) {
        switch kind {
        case .data: data.insert(path)
        case .exist: exist.insert(path)
        case .child: child.insert(path)
        }
    }

    /// Removes the watches an event fires, as the server does, and says whether any was held.
    @discardableResult
    public mutating func fire(_ type: ZooKeeperWatchEventType, path: String) -> Bool {
        switch type {
        case .nodeCreated, .nodeDataChanged:
            return data.remove(path) != nil || exist.remove(path) != nil
        case .nodeDeleted:
            let removed = [data.remove(path), exist.remove(path), child.remove(path)]
            return removed.contains { $0 != nil }
        case .nodeChildrenChanged:
            return child.remove(path) != nil
        case .none, .dataWatchRemoved, .childWatchRemoved, .persistentWatchRemoved:
            return false
        }
    }

    /// Forgets everything: the session that held the watches expired.
    public mutating func removeAll() {
        self = ZooKeeperWatchRegistry()
    }

    /// The setWatches record that re-arms every watch, with paths mapped by `serverPath`.
    public func setWatches(relativeZxid: Int64, serverPath: (String) -> String) -> ZooKeeperSetWatches {
        ZooKeeperSetWatches(
            relativeZxid: relativeZxid, dataWatches: data.sorted().map(serverPath),
            existWatches: exist.sorted().map(serverPath), childWatches: child.sorted().map(serverPath))
    }
}
