// The single writes, each validated completely before anything changes, so a failed write
// leaves the tree untouched and, inside a multi, only earlier ops need undoing. The order of
// checks follows ZooKeeper's PrepRequestProcessor, so a request that is wrong in two ways fails
// with the same code it would get from ZooKeeper.

extension ZooKeeperTree {
    typealias WriteResult = Result<ZooKeeperWriteResult, ZooKeeperWriteError>

    mutating func perform(_ write: ZooKeeperWrite, _ context: inout ApplyContext) -> WriteResult {
        guard sessions[context.sessionID] != nil else { return .failure(ZooKeeperWriteError(.sessionExpired)) }
        switch write {
        case let .create(create):
            return self.create(create, &context)
        case let .delete(path, version):
            return delete(path, version: version, &context)
        case let .setData(path, data, version):
            return setData(path, data: data, version: version, &context)
        case let .setACL(path, acl, version):
            return setACL(path, acl: acl, version: version, &context)
        case let .check(path, version):
            guard ZooKeeperPath.isValid(path) else { return .failure(ZooKeeperWriteError(.badArguments)) }
            guard let node = nodes[path] else { return .failure(ZooKeeperWriteError(.noNode)) }
            guard Self.versionMatches(expected: version, current: node.version) else {
                return .failure(ZooKeeperWriteError(.badVersion))
            }
            return .success(.checked(node.stat))
        }
    }

    private mutating func create(_ create: ZooKeeperCreate, _ context: inout ApplyContext) -> WriteResult {
        let kind: ZNodeKind
        let mode: ZooKeeperCreateMode
        switch create.resolve(sessionID: context.sessionID) {
        case let .success(resolved): (mode, kind) = resolved
        case let .failure(error): return .failure(error)
        }
        let parentPath = Self.createParent(of: create.path)
        guard let parent = nodes[parentPath].map({ (cversion: $0.cversion, pzxid: $0.pzxid, kind: $0.kind) }) else {
            return .failure(ZooKeeperWriteError(.noNode))
        }
        let path = mode.isSequential ? create.path + ZooKeeperPath.sequenceSuffix(parent.cversion) : create.path
        guard ZooKeeperPath.isValid(path), let (_, name) = ZooKeeperPath.split(path) else {
            return .failure(ZooKeeperWriteError(.badArguments))
        }
        guard nodes[path] == nil else { return .failure(ZooKeeperWriteError(.nodeExists)) }
        if case .ephemeral = parent.kind { return .failure(ZooKeeperWriteError(.noChildrenForEphemerals)) }

        context.record(.removeNode(path: path))
        context.record(.removeChild(parent: parentPath, name: name))
        context.record(.restoreChildStat(path: parentPath, cversion: parent.cversion, pzxid: parent.pzxid))
        let node = ZNode(data: create.data, zxid: context.zxid, time: context.time, ephemeralOwner: kind.ephemeralOwner)
        nodes[path] = node
        nodes[parentPath]?.children.insert(name)
        // DataTree.createNode moves cversion and pzxid only forwards; at Int32.max the
        // incremented cversion wraps negative and, as in ZooKeeper, nothing moves.
        let cversion = parent.cversion &+ 1
        if cversion > parent.cversion {
            nodes[parentPath]?.cversion = cversion
            nodes[parentPath]?.pzxid = context.zxid
        }
        if case let .ephemeral(owner) = kind {
            context.record(.removeEphemeral(sessionID: owner, path: path))
            ephemerals[owner, default: []].insert(path)
        }
        context.triggers.append(ZooKeeperWatchTrigger(path: path, type: .nodeCreated))
        context.triggers.append(ZooKeeperWatchTrigger(path: parentPath, type: .nodeChildrenChanged))
        return .success(.created(path: path, stat: node.stat, opCode: create.opCode))
    }

    private mutating func delete(_ path: String, version: Int32, _ context: inout ApplyContext) -> WriteResult {
        // getParentPathAndValidate: no slash, a NUL, or a built-in node is a bad argument; any
        // other malformed path simply does not exist.
        guard let (parent, name) = ZooKeeperPath.split(path), !path.utf8.contains(0),
              !Self.builtInPaths.contains(path)
        else {
            return .failure(ZooKeeperWriteError(.badArguments))
        }
        guard nodes[parent] != nil, let node = nodes[path] else { return .failure(ZooKeeperWriteError(.noNode)) }
        guard Self.versionMatches(expected: version, current: node.version) else {
            return .failure(ZooKeeperWriteError(.badVersion))
        }
        guard node.children.isEmpty else { return .failure(ZooKeeperWriteError(.notEmpty)) }
        removeNode(path, node, parent: parent, name: name, &context)
        return .success(.deleted)
    }

    private mutating func setData(
        _ path: String, data: [UInt8], version: Int32, _ context: inout ApplyContext
    ) -> WriteResult {
        guard ZooKeeperPath.isValid(path), data.count <= ZooKeeperLimits.dataBytesMax else {
            return .failure(ZooKeeperWriteError(.badArguments))
        }
        guard let old = nodes[path].map({ (data: $0.data, mzxid: $0.mzxid, mtime: $0.mtime, version: $0.version) }) else {
            return .failure(ZooKeeperWriteError(.noNode))
        }
        guard Self.versionMatches(expected: version, current: old.version) else {
            return .failure(ZooKeeperWriteError(.badVersion))
        }
        context.record(.restoreData(path: path, data: old.data, mzxid: old.mzxid, mtime: old.mtime, version: old.version))
        nodes[path]?.data = data
        nodes[path]?.mzxid = context.zxid
        nodes[path]?.mtime = context.time
        nodes[path]?.version = Self.nextVersion(after: old.version)
        context.triggers.append(ZooKeeperWatchTrigger(path: path, type: .nodeDataChanged))
        return .success(.dataSet(nodes[path]?.stat ?? ZooKeeperStat()))
    }

    // DataTree.setACL fires no watches; only the ACL version moves.
    private mutating func setACL(
        _ path: String, acl: [ZooKeeperACL], version: Int32, _ context: inout ApplyContext
    ) -> WriteResult {
        guard ZooKeeperPath.isValid(path) else { return .failure(ZooKeeperWriteError(.badArguments)) }
        guard ZooKeeperACL.isValidList(acl) else { return .failure(ZooKeeperWriteError(.invalidACL)) }
        guard let aversion = nodes[path]?.aversion else { return .failure(ZooKeeperWriteError(.noNode)) }
        guard Self.versionMatches(expected: version, current: aversion) else {
            return .failure(ZooKeeperWriteError(.badVersion))
        }
        context.record(.restoreAversion(path: path, aversion: aversion))
        nodes[path]?.aversion = Self.nextVersion(after: aversion)
        return .success(.aclSet(nodes[path]?.stat ?? ZooKeeperStat()))
    }

    /// -1 matches any version, as in ZooKeeper.
    public static func versionMatches(expected: Int32, current: Int32) -> Bool {
        expected == -1 || expected == current
    }

    /// `checkAndIncVersion`: versions wrap, but skip -1 so a client can always name the current
    /// version (ZOOKEEPER-4743).
    public static func nextVersion(after version: Int32) -> Int32 {
        let next = version &+ 1
        return next == -1 ? 0 : next
    }

    /// The parent a create works under, taken from the requested path before any sequence
    /// suffix, as `validatePathForCreate` does: so `/` with a sequential flag creates
    /// `/0000000001`, and `/queue/` creates `/queue/0000000001`.
    static func createParent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return ZooKeeperPath.root }
        return String(path[..<slash])
    }
}

extension ZooKeeperCreate {
    /// The checks that need no tree: flags, TTL, path syntax, ACL, data size. The leader runs them
    /// before proposing, to spare the log a write that must fail; the tree runs them again when
    /// applying, since it trusts nothing about how a transaction was made.
    public func resolve(sessionID: Int64) -> Result<(ZooKeeperCreateMode, ZNodeKind), ZooKeeperWriteError> {
        guard let mode = ZooKeeperCreateMode(flags: flags) else { return .failure(ZooKeeperWriteError(.badArguments)) }
        guard let kind = kind(mode: mode, sessionID: sessionID) else { return .failure(ZooKeeperWriteError(.badArguments)) }
        let pathIsValid = mode.isSequential ? ZooKeeperPath.isValidSequentialPrefix(path) : ZooKeeperPath.isValid(path)
        guard pathIsValid, data.count <= ZooKeeperLimits.dataBytesMax else {
            return .failure(ZooKeeperWriteError(.badArguments))
        }
        // PrepRequestProcessor fixes up the ACL after the path's basic checks and before it
        // looks at the parent.
        guard ZooKeeperACL.isValidList(acl) else { return .failure(ZooKeeperWriteError(.invalidACL)) }
        // Creating "/" itself is answered as ZooKeeper does: the root exists.
        if path == ZooKeeperPath.root, !mode.isSequential { return .failure(ZooKeeperWriteError(.nodeExists)) }
        return .success((mode, kind))
    }

    // EphemeralType.validateTTL plus the opcode: a TTL mode needs createTTL and a TTL in
    // 1...2^40-1, and a TTL on any other mode is refused. createContainer (or the container
    // flag) makes a container whatever else the flags say, but never an ephemeral one.
    private func kind(mode: ZooKeeperCreateMode, sessionID: Int64) -> ZNodeKind? {
        if opCode == .createTTL || mode.isTTL {
            guard opCode == .createTTL, mode.isTTL, (1...ZNodeKind.ttlMax).contains(ttl) else { return nil }
            return .ttl(milliseconds: ttl)
        }
        guard ttl < 0 else { return nil }
        if opCode == .createContainer || mode.isContainer {
            return mode.isEphemeral ? nil : .container
        }
        return mode.isEphemeral ? .ephemeral(sessionID: sessionID) : .persistent
    }
}
