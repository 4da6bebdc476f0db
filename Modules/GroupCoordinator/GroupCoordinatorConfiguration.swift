// The broker settings the group coordinator obeys. Defaults are Kafka's, so a client tuned for
// Kafka sees the same timing here.

/// Broker-wide group coordinator settings (Kafka's `group.*` and `offsets.*` configs).
public struct GroupCoordinatorConfiguration: Hashable, Sendable {
    /// Shortest session timeout a member may ask for (`group.min.session.timeout.ms`).
    public var sessionTimeoutMin: Duration
    /// Longest session timeout a member may ask for (`group.max.session.timeout.ms`).
    public var sessionTimeoutMax: Duration
    /// How long the first rebalance of an empty group waits for more members
    /// (`group.initial.rebalance.delay.ms`). Each new arrival extends the wait by up to this much
    /// again, bounded by the group's rebalance timeout.
    public var initialRebalanceDelay: Duration
    /// Most members one group may hold (`group.max.size`).
    public var groupSizeMax: Int
    /// How long a new member's JoinGroup may stay parked before the member is dropped
    /// (Kafka's fixed `NewMemberJoinTimeoutMs`, `group.classic.new.member.join.timeout.ms`).
    public var newMemberJoinTimeout: Duration
    /// How long offsets outlive the group becoming empty, or their last commit for a group
    /// without membership (`offsets.retention.minutes`).
    public var offsetsRetention: Duration
    /// How often expired offsets and empty groups are cleaned up
    /// (`offsets.retention.check.interval.ms`).
    public var offsetsRetentionCheckInterval: Duration
    /// Longest metadata string an offset commit may carry (`offset.metadata.max.bytes`).
    public var offsetMetadataBytesMax: Int

    /// Creates a configuration; every argument defaults to Kafka's default.
    public init(
        sessionTimeoutMin: Duration = .seconds(6),
        sessionTimeoutMax: Duration = .seconds(1800),
        initialRebalanceDelay: Duration = .seconds(3),
        groupSizeMax: Int = Int(Int32.max),
        newMemberJoinTimeout: Duration = .seconds(300),
        offsetsRetention: Duration = .seconds(7 * 24 * 3600),
        offsetsRetentionCheckInterval: Duration = .seconds(600),
        offsetMetadataBytesMax: Int = 4096
    ) {
        self.sessionTimeoutMin = sessionTimeoutMin
        self.sessionTimeoutMax = sessionTimeoutMax
        self.initialRebalanceDelay = initialRebalanceDelay
        self.groupSizeMax = groupSizeMax
        self.newMemberJoinTimeout = newMemberJoinTimeout
        self.offsetsRetention = offsetsRetention
        self.offsetsRetentionCheckInterval = offsetsRetentionCheckInterval
        self.offsetMetadataBytesMax = offsetMetadataBytesMax
    }
}
