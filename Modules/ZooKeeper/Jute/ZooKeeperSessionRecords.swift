public import NIOCore

// The records that open, resume and re-arm a session: the connect handshake (the first frame of
// every connection, which has no RequestHeader), setWatches after a reconnect, and auth packets.

/// `ConnectRequest`, plus the `readOnly` byte that clients since ZooKeeper 3.4 append after the
/// record. Old clients omit it; the server must then omit it from its answer too.
public struct ZooKeeperConnectRequest: JuteRecord {
    /// Always 0.
    public var protocolVersion: Int32
    /// The newest zxid the client has seen; a server that is behind it must refuse the client.
    public var lastZxidSeen: Int64
    /// Requested session timeout in milliseconds.
    public var timeOut: Int32
    /// 0 for a new session, else the session to resume.
    public var sessionID: Int64
    /// The session's password when resuming (clients send 16 zero bytes for a new session).
    public var password: [UInt8]
    /// The trailing read-only flag, or nil when an old client did not send it.
    public var readOnly: Bool?

    /// Creates a connect request.
    public init(
        protocolVersion: Int32 = 0, lastZxidSeen: Int64, timeOut: Int32, sessionID: Int64,
        password: [UInt8], readOnly: Bool?
    ) {
        self.protocolVersion = protocolVersion
        self.lastZxidSeen = lastZxidSeen
        self.timeOut = timeOut
        self.sessionID = sessionID
        self.password = password
        self.readOnly = readOnly
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        protocolVersion = try buffer.readJuteInt32()
        lastZxidSeen = try buffer.readJuteInt64()
        timeOut = try buffer.readJuteInt32()
        sessionID = try buffer.readJuteInt64()
        password = try buffer.readJuteBuffer() ?? []
        // ZooKeeper's server probes for the flag and treats its absence as an old client.
        readOnly = buffer.readableBytes > 0 ? try buffer.readJuteBool() : nil
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(protocolVersion)
        buffer.writeJuteInt64(lastZxidSeen)
        buffer.writeJuteInt32(timeOut)
        buffer.writeJuteInt64(sessionID)
        buffer.writeJuteBuffer(password)
        if let readOnly { buffer.writeJuteBool(readOnly) }
    }
}

/// `ConnectResponse`, plus the trailing `readOnly` byte that the server sends only to clients
/// that sent one. A timeout of 0 tells the client its session has expired.
public struct ZooKeeperConnectResponse: JuteRecord {
    /// Always 0.
    public var protocolVersion: Int32
    /// The negotiated session timeout in milliseconds; 0 means the session is invalid.
    public var timeOut: Int32
    /// The session id, or 0 when refused.
    public var sessionID: Int64
    /// The session password, or 16 zero bytes when refused.
    public var password: [UInt8]
    /// Whether this server is read-only; nil for old clients that do not expect the byte.
    public var readOnly: Bool?

    /// Creates a connect response.
    public init(protocolVersion: Int32 = 0, timeOut: Int32, sessionID: Int64, password: [UInt8], readOnly: Bool?) {
        self.protocolVersion = protocolVersion
        self.timeOut = timeOut
        self.sessionID = sessionID
        self.password = password
        self.readOnly = readOnly
    }

    /// The answer ZooKeeper gives to a resume of an unknown session or a bad password: zero
    /// timeout, zero id, a zeroed password, and the read-only byte only if the client sent one.
    public static func expired(replyingTo request: ZooKeeperConnectRequest) -> ZooKeeperConnectResponse {
        ZooKeeperConnectResponse(
            timeOut: 0, sessionID: 0,
            password: [UInt8](repeating: 0, count: ZooKeeperLimits.sessionPasswordBytes),
            readOnly: request.readOnly == nil ? nil : false)
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        protocolVersion = try buffer.readJuteInt32()
        timeOut = try buffer.readJuteInt32()
        sessionID = try buffer.readJuteInt64()
        password = try buffer.readJuteBuffer() ?? []
        readOnly = buffer.readableBytes > 0 ? try buffer.readJuteBool() : nil
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(protocolVersion)
        buffer.writeJuteInt32(timeOut)
        buffer.writeJuteInt64(sessionID)
        buffer.writeJuteBuffer(password)
        if let readOnly { buffer.writeJuteBool(readOnly) }
    }
}

/// `SetWatches` (opcode 101) and `SetWatches2` (105): the watches a client held before it
/// reconnected, with the last zxid it saw so the server can fire what it missed.
public struct ZooKeeperSetWatches: Equatable, Sendable {
    /// The newest zxid the client saw before it lost its connection.
    public var relativeZxid: Int64
    /// Paths with getData watches.
    public var dataWatches: [String]
    /// Paths with exists watches.
    public var existWatches: [String]
    /// Paths with getChildren watches.
    public var childWatches: [String]
    /// Paths with persistent watches (SetWatches2 only).
    public var persistentWatches: [String]
    /// Paths with persistent recursive watches (SetWatches2 only).
    public var persistentRecursiveWatches: [String]

    /// Creates a set of watches to re-register.
    public init(
        relativeZxid: Int64, dataWatches: [String] = [], existWatches: [String] = [],
        childWatches: [String] = [], persistentWatches: [String] = [], persistentRecursiveWatches: [String] = []
    ) {
        self.relativeZxid = relativeZxid
        self.dataWatches = dataWatches
        self.existWatches = existWatches
        self.childWatches = childWatches
        self.persistentWatches = persistentWatches
        self.persistentRecursiveWatches = persistentRecursiveWatches
    }

    /// Reads the SetWatches layout, or SetWatches2 when `version2`.
    public init(jute buffer: inout ByteBuffer, version2: Bool) throws(JuteDecodeError) {
        relativeZxid = try buffer.readJuteInt64()
        dataWatches = try buffer.readJuteStrings()
        existWatches = try buffer.readJuteStrings()
        childWatches = try buffer.readJuteStrings()
        persistentWatches = version2 ? try buffer.readJuteStrings() : []
        persistentRecursiveWatches = version2 ? try buffer.readJuteStrings() : []
    }

    /// Writes the SetWatches layout, or SetWatches2 when `version2`.
    public func writeJute(to buffer: inout ByteBuffer, version2: Bool) {
        buffer.writeJuteInt64(relativeZxid)
        buffer.writeJuteStrings(dataWatches)
        buffer.writeJuteStrings(existWatches)
        buffer.writeJuteStrings(childWatches)
        if version2 {
            buffer.writeJuteStrings(persistentWatches)
            buffer.writeJuteStrings(persistentRecursiveWatches)
        }
    }
}

/// `AuthPacket` (opcode 100, xid -4): credentials for a scheme such as `digest`.
public struct ZooKeeperAuthPacket: JuteRecord {
    /// Always 0.
    public var type: Int32
    /// The scheme.
    public var scheme: String
    /// The scheme-specific credentials.
    public var auth: [UInt8]

    /// Creates an auth packet.
    public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
        self.type = type
        self.scheme = scheme
        self.auth = auth
    }

    public init(jute buffer: inout ByteBuffer) throws(JuteDecodeError) {
        type = try buffer.readJuteInt32()
        scheme = try buffer.readJuteUString() ?? ""
        auth = try buffer.readJuteBuffer() ?? []
    }

    public func writeJute(to buffer: inout ByteBuffer) {
        buffer.writeJuteInt32(type)
        buffer.writeJuteUString(scheme)
        buffer.writeJuteBuffer(auth)
    }
}
