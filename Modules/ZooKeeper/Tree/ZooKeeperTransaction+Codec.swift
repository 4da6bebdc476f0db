public import NIOCore

// The log encoding of a transaction. Compact and ours (not ZooKeeper's TxnHeader/Txn records,
// which carry fields we derive at apply time): a format version byte, a kind tag, the leader's
// time and the session, then the kind's fields. Strings, byte arrays and counts use the jute
// primitives, so every length is checked before anything is allocated.
//
//   transaction := version:u8(1) kind:u8 time:i64 session:i64 body
//   kind 1 createSession := timeout:i32 password:buffer
//   kind 2 closeSession  := (nothing)
//   kind 3 write         := write
//   kind 4 multi         := count:i32 write*
//   kind 5 deleteContainer := path:ustring
//   write := tag:u8 fields   (1 create: opCode:i32 path data acl flags:i32 ttl:i64,
//            2 delete, 6 check: path version:i32, 3 setData: path data version:i32,
//            5 setACL: path acl version:i32)
extension ZooKeeperTransaction {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt8 = 1

    /// Decodes a transaction that must fill `bytes` exactly.
    public init(encoded bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        self = try Self(decoding: &buffer)
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
    }

    /// Decodes one transaction from the front of `buffer`.
    public init(decoding buffer: inout ByteBuffer) throws(JuteDecodeError) {
        let version = try Self.readByte(&buffer)
        guard version == Self.formatVersion else { throw .invalidValue("transaction format \(version)") }
        let tag = try Self.readByte(&buffer)
        time = try buffer.readJuteInt64()
        sessionID = try buffer.readJuteInt64()
        switch tag {
        case 1:
            kind = .createSession(timeout: try buffer.readJuteInt32(), password: try buffer.readJuteBuffer() ?? [])
        case 2:
            kind = .closeSession
        case 3:
            kind = .write(try Self.readWrite(&buffer))
        case 4:
            let writes = try buffer.readJuteVector(minElementBytes: 1) {
                (buffer: inout ByteBuffer) throws(JuteDecodeError) -> ZooKeeperWrite in
                try Self.readWrite(&buffer)
            } ?? []
            guard writes.count <= ZooKeeperLimits.multiOperationsMax else {
                throw .invalidLength(Int64(writes.count), context: "multi writes")
            }
            kind = .multi(writes)
        case 5:
            kind = .deleteContainer(path: try buffer.readJuteUString() ?? "")
        default:
            throw .invalidValue("transaction kind \(tag)")
        }
    }

    /// The transaction's encoding.
    public var encoded: [UInt8] {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Appends the transaction's encoding.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.formatVersion)
        switch kind {
        case let .createSession(timeout, password):
            writeHeader(tag: 1, to: &buffer)
            buffer.writeJuteInt32(timeout)
            buffer.writeJuteBuffer(password)
        case .closeSession:
            writeHeader(tag: 2, to: &buffer)
        case let .write(write):
            writeHeader(tag: 3, to: &buffer)
            Self.writeWrite(write, to: &buffer)
        case let .multi(writes):
            writeHeader(tag: 4, to: &buffer)
            buffer.writeJuteVector(writes) { Self.writeWrite($1, to: &$0) }
        case let .deleteContainer(path):
            writeHeader(tag: 5, to: &buffer)
            buffer.writeJuteUString(path)
        }
    }

    private func writeHeader(tag: UInt8, to buffer: inout ByteBuffer) {
        buffer.writeInteger(tag)
        buffer.writeJuteInt64(time)
        buffer.writeJuteInt64(sessionID)
    }

    private static func readByte(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> UInt8 {
        guard let byte = buffer.readInteger(as: UInt8.self) else { throw .truncated(needed: 1, available: 0) }
        return byte
    }

    private static func readWrite(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> ZooKeeperWrite {
        let tag = try readByte(&buffer)
        switch tag {
        case 1:
            let opCode = ZooKeeperOpCode(rawValue: try buffer.readJuteInt32())
            guard ZooKeeperCreateRequest.opCodes.contains(opCode) else {
                throw .invalidValue("create opcode \(opCode.rawValue)")
            }
            return .create(ZooKeeperCreate(
                opCode: opCode, path: try buffer.readJuteUString() ?? "", data: try buffer.readJuteBuffer() ?? [],
                acl: try buffer.readJuteACLs(), flags: try buffer.readJuteInt32(), ttl: try buffer.readJuteInt64()))
        case 2:
            return .delete(path: try buffer.readJuteUString() ?? "", version: try buffer.readJuteInt32())
        case 3:
            return .setData(
                path: try buffer.readJuteUString() ?? "", data: try buffer.readJuteBuffer() ?? [],
                version: try buffer.readJuteInt32())
        case 5:
            return .setACL(
                path: try buffer.readJuteUString() ?? "", acl: try buffer.readJuteACLs(), version: try buffer.readJuteInt32())
        case 6:
            return .check(path: try buffer.readJuteUString() ?? "", version: try buffer.readJuteInt32())
        default:
            throw .invalidValue("write kind \(tag)")
        }
    }

    private static func writeWrite(_ write: ZooKeeperWrite, to buffer: inout ByteBuffer) {
        switch write {
        case let .create(create):
            buffer.writeInteger(1 as UInt8)
            buffer.writeJuteInt32(create.opCode.rawValue)
            buffer.writeJuteUString(create.path)
            buffer.writeJuteBuffer(create.data)
            buffer.writeJuteACLs(create.acl)
            buffer.writeJuteInt32(create.flags)
            buffer.writeJuteInt64(create.ttl)
        case let .delete(path, version):
            buffer.writeInteger(2 as UInt8)
            buffer.writeJuteUString(path)
            buffer.writeJuteInt32(version)
        case let .setData(path, data, version):
            buffer.writeInteger(3 as UInt8)
            buffer.writeJuteUString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteInt32(version)
        case let .setACL(path, acl, version):
            buffer.writeInteger(5 as UInt8)
            buffer.writeJuteUString(path)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt32(version)
        case let .check(path, version):
            buffer.writeInteger(6 as UInt8)
            buffer.writeJuteUString(path)
            buffer.writeJuteInt32(version)
        }
    }
}
