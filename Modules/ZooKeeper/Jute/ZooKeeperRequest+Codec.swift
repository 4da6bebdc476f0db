public import NIOCore

// Request bodies by opcode, following the classes of `zookeeper.jute`:
// path+watch (Exists/GetData/GetChildren/GetChildren2Request), path+version (Delete/
// CheckVersionRequest), SetData, SetACL, path-only (GetACL/Sync/GetAllChildrenNumber/
// GetEphemeralsRequest), AddWatch, SetWatches(2), AuthPacket, and the multi framing of
// `MultiOperationRecord`: each op is a MultiHeader(type, done=false, err=-1) and its request,
// and a MultiHeader(-1, true, -1) ends the list.
extension ZooKeeperRequest {
    /// Reads the body of `opCode`. Unknown opcodes consume nothing and yield `unknown`.
    public init(jute buffer: inout ByteBuffer, opCode: ZooKeeperOpCode) throws(JuteDecodeError) {
        switch opCode {
        case .create, .create2, .createContainer, .createTTL:
            self = .create(try ZooKeeperCreateRequest(jute: &buffer, opCode: opCode))
        case .delete:
            self = .delete(path: try Self.readPath(&buffer), version: try buffer.readJuteInt32())
        case .exists:
            self = .exists(path: try Self.readPath(&buffer), watch: try buffer.readJuteBool())
        case .getData:
            self = .getData(path: try Self.readPath(&buffer), watch: try buffer.readJuteBool())
        case .setData:
            self = .setData(
                path: try Self.readPath(&buffer), data: try buffer.readJuteBuffer() ?? [],
                version: try buffer.readJuteInt32())
        case .getACL:
            self = .getACL(path: try Self.readPath(&buffer))
        case .setACL:
            self = .setACL(
                path: try Self.readPath(&buffer), acl: try buffer.readJuteACLs(), version: try buffer.readJuteInt32())
        case .getChildren:
            self = .getChildren(path: try Self.readPath(&buffer), watch: try buffer.readJuteBool())
        case .sync:
            self = .sync(path: try Self.readPath(&buffer))
        case .ping:
            self = .ping
        case .getChildren2:
            self = .getChildren2(path: try Self.readPath(&buffer), watch: try buffer.readJuteBool())
        case .check:
            self = .check(path: try Self.readPath(&buffer), version: try buffer.readJuteInt32())
        case .multi:
            self = .multi(try Self.readMultiOperations(&buffer))
        case .closeSession:
            self = .closeSession
        case .setWatches:
            self = .setWatches(try ZooKeeperSetWatches(jute: &buffer, version2: false))
        case .setWatches2:
            self = .setWatches2(try ZooKeeperSetWatches(jute: &buffer, version2: true))
        case .addWatch:
            self = .addWatch(path: try Self.readPath(&buffer), mode: try buffer.readJuteInt32())
        case .getEphemerals:
            self = .getEphemerals(prefixPath: try Self.readPath(&buffer))
        case .getAllChildrenNumber:
            self = .getAllChildrenNumber(path: try Self.readPath(&buffer))
        case .auth:
            self = .auth(try ZooKeeperAuthPacket(jute: &buffer))
        default:
            self = .unknown(opCode: opCode.rawValue)
        }
    }

    /// Appends the body in its opcode's layout (nothing for ping, closeSession and unknown).
    public func writeJute(to buffer: inout ByteBuffer) {
        switch self {
        case let .create(request):
            request.writeJute(to: &buffer)
        case let .delete(path, version), let .check(path, version):
            buffer.writeJuteUString(path)
            buffer.writeJuteInt32(version)
        case let .exists(path, watch), let .getData(path, watch), let .getChildren(path, watch),
             let .getChildren2(path, watch):
            buffer.writeJuteUString(path)
            buffer.writeJuteBool(watch)
        case let .setData(path, data, version):
            buffer.writeJuteUString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteInt32(version)
        case let .getACL(path), let .sync(path), let .getEphemerals(path), let .getAllChildrenNumber(path):
            buffer.writeJuteUString(path)
        case let .setACL(path, acl, version):
            buffer.writeJuteUString(path)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt32(version)
        case let .multi(operations):
            Self.writeMultiOperations(operations, to: &buffer)
        case let .setWatches(watches):
            watches.writeJute(to: &buffer, version2: false)
        case let .setWatches2(watches):
            watches.writeJute(to: &buffer, version2: true)
        case let .addWatch(path, mode):
            buffer.writeJuteUString(path)
            buffer.writeJuteInt32(mode)
        case let .auth(packet):
            packet.writeJute(to: &buffer)
        case .ping, .closeSession, .unknown:
            break
        }
    }

    // Kazoo writes an empty string as null (-1); a null path becomes "" and then fails path
    // validation or lookup like any other bad path.
    private static func readPath(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> String {
        try buffer.readJuteUString() ?? ""
    }

    private static func readMultiOperations(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> [ZooKeeperMultiOperation] {
        var operations: [ZooKeeperMultiOperation] = []
        while true {
            let header = try ZooKeeperMultiHeader(jute: &buffer)
            if header.done { return operations }
            guard operations.count < ZooKeeperLimits.multiOperationsMax else {
                throw .invalidLength(Int64(operations.count + 1), context: "multi operations")
            }
            operations.append(try readMultiOperation(&buffer, type: ZooKeeperOpCode(rawValue: header.type)))
        }
    }

    private static func readMultiOperation(
        _ buffer: inout ByteBuffer, type: ZooKeeperOpCode
    ) throws(JuteDecodeError) -> ZooKeeperMultiOperation {
        switch type {
        case .create, .create2, .createContainer, .createTTL:
            return .create(try ZooKeeperCreateRequest(jute: &buffer, opCode: type))
        case .delete:
            return .delete(path: try readPath(&buffer), version: try buffer.readJuteInt32())
        case .setData:
            return .setData(path: try readPath(&buffer), data: try buffer.readJuteBuffer() ?? [], version: try buffer.readJuteInt32())
        case .check:
            return .check(path: try readPath(&buffer), version: try buffer.readJuteInt32())
        default:
            // ZooKeeper rejects any other op inside a multi as a marshalling error.
            throw .invalidValue("op \(type.rawValue) inside multi")
        }
    }

    private static func writeMultiOperations(_ operations: [ZooKeeperMultiOperation], to buffer: inout ByteBuffer) {
        for operation in operations {
            ZooKeeperMultiHeader(type: operation.opCode.rawValue, done: false, err: -1).writeJute(to: &buffer)
            switch operation {
            case let .create(request):
                request.writeJute(to: &buffer)
            case let .delete(path, version), let .check(path, version):
                buffer.writeJuteUString(path)
                buffer.writeJuteInt32(version)
            case let .setData(path, data, version):
                buffer.writeJuteUString(path)
                buffer.writeJuteBuffer(data)
                buffer.writeJuteInt32(version)
            }
        }
        ZooKeeperMultiHeader.terminator.writeJute(to: &buffer)
    }
}
