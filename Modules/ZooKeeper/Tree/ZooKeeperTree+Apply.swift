// Applying transactions: the entry point, sessions, multi atomicity and container deletion.
// The single writes live in ZooKeeperTree+Writes.swift.

/// State threaded through one `apply`: the transaction's clock and zxid, the triggers produced
/// so far, and, inside a multi, the undo log that lets a failed multi leave no trace.
struct ApplyContext {
    let zxid: Int64
    let time: Int64
    let sessionID: Int64
    var triggers: [ZooKeeperWatchTrigger] = []
    var undo: [UndoStep]?

    mutating func record(_ step: UndoStep) {
        undo?.append(step)
    }
}

/// One inverse change. Steps are fine-grained (a child name, a few stat fields) rather than
/// whole-node copies, so recording them never keeps a second reference to a large children set
/// alive and forces a copy of it when the tree mutates in place.
enum UndoStep {
    case removeNode(path: String)
    case restoreNode(path: String, ZNode)
    case removeChild(parent: String, name: String)
    case insertChild(parent: String, name: String)
    case restoreChildStat(path: String, cversion: Int32, pzxid: Int64)
    case restoreData(path: String, data: [UInt8], mzxid: Int64, mtime: Int64, version: Int32)
    case restoreAversion(path: String, aversion: Int32)
    case removeEphemeral(sessionID: Int64, path: String)
    case insertEphemeral(sessionID: Int64, path: String)
}

extension ZooKeeperTree {
    /// Applies one committed transaction at `zxid` and reports what happened.
    ///
    /// Zxids must rise strictly: the applier (the Raft driver) owns them, so a repeat or a step
    /// back is our bug, not bad input, and traps.
    public mutating func apply(_ transaction: ZooKeeperTransaction, zxid: Int64) -> ZooKeeperApplyResult {
        precondition(zxid > lastZxid, "zxid \(zxid) applied after \(lastZxid)")
        lastZxid = zxid
        var context = ApplyContext(zxid: zxid, time: transaction.time, sessionID: transaction.sessionID)
        let outcome: ZooKeeperApplyResult.Outcome
        switch transaction.kind {
        case let .createSession(timeout, password):
            outcome = createSession(id: transaction.sessionID, timeout: timeout, password: password)
        case .closeSession:
            closeSession(&context)
            outcome = .sessionClosed
        case let .write(write):
            outcome = .write(perform(write, &context))
        case let .multi(writes):
            outcome = .multi(performMulti(writes, &context))
        case let .deleteContainer(path):
            outcome = .write(deleteContainer(path, &context))
        }
        return ZooKeeperApplyResult(
            zxid: zxid, sessionID: transaction.sessionID, outcome: outcome, triggers: context.triggers)
    }

    private mutating func createSession(id: Int64, timeout: Int32, password: [UInt8]) -> ZooKeeperApplyResult.Outcome {
        // The leader picks ids; a clash can only come from two leaders' generators colliding,
        // and refusing here is deterministic, so every replica refuses alike.
        guard ZNodeKind.isValidSessionID(id), sessions[id] == nil else {
            return .sessionRefused(.runtimeInconsistency)
        }
        guard timeout > 0 else { return .sessionRefused(.badArguments) }
        let session = ZooKeeperSession(id: id, timeout: timeout, password: password)
        sessions[id] = session
        return .sessionCreated(session)
    }

    // ZooKeeper's killSession: every ephemeral of the session is deleted at this zxid, each
    // firing NodeDeleted and its parent's NodeChildrenChanged. Paths are sorted so the order
    // of those events is the same on every replica.
    private mutating func closeSession(_ context: inout ApplyContext) {
        sessions[context.sessionID] = nil
        let paths = (ephemerals.removeValue(forKey: context.sessionID) ?? []).sorted()
        for path in paths {
            guard let (parent, name) = ZooKeeperPath.split(path), let node = nodes[path] else { continue }
            removeNode(path, node, parent: parent, name: name, &context)
        }
    }

    private mutating func performMulti(_ writes: [ZooKeeperWrite], _ context: inout ApplyContext) -> [ZooKeeperMultiResult] {
        context.undo = []
        defer { context.undo = nil }
        let triggersBefore = context.triggers.count
        var results: [ZooKeeperMultiResult] = []
        for (index, write) in writes.enumerated() {
            switch perform(write, &context) {
            case let .success(result):
                results.append(Self.multiResult(result))
            case let .failure(error):
                rollBack(context.undo ?? [])
                context.triggers.removeSubrange(triggersBefore...)
                return Self.failedMultiResults(count: writes.count, failedAt: index, code: error.code)
            }
        }
        return results
    }

    // DataTree.processTxn for a failed multi: ops before the failure report ok, the failing op
    // its code, and the ops after it runtimeInconsistency, every one as an error result.
    static func failedMultiResults(count: Int, failedAt index: Int, code: ZooKeeperErrorCode) -> [ZooKeeperMultiResult] {
        (0..<count).map { position in
            if position < index { return .error(.ok) }
            return position == index ? .error(code) : .error(.runtimeInconsistency)
        }
    }

    // FinalRequestProcessor: create and create2 ops inside a multi answer with the path only
    // (type 1), container and TTL creates with path and stat (type 15).
    static func multiResult(_ result: ZooKeeperWriteResult) -> ZooKeeperMultiResult {
        switch result {
        case let .created(path, stat, opCode):
            opCode == .createContainer || opCode == .createTTL ? .create2(path: path, stat: stat) : .create(path: path)
        case .deleted:
            .delete
        case let .dataSet(stat), let .aclSet(stat):
            // setACL cannot appear in a multi (the wire format has no such op); it maps here
            // only so the switch is total.
            .setData(stat: stat)
        case .checked:
            .check
        }
    }

    private mutating func rollBack(_ steps: [UndoStep]) {
        for step in steps.reversed() {
            switch step {
            case let .removeNode(path):
                nodes[path] = nil
            case let .restoreNode(path, node):
                nodes[path] = node
            case let .removeChild(parent, name):
                nodes[parent]?.children.remove(name)
            case let .insertChild(parent, name):
                nodes[parent]?.children.insert(name)
            case let .restoreChildStat(path, cversion, pzxid):
                nodes[path]?.cversion = cversion
                nodes[path]?.pzxid = pzxid
            case let .restoreData(path, data, mzxid, mtime, version):
                nodes[path]?.data = data
                nodes[path]?.mzxid = mzxid
                nodes[path]?.mtime = mtime
                nodes[path]?.version = version
            case let .restoreAversion(path, aversion):
                nodes[path]?.aversion = aversion
            case let .removeEphemeral(sessionID, path):
                removeEphemeralIndex(sessionID: sessionID, path: path)
            case let .insertEphemeral(sessionID, path):
                ephemerals[sessionID, default: []].insert(path)
            }
        }
    }

    // The leader proposes this for sweep candidates, but the tree may have changed between the
    // sweep and the commit (a child created, a TTL node touched), so every condition is checked
    // again here against the committed state and the transaction's own time.
    private mutating func deleteContainer(
        _ path: String, _ context: inout ApplyContext
    ) -> Result<ZooKeeperWriteResult, ZooKeeperWriteError> {
        guard let (parent, name) = ZooKeeperPath.split(path), !Self.builtInPaths.contains(path) else {
            return .failure(ZooKeeperWriteError(.badArguments))
        }
        guard let node = nodes[path], nodes[parent] != nil else { return .failure(ZooKeeperWriteError(.noNode)) }
        guard node.children.isEmpty else { return .failure(ZooKeeperWriteError(.notEmpty)) }
        switch node.kind {
        case .container:
            break
        case let .ttl(milliseconds):
            guard context.time &- node.mtime > milliseconds else { return .failure(ZooKeeperWriteError(.badVersion)) }
        case .persistent, .ephemeral:
            // ZooKeeper answers badVersion when asked to delete a non-container this way.
            return .failure(ZooKeeperWriteError(.badVersion))
        }
        removeNode(path, node, parent: parent, name: name, &context)
        return .success(.deleted)
    }

    /// Removes a childless node, updating its parent and the ephemeral index, recording undo
    /// steps and triggers. ZooKeeper's `deleteNode` raises the parent's pzxid (only forwards)
    /// and leaves its cversion alone.
    mutating func removeNode(_ path: String, _ node: ZNode, parent: String, name: String, _ context: inout ApplyContext) {
        let parentPzxid = nodes[parent]?.pzxid ?? 0
        let parentCversion = nodes[parent]?.cversion ?? 0
        context.record(.restoreNode(path: path, node))
        context.record(.insertChild(parent: parent, name: name))
        context.record(.restoreChildStat(path: parent, cversion: parentCversion, pzxid: parentPzxid))
        nodes[path] = nil
        nodes[parent]?.children.remove(name)
        if context.zxid > parentPzxid { nodes[parent]?.pzxid = context.zxid }
        if case let .ephemeral(owner) = node.kind, ephemerals[owner]?.contains(path) == true {
            context.record(.insertEphemeral(sessionID: owner, path: path))
            removeEphemeralIndex(sessionID: owner, path: path)
        }
        context.triggers.append(ZooKeeperWatchTrigger(path: path, type: .nodeDeleted))
        context.triggers.append(ZooKeeperWatchTrigger(path: parent, type: .nodeChildrenChanged))
    }

    mutating func removeEphemeralIndex(sessionID: Int64, path: String) {
        ephemerals[sessionID]?.remove(path)
        if ephemerals[sessionID]?.isEmpty == true { ephemerals[sessionID] = nil }
    }
}
