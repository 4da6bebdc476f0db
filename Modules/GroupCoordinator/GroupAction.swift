// What the group coordinator asks its driver to do. The driver performs actions in order:
// answer a parked request, append records to `__consumer_offsets` (and report back with
// `appended(_:failure:…)` once they are durable or have failed), or arm and disarm timers.

public import TernPrimitives

/// A timer the coordinator keeps; at most one of each exists at a time.
public enum GroupTimer: Hashable, Sendable {
    /// The end of a join phase: the initial delay or the rebalance timeout.
    case join(groupId: String)
    /// The deadline for every member to send SyncGroup after a join phase.
    case sync(groupId: String)
    /// A member's session timeout (or a new member's join timeout).
    case heartbeat(groupId: String, memberId: String)
    /// The periodic clean-up of expired offsets and empty groups.
    case offsetsRetentionCheck
}

/// Records to append to `__consumer_offsets`, as one batch, plus what to do once they are
/// durable. The driver hands the whole value back to `appended(_:failure:now:wallClockMilliseconds:)`.
public struct GroupAppend: Hashable, Sendable {
    /// Why the coordinator wrote, and so what finishes when the write does.
    enum Purpose: Hashable, Sendable {
        /// Group metadata whose durability nobody waits for (an empty generation, deletions).
        case bookkeeping
        /// The leader's assignment for `generationId`; SyncGroup answers wait for it.
        case assignment(generationId: Int32, assignments: [String: [UInt8]])
        /// A static member's new member id; its JoinGroup answer waits for it.
        case staticMemberReplacement(StaticMemberReplacement)
        /// An offset commit; its answer waits for it.
        case offsetCommit(token: RequestToken, committed: [TopicPartition: OffsetAndMetadata],
                          rejected: [TopicPartition: GroupErrorCode])
        /// A transactional offset commit (TxnOffsetCommit); its answer waits for it, and the
        /// offsets wait for the transaction's commit marker.
        case transactionalOffsetCommit(token: RequestToken, producerId: Int64, committed: [TopicPartition: OffsetAndMetadata],
                                       rejected: [TopicPartition: GroupErrorCode])
    }

    /// The group the records belong to; it picks the `__consumer_offsets` partition.
    public let groupId: String
    /// The records, in order.
    public let records: [GroupCoordinatorRecord]
    let purpose: Purpose
    /// For a transactional offset commit, the producer whose transactional batch carries the
    /// records (the driver writes it with this producer id and epoch); nil otherwise.
    public internal(set) var producer: TransactionalProducer? = nil
}

/// The producer id and epoch a transactional batch of `__consumer_offsets` carries.
public struct TransactionalProducer: Hashable, Sendable {
    /// The producer id.
    public var producerId: Int64
    /// The producer epoch.
    public var producerEpoch: Int16

    /// Pairs the two.
    public init(producerId: Int64, producerEpoch: Int16) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }
}

/// What a static member's rejoin changed, so a failed write can be undone (Kafka reverts the
/// member id when the group metadata record cannot be stored).
struct StaticMemberReplacement: Hashable, Sendable {
    var groupInstanceId: String
    var oldMemberId: String
    var newMemberId: String
    var oldProtocols: [GroupProtocol]
    var oldRebalanceTimeout: Duration
    var oldSessionTimeout: Duration
    var leaderBefore: String?
    var supportsSkippingAssignment: Bool
}

/// One thing the driver must do.
public enum GroupAction: Hashable, Sendable {
    /// Answer the parked request.
    case respond(RequestToken, GroupResponse)
    /// Append these records to the group's `__consumer_offsets` partition, then report back.
    case append(GroupAppend)
    /// Call `expire(_:now:wallClockMilliseconds:)` for this timer at `deadline`; replaces any
    /// earlier deadline of the same timer.
    case scheduleTimer(GroupTimer, deadline: Instant)
    /// Forget the timer.
    case cancelTimer(GroupTimer)
}
