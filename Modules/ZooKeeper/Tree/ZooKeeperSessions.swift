public import TernPrimitives

// Session handling that is the leader's or the connection's to decide, kept out of the tree:
// timeout negotiation, the connect handshake's verdict, choosing ids and passwords, and the
// expiry clock. All of it is pure; time arrives as arguments.

/// ZooKeeper's session timeout bounds: by default at least two ticks and at most twenty.
public struct ZooKeeperSessionTimeoutPolicy: Equatable, Sendable {
    /// Smallest timeout granted, in milliseconds.
    public var minimum: Int32
    /// Largest timeout granted, in milliseconds.
    public var maximum: Int32

    /// The defaults for a tick (`tickTime`, 2 s by default): 2 and 20 ticks.
    public init(tickTime: Duration = .seconds(2)) {
        // Clamped to the int32 range first, so the products fit an Int64.
        let tick = min(max(tickTime.millisecondsClamped, 0), Int64(Int32.max))
        self.init(minimum: Int32(clamping: tick * 2), maximum: Int32(clamping: tick * 20))
    }

    /// Explicit bounds (`minSessionTimeout`, `maxSessionTimeout`).
    public init(minimum: Int32, maximum: Int32) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
    }

    /// The timeout to grant for a requested one: clamped into the bounds.
    public func negotiate(_ requested: Int32) -> Int32 {
        min(max(requested, minimum), maximum)
    }
}

/// What a server does with a ConnectRequest.
public enum ZooKeeperConnectDecision: Equatable, Sendable {
    /// A new session: the leader proposes `createSession` with an id and password it chooses
    /// and this timeout, and the server answers with `ZooKeeperConnectResponse(for:replyingTo:)`
    /// once the transaction is applied.
    case createSession(timeout: Int32)
    /// The session exists and the password matches: send this and carry on. The leader should
    /// touch the session with the renegotiated timeout, as ZooKeeper's `reopenSession` does.
    case resume(ZooKeeperConnectResponse)
    /// Unknown or expired session, or a wrong password: send this, then close the connection.
    case refuse(ZooKeeperConnectResponse)
    /// The client has seen a newer zxid than this server has applied: close without answering,
    /// so the client tries another server (ZooKeeper's "Refusing session request").
    case serverBehind
}

extension ZooKeeperDatabase {
    /// Decides a connect request against this server's tree.
    public func decideConnect(
        _ request: ZooKeeperConnectRequest, timeouts: ZooKeeperSessionTimeoutPolicy
    ) -> ZooKeeperConnectDecision {
        guard request.lastZxidSeen <= tree.lastZxid else { return .serverBehind }
        let timeout = timeouts.negotiate(request.timeOut)
        if request.sessionID == 0 { return .createSession(timeout: timeout) }
        guard let session = tree.session(request.sessionID), session.password == request.password else {
            return .refuse(.expired(replyingTo: request))
        }
        var response = ZooKeeperConnectResponse(for: session, replyingTo: request)
        response.timeOut = timeout
        return .resume(response)
    }
}

extension ZooKeeperConnectResponse {
    /// The answer that establishes `session`, with the read-only byte only if the client sent
    /// one (always false: Tern has no read-only mode).
    public init(for session: ZooKeeperSession, replyingTo request: ZooKeeperConnectRequest) {
        self.init(
            timeOut: session.timeout, sessionID: session.id, password: session.password,
            readOnly: request.readOnly == nil ? nil : false)
    }
}

/// Session ids laid out as ZooKeeper's `SessionTrackerImpl.initializeNextSessionId` does: the
/// server id in the top byte, milliseconds of wall-clock time in the next 40 bits, and a counter
/// in the low 16. A leader seeds one when it takes office; ids stay unique across leaders as
/// long as clocks do not run backwards by more than a leadership, and the tree refuses a
/// duplicate deterministically if they ever do.
public struct ZooKeeperSessionIDGenerator: Sendable {
    private var next: Int64

    /// Seeds the generator; nil for server id 255, whose ids would read as TTL markers.
    public init?(serverID: UInt8, wallClockMilliseconds: Int64) {
        guard serverID != 0xFF else { return nil }
        let timeBits = Int64(bitPattern: UInt64(bitPattern: wallClockMilliseconds << 24) >> 8)
        next = (Int64(serverID) << 56) | timeBits
    }

    /// The next id, skipping the few values that cannot be session ids.
    public mutating func nextID() -> Int64 {
        repeat {
            next &+= 1
        } while !ZNodeKind.isValidSessionID(next)
        return next
    }

    /// A fresh 16-byte session password from the injected generator.
    public static func password(using random: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<ZooKeeperLimits.sessionPasswordBytes).map { _ in UInt8.random(in: .min ... .max, using: &random) }
    }
}

/// The leader's session expiry clock, sans-IO: connections report pings and requests with
/// `touch`, and a timer asks for `expired(now:)` and proposes `closeSession` for each.
///
/// Deadlines are not replicated. A new leader calls `trackAll(_:now:)` with the tree's sessions,
/// giving every session a full timeout from the moment it took office, as ZooKeeper's new
/// leaders do.
public struct ZooKeeperSessionTracker: Equatable, Sendable {
    private var deadlines: [Int64: Instant] = [:]
    private var timeouts: [Int64: Duration] = [:]

    /// An empty tracker.
    public init() {}

    /// How many sessions are tracked.
    public var count: Int { deadlines.count }

    /// Starts (or restarts) tracking a session.
    public mutating func track(_ sessionID: Int64, timeoutMilliseconds: Int32, now: Instant) {
        let timeout = Duration.milliseconds(Int64(timeoutMilliseconds))
        timeouts[sessionID] = timeout
        deadlines[sessionID] = now + timeout
    }

    /// Tracks every session of `tree`, replacing what was tracked.
    public mutating func trackAll(_ tree: ZooKeeperTree, now: Instant) {
        deadlines = [:]
        timeouts = [:]
        for (id, session) in tree.sessions {
            track(id, timeoutMilliseconds: session.timeout, now: now)
        }
    }

    /// Pushes a session's deadline a full timeout past `now`; pass `timeoutMilliseconds` when a
    /// reconnect renegotiated it. Returns false for an unknown session.
    @discardableResult
    public mutating func touch(_ sessionID: Int64, now: Instant, timeoutMilliseconds: Int32? = nil) -> Bool {
        guard var timeout = timeouts[sessionID] else { return false }
        if let timeoutMilliseconds {
            timeout = .milliseconds(Int64(timeoutMilliseconds))
            timeouts[sessionID] = timeout
        }
        deadlines[sessionID] = now + timeout
        return true
    }

    /// Stops tracking a session (closed, or its closeSession was proposed).
    public mutating func remove(_ sessionID: Int64) {
        deadlines[sessionID] = nil
        timeouts[sessionID] = nil
    }

    /// Sessions whose deadline has passed at `now`, in id order. They stay tracked until
    /// removed, so the caller decides when its closeSession is in flight.
    public func expired(now: Instant) -> [Int64] {
        deadlines.compactMap { $0.value <= now ? $0.key : nil }.sorted()
    }

    /// The earliest deadline, for arming the expiry timer.
    public var nextDeadline: Instant? {
        deadlines.values.min()
    }
}
