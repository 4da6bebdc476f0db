// The classic (pre-KIP-848) consumer group protocol for one group, as a sans-IO state machine.
// Requests come in with a driver-chosen token; answers, writes to `__consumer_offsets` and timer
// changes come out as `GroupAction`s. The struct never reads a clock: each event carries the
// monotonic `now` (for deadlines) and the wall clock (for the timestamps Kafka stores).
//
// The type is split by facet: joining in `ClassicGroup+Join`, SyncGroup, Heartbeat and LeaveGroup
// in `ClassicGroup+Sync`, the rebalance phases and timers in `ClassicGroup+Rebalance`, and the
// conversion to and from `__consumer_offsets` records in `ClassicGroup+Records`. The design note,
// with where we depart from Kafka, is in `GroupCoordinator.swift`.

public import TernPrimitives

/// The states of a classic group, with Kafka's names.
public enum ClassicGroupState: String, Hashable, Sendable, CaseIterable {
    /// No members; the group may still hold offsets.
    case empty = "Empty"
    /// Waiting for members to (re)join before a new generation starts.
    case preparingRebalance = "PreparingRebalance"
    /// The new generation exists; waiting for the leader's assignment.
    case completingRebalance = "CompletingRebalance"
    /// Every member has its assignment.
    case stable = "Stable"
    /// Removed; kept only until the coordinator forgets the group.
    case dead = "Dead"

    /// The states a group may enter this one from (Kafka's `validPreviousStates`).
    var validPreviousStates: Set<ClassicGroupState> {
        switch self {
        case .empty: [.preparingRebalance]
        case .preparingRebalance: [.stable, .completingRebalance, .empty]
        case .completingRebalance: [.preparingRebalance]
        case .stable: [.completingRebalance]
        case .dead: [.stable, .preparingRebalance, .completingRebalance, .empty, .dead]
        }
    }
}

/// One classic consumer group, driven by events.
public struct ClassicGroup: Sendable {
    /// What ends the current join phase.
    enum JoinTimer: Hashable, Sendable {
        /// The first rebalance of an empty group: wait `delay`, then again while members keep
        /// arriving, until `remaining` is used up.
        case initialDelay(deadline: Instant, delay: Duration, remaining: Duration)
        /// Any other rebalance: wait for the slowest member's rebalance timeout.
        case rebalance(deadline: Instant)

        var deadline: Instant {
            switch self {
            case let .initialDelay(deadline, _, _), let .rebalance(deadline): deadline
            }
        }
    }

    /// The deadline for every member of `generationId` to send SyncGroup.
    struct SyncTimer: Hashable, Sendable {
        var deadline: Instant
        var generationId: Int32
    }

    /// The group's id.
    public let groupId: String
    let configuration: GroupCoordinatorConfiguration
    /// The current state.
    public internal(set) var state: ClassicGroupState
    /// The state before the current one; a join phase entered from `.empty` is an initial one.
    public internal(set) var previousState: ClassicGroupState
    /// Wall-clock milliseconds of the last state change, nil for groups loaded from old records.
    public internal(set) var currentStateTimestamp: Int64?
    /// The protocol type, fixed by the first member; nil for a group used only for offsets.
    public internal(set) var protocolType: String?
    /// The protocol selected for the current generation.
    public internal(set) var protocolName: String?
    /// The current generation; 0 before the first.
    public internal(set) var generationId: Int32
    /// The leader's member id.
    public internal(set) var leaderId: String?
    /// The topics the members subscribe to, when the group uses the consumer protocol and every
    /// subscription parsed.
    public internal(set) var subscribedTopics: Set<String>?
    /// Member ids in the order they joined; iteration in this order keeps every choice
    /// (leader succession, protocol ties, answer order) deterministic.
    public internal(set) var memberIds: [String]
    var members: [String: ClassicGroupMember]
    /// Instance id to member id, for static members.
    var staticMembers: [String: String]
    /// Dynamic members told MEMBER_ID_REQUIRED that have not rejoined, with their deadlines.
    var pendingJoinMembers: [String: Instant]
    /// Members of the current generation that have not sent SyncGroup yet.
    var pendingSyncMembers: Set<String>
    /// How many members support each protocol name.
    var supportedProtocols: [String: Int]
    var awaitingJoinCount: Int
    /// Whether a member joined during the current initial delay, so the delay is extended.
    var newMemberAdded: Bool
    var joinTimer: JoinTimer?
    var syncTimer: SyncTimer?

    /// The event being handled: its clock readings and the actions gathered so far.
    var now: Instant
    var wallClockMilliseconds: Int64
    var output: [GroupAction] = []

    /// Creates an empty group, as the first JoinGroup or offset commit for an unknown id does.
    public init(groupId: String, configuration: GroupCoordinatorConfiguration, now: Instant, wallClockMilliseconds: Int64) {
        self.groupId = groupId
        self.configuration = configuration
        state = .empty
        previousState = .dead
        currentStateTimestamp = wallClockMilliseconds
        protocolType = nil
        protocolName = nil
        generationId = 0
        leaderId = nil
        subscribedTopics = nil
        memberIds = []
        members = [:]
        staticMembers = [:]
        pendingJoinMembers = [:]
        pendingSyncMembers = []
        supportedProtocols = [:]
        awaitingJoinCount = 0
        newMemberAdded = false
        joinTimer = nil
        syncTimer = nil
        self.now = now
        self.wallClockMilliseconds = wallClockMilliseconds
    }

    /// The member with `memberId`, if present.
    public func member(_ memberId: String) -> ClassicGroupMember? {
        members[memberId]
    }

    /// The members in join order.
    public var allMembers: [ClassicGroupMember] {
        memberIds.compactMap { members[$0] }
    }

    /// The member id a static member's instance id maps to.
    public func staticMemberId(_ groupInstanceId: String) -> String? {
        staticMembers[groupInstanceId]
    }

    /// Whether `memberId` was handed out with MEMBER_ID_REQUIRED and has not joined yet.
    public func isPendingMember(_ memberId: String) -> Bool {
        pendingJoinMembers[memberId] != nil
    }

    /// The group's rebalance timeout: the longest of its members'.
    var rebalanceTimeout: Duration {
        members.values.map(\.rebalanceTimeout).max() ?? .zero
    }

    var hasAllMembersJoined: Bool {
        members.count == awaitingJoinCount && pendingJoinMembers.isEmpty
    }

    var usesConsumerProtocol: Bool { protocolType == "consumer" }

    /// Starts an event: records its clock readings.
    mutating func begin(now: Instant, wallClockMilliseconds: Int64) {
        precondition(output.isEmpty, "an event began before the previous one's actions were taken")
        self.now = now
        self.wallClockMilliseconds = wallClockMilliseconds
    }

    /// Ends an event: hands over its actions.
    mutating func finish() -> [GroupAction] {
        defer { output.removeAll() }
        return output
    }

    mutating func transition(to next: ClassicGroupState) {
        precondition(next.validPreviousStates.contains(state), "group \(groupId) cannot go from \(state) to \(next)")
        previousState = state
        state = next
        currentStateTimestamp = wallClockMilliseconds
    }

    /// Whether the group can start a rebalance from its current state.
    var canRebalance: Bool {
        ClassicGroupState.preparingRebalance.validPreviousStates.contains(state)
    }

    // MARK: - Membership bookkeeping

    /// Whether a member of `protocolType` supporting `protocolNames` may join: an empty group
    /// takes any non-empty offer, a non-empty one needs the same type and a protocol every
    /// current member supports.
    func supportsProtocols(_ protocolType: String, _ protocolNames: Set<String>) -> Bool {
        switch state {
        case .empty:
            return !protocolType.isEmpty && !protocolNames.isEmpty
        case .preparingRebalance, .completingRebalance, .stable, .dead:
            return self.protocolType == protocolType
                && protocolNames.contains { supportedProtocols[$0, default: 0] == members.count }
        }
    }

    mutating func add(_ member: ClassicGroupMember) {
        if let instanceId = member.groupInstanceId {
            precondition(staticMembers[instanceId] == nil, "static member \(instanceId) is already in group \(groupId)")
            staticMembers[instanceId] = member.memberId
        }
        if members.isEmpty { protocolType = member.protocolType }
        precondition(protocolType == member.protocolType, "members of a group share its protocol type")
        if leaderId == nil { leaderId = member.memberId }
        members[member.memberId] = member
        memberIds.append(member.memberId)
        countProtocols(of: member, by: 1)
        if member.awaitingJoin != nil { awaitingJoinCount += 1 }
        pendingJoinMembers[member.memberId] = nil
    }

    /// Removes a member without answering its parked requests; the caller answers them first.
    mutating func remove(_ memberId: String) {
        if let member = members.removeValue(forKey: memberId) {
            countProtocols(of: member, by: -1)
            if member.awaitingJoin != nil { awaitingJoinCount -= 1 }
            if let instanceId = member.groupInstanceId { staticMembers[instanceId] = nil }
            memberIds.removeAll { $0 == memberId }
        }
        // Kafka hands leadership to any remaining member; we take the longest-standing one.
        if leaderId == memberId { leaderId = memberIds.first }
        pendingJoinMembers[memberId] = nil
        pendingSyncMembers.remove(memberId)
    }

    mutating func countProtocols(of member: ClassicGroupMember, by delta: Int) {
        for name in Set(member.protocols.map(\.name)) {
            let count = supportedProtocols[name, default: 0] + delta
            supportedProtocols[name] = count == 0 ? nil : count
        }
    }

    /// Replaces a member's protocols, timeouts and parked JoinGroup. A JoinGroup still parked
    /// from before is answered REBALANCE_IN_PROGRESS so the driver never holds a dead request.
    mutating func updateMember(
        _ memberId: String, protocols: [GroupProtocol], rebalanceTimeout: Duration,
        sessionTimeout: Duration, awaitingJoin token: RequestToken?
    ) {
        guard var member = members[memberId] else { preconditionFailure("updating unknown member \(memberId)") }
        countProtocols(of: member, by: -1)
        member.protocols = protocols
        member.rebalanceTimeout = rebalanceTimeout
        member.sessionTimeout = sessionTimeout
        if let superseded = member.awaitingJoin, let token, superseded != token {
            output.append(.respond(superseded, .join(.failure(.rebalanceInProgress, memberId: memberId))))
        }
        switch (member.awaitingJoin, token) {
        case (nil, .some): awaitingJoinCount += 1
        case (.some, nil): awaitingJoinCount -= 1
        case (nil, nil), (.some, .some): break
        }
        member.awaitingJoin = token
        members[memberId] = member
        countProtocols(of: member, by: 1)
    }

    /// The protocol for the next generation, one every member supports: each member votes for its
    /// most preferred candidate and the most votes win; a tie goes to the protocol whose first
    /// vote came from the longest-standing member (Kafka leaves ties to hash order).
    func selectProtocol() -> String {
        precondition(!members.isEmpty, "an empty group has no protocol")
        let candidates = Set(supportedProtocols.filter { $0.value == members.count }.keys)
        var votes: [(name: String, count: Int)] = []
        for member in allMembers {
            guard let choice = member.vote(among: candidates) else { preconditionFailure("members share a protocol by construction") }
            if let index = votes.firstIndex(where: { $0.name == choice }) {
                votes[index].count += 1
            } else {
                votes.append((choice, 1))
            }
        }
        var winner = votes[0]
        for vote in votes.dropFirst() where vote.count > winner.count { winner = vote }
        return winner.name
    }

    /// Takes the member's parked JoinGroup, if any, for the caller to answer.
    mutating func takeAwaitingJoin(_ memberId: String) -> RequestToken? {
        guard let token = members[memberId]?.awaitingJoin else { return nil }
        members[memberId]?.awaitingJoin = nil
        awaitingJoinCount -= 1
        return token
    }

    /// Takes the member's parked SyncGroup, if any, for the caller to answer.
    mutating func takeAwaitingSync(_ memberId: String) -> RequestToken? {
        guard let token = members[memberId]?.awaitingSync else { return nil }
        members[memberId]?.awaitingSync = nil
        return token
    }

    /// Checks that `memberId` belongs to the group and, for a static member, still owns its
    /// instance id.
    func validateMember(_ memberId: String, groupInstanceId: String?) -> GroupErrorCode? {
        if let groupInstanceId {
            guard let current = staticMembers[groupInstanceId] else { return .unknownMemberId }
            if current != memberId { return .fencedInstanceId }
        }
        return members[memberId] == nil ? .unknownMemberId : nil
    }

    /// The members as the leader's JoinGroup answer lists them.
    var joinResultMembers: [JoinGroupResult.Member] {
        allMembers.map {
            JoinGroupResult.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata(for: protocolName))
        }
    }

    /// The JoinGroup answer for `memberId` in the current generation.
    func joinResult(for memberId: String, skipAssignment: Bool = false) -> JoinGroupResult {
        joinResult(for: memberId, naming: leaderId, skipAssignment: skipAssignment)
    }

    /// The JoinGroup answer for `memberId` naming `leader` as leader; the member list goes only
    /// to the member so named.
    func joinResult(for memberId: String, naming leader: String?, skipAssignment: Bool = false) -> JoinGroupResult {
        JoinGroupResult(
            error: .noError, generationId: generationId, protocolType: protocolType, protocolName: protocolName,
            leaderId: leader ?? "", skipAssignment: skipAssignment, memberId: memberId,
            members: leader == memberId ? joinResultMembers : [])
    }
}
