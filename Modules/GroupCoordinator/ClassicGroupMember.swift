// One member of a classic group, with the requests it has parked and its session deadline.

public import TernPrimitives

/// A member of a classic group.
public struct ClassicGroupMember: Hashable, Sendable {
    /// The member's id; a static member's changes when it rejoins without one.
    public internal(set) var memberId: String
    /// The static member's `group.instance.id`, or nil.
    public let groupInstanceId: String?
    /// The client id.
    public let clientId: String
    /// The client's address.
    public let clientHost: String
    /// How long the member may take to rejoin during a rebalance.
    public internal(set) var rebalanceTimeout: Duration
    /// How long the member may go without a heartbeat.
    public internal(set) var sessionTimeout: Duration
    /// The member's protocol type.
    public let protocolType: String
    /// The protocols the member supports, most preferred first.
    public internal(set) var protocols: [GroupProtocol]
    /// The member's assignment from the current generation's leader.
    public internal(set) var assignment: [UInt8]
    /// The JoinGroup request waiting for the join phase to end.
    public internal(set) var awaitingJoin: RequestToken?
    /// The SyncGroup request waiting for the leader's assignment.
    public internal(set) var awaitingSync: RequestToken?
    /// Whether the member joined during the current join phase and has never been answered; such
    /// a member is dropped when its join timeout passes even while it waits.
    public internal(set) var isNew: Bool
    /// When the member's session (or new-member join) timeout fires, if armed.
    public internal(set) var heartbeatDeadline: Instant?

    init(
        memberId: String, groupInstanceId: String?, clientId: String, clientHost: String,
        rebalanceTimeout: Duration, sessionTimeout: Duration, protocolType: String,
        protocols: [GroupProtocol], assignment: [UInt8] = []
    ) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.rebalanceTimeout = rebalanceTimeout
        self.sessionTimeout = sessionTimeout
        self.protocolType = protocolType
        self.protocols = protocols
        self.assignment = assignment
        awaitingJoin = nil
        awaitingSync = nil
        isNew = false
        heartbeatDeadline = nil
    }

    /// Whether the member is a static member.
    public var isStatic: Bool { groupInstanceId != nil }

    /// The member's metadata for `protocolName`, empty when it does not support it.
    public func metadata(for protocolName: String?) -> [UInt8] {
        protocols.first { $0.name == protocolName }?.metadata ?? []
    }

    /// The member's most preferred protocol among `candidates`.
    func vote(among candidates: Set<String>) -> String? {
        protocols.first { candidates.contains($0.name) }?.name
    }

    /// Whether a session timeout that fires now leaves the member in the group: a member parked
    /// in a join or sync phase is alive by definition, unless it is new and has waited too long.
    var hasSatisfiedHeartbeat: Bool {
        if isNew { return false }
        return awaitingJoin != nil || awaitingSync != nil
    }
}
