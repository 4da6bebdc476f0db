/// How `create` makes a node (ZooKeeper's `CreateMode`).
public enum ZooKeeperCreateMode: Int32, Hashable, Sendable, CaseIterable {
    /// Lives until deleted.
    case persistent = 0
    /// Deleted when the creating session ends.
    case ephemeral = 1
    /// Persistent, with a 10-digit counter appended to the name.
    case persistentSequential = 2
    /// Ephemeral, with a 10-digit counter appended to the name.
    case ephemeralSequential = 3
}
