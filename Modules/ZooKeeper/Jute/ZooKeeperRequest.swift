public import NIOCore

/// `CreateRequest` and `CreateTTLRequest`, for opcodes create (1), create2 (15),
/// createContainer (19) and createTTL (21). The opcode travels with the body because it decides
/// both the layout (only createTTL has a ttl) and the shape of the reply.
public struct ZooKeeperCreateRequest: Equatable, Sendable {
    /// Which create opcode carried the request.
    public var opCode: ZooKeeperOpCode
    /// The requested path; for sequential modes, the prefix of the final name.
    public var path: String
    /// The node's initial data.
    public var data: [UInt8]
    /// The requested ACL. Tern validates it is well formed but does not enforce it.
    public var acl: [ZooKeeperACL]
    /// The `CreateMode` flag: 0 persistent, 1 ephemeral, 2 and 3 their sequential forms,
    /// 4 container, 5 and 6 TTL.
    public var flags: Int32
    /// The time to live in milliseconds for createTTL, else -1.
    public var ttl: Int64

    /// The create opcodes, in the order ZooKeeper numbers them.
    public static let opCodes: [ZooKeeperOpCode] = [.create, .create2, .createContainer, .createTTL]

    /// Creates a create request.
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

    /// Reads the body of a create opcode.
    public init(jute buffer: inout ByteBuffer, opCode: ZooKeeperOpCode) throws(JuteDecodeError) {
        self.opCode = opCode
        path = try buffer.readJuteUString() ?? ""
        data = try buffer.readJuteBuffer() ?? []
        acl = try buffer.readJuteACLs()
        flags = try buffer.readJuteInt32()
        ttl = opCode == .createTTL ? try buffer.readJuteInt64() : -1
    }

    /// Writes the body in the layout its opcode uses.
    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteUString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt32(flags)
        if opCode == .createTTL { buffer.writeJuteInt64(ttl) }
    }
}

/// One write inside a multi request (`MultiOperationRecord`).
public enum ZooKeeperMultiOperation: Equatable, Sendable {
    /// Any of the four create opcodes.
    case create(ZooKeeperCreateRequest)
    /// `DeleteRequest`.
    case delete(path: String, version: Int32)
    /// `SetDataRequest`.
    case setData(path: String, data: [UInt8], version: Int32)
    /// `CheckVersionRequest`.
    case check(path: String, version: Int32)

    /// The opcode its MultiHeader carries.
    public var opCode: ZooKeeperOpCode {
        switch self {
        case let .create(request): request.opCode
        case .delete: .delete
        case .setData: .setData
        case .check: .check
        }
    }
}

/// A decoded client request body. Every opcode Tern serves has a case; anything else decodes to
/// `unknown`, which the server answers with `unimplemented` rather than dropping the connection.
public enum ZooKeeperRequest: Equatable, Sendable {
    /// create, create2, createContainer or createTTL.
    case create(ZooKeeperCreateRequest)
    /// delete (2).
    case delete(path: String, version: Int32)
    /// exists (3).
    case exists(path: String, watch: Bool)
    /// getData (4).
    case getData(path: String, watch: Bool)
    /// setData (5).
    case setData(path: String, data: [UInt8], version: Int32)
    /// getACL (6).
    case getACL(path: String)
    /// setACL (7).
    case setACL(path: String, acl: [ZooKeeperACL], version: Int32)
    /// getChildren (8).
    case getChildren(path: String, watch: Bool)
    /// sync (9).
    case sync(path: String)
    /// ping (11), which has no body.
    case ping
    /// getChildren2 (12).
    case getChildren2(path: String, watch: Bool)
    /// check (13) on its own, outside a multi.
    case check(path: String, version: Int32)
    /// multi (14).
    case multi([ZooKeeperMultiOperation])
    /// closeSession (-11), which has no body.
    case closeSession
    /// setWatches (101).
    case setWatches(ZooKeeperSetWatches)
    /// setWatches2 (105).
    case setWatches2(ZooKeeperSetWatches)
    /// addWatch (106); mode 0 is persistent, 1 persistent recursive.
    case addWatch(path: String, mode: Int32)
    /// getEphemerals (103).
    case getEphemerals(prefixPath: String)
    /// getAllChildrenNumber (104).
    case getAllChildrenNumber(path: String)
    /// auth (100).
    case auth(ZooKeeperAuthPacket)
    /// An opcode Tern does not serve; its body is skipped.
    case unknown(opCode: Int32)

    /// The opcode this request travels under.
    public var opCode: ZooKeeperOpCode {
        switch self {
        case let .create(request): request.opCode
        case .delete: .delete
        case .exists: .exists
        case .getData: .getData
        case .setData: .setData
        case .getACL: .getACL
        case .setACL: .setACL
        case .getChildren: .getChildren
        case .sync: .sync
        case .ping: .ping
        case .getChildren2: .getChildren2
        case .check: .check
        case .multi: .multi
        case .closeSession: .closeSession
        case .setWatches: .setWatches
        case .setWatches2: .setWatches2
        case .addWatch: .addWatch
        case .getEphemerals: .getEphemerals
        case .getAllChildrenNumber: .getAllChildrenNumber
        case .auth: .auth
        case let .unknown(opCode): ZooKeeperOpCode(rawValue: opCode)
        }
    }
}

/// One request frame after its length prefix: the header and the decoded body.
public struct ZooKeeperRequestFrame: Equatable, Sendable {
    /// The client's xid and opcode.
    public var header: ZooKeeperRequestHeader
    /// The body, decoded according to the opcode.
    public var request: ZooKeeperRequest

    /// Pairs a body with a header of the right opcode.
    public init(xid: Int32, request: ZooKeeperRequest) {
        self.header = ZooKeeperRequestHeader(xid: xid, type: request.opCode)
        self.request = request
    }

    /// Decodes a whole frame payload (without its length prefix). Bytes after the body are
    /// ignored, as ZooKeeper's server ignores them.
    public init(decoding buffer: inout ByteBuffer) throws(JuteDecodeError) {
        header = try ZooKeeperRequestHeader(jute: &buffer)
        request = try ZooKeeperRequest(jute: &buffer, opCode: ZooKeeperOpCode(rawValue: header.type))
    }

    /// Appends the frame payload (without a length prefix).
    public func write(to buffer: inout ByteBuffer) {
        header.writeJute(to: &buffer)
        request.writeJute(to: &buffer)
    }
}
