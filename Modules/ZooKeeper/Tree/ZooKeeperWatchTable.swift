/// The watches registered by the sessions connected to one server, and the matching of the
/// tree's watch triggers against them.
///
/// This is server-local, not replicated: as in ZooKeeper, a watch lives on the connection that
/// set it, a client re-sends its watches with setWatches after reconnecting elsewhere, and the
/// server forgets a session's watches when its connection goes. Like ZooKeeper's `WatchManager`
/// there are two tables: data watches (getData, exists, set even on a missing path) and child
/// watches (getChildren). Standard watches fire once; persistent ones (addWatch) stay, and
/// persistent recursive ones also fire for every descendant except on child-list changes.
public struct ZooKeeperWatchTable: Equatable, Sendable {
    /// How one session watches one path in one table.
    struct Modes: OptionSet, Equatable, Sendable {
        let rawValue: UInt8
        static let standard = Modes(rawValue: 1)
        static let persistent = Modes(rawValue: 2)
        static let persistentRecursive = Modes(rawValue: 4)
    }

    private struct Registration: Hashable, Sendable {
        var kind: Kind
        var path: String
    }

    /// Which table a registration goes into.
    public enum Kind: Hashable, Sendable {
        /// getData and exists watches.
        case data
        /// getChildren watches.
        case child
    }

    private var dataWatches: [String: [Int64: Modes]] = [:]
    private var childWatches: [String: [Int64: Modes]] = [:]
    /// Each session's registrations, so dropping a session touches only its own paths.
    private var registrations: [Int64: Set<Registration>] = [:]
    private var recursiveRegistrations = 0

    /// An empty table.
    public init() {}

    /// How many (table, path) registrations `sessionID` holds.
    public func registrationCount(of sessionID: Int64) -> Int {
        registrations[sessionID]?.count ?? 0
    }

    /// Registers a one-shot watch. Returns false, registering nothing, when the session is at
    /// `ZooKeeperLimits.watchesPerSessionMax`; registering the same watch again is free.
    public mutating func addStandard(_ kind: Kind, path: String, sessionID: Int64) -> Bool {
        add(.standard, kind: kind, path: path, sessionID: sessionID)
    }

    /// Registers an addWatch watch: persistent (mode 0) watches the path's data and children;
    /// persistent recursive (mode 1) watches the data of the path and all its descendants.
    /// Returns false for the limit, as `addStandard` does.
    public mutating func addPersistent(path: String, recursive: Bool, sessionID: Int64) -> Bool {
        if recursive { return add(.persistentRecursive, kind: .data, path: path, sessionID: sessionID) }
        guard add(.persistent, kind: .data, path: path, sessionID: sessionID) else { return false }
        return add(.persistent, kind: .child, path: path, sessionID: sessionID)
    }

    private mutating func add(_ mode: Modes, kind: Kind, path: String, sessionID: Int64) -> Bool {
        let existing = table(kind)[path]?[sessionID]
        if existing?.contains(mode) == true { return true }
        if existing == nil {
            guard registrationCount(of: sessionID) < ZooKeeperLimits.watchesPerSessionMax else { return false }
            registrations[sessionID, default: []].insert(Registration(kind: kind, path: path))
        }
        withTable(kind) { $0[path, default: [:]][sessionID, default: []].insert(mode) }
        if mode == .persistentRecursive { recursiveRegistrations += 1 }
        return true
    }

    /// Forgets every watch of `sessionID`: its connection closed or its session ended.
    public mutating func removeSession(_ sessionID: Int64) {
        for registration in registrations[sessionID] ?? [] {
            remove(
                kind: registration.kind, path: registration.path, sessionID: sessionID,
                modes: [.standard, .persistent, .persistentRecursive])
        }
    }

    /// Matches triggers against the table in order, consuming one-shot watches, and returns one
    /// notification per watching session per trigger, sessions in id order.
    public mutating func fire(_ triggers: [ZooKeeperWatchTrigger], zxid: Int64) -> [ZooKeeperWatchNotification] {
        var notifications: [ZooKeeperWatchNotification] = []
        for trigger in triggers {
            let sessions = matchAndConsume(trigger)
            let event = ZooKeeperWatcherEvent(type: trigger.type, path: trigger.path)
            notifications += sessions.sorted().map { ZooKeeperWatchNotification(sessionID: $0, event: event, zxid: zxid) }
        }
        return notifications
    }

    // DataTree's trigger rules: created and data-changed go to data watches; deleted goes to
    // both tables, once per session; children-changed goes to child watches only. Recursive
    // watches (kept only in the data table) also match any ancestor of the path.
    private mutating func matchAndConsume(_ trigger: ZooKeeperWatchTrigger) -> Set<Int64> {
        var sessions: Set<Int64> = []
        switch trigger.type {
        case .nodeCreated, .nodeDataChanged:
            sessions.formUnion(consume(.data, path: trigger.path))
            sessions.formUnion(recursiveWatchers(ofAncestorsOf: trigger.path))
        case .nodeDeleted:
            sessions.formUnion(consume(.data, path: trigger.path))
            sessions.formUnion(consume(.child, path: trigger.path))
            sessions.formUnion(recursiveWatchers(ofAncestorsOf: trigger.path))
        case .nodeChildrenChanged:
            sessions.formUnion(consume(.child, path: trigger.path))
        case .none, .dataWatchRemoved, .childWatchRemoved, .persistentWatchRemoved:
            break
        }
        return sessions
    }

    private mutating func consume(_ kind: Kind, path: String) -> [Int64] {
        guard let watchers = table(kind)[path] else { return [] }
        for (sessionID, modes) in watchers where modes.contains(.standard) {
            remove(kind: kind, path: path, sessionID: sessionID, modes: .standard)
        }
        return Array(watchers.keys)
    }

    private func recursiveWatchers(ofAncestorsOf path: String) -> [Int64] {
        guard recursiveRegistrations > 0 else { return [] }
        var sessions: [Int64] = []
        var current = path
        while let (parent, _) = ZooKeeperPath.split(current) {
            for (sessionID, modes) in dataWatches[parent] ?? [:] where modes.contains(.persistentRecursive) {
                sessions.append(sessionID)
            }
            current = parent
        }
        return sessions
    }

    private mutating func remove(kind: Kind, path: String, sessionID: Int64, modes: Modes) {
        guard let existing = table(kind)[path]?[sessionID] else { return }
        if existing.intersection(modes).contains(.persistentRecursive) { recursiveRegistrations -= 1 }
        let remaining = existing.subtracting(modes)
        withTable(kind) { table in
            if remaining.isEmpty {
                table[path]?[sessionID] = nil
                if table[path]?.isEmpty == true { table[path] = nil }
            } else {
                table[path]?[sessionID] = remaining
            }
        }
        if remaining.isEmpty {
            registrations[sessionID]?.remove(Registration(kind: kind, path: path))
            if registrations[sessionID]?.isEmpty == true { registrations[sessionID] = nil }
        }
    }

    private func table(_ kind: Kind) -> [String: [Int64: Modes]] {
        kind == .data ? dataWatches : childWatches
    }

    // Mutates a table in place. A get/set pair would copy the whole table on every change,
    // because the stored property still holds the old storage while the copy is mutated.
    @discardableResult
    private mutating func withTable<Result>(_ kind: Kind, _ body: (inout [String: [Int64: Modes]]) -> Result) -> Result {
        switch kind {
        case .data: body(&dataWatches)
        case .child: body(&childWatches)
        }
    }
}
