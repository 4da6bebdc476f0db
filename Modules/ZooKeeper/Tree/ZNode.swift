/// One znode: its data, the persisted stat fields, and its children's names.
///
/// `dataLength` and `numChildren` are not stored; they are derived, so they can never drift
/// from the data and children they describe.
public struct ZNode: Equatable, Sendable {
    /// The node's data.
    public internal(set) var data: [UInt8]
    /// Zxid of the creating transaction.
    public internal(set) var czxid: Int64
    /// Zxid of the last data change.
    public internal(set) var mzxid: Int64
    /// Creation time from the creating transaction.
    public internal(set) var ctime: Int64
    /// Time of the last data change, from that transaction.
    public internal(set) var mtime: Int64
    /// Data version.
    public internal(set) var version: Int32
    /// Child version: bumped by every child creation (not by deletions, as in ZooKeeper).
    public internal(set) var cversion: Int32
    /// ACL version.
    public internal(set) var aversion: Int32
    /// Session id for ephemeral nodes; markers for container and TTL nodes; else 0.
    public internal(set) var ephemeralOwner: Int64
    /// Zxid of the last change to the children.
    public internal(set) var pzxid: Int64
    /// The children's names (unordered; readers sort).
    public internal(set) var children: Set<String>

    /// A new node as ZooKeeper's `DataTree.createStat` makes it: every zxid field is the
    /// creating zxid and both times are the transaction's.
    init(data: [UInt8], zxid: Int64, time: Int64, ephemeralOwner: Int64) {
        self.data = data
        czxid = zxid
        mzxid = zxid
        ctime = time
        mtime = time
        version = 0
        cversion = 0
        aversion = 0
        self.ephemeralOwner = ephemeralOwner
        pzxid = zxid
        children = []
    }

    /// The built-in nodes (`/`, `/zookeeper`, `/zookeeper/quota`) have an all-zero stat.
    static func builtIn(children: Set<String>) -> ZNode {
        var node = ZNode(data: [], zxid: 0, time: 0, ephemeralOwner: 0)
        node.children = children
        return node
    }

    /// The stat a client sees.
    public var stat: ZooKeeperStat {
        ZooKeeperStat(
            czxid: czxid, mzxid: mzxid, ctime: ctime, mtime: mtime, version: version, cversion: cversion,
            aversion: aversion, ephemeralOwner: ephemeralOwner, dataLength: Int32(clamping: data.count),
            numChildren: Int32(clamping: children.count), pzxid: pzxid)
    }

    /// What the `ephemeralOwner` field says the node is.
    public var kind: ZNodeKind { ZNodeKind(ephemeralOwner: ephemeralOwner) }
}

/// How a node's lifetime is governed, decoded from `ephemeralOwner` the way ZooKeeper's
/// `EphemeralType` does with extended types enabled: `Long.MIN_VALUE` marks a container, a high
/// byte of 0xFF with zero feature bits marks a TTL node with the TTL in the low 40 bits, any other
/// non-zero value is the owning session.
public enum ZNodeKind: Equatable, Sendable {
    /// Lives until deleted.
    case persistent
    /// Deleted when the owning session ends.
    case ephemeral(sessionID: Int64)
    /// Deleted by the leader once it has had children and has none left.
    case container
    /// Deleted by the leader once it is childless and unmodified for `ttl` milliseconds.
    case ttl(milliseconds: Int64)

    /// The `ephemeralOwner` marker of a container.
    public static let containerOwner = Int64.min
    /// Largest TTL a node may have (`EphemeralType.TTL.maxValue()`): 40 bits of milliseconds.
    public static let ttlMax: Int64 = (1 << 40) - 1

    private static let extendedMask = Int64(bitPattern: 0xFF00_0000_0000_0000)
    private static let featureMask = Int64(0x00FF_FF00_0000_0000)

    /// Decodes an `ephemeralOwner` value.
    public init(ephemeralOwner: Int64) {
        if ephemeralOwner == 0 {
            self = .persistent
        } else if ephemeralOwner == Self.containerOwner {
            self = .container
        } else if ephemeralOwner & Self.extendedMask == Self.extendedMask, ephemeralOwner & Self.featureMask == 0 {
            self = .ttl(milliseconds: ephemeralOwner & Self.ttlMax)
        } else {
            self = .ephemeral(sessionID: ephemeralOwner)
        }
    }

    /// The `ephemeralOwner` value for this kind.
    public var ephemeralOwner: Int64 {
        switch self {
        case .persistent: 0
        case let .ephemeral(sessionID): sessionID
        case .container: Self.containerOwner
        case let .ttl(milliseconds): Self.extendedMask | (milliseconds & Self.ttlMax)
        }
    }

    /// Whether `id` can be a session id without being mistaken for another kind: not 0, not the
    /// container marker, and not in the extended (0xFF high byte) range, which ZooKeeper keeps
    /// free by limiting server ids to 254.
    public static func isValidSessionID(_ id: Int64) -> Bool {
        id != 0 && id != containerOwner && id & extendedMask != extendedMask
    }
}

/// ZooKeeper's `CreateMode`, decoded from a create request's flags.
public struct ZooKeeperCreateMode: Equatable, Sendable {
    /// The node is deleted with its session.
    public var isEphemeral: Bool
    /// The name gets the parent's cversion as a ten-digit suffix.
    public var isSequential: Bool
    /// The node is a container.
    public var isContainer: Bool
    /// The node has a time to live.
    public var isTTL: Bool

    /// Decodes `flags` (0 to 6), or nil for any other value, which ZooKeeper answers with
    /// `badArguments`.
    public init?(flags: Int32) {
        switch flags {
        case 0: self.init(false, false, false, false)
        case 1: self.init(true, false, false, false)
        case 2: self.init(false, true, false, false)
        case 3: self.init(true, true, false, false)
        case 4: self.init(false, false, true, false)
        case 5: self.init(false, false, false, true)
        case 6: self.init(false, true, false, true)
        default: return nil
        }
    }

    private init(_ isEphemeral: Bool, _ isSequential: Bool, _ isContainer: Bool, _ isTTL: Bool) {
        self.isEphemeral = isEphemeral
        self.isSequential = isSequential
        self.isContainer = isContainer
        self.isTTL = isTTL
    }
}
