public import NIOCore

// The whole replicated state as bytes, for Raft snapshots. Sessions are written in id order and
// nodes in path order, so equal trees give identical bytes. Children sets and the ephemeral
// index are not written; they are rebuilt from the paths on load, which therefore cannot
// disagree with the nodes.
//
//   snapshot := "TZKS" version:u8(1) lastZxid:i64
//               sessionCount:i32 (id:i64 timeout:i32 password:buffer)*
//               nodeCount:i32 (path:ustring data:buffer czxid mzxid ctime mtime:i64
//                              version cversion aversion:i32 ephemeralOwner pzxid:i64)*
extension ZooKeeperTree {
    /// The snapshot format version this build writes and reads.
    public static let snapshotFormatVersion: UInt8 = 1
    private static let snapshotMagic: [UInt8] = Array("TZKS".utf8)
    private static let sessionMinimumBytes = 8 + 4 + 4
    private static let nodeMinimumBytes = 4 + 4 + 4 * 8 + 3 * 4 + 2 * 8

    /// The snapshot's bytes.
    public func snapshot() -> [UInt8] {
        var buffer = ByteBuffer()
        writeSnapshot(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Appends the snapshot.
    public func writeSnapshot(to buffer: inout ByteBuffer) {
        buffer.writeBytes(Self.snapshotMagic)
        buffer.writeInteger(Self.snapshotFormatVersion)
        buffer.writeJuteInt64(lastZxid)
        buffer.writeJuteVector(sessions.keys.sorted()) { buffer, id in
            guard let session = sessions[id] else { return }
            buffer.writeJuteInt64(session.id)
            buffer.writeJuteInt32(session.timeout)
            buffer.writeJuteBuffer(session.password)
        }
        buffer.writeJuteVector(nodes.keys.sorted()) { buffer, path in
            guard let node = nodes[path] else { return }
            buffer.writeJuteUString(path)
            buffer.writeJuteBuffer(node.data)
            buffer.writeJuteInt64(node.czxid)
            buffer.writeJuteInt64(node.mzxid)
            buffer.writeJuteInt64(node.ctime)
            buffer.writeJuteInt64(node.mtime)
            buffer.writeJuteInt32(node.version)
            buffer.writeJuteInt32(node.cversion)
            buffer.writeJuteInt32(node.aversion)
            buffer.writeJuteInt64(node.ephemeralOwner)
            buffer.writeJuteInt64(node.pzxid)
        }
    }

    /// Loads a snapshot, refusing (never trapping on) anything malformed or inconsistent: bad
    /// magic or version, truncation, invalid or duplicate paths, a node whose parent is missing,
    /// a missing built-in node, or an unusable or duplicate session id.
    public init(snapshot bytes: [UInt8]) throws(JuteDecodeError) {
        var buffer = ByteBuffer(bytes: bytes)
        guard buffer.readBytes(length: 4) == Self.snapshotMagic else { throw .invalidValue("snapshot magic") }
        guard let version = buffer.readInteger(as: UInt8.self) else { throw .truncated(needed: 1, available: 0) }
        guard version == Self.snapshotFormatVersion else { throw .invalidValue("snapshot format \(version)") }
        self.init()
        lastZxid = try buffer.readJuteInt64()
        sessions = try Self.readSessions(&buffer)
        nodes = try Self.readNodes(&buffer)
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
        try linkChildren()
    }

    private static func readCount(_ buffer: inout ByteBuffer, minimumBytes: Int, context: String) throws(JuteDecodeError) -> Int {
        let count = try buffer.readJuteInt32()
        guard count >= 0, Int(count) <= buffer.readableBytes / minimumBytes else {
            throw .invalidLength(Int64(count), context: context)
        }
        return Int(count)
    }

    private static func readSessions(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> [Int64: ZooKeeperSession] {
        let count = try readCount(&buffer, minimumBytes: sessionMinimumBytes, context: "snapshot sessions")
        var sessions: [Int64: ZooKeeperSession] = [:]
        sessions.reserveCapacity(count)
        for _ in 0..<count {
            let session = ZooKeeperSession(
                id: try buffer.readJuteInt64(), timeout: try buffer.readJuteInt32(),
                password: try buffer.readJuteBuffer() ?? [])
            guard ZNodeKind.isValidSessionID(session.id), sessions[session.id] == nil else {
                throw .invalidValue("snapshot session \(session.id)")
            }
            sessions[session.id] = session
        }
        return sessions
    }

    private static func readNodes(_ buffer: inout ByteBuffer) throws(JuteDecodeError) -> [String: ZNode] {
        let count = try readCount(&buffer, minimumBytes: nodeMinimumBytes, context: "snapshot nodes")
        var nodes: [String: ZNode] = [:]
        nodes.reserveCapacity(count)
        for _ in 0..<count {
            let path = try buffer.readJuteUString() ?? ""
            var node = ZNode(data: try buffer.readJuteBuffer() ?? [], zxid: 0, time: 0, ephemeralOwner: 0)
            node.czxid = try buffer.readJuteInt64()
            node.mzxid = try buffer.readJuteInt64()
            node.ctime = try buffer.readJuteInt64()
            node.mtime = try buffer.readJuteInt64()
            node.version = try buffer.readJuteInt32()
            node.cversion = try buffer.readJuteInt32()
            node.aversion = try buffer.readJuteInt32()
            node.ephemeralOwner = try buffer.readJuteInt64()
            node.pzxid = try buffer.readJuteInt64()
            guard ZooKeeperPath.isValid(path), nodes[path] == nil else { throw .invalidValue("snapshot path \(path)") }
            nodes[path] = node
        }
        return nodes
    }

    // Rebuilds every children set and the ephemeral index from the paths alone.
    private mutating func linkChildren() throws(JuteDecodeError) {
        for path in Self.builtInPaths where nodes[path] == nil {
            throw .invalidValue("snapshot lacks \(path)")
        }
        for path in nodes.keys.sorted() {
            guard let (parent, name) = ZooKeeperPath.split(path) else { continue }
            guard nodes[parent] != nil else { throw .invalidValue("snapshot node \(path) has no parent") }
            nodes[parent]?.children.insert(name)
            if case let .ephemeral(owner) = nodes[path]?.kind {
                ephemerals[owner, default: []].insert(path)
            }
        }
    }
}
