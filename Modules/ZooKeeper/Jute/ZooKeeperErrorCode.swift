/// ZooKeeper's result codes (`KeeperException.Code`), as they travel in `ReplyHeader.err` and in
/// multi results.
///
/// A struct rather than an enum so that a code this table lacks, read from a newer peer, still
/// round-trips. Values checked against `KeeperException.java` in apache/zookeeper (3.9).
public struct ZooKeeperErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it appears on the wire.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Everything is fine.
    public static let ok = Self(rawValue: 0)
    /// Marks the start of the system-error range; servers do not send it.
    public static let systemError = Self(rawValue: -1)
    /// A multi op after the one that failed, which was therefore not attempted.
    public static let runtimeInconsistency = Self(rawValue: -2)
    /// A data inconsistency was found.
    public static let dataInconsistency = Self(rawValue: -3)
    /// The connection to the server was lost.
    public static let connectionLoss = Self(rawValue: -4)
    /// A request could not be decoded.
    public static let marshallingError = Self(rawValue: -5)
    /// The operation is not implemented.
    public static let unimplemented = Self(rawValue: -6)
    /// The operation timed out.
    public static let operationTimeout = Self(rawValue: -7)
    /// An argument is malformed (a bad path, bad flags, oversized data).
    public static let badArguments = Self(rawValue: -8)
    /// The session is unknown (internal server use).
    public static let unknownSession = Self(rawValue: -12)
    /// No quorum of the new configuration is connected.
    public static let newConfigNoQuorum = Self(rawValue: -13)
    /// Another reconfiguration is in progress.
    public static let reconfigInProgress = Self(rawValue: -14)
    /// Marks the start of the API-error range; servers do not send it.
    public static let apiError = Self(rawValue: -100)
    /// The node does not exist.
    public static let noNode = Self(rawValue: -101)
    /// The client is not authorized.
    public static let noAuth = Self(rawValue: -102)
    /// The expected version did not match.
    public static let badVersion = Self(rawValue: -103)
    /// Ephemeral nodes may not have children.
    public static let noChildrenForEphemerals = Self(rawValue: -108)
    /// The node already exists.
    public static let nodeExists = Self(rawValue: -110)
    /// The node has children.
    public static let notEmpty = Self(rawValue: -111)
    /// The session has expired.
    public static let sessionExpired = Self(rawValue: -112)
    /// An invalid callback was given.
    public static let invalidCallback = Self(rawValue: -113)
    /// The ACL is invalid (empty or malformed).
    public static let invalidACL = Self(rawValue: -114)
    /// Authentication failed.
    public static let authFailed = Self(rawValue: -115)
    /// The session moved to another server.
    public static let sessionMoved = Self(rawValue: -118)
    /// A write reached a read-only server.
    public static let notReadOnly = Self(rawValue: -119)
    /// An ephemeral node was requested on a local session.
    public static let ephemeralOnLocalSession = Self(rawValue: -120)
    /// A watcher to remove does not exist.
    public static let noWatcher = Self(rawValue: -121)
    /// The request did not complete in time.
    public static let requestTimeout = Self(rawValue: -122)
    /// Reconfiguration is disabled.
    public static let reconfigDisabled = Self(rawValue: -123)
    /// The server requires SASL authentication.
    public static let sessionClosedRequireSaslAuth = Self(rawValue: -124)
    /// A quota on the path was exceeded.
    public static let quotaExceeded = Self(rawValue: -125)
    /// The server is overloaded and did not execute the operation.
    public static let throttledOp = Self(rawValue: -127)

    /// Every code ZooKeeper defines, for tables and tests.
    public static let allKnown: [Self] = [
        .ok, .systemError, .runtimeInconsistency, .dataInconsistency, .connectionLoss,
        .marshallingError, .unimplemented, .operationTimeout, .badArguments, .unknownSession,
        .newConfigNoQuorum, .reconfigInProgress, .apiError, .noNode, .noAuth, .badVersion,
        .noChildrenForEphemerals, .nodeExists, .notEmpty, .sessionExpired, .invalidCallback,
        .invalidACL, .authFailed, .sessionMoved, .notReadOnly, .ephemeralOnLocalSession,
        .noWatcher, .requestTimeout, .reconfigDisabled, .sessionClosedRequireSaslAuth,
        .quotaExceeded, .throttledOp,
    ]

    public var description: String { "ZooKeeperErrorCode(\(rawValue))" }
}

/// ZooKeeper's operation codes (`ZooDefs.OpCode`), the `type` of a `RequestHeader` and of a
/// `MultiHeader`. A struct for the same reason as `ZooKeeperErrorCode`: unknown codes must be
/// representable so the server can answer them with `unimplemented`.
public struct ZooKeeperOpCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it appears on the wire.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Watch notifications (sent with xid -1, never as a request).
    public static let notification = Self(rawValue: 0)
    /// Create a node; the reply carries the path.
    public static let create = Self(rawValue: 1)
    /// Delete a node.
    public static let delete = Self(rawValue: 2)
    /// Stat a node, optionally watching for its creation, change or deletion.
    public static let exists = Self(rawValue: 3)
    /// Read a node's data and stat.
    public static let getData = Self(rawValue: 4)
    /// Replace a node's data.
    public static let setData = Self(rawValue: 5)
    /// Read a node's ACL.
    public static let getACL = Self(rawValue: 6)
    /// Replace a node's ACL.
    public static let setACL = Self(rawValue: 7)
    /// List a node's children.
    public static let getChildren = Self(rawValue: 8)
    /// Wait until this server has caught up with the leader.
    public static let sync = Self(rawValue: 9)
    /// Keep the session alive.
    public static let ping = Self(rawValue: 11)
    /// List a node's children and return its stat.
    public static let getChildren2 = Self(rawValue: 12)
    /// Check a node's version (inside a multi).
    public static let check = Self(rawValue: 13)
    /// Apply several writes atomically.
    public static let multi = Self(rawValue: 14)
    /// Create a node; the reply carries the path and the new stat.
    public static let create2 = Self(rawValue: 15)
    /// Change the ensemble's membership.
    public static let reconfig = Self(rawValue: 16)
    /// Ask whether a watch is registered.
    public static let checkWatches = Self(rawValue: 17)
    /// Remove registered watches.
    public static let removeWatches = Self(rawValue: 18)
    /// Create a container node.
    public static let createContainer = Self(rawValue: 19)
    /// Delete an empty container (leader-internal).
    public static let deleteContainer = Self(rawValue: 20)
    /// Create a node that expires after a time to live.
    public static let createTTL = Self(rawValue: 21)
    /// Apply several reads.
    public static let multiRead = Self(rawValue: 22)
    /// Add authentication credentials.
    public static let auth = Self(rawValue: 100)
    /// Re-register watches after a reconnect.
    public static let setWatches = Self(rawValue: 101)
    /// SASL authentication.
    public static let sasl = Self(rawValue: 102)
    /// List this session's ephemeral nodes.
    public static let getEphemerals = Self(rawValue: 103)
    /// Count all descendants of a node.
    public static let getAllChildrenNumber = Self(rawValue: 104)
    /// Re-register watches, including persistent ones, after a reconnect.
    public static let setWatches2 = Self(rawValue: 105)
    /// Add a persistent or persistent-recursive watch.
    public static let addWatch = Self(rawValue: 106)
    /// Open a session (internal; clients send a ConnectRequest instead).
    public static let createSession = Self(rawValue: -10)
    /// Close the session.
    public static let closeSession = Self(rawValue: -11)
    /// A failed operation inside a multi result.
    public static let error = Self(rawValue: -1)

    public var description: String { "ZooKeeperOpCode(\(rawValue))" }
}
