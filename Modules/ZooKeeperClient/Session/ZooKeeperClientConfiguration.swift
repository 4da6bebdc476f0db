/// How a `ZooKeeperClient` connects and how long its session lives.
public struct ZooKeeperClientConfiguration: Sendable {
    /// The session timeout asked of the server; the server clamps it to between 2 and 20 ticks.
    public var sessionTimeout: Duration
    /// How long one TCP connect plus handshake may take before the next server is tried.
    public var connectTimeout: Duration
    /// How long a request waits for a connection while the client is reconnecting.
    public var requestConnectionWait: Duration
    /// The pause after every server was tried once without success.
    public var reconnectBackoff: Duration

    /// Kafka's broker defaults: an 18 s session (`zookeeper.session.timeout.ms`).
    public init(
        sessionTimeout: Duration = .seconds(18), connectTimeout: Duration = .seconds(5),
        requestConnectionWait: Duration? = nil, reconnectBackoff: Duration = .milliseconds(200)
    ) {
        self.sessionTimeout = sessionTimeout
        self.connectTimeout = connectTimeout
        self.requestConnectionWait = requestConnectionWait ?? sessionTimeout
        self.reconnectBackoff = reconnectBackoff
    }
}
