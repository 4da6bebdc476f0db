/// How a `RaftReplicatedLog` runs, beyond the Raft core's own configuration.
public struct RaftRuntimeOptions: Sendable {
    /// Applied entries between state-machine snapshots; each snapshot compacts the log.
    public var snapshotInterval: Int
    /// How long a proposal may wait for its entry to apply before it fails `.outcomeUnknown`.
    public var proposalTimeout: Duration
    /// How long a read barrier may wait before it fails `.outcomeUnknown`.
    public var readTimeout: Duration
    /// Proposals and read barriers waiting at once on this node; more fail `.overloaded`.
    public var waitersMax: Int
    /// Messages buffered in `leaderInbox` before the oldest are dropped.
    public var leaderInboxBufferMax: Int
    /// The seed of the core's election-timeout randomness; nil draws one from the system.
    public var randomSeed: UInt64?
    /// Where the runtime reports what an operator may want to see (leader changes, dropped
    /// garbage, storage failures). The default discards it.
    public var log: @Sendable (String) -> Void

    /// Creates options.
    public init(
        snapshotInterval: Int = 10_000,
        proposalTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(10),
        waitersMax: Int = 16_384,
        leaderInboxBufferMax: Int = 4096,
        randomSeed: UInt64? = nil,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        precondition(snapshotInterval > 0 && waitersMax > 0 && leaderInboxBufferMax > 0, "runtime bounds must be positive")
        self.snapshotInterval = snapshotInterval
        self.proposalTimeout = proposalTimeout
        self.readTimeout = readTimeout
        self.waitersMax = waitersMax
        self.leaderInboxBufferMax = leaderInboxBufferMax
        self.randomSeed = randomSeed
        self.log = log
    }
}
