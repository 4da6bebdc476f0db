/// The znode tree and the session table: ZooKeeper's `DataTree` as a deterministic, replicated
/// state machine.
///
/// The tree changes only through `apply(_:zxid:)`, in log order, and reads nothing but its
/// arguments: time comes from each transaction, the zxid from the applier. Two trees fed the
/// same transactions are equal, and so are their snapshots, byte for byte. Nothing here iterates
/// a `Set` or `Dictionary` into an output without sorting it first, because Swift seeds their
/// order per process.
///
/// Watches are not here: they belong to the connections of one server, not to the replicated
/// state (see `ZooKeeperWatchTable`).
public struct ZooKeeperTree: Equatable, Sendable {
    /// The zxid of the last transaction applied (0 for a new tree).
    public internal(set) var lastZxid: Int64
    /// Every node by absolute path.
    var nodes: [String: ZNode]
    /// Live sessions by id.
    public internal(set) var sessions: [Int64: ZooKeeperSession]
    /// The ephemeral paths of each session that has any. Derived from `nodes` (and rebuilt on
    /// snapshot load); a session with none has no entry, so equal trees have equal indexes.
    var ephemerals: [Int64: Set<String>]

    /// Nodes every tree starts with, as ZooKeeper's `DataTree` does. Clients cannot delete them.
    public static let builtInPaths: Set<String> = ["/", "/zookeeper", "/zookeeper/quota"]

    /// An empty tree: the root, `/zookeeper` and `/zookeeper/quota`, all with zero stats.
    public init() {
        lastZxid = 0
        nodes = [
            "/": .builtIn(children: ["zookeeper"]),
            "/zookeeper": .builtIn(children: ["quota"]),
            "/zookeeper/quota": .builtIn(children: []),
        ]
        sessions = [:]
        ephemerals = [:]
    }

    /// The node at `path`, if any.
    public func node(at path: String) -> ZNode? {
        nodes[path]
    }

    /// The stat of the node at `path`, if any.
    public func stat(at path: String) -> ZooKeeperStat? {
        nodes[path]?.stat
    }

    /// How many nodes the tree holds, the built-in ones included.
    public var nodeCount: Int { nodes.count }

    /// Every path, sorted.
    public var sortedPaths: [String] { nodes.keys.sorted() }

    /// The children's names of the node at `path`, sorted, or nil if there is no such node.
    /// ZooKeeper returns them in hash order; sorting costs little and makes replies repeatable.
    public func sortedChildren(of path: String) -> [String]? {
        nodes[path]?.children.sorted()
    }

    /// The number of nodes below `path` (`getAllChildrenNumber`), or nil if there is no such node.
    public func descendantCount(of path: String) -> Int? {
        guard nodes[path] != nil else { return nil }
        if path == ZooKeeperPath.root { return nodes.count - 1 }
        var count = 0
        var pending = [path]
        while let next = pending.popLast() {
            guard let children = nodes[next]?.children else { continue }
            count += children.count
            pending.append(contentsOf: children.map { ZooKeeperPath.child($0, of: next) })
        }
        return count
    }

    /// The session with `id`, if it is live.
    public func session(_ id: Int64) -> ZooKeeperSession? {
        sessions[id]
    }

    /// The ephemeral paths `sessionID` owns, sorted.
    public func ephemeralPaths(of sessionID: Int64) -> [String] {
        (ephemerals[sessionID] ?? []).sorted()
    }

    /// The nodes the leader should propose `deleteContainer` for at wall-clock `now`
    /// (milliseconds), sorted: containers that have had children (cversion > 0) and have none
    /// left, and childless TTL nodes whose data has not changed for longer than their TTL.
    /// This mirrors ZooKeeper's `ContainerManager.getCandidates` and scans every node, so the
    /// leader should call it on a timer (ZooKeeper's default is once a minute), not per request.
    public func containerSweepCandidates(now: Int64) -> [String] {
        nodes.compactMap { path, node -> String? in
            guard node.children.isEmpty else { return nil }
            switch node.kind {
            case .container:
                return node.cversion > 0 ? path : nil
            case let .ttl(milliseconds):
                return now &- node.mtime > milliseconds ? path : nil
            case .persistent, .ephemeral:
                return nil
            }
        }.sorted()
    }
}
