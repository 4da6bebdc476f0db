public import TernZooKeeper

/// How a ZooKeeper server treats its clients.
public struct ZooKeeperServerConfiguration: Sendable {
    /// The session timeouts granted (ZooKeeper's 2 to 20 ticks of 2 s by default).
    public var sessionTimeouts: ZooKeeperSessionTimeoutPolicy
    /// How often the leader looks for expired sessions and a follower sends the leader its
    /// clients' keep-alives. ZooKeeper checks once a tick; finer is cheap here.
    public var sessionCheckInterval: Duration
    /// How often the leader looks for empty containers and expired TTL nodes.
    public var containerSweepInterval: Duration
    /// Requests one connection may have waiting for replies. Past this the server stops
    /// reading from the connection until the oldest is answered.
    public var requestsPerConnectionMax: Int
    /// Largest sum of transaction sizes proposed as one log entry (a single larger write still
    /// goes alone).
    public var batchBytesMax: Int

    /// ZooKeeper's defaults for `tickTime` 2 s.
    public init(
        sessionTimeouts: ZooKeeperSessionTimeoutPolicy = ZooKeeperSessionTimeoutPolicy(),
        sessionCheckInterval: Duration = .milliseconds(200),
        containerSweepInterval: Duration = .seconds(60),
        requestsPerConnectionMax: Int = 1000,
        batchBytesMax: Int = ZooKeeperLimits.frameBytesMax
    ) {
        // Values come from our own configuration; zero would stall every connection.
        precondition(requestsPerConnectionMax > 0 && batchBytesMax > 0)
        self.sessionTimeouts = sessionTimeouts
        self.sessionCheckInterval = sessionCheckInterval
        self.containerSweepInterval = containerSweepInterval
        self.requestsPerConnectionMax = requestsPerConnectionMax
        self.batchBytesMax = batchBytesMax
    }
}
