public import TernPrimitives

/// How a server treats its connections. The defaults are Apache Kafka's broker defaults.
public struct ServerConfiguration: Sendable {
    /// Largest request frame (`socket.request.max.bytes`). A longer or negative length prefix
    /// closes the connection before any of the frame is buffered.
    public var requestFrameBytesMax: Int
    /// Requests of one connection handled at once. Beyond this the server stops reading
    /// from the connection until the oldest response is written.
    public var inFlightRequestsMax: Int
    /// Unsent pushed frames a connection may queue before it is closed.
    public var pushedFramesMax: Int
    /// Connections served at once; more are closed on accept.
    public var connectionsMax: Int
    /// How long a connection may go with no bytes arriving, nothing written and no request
    /// in flight before it is closed (`connections.max.idle.ms`); nil never closes.
    public var idleTimeout: Duration?
    /// How long a graceful shutdown waits for in-flight requests to be answered before it
    /// closes their connections anyway.
    public var shutdownDrainTimeout: Duration
    /// Whether each connection's task, handler included, runs on the thread that does the
    /// connection's socket I/O, where the transport has one (the NIO event loop), instead of
    /// Swift's shared cooperative pool. It saves the thread wake-ups of handing every request
    /// and response between the two; handlers must then never block (`ConnectionHandler`).
    public var runsHandlersOnIOThread: Bool
    /// Where the server reports connection events and per-connection errors.
    public var log: @Sendable (TransportEvent) -> Void
    /// Answers ZooKeeper's four-letter words (`ruok`, `srvr`, `mntr`, …), which monitoring tools
    /// send unframed as a connection's first four bytes. When it returns text for those bytes,
    /// the server writes that text raw and closes the connection; otherwise the bytes are read
    /// as a length prefix as usual. Nil (the default, and right for Kafka listeners) never looks.
    /// Only the TCP transport serves it: in-memory clients speak frames only.
    public var fourLetterWords: (@Sendable (String) -> String?)?

    /// A configuration with Kafka's defaults; `log` discards events.
    public init(
        requestFrameBytesMax: Int = Limits.requestFrameBytesMax,
        inFlightRequestsMax: Int = Limits.inFlightRequestsPerConnectionMax,
        pushedFramesMax: Int = Limits.pushedFramesPerConnectionMax,
        connectionsMax: Int = Limits.connectionsPerListenerMax,
        idleTimeout: Duration? = .seconds(600),
        shutdownDrainTimeout: Duration = .seconds(30),
        runsHandlersOnIOThread: Bool = false,
        log: @escaping @Sendable (TransportEvent) -> Void = { _ in },
        fourLetterWords: (@Sendable (String) -> String?)? = nil
    ) {
        // These come from our own config parsing; a zero would deadlock every connection.
        precondition(requestFrameBytesMax >= 0 && inFlightRequestsMax > 0 && pushedFramesMax > 0 && connectionsMax > 0)
        self.requestFrameBytesMax = requestFrameBytesMax
        self.inFlightRequestsMax = inFlightRequestsMax
        self.pushedFramesMax = pushedFramesMax
        self.connectionsMax = connectionsMax
        self.idleTimeout = idleTimeout
        self.shutdownDrainTimeout = shutdownDrainTimeout
        self.runsHandlersOnIOThread = runsHandlersOnIOThread
        self.log = log
        self.fourLetterWords = fourLetterWords
    }
}

/// How an outbound connection is made and what it accepts.
public struct ClientConfiguration: Sendable {
    /// How long establishing the connection may take.
    public var connectTimeout: Duration
    /// Largest inbound frame; a longer or negative length prefix closes the connection.
    public var responseFrameBytesMax: Int

    /// A configuration with a 10-second connect timeout and the request frame limit.
    public init(connectTimeout: Duration = .seconds(10), responseFrameBytesMax: Int = Limits.requestFrameBytesMax) {
        self.connectTimeout = connectTimeout
        self.responseFrameBytesMax = responseFrameBytesMax
    }
}
