/// One committed change to the tree: what the leader proposes through Raft and every replica
/// applies in log order.
///
/// A transaction carries the client's intent plus everything the leader decided (the session,
/// the wall-clock `time`), never anything a replica would have to look up or invent. Validation
/// against the tree (does the parent exist, does the version match, what sequence number comes
/// next) happens when the transaction is applied, so it sees exactly the committed state and
/// every replica reaches the same verdict. Failed writes still consume their zxid, as they do in
/// ZooKeeper, where a failed request is logged as an error transaction.
public struct ZooKeeperTransaction: Equatable, Sendable {
    /// The leader's wall clock in milliseconds when it proposed this; becomes ctime and mtime.
    public var time: Int64
    /// The session on whose behalf the change is made (0 for leader housekeeping).
    public var sessionID: Int64
    /// What changes.
    public var kind: Kind

    /// The kinds of change.
    public enum Kind: Equatable, Sendable {
        /// Opens a session with the leader's chosen id, negotiated timeout and password.
        case createSession(timeout: Int32, password: [UInt8])
        /// Ends a session, by client request or leader-decided expiry, deleting its ephemerals.
        case closeSession
        /// One write.
        case write(ZooKeeperWrite)
        /// Several writes that all apply or none does.
        case multi([ZooKeeperWrite])
        /// Leader housekeeping: deletes an empty container or an expired TTL node, if it still
        /// qualifies when applied.
        case deleteContainer(path: String)
    }

    /// Creates a transaction.
    public init(time: Int64, sessionID: Int64, kind: Kind) {
        self.time = time
        self.sessionID = sessionID
        self.kind = kind
    }
}

/// A single write, as a client asked for it.
public enum ZooKeeperWrite: Equatable, Sendable {
    /// Creates a node.
    case create(ZooKeeperCreate)
    /// Deletes a node if `version` matches (-1 matches any).
    case delete(path: String, version: Int32)
    /// Replaces data if `version` matches (-1 matches any).
    case setData(path: String, data: [UInt8], version: Int32)
    /// Bumps the ACL version if `version` matches (-1 matches any). The ACL is validated and
    /// then dropped: Tern does not enforce ACLs and answers every getACL with `world:anyone`.
    case setACL(path: String, acl: [ZooKeeperACL], version: Int32)
    /// Fails unless the node exists and `version` matches (-1 matches any).
    case check(path: String, version: Int32)
}

/// A create as requested: the tree decides the final (possibly sequential) name when applying.
public struct ZooKeeperCreate: Equatable, Sendable {
    /// The create opcode, which decides the reply's shape and, for createContainer, the kind.
    public var opCode: ZooKeeperOpCode
    /// The requested path, or the prefix of a sequential name.
    public var path: String
    /// Initial data.
    public var data: [UInt8]
    /// The requested ACL, carried so the apply step can validate it like everything else; it is
    /// not stored.
    public var acl: [ZooKeeperACL]
    /// The `CreateMode` flags.
    public var flags: Int32
    /// TTL in milliseconds for createTTL, else -1.
    public var ttl: Int64

    /// Creates a create.
    public init(
        opCode: ZooKeeperOpCode = .create, path: String, data: [UInt8] = [],
        acl: [ZooKeeperACL] = ZooKeeperACL.openUnsafe, flags: Int32 = 0, ttl: Int64 = -1
    ) {
        self.opCode = opCode
        self.path = path
        self.data = data
        self.acl = acl
        self.flags = flags
        self.ttl = ttl
    }
}

/// What one write did.
public enum ZooKeeperWriteResult: Equatable, Sendable {
    /// A node was created at `path` (the final name) with `stat`.
    case created(path: String, stat: ZooKeeperStat, opCode: ZooKeeperOpCode)
    /// A node was deleted.
    case deleted
    /// Data was replaced; the node's new stat.
    case dataSet(ZooKeeperStat)
    /// The ACL version was bumped; the node's new stat.
    case aclSet(ZooKeeperStat)
    /// The version check passed; the node's stat.
    case checked(ZooKeeperStat)
}

/// A change to a watched path caused by a transaction, before it is matched against watches.
public struct ZooKeeperWatchTrigger: Equatable, Sendable {
    /// The path the event concerns.
    public var path: String
    /// What happened to it.
    public var type: ZooKeeperWatchEventType

    /// Creates a trigger.
    public init(path: String, type: ZooKeeperWatchEventType) {
        self.path = path
        self.type = type
    }
}

/// Everything applying one transaction produced.
public struct ZooKeeperApplyResult: Equatable, Sendable {
    /// The zxid the transaction was applied at.
    public var zxid: Int64
    /// The session the transaction belongs to.
    public var sessionID: Int64
    /// What happened.
    public var outcome: Outcome
    /// Watch triggers in the order the changes happened; empty when nothing changed.
    public var triggers: [ZooKeeperWatchTrigger]

    /// The outcome of each kind of transaction.
    public enum Outcome: Equatable, Sendable {
        /// The session now exists.
        case sessionCreated(ZooKeeperSession)
        /// The session could not be created (its id is taken or unusable).
        case sessionRefused(ZooKeeperErrorCode)
        /// The session is gone (also when it was already gone).
        case sessionClosed
        /// A single write, or a deleteContainer, succeeded or failed.
        case write(Result<ZooKeeperWriteResult, ZooKeeperWriteError>)
        /// A multi's per-op results: all successes, or errors for every op.
        case multi([ZooKeeperMultiResult])
    }
}

/// A write's failure code, wrapped so it can be a `Result` failure.
public struct ZooKeeperWriteError: Error, Equatable, Sendable {
    /// The ZooKeeper code a client sees.
    public var code: ZooKeeperErrorCode

    /// Wraps a code.
    public init(_ code: ZooKeeperErrorCode) {
        self.code = code
    }
}

/// A live session as the replicated state knows it. Expiry is not here: the leader tracks
/// liveness and proposes closeSession when a session times out.
public struct ZooKeeperSession: Equatable, Sendable {
    /// The session id.
    public var id: Int64
    /// Negotiated timeout in milliseconds.
    public var timeout: Int32
    /// The password a client must present to resume the session.
    public var password: [UInt8]

    /// Creates a session record.
    public init(id: Int64, timeout: Int32, password: [UInt8]) {
        self.id = id
        self.timeout = timeout
        self.password = password
    }
}

extension ZooKeeperCreate {
    /// The create a client request asks for.
    public init(_ request: ZooKeeperCreateRequest) {
        self.init(
            opCode: request.opCode, path: request.path, data: request.data, acl: request.acl,
            flags: request.flags, ttl: request.ttl)
    }
}

extension ZooKeeperACL {
    /// Whether `acl` is one ZooKeeper's `fixupACL` would accept: not empty, and every entry
    /// names a scheme ZooKeeper ships (`world` only with `anyone`, `digest` as `user:hash`).
    /// `auth` is accepted without checking the connection's credentials, since Tern does not
    /// track them.
    public static func isValidList(_ acl: [ZooKeeperACL]) -> Bool {
        !acl.isEmpty && acl.allSatisfy { entry in
            switch entry.id.scheme {
            case "world": entry.id.id == "anyone"
            case "digest": entry.id.id.contains(":")
            case "ip", "sasl", "x509": !entry.id.id.isEmpty
            case "auth": true
            default: false
            }
        }
    }
}
