public import NIOCore

// The fixed records of `zookeeper.jute`: identities and ACLs, the node stat, the request, reply
// and multi headers, and watch events. Field order is the schema's; every field is big-endian.

/// `org.apache.zookeeper.data.Id`: an authentication scheme and the identity within it.
public struct ZooKeeperID: JuteRecord {
    /// The scheme, such as `world`, `digest` or `ip`.
    public var scheme: String
    /// The identity within the scheme, such as `anyone`.
    public var id: String

    /// Creates an identity.
    public init(scheme: String, id: String) {
        self.scheme = scheme
        self.id = id
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        scheme = try buffer.readJuteUString() ?? ""
        id = try buffer.readJuteUString() ?? ""
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteUString(scheme)
        buffer.writeJuteUString(id)
    }
}

/// `org.apache.zookeeper.data.ACL`: permissions granted to an identity.
public struct ZooKeeperACL: JuteRecord {
    /// Bit set of READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16.
    public var perms: Int32
    /// Who is granted the permissions.
    public var id: ZooKeeperID

    /// All permissions (`Perms.ALL`).
    public static let permsAll: Int32 = 31
    /// `OPEN_ACL_UNSAFE`: everything for `world:anyone`. Tern answers every getACL with this,
    /// since it does not enforce ACLs.
    public static let openUnsafe = [ZooKeeperACL(perms: permsAll, id: ZooKeeperID(scheme: "world", id: "anyone"))]

    /// Creates an ACL entry.
    public init(perms: Int32, id: ZooKeeperID) {
        self.perms = perms
        self.id = id
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        perms = try buffer.readJuteInt32()
        id = try ZooKeeperID(jute: &buffer)
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(perms)
        id.writeJute(to: &buffer)
    }

    /// Smallest encoding of one entry: perms plus two null strings.
    static let minimumBytes = 12
}

extension ByteBuffer {
    /// Reads a `vector<ACL>`, treating null as empty.
    public mutating func readJuteACLs() throws(JuteDecodeError) -> [ZooKeeperACL] {
        try readJuteVector(minElementBytes: ZooKeeperACL.minimumBytes) {
            (buffer: inout ByteBuffer) throws(JuteDecodeError) -> ZooKeeperACL in
            try ZooKeeperACL(jute: &buffer)
        } ?? []
    }

    /// Appends a `vector<ACL>`.
    public mutating func writeJuteACLs(_ acl: [ZooKeeperACL]) {
        writeJuteVector(acl) { $1.writeJute(to: &$0) }
    }
}

/// `org.apache.zookeeper.data.Stat`: everything a client learns about a node besides its data.
public struct ZooKeeperStat: JuteRecord {
    /// Zxid of the transaction that created the node.
    public var czxid: Int64
    /// Zxid of the transaction that last changed the node's data.
    public var mzxid: Int64
    /// Creation time, milliseconds since the epoch, from the creating transaction.
    public var ctime: Int64
    /// Last data change time, from the transaction.
    public var mtime: Int64
    /// Number of data changes.
    public var version: Int32
    /// Number of child creations (ZooKeeper does not count deletions here).
    public var cversion: Int32
    /// Number of ACL changes.
    public var aversion: Int32
    /// Owning session for an ephemeral node, a marker for container and TTL nodes, else 0.
    public var ephemeralOwner: Int64
    /// Length of the data in bytes.
    public var dataLength: Int32
    /// Number of children.
    public var numChildren: Int32
    /// Zxid of the last change to the set of children.
    public var pzxid: Int64

    /// Encoded size: six longs and five ints.
    public static let byteCount = 6 * 8 + 5 * 4

    /// Creates a stat.
    public init(
        czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0, version: Int32 = 0,
        cversion: Int32 = 0, aversion: Int32 = 0, ephemeralOwner: Int64 = 0, dataLength: Int32 = 0,
        numChildren: Int32 = 0, pzxid: Int64 = 0
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.dataLength = dataLength
        self.numChildren = numChildren
        self.pzxid = pzxid
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        czxid = try buffer.readJuteInt64()
        mzxid = try buffer.readJuteInt64()
        ctime = try buffer.readJuteInt64()
        mtime = try buffer.readJuteInt64()
        version = try buffer.readJuteInt32()
        cversion = try buffer.readJuteInt32()
        aversion = try buffer.readJuteInt32()
        ephemeralOwner = try buffer.readJuteInt64()
        dataLength = try buffer.readJuteInt32()
        numChildren = try buffer.readJuteInt32()
        pzxid = try buffer.readJuteInt64()
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt64(czxid)
        buffer.writeJuteInt64(mzxid)
        buffer.writeJuteInt64(ctime)
        buffer.writeJuteInt64(mtime)
        buffer.writeJuteInt32(version)
        buffer.writeJuteInt32(cversion)
        buffer.writeJuteInt32(aversion)
        buffer.writeJuteInt64(ephemeralOwner)
        buffer.writeJuteInt32(dataLength)
        buffer.writeJuteInt32(numChildren)
        buffer.writeJuteInt64(pzxid)
    }
}

/// `RequestHeader`: the client's request id and the operation. Clients use reserved xids for
/// pings (-2), auth (-4) and setWatches (-8); the server echoes whatever it receives.
public struct ZooKeeperRequestHeader: JuteRecord {
    /// The client's request id.
    public var xid: Int32
    /// The operation, a `ZooKeeperOpCode` raw value.
    public var type: Int32

    /// Creates a header.
    public init(xid: Int32, type: ZooKeeperOpCode) {
        self.xid = xid
        self.type = type.rawValue
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        xid = try buffer.readJuteInt32()
        type = try buffer.readJuteInt32()
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(xid)
        buffer.writeJuteInt32(type)
    }
}

/// `ReplyHeader`: the echoed xid, the server's last applied zxid, and the result code.
public struct ZooKeeperReplyHeader: JuteRecord {
    /// The request's xid, or -1 for a watch notification, -2 for a ping reply.
    public var xid: Int32
    /// The last zxid this server has applied (for a notification, the triggering zxid).
    public var zxid: Int64
    /// The result; a body follows only when this is `ok`.
    public var err: ZooKeeperErrorCode

    /// The xid ZooKeeper puts on watch notifications.
    public static let notificationXid: Int32 = -1
    /// The xid clients put on pings, echoed in the reply.
    public static let pingXid: Int32 = -2

    /// Creates a header.
    public init(xid: Int32, zxid: Int64, err: ZooKeeperErrorCode) {
        self.xid = xid
        self.zxid = zxid
        self.err = err
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        xid = try buffer.readJuteInt32()
        zxid = try buffer.readJuteInt64()
        err = ZooKeeperErrorCode(rawValue: try buffer.readJuteInt32())
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(xid)
        buffer.writeJuteInt64(zxid)
        buffer.writeJuteInt32(err.rawValue)
    }
}

/// `MultiHeader`: precedes each op of a multi request or result; a header with `done` ends the list.
public struct ZooKeeperMultiHeader: JuteRecord {
    /// The op's code, or -1 for an error result or the terminator.
    public var type: Int32
    /// True only on the terminator.
    public var done: Bool
    /// -1 in requests; the result code in results.
    public var err: Int32

    /// The header that ends a multi request or result.
    public static let terminator = ZooKeeperMultiHeader(type: -1, done: true, err: -1)

    /// Creates a header.
    public init(type: Int32, done: Bool, err: Int32) {
        self.type = type
        self.done = done
        self.err = err
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        type = try buffer.readJuteInt32()
        done = try buffer.readJuteBool()
        err = try buffer.readJuteInt32()
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(type)
        buffer.writeJuteBool(done)
        buffer.writeJuteInt32(err)
    }
}

/// The kinds of watch event (`Watcher.Event.EventType`).
public enum ZooKeeperWatchEventType: Int32, Sendable, CaseIterable {
    /// A connection-state change with no node involved.
    case none = -1
    /// A watched path was created.
    case nodeCreated = 1
    /// A watched node was deleted.
    case nodeDeleted = 2
    /// A watched node's data changed.
    case nodeDataChanged = 3
    /// A watched node's children changed.
    case nodeChildrenChanged = 4
    /// A data watch was removed.
    case dataWatchRemoved = 5
    /// A child watch was removed.
    case childWatchRemoved = 6
    /// A persistent watch was removed.
    case persistentWatchRemoved = 7
}

/// `WatcherEvent`: a notification, sent after a `ReplyHeader` whose xid is -1.
public struct ZooKeeperWatcherEvent: JuteRecord {
    /// The event type, a `ZooKeeperWatchEventType` raw value.
    public var type: Int32
    /// The client's connection state; servers send SyncConnected (3).
    public var state: Int32
    /// The path the event concerns.
    public var path: String

    /// `KeeperState.SyncConnected`, the only state a server puts on node events.
    public static let syncConnected: Int32 = 3

    /// Creates a node event in the SyncConnected state.
    public init(type: ZooKeeperWatchEventType, path: String) {
        self.type = type.rawValue
        self.state = Self.syncConnected
        self.path = path
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        type = try buffer.readJuteInt32()
        state = try buffer.readJuteInt32()
        path = try buffer.readJuteUString() ?? ""
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(type)
        buffer.writeJuteInt32(state)
        buffer.writeJuteUString(path)
    }
}
