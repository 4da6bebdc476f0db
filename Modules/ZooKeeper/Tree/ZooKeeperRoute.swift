/// A request that one server answers from its own copy of the tree, with no log entry.
///
/// Whether a read must first wait for a read barrier (Raft read-index) is the server's decision:
/// ZooKeeper itself serves reads from the local replica and offers `sync` for clients that need
/// to catch up.
public enum ZooKeeperLocalRequest: Equatable, Sendable {
    /// exists: the stat, or noNode; the watch is set even when the node is missing.
    case exists(path: String, watch: Bool)
    /// getData: data and stat.
    case getData(path: String, watch: Bool)
    /// getChildren: sorted child names.
    case getChildren(path: String, watch: Bool)
    /// getChildren2: sorted child names and the stat.
    case getChildren2(path: String, watch: Bool)
    /// getACL: always `world:anyone` with all permissions, and the stat.
    case getACL(path: String)
    /// sync: echoes the path once the server has caught up.
    case sync(path: String)
    /// ping: the server's last zxid.
    case ping
    /// setWatches or setWatches2.
    case setWatches(ZooKeeperSetWatches)
    /// addWatch.
    case addWatch(path: String, mode: Int32)
    /// getEphemerals.
    case getEphemerals(prefixPath: String)
    /// getAllChildrenNumber.
    case getAllChildrenNumber(path: String)
    /// auth: accepted and ignored, since ACLs are not enforced.
    case auth(ZooKeeperAuthPacket)
}

/// Where a decoded request goes.
public enum ZooKeeperRoute: Equatable, Sendable {
    /// Answer it locally with `ZooKeeperDatabase.handle(_:xid:sessionID:)`.
    case local(ZooKeeperLocalRequest)
    /// Propose the transaction; answer with `ZooKeeperApplyResult.reply(xid:)` once applied.
    case propose(ZooKeeperTransaction)
    /// Answer at once with this error and no body.
    case reject(ZooKeeperErrorCode)
}

extension ZooKeeperRequest {
    /// The leader's "prepare" step, a pure function: which requests are local, and for writes
    /// the transaction to propose, stamped with the session and the leader's wall-clock `time`.
    ///
    /// Single writes that fail the tree-independent checks (flags, TTL, path syntax, ACL, data
    /// size) are rejected here, so the log is not spent on them; the reply is the one applying
    /// them would give. Everything that depends on the tree is decided when the transaction is
    /// applied. A multi is always proposed, because its errors travel as per-op results.
    public func route(sessionID: Int64, time: Int64) -> ZooKeeperRoute {
        func propose(_ kind: ZooKeeperTransaction.Kind) -> ZooKeeperRoute {
            .propose(ZooKeeperTransaction(time: time, sessionID: sessionID, kind: kind))
        }
        switch self {
        case let .create(request):
            let create = ZooKeeperCreate(request)
            if case let .failure(error) = create.resolve(sessionID: sessionID) { return .reject(error.code) }
            return propose(.write(.create(create)))
        case let .delete(path, version):
            return propose(.write(.delete(path: path, version: version)))
        case let .setData(path, data, version):
            guard ZooKeeperPath.isValid(path), data.count <= ZooKeeperLimits.dataBytesMax else { return .reject(.badArguments) }
            return propose(.write(.setData(path: path, data: data, version: version)))
        case let .setACL(path, acl, version):
            guard ZooKeeperPath.isValid(path) else { return .reject(.badArguments) }
            guard ZooKeeperACL.isValidList(acl) else { return .reject(.invalidACL) }
            return propose(.write(.setACL(path: path, acl: acl, version: version)))
        case let .check(path, version):
            return propose(.write(.check(path: path, version: version)))
        case let .multi(operations):
            return propose(.multi(operations.map(\.write)))
        case .closeSession:
            return propose(.closeSession)
        case let .exists(path, watch):
            return .local(.exists(path: path, watch: watch))
        case let .getData(path, watch):
            return .local(.getData(path: path, watch: watch))
        case let .getChildren(path, watch):
            return .local(.getChildren(path: path, watch: watch))
        case let .getChildren2(path, watch):
            return .local(.getChildren2(path: path, watch: watch))
        case let .getACL(path):
            return .local(.getACL(path: path))
        case let .sync(path):
            return .local(.sync(path: path))
        case .ping:
            return .local(.ping)
        case let .setWatches(watches), let .setWatches2(watches):
            return .local(.setWatches(watches))
        case let .addWatch(path, mode):
            return .local(.addWatch(path: path, mode: mode))
        case let .getEphemerals(prefixPath):
            return .local(.getEphemerals(prefixPath: prefixPath))
        case let .getAllChildrenNumber(path):
            return .local(.getAllChildrenNumber(path: path))
        case let .auth(packet):
            return .local(.auth(packet))
        case .unknown:
            return .reject(.unimplemented)
        }
    }
}

extension ZooKeeperMultiOperation {
    /// The write this multi op asks for.
    public var write: ZooKeeperWrite {
        switch self {
        case let .create(request): .create(ZooKeeperCreate(request))
        case let .delete(path, version): .delete(path: path, version: version)
        case let .setData(path, data, version): .setData(path: path, data: data, version: version)
        case let .check(path, version): .check(path: path, version: version)
        }
    }
}

extension ZooKeeperApplyResult {
    /// The reply for the client that sent the transaction's request. A failed multi still has
    /// header `ok`; its errors are per-op results, as ZooKeeper's FinalRequestProcessor sends.
    ///
    /// Nil for createSession, which is answered with a ConnectResponse instead:
    /// `ZooKeeperConnectResponse(for:replyingTo:)` when the session was created, and
    /// `ZooKeeperConnectResponse.expired(replyingTo:)` (then close) when it was refused.
    public func reply(xid: Int32) -> ZooKeeperReply? {
        let header = ZooKeeperReplyHeader(xid: xid, zxid: zxid, err: .ok)
        switch outcome {
        case .sessionCreated, .sessionRefused:
            return nil
        case .sessionClosed:
            return ZooKeeperReply(header: header, body: .empty)
        case let .write(.failure(error)):
            return .failure(xid: xid, zxid: zxid, error.code)
        case let .write(.success(result)):
            return ZooKeeperReply(header: header, body: Self.body(for: result))
        case let .multi(results):
            return ZooKeeperReply(header: header, body: .multi(results))
        }
    }

    private static func body(for result: ZooKeeperWriteResult) -> ZooKeeperResponseBody {
        switch result {
        case let .created(path, stat, opCode): opCode == .create ? .create(path: path) : .create2(path: path, stat: stat)
        case .deleted: .empty
        case let .dataSet(stat), let .aclSet(stat), let .checked(stat): .stat(stat)
        }
    }
}
