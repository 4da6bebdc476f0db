/// One server's view: the replicated tree plus the watches of the sessions connected to this
/// server. The server applies committed transactions and answers local requests through it;
/// both return the watch notifications to push, in the order they must be sent.
public struct ZooKeeperDatabase: Sendable {
    /// The replicated state.
    public private(set) var tree: ZooKeeperTree
    /// This server's watch registrations.
    public private(set) var watches: ZooKeeperWatchTable

    /// Wraps a tree (a new one by default) with no watches.
    public init(tree: ZooKeeperTree = ZooKeeperTree()) {
        self.tree = tree
        self.watches = ZooKeeperWatchTable()
    }

    /// What applying a transaction produced on this server.
    public struct Applied: Equatable, Sendable {
        /// The tree's result; `result.reply(xid:)` answers the originating client.
        public var result: ZooKeeperApplyResult
        /// Watch events for sessions connected here.
        public var notifications: [ZooKeeperWatchNotification]
    }

    /// What answering a local request produced.
    public struct Answered: Equatable, Sendable {
        /// The reply to the requesting client.
        public var reply: ZooKeeperReply
        /// Events setWatches fires at once for changes the client missed while disconnected.
        public var notifications: [ZooKeeperWatchNotification]
    }

    /// Applies a committed transaction and matches its triggers against this server's watches.
    /// A closed session's own watches are dropped, and it gets no events.
    public mutating func apply(_ transaction: ZooKeeperTransaction, zxid: Int64) -> Applied {
        let result = tree.apply(transaction, zxid: zxid)
        var notifications = watches.fire(result.triggers, zxid: zxid)
        if case .sessionClosed = result.outcome {
            watches.removeSession(transaction.sessionID)
            notifications.removeAll { $0.sessionID == transaction.sessionID }
        }
        return Applied(result: result, notifications: notifications)
    }

    /// Replaces the tree with one loaded from a snapshot. Watches are dropped: the snapshot may
    /// skip changes they should have fired for, so the server should close its client
    /// connections, and clients then re-send them with setWatches, which fires what they missed.
    public mutating func install(_ tree: ZooKeeperTree) {
        self.tree = tree
        watches = ZooKeeperWatchTable()
    }

    /// Forgets a session's watches when its connection to this server closes.
    public mutating func connectionClosed(sessionID: Int64) {
        watches.removeSession(sessionID)
    }

    /// Answers a local request for a session connected here. Replies carry this server's last
    /// zxid, as ZooKeeper's do.
    public mutating func handle(_ request: ZooKeeperLocalRequest, xid: Int32, sessionID: Int64) -> Answered {
        let zxid = tree.lastZxid
        func answer(_ body: ZooKeeperResponseBody) -> Answered {
            Answered(reply: ZooKeeperReply(header: ZooKeeperReplyHeader(xid: xid, zxid: zxid, err: .ok), body: body), notifications: [])
        }
        func fail(_ code: ZooKeeperErrorCode) -> Answered {
            Answered(reply: .failure(xid: xid, zxid: zxid, code), notifications: [])
        }
        guard tree.session(sessionID) != nil else { return fail(.sessionExpired) }
        switch request {
        case let .exists(path, watch):
            guard !path.utf8.contains(0) else { return fail(.badArguments) }
            // statNode registers the watch before looking, so exists can wait for a creation.
            if watch, !watches.addStandard(.data, path: path, sessionID: sessionID) { return fail(.quotaExceeded) }
            guard let stat = tree.stat(at: path) else { return fail(.noNode) }
            return answer(.stat(stat))
        case let .getData(path, watch):
            guard let node = tree.node(at: path) else { return fail(.noNode) }
            if watch, !watches.addStandard(.data, path: path, sessionID: sessionID) { return fail(.quotaExceeded) }
            return answer(.data(node.data, stat: node.stat))
        case let .getChildren(path, watch), let .getChildren2(path, watch):
            guard let node = tree.node(at: path), let children = tree.sortedChildren(of: path) else { return fail(.noNode) }
            if watch, !watches.addStandard(.child, path: path, sessionID: sessionID) { return fail(.quotaExceeded) }
            if case .getChildren = request { return answer(.children(children)) }
            return answer(.children2(children, stat: node.stat))
        case let .getACL(path):
            guard let stat = tree.stat(at: path) else { return fail(.noNode) }
            return answer(.acl(ZooKeeperACL.openUnsafe, stat: stat))
        case let .sync(path):
            return answer(.sync(path: path))
        case .ping, .auth:
            return answer(.empty)
        case let .setWatches(request):
            let (registered, notifications) = setWatches(request, sessionID: sessionID)
            var answered = registered ? answer(.empty) : fail(.quotaExceeded)
            answered.notifications = notifications
            return answered
        case let .addWatch(path, mode):
            guard mode == 0 || mode == 1 else { return fail(.badArguments) }
            guard watches.addPersistent(path: path, recursive: mode == 1, sessionID: sessionID) else {
                return fail(.quotaExceeded)
            }
            return answer(.empty)
        case let .getEphemerals(prefixPath):
            let all = tree.ephemeralPaths(of: sessionID)
            // FinalRequestProcessor: a blank prefix or "/" (surrounding spaces ignored) means all.
            let trimmed = Self.trimmingWhitespace(prefixPath)
            return answer(.ephemerals(trimmed.isEmpty || trimmed == "/" ? all : all.filter { $0.hasPrefix(prefixPath) }))
        case let .getAllChildrenNumber(path):
            guard let count = tree.descendantCount(of: path) else { return fail(.noNode) }
            return answer(.allChildrenNumber(Int32(clamping: count)))
        }
    }

    // DataTree.setWatches: a data watch on a deleted node fires NodeDeleted, on a node changed
    // since relativeZxid NodeDataChanged; an exists watch on a node that now exists fires
    // NodeCreated; a child watch fires NodeDeleted or, if the children changed since,
    // NodeChildrenChanged. Anything unchanged is registered. Persistent watches just register.
    private mutating func setWatches(
        _ request: ZooKeeperSetWatches, sessionID: Int64
    ) -> (registered: Bool, [ZooKeeperWatchNotification]) {
        var notifications: [ZooKeeperWatchNotification] = []
        var registered = true
        func fire(_ type: ZooKeeperWatchEventType, _ path: String) {
            notifications.append(ZooKeeperWatchNotification(
                sessionID: sessionID, event: ZooKeeperWatcherEvent(type: type, path: path), zxid: -1))
        }
        for path in request.dataWatches {
            guard let node = tree.node(at: path) else { fire(.nodeDeleted, path); continue }
            if node.mzxid > request.relativeZxid { fire(.nodeDataChanged, path); continue }
            registered = watches.addStandard(.data, path: path, sessionID: sessionID) && registered
        }
        for path in request.existWatches {
            if tree.node(at: path) != nil { fire(.nodeCreated, path); continue }
            registered = watches.addStandard(.data, path: path, sessionID: sessionID) && registered
        }
        for path in request.childWatches {
            guard let node = tree.node(at: path) else { fire(.nodeDeleted, path); continue }
            if node.pzxid > request.relativeZxid { fire(.nodeChildrenChanged, path); continue }
            registered = watches.addStandard(.child, path: path, sessionID: sessionID) && registered
        }
        for path in request.persistentWatches {
            registered = watches.addPersistent(path: path, recursive: false, sessionID: sessionID) && registered
        }
        for path in request.persistentRecursiveWatches {
            registered = watches.addPersistent(path: path, recursive: true, sessionID: sessionID) && registered
        }
        return (registered, notifications)
    }

    private static func trimmingWhitespace(_ string: String) -> Substring {
        let start = string.firstIndex { !$0.isWhitespace } ?? string.endIndex
        let end = string.lastIndex { !$0.isWhitespace }.map { string.index(after: $0) } ?? start
        return string[start..<end]
    }
}
