public import NIOCore

/// One result inside a multi response (`OpResult`).
public enum ZooKeeperMultiResult: Equatable, Sendable {
    /// `CreateResult` with type create (1): the path only. ZooKeeper answers create and create2
    /// ops inside a multi this way.
    case create(path: String)
    /// `CreateResult` with type create2 (15): path and stat, for container and TTL creates.
    case create2(path: String, stat: ZooKeeperStat)
    /// `DeleteResult`.
    case delete
    /// `SetDataResult`.
    case setData(stat: ZooKeeperStat)
    /// `CheckResult`.
    case check
    /// `ErrorResult`: `ok` for ops before the failing one, its code for the failing op, and
    /// `runtimeInconsistency` for the ops after it.
    case error(ZooKeeperErrorCode)
}

/// A reply body. Which case a reply carries is decided by the request's opcode.
public enum ZooKeeperResponseBody: Equatable, Sendable {
    /// No body: errors, delete, ping, closeSession, setWatches, addWatch, auth.
    case empty
    /// `CreateResponse` (create).
    case create(path: String)
    /// `Create2Response` (create2, createContainer, createTTL).
    case create2(path: String, stat: ZooKeeperStat)
    /// `ExistsResponse`, `SetDataResponse`, `SetACLResponse`: a stat alone.
    case stat(ZooKeeperStat)
    /// `GetDataResponse`.
    case data([UInt8], stat: ZooKeeperStat)
    /// `GetACLResponse`.
    case acl([ZooKeeperACL], stat: ZooKeeperStat)
    /// `GetChildrenResponse`.
    case children([String])
    /// `GetChildren2Response`.
    case children2([String], stat: ZooKeeperStat)
    /// `SyncResponse`.
    case sync(path: String)
    /// `GetAllChildrenNumberResponse`.
    case allChildrenNumber(Int32)
    /// `GetEphemeralsResponse`.
    case ephemerals([String])
    /// `MultiResponse`.
    case multi([ZooKeeperMultiResult])

    /// Appends the body.
    public func writeJute(to buffer: inout ByteBuffer) {
        switch self {
        case .empty:
            break
        case let .create(path), let .sync(path):
            buffer.writeJuteUString(path)
        case let .create2(path, stat):
            buffer.writeJuteUString(path)
            stat.writeJute(to: &buffer)
        case let .stat(stat):
            stat.writeJute(to: &buffer)
        case let .data(data, stat):
            buffer.writeJuteBuffer(data)
            stat.writeJute(to: &buffer)
        case let .acl(acl, stat):
            buffer.writeJuteACLs(acl)
            stat.writeJute(to: &buffer)
        case let .children(children), let .ephemerals(children):
            buffer.writeJuteStrings(children)
        case let .children2(children, stat):
            buffer.writeJuteStrings(children)
            stat.writeJute(to: &buffer)
        case let .allChildrenNumber(count):
            buffer.writeJuteInt32(count)
        case let .multi(results):
            Self.writeMultiResults(results, to: &buffer)
        }
    }

    /// Reads the body that answers `opCode` (for clients and tests; the server only writes).
    public init(jute buffer: inout ByteBuffer, answering opCode: ZooKeeperOpCode) throws(JuteDecodeError) {
        switch opCode {
        case .create:
            self = .create(path: try buffer.readJuteUString() ?? "")
        case .create2, .createContainer, .createTTL:
            self = .create2(path: try buffer.readJuteUString() ?? "", stat: try ZooKeeperStat(jute: &buffer))
        case .exists, .setData, .setACL, .check:
            self = .stat(try ZooKeeperStat(jute: &buffer))
        case .getData:
            self = .data(try buffer.readJuteBuffer() ?? [], stat: try ZooKeeperStat(jute: &buffer))
        case .getACL:
            self = .acl(try buffer.readJuteACLs(), stat: try ZooKeeperStat(jute: &buffer))
        case .getChildren:
            self = .children(try buffer.readJuteStrings())
        case .getChildren2:
            self = .children2(try buffer.readJuteStrings(), stat: try ZooKeeperStat(jute: &buffer))
        case .sync:
            self = .sync(path: try buffer.readJuteUString() ?? "")
        case .getAllChildrenNumber:
            self = .allChildrenNumber(try buffer.readJuteInt32())
        case .getEphemerals:
            self = .ephemerals(try buffer.readJuteStrings())
        case .multi:
            self = .multi(try Self.readMultiResults(&buffer))
        default:
            self = .empty
        }
    }

    // `MultiResponse.serialize`: each result is a MultiHeader(type, false, err) and its body;
    // error results carry type -1 and an ErrorResponse(err) body; MultiHeader(-1, true, -1) ends.
    private static func writeMultiResults(_ results: [ZooKeeperMultiResult], to buffer: inout ByteBuffer) {
        for result in results {
            switch result {
            case let .create(path):
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.create.rawValue, done: false, err: 0).writeJute(to: &buffer)
                buffer.writeJuteUString(path)
            case let .create2(path, stat):
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.create2.rawValue, done: false, err: 0).writeJute(to: &buffer)
                buffer.writeJuteUString(path)
                stat.writeJute(to: &buffer)
            case .delete:
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.delete.rawValue, done: false, err: 0).writeJute(to: &buffer)
            case let .setData(stat):
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.setData.rawValue, done: false, err: 0).writeJute(to: &buffer)
                stat.writeJute(to: &buffer)
            case .check:
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.check.rawValue, done: false, err: 0).writeJute(to: &buffer)
            case let .error(code):
                ZooKeeperMultiHeader(type: ZooKeeperOpCode.error.rawValue, done: false, err: code.rawValue)
                    .writeJute(to: &buffer)
                buffer.writeJuteInt32(code.rawValue)
            }
        }
        ZooKeeperMultiHeader.terminator.writeJute(to: &buffer)
    }

    private static func readMultiResults(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> [ZooKeeperMultiResult] {
        var results: [ZooKeeperMultiResult] = []
        while true {
            let header = try ZooKeeperMultiHeader(jute: &buffer)
            if header.done { return results }
            guard results.count < ZooKeeperLimits.multiOperationsMax else {
                throw .invalidLength(Int64(results.count + 1), context: "multi results")
            }
            switch ZooKeeperOpCode(rawValue: header.type) {
            case .create: results.append(.create(path: try buffer.readJuteUString() ?? ""))
            case .create2:
                results.append(.create2(path: try buffer.readJuteUString() ?? "", stat: try ZooKeeperStat(jute: &buffer)))
            case .delete: results.append(.delete)
            case .setData: results.append(.setData(stat: try ZooKeeperStat(jute: &buffer)))
            case .check: results.append(.check)
            case .error: results.append(.error(ZooKeeperErrorCode(rawValue: try buffer.readJuteInt32())))
            default: throw .invalidValue("result type \(header.type) inside multi response")
            }
        }
    }
}

/// A complete reply: the header and, when the header says `ok`, the body.
public struct ZooKeeperReply: Equatable, Sendable {
    /// The reply header.
    public var header: ZooKeeperReplyHeader
    /// The body; ignored on the wire when `header.err` is not `ok`.
    public var body: ZooKeeperResponseBody

    /// Creates a reply.
    public init(header: ZooKeeperReplyHeader, body: ZooKeeperResponseBody) {
        self.header = header
        self.body = body
    }

    /// An error reply with no body.
    public static func failure(xid: Int32, zxid: Int64, _ code: ZooKeeperErrorCode) -> ZooKeeperReply {
        ZooKeeperReply(header: ZooKeeperReplyHeader(xid: xid, zxid: zxid, err: code), body: .empty)
    }

    /// Appends the frame payload (without a length prefix). ZooKeeper sends no body with an
    /// error, and clients do not read one.
    public func write(to buffer: inout ByteBuffer) {
        header.writeJute(to: &buffer)
        if header.err == .ok { body.writeJute(to: &buffer) }
    }
}

/// A watch event for one session, produced by applying a transaction or by setWatches.
public struct ZooKeeperWatchNotification: Equatable, Sendable {
    /// The session whose watch fired.
    public var sessionID: Int64
    /// The event.
    public var event: ZooKeeperWatcherEvent
    /// The zxid that triggered it, or -1 for events setWatches fires on reconnect.
    public var zxid: Int64

    /// Creates a notification.
    public init(sessionID: Int64, event: ZooKeeperWatcherEvent, zxid: Int64) {
        self.sessionID = sessionID
        self.event = event
        self.zxid = zxid
    }

    /// Appends the frame payload: ReplyHeader(-1, zxid, ok) then the WatcherEvent.
    public func write(to buffer: inout ByteBuffer) {
        ZooKeeperReplyHeader(xid: ZooKeeperReplyHeader.notificationXid, zxid: zxid, err: .ok).writeJute(to: &buffer)
        event.writeJute(to: &buffer)
    }
}

extension ByteBuffer {
    /// Appends a frame: an int32 length and then whatever `writePayload` appends.
    public mutating func writeJuteFrame(_ writePayload: (inout ByteBuffer) -> Void) {
        let lengthIndex = writerIndex
        writeJuteInt32(0)
        writePayload(&self)
        let length = writerIndex - lengthIndex - 4
        precondition(length <= Int(Int32.max), "frame of \(length) bytes")
        setInteger(Int32(length), at: lengthIndex, endianness: .big)
    }
}
