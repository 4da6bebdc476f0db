// Every classic group this coordinator owns, with their committed offsets: the sans-IO core a
// broker's group coordinator actor drives. It routes requests to the right `ClassicGroup`,
// creates groups on first use, hands out member ids (from its injected random generator, so a
// simulation replays exactly), and owns the offsets and the periodic clean-up. Named after
// Kafka's `GroupMetadataManager`, which plays the same part in the group coordinator.
//
// Offsets live in `GroupMetadataManager+Offsets`, the admin APIs (DescribeGroups, ListGroups,
// DeleteGroups) in `GroupMetadataManager+Admin`, and loading from `__consumer_offsets` in
// `GroupMetadataManager+Loading`.

public import TernPrimitives

/// The groups and offsets of one group coordinator, driven by events.
public struct GroupMetadataManager: Sendable {
    /// The broker's group settings.
    public let configuration: GroupCoordinatorConfiguration
    var random: SeededRandom
    /// The groups, by id.
    public internal(set) var groups: [String: ClassicGroup]
    var offsets: [String: GroupOffsets]

    /// Creates a coordinator with no groups; replay `__consumer_offsets` into it, then `start`.
    public init(configuration: GroupCoordinatorConfiguration = GroupCoordinatorConfiguration(), random: SeededRandom) {
        self.configuration = configuration
        self.random = random
        groups = [:]
        offsets = [:]
    }

    /// Kafka's `__consumer_offsets` partition for `groupId`: `abs(groupId.hashCode) % count`,
    /// with Java's string hash and Kafka's `Utils.abs` (which maps Int.min to 0), so a group
    /// lands on the same partition as on a Kafka broker.
    public static func partition(for groupId: String, partitionCount: Int32) -> Int32 {
        KafkaKeyPartitioner.partition(for: groupId, partitionCount: partitionCount)
    }

    // MARK: - Membership requests

    /// Handles a JoinGroup request. A new member joining an unknown group creates it.
    public mutating func join(_ request: JoinGroupEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        if let error = validateJoin(request) {
            return [.respond(token, .join(.failure(error, memberId: request.memberId)))]
        }
        let groupId = request.groupId
        if groups[groupId] == nil {
            // A member that claims an id cannot be joining a group that does not exist.
            guard request.memberId.isEmpty else {
                return [.respond(token, .join(.failure(.unknownMemberId, memberId: request.memberId)))]
            }
            groups[groupId] = ClassicGroup(groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
        let newMemberId = request.memberId.isEmpty ? makeMemberId(prefix: request.groupInstanceId ?? request.clientId) : ""
        return groups[groupId]?.join(request, token: token, newMemberId: newMemberId, now: now, wallClockMilliseconds: wallClockMilliseconds) ?? []
    }

    func validateJoin(_ request: JoinGroupEvent) -> GroupErrorCode? {
        guard Self.isValidGroupId(request.groupId, allowsEmpty: false) else { return .invalidGroupId }
        let strings = [request.memberId, request.groupInstanceId ?? "", request.clientId, request.clientHost, request.protocolType]
            + request.protocols.map(\.name)
        guard strings.allSatisfy({ $0.utf8.count <= GroupRecordLimits.stringBytesMax }) else { return .invalidRequest }
        guard request.sessionTimeout >= configuration.sessionTimeoutMin,
              request.sessionTimeout <= configuration.sessionTimeoutMax else { return .invalidSessionTimeout }
        return nil
    }

    /// Handles a SyncGroup request.
    public mutating func sync(_ request: SyncGroupEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        guard Self.isValidGroupId(request.groupId, allowsEmpty: false) else {
            return [.respond(token, .sync(SyncGroupResult(error: .invalidGroupId)))]
        }
        return groups[request.groupId]?.sync(request, token: token, now: now, wallClockMilliseconds: wallClockMilliseconds)
            ?? [.respond(token, .sync(SyncGroupResult(error: .unknownMemberId)))]
    }

    /// Handles a Heartbeat request.
    public mutating func heartbeat(_ request: HeartbeatEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        guard Self.isValidGroupId(request.groupId, allowsEmpty: false) else {
            return [.respond(token, .heartbeat(.invalidGroupId))]
        }
        return groups[request.groupId]?.heartbeat(request, token: token, now: now, wallClockMilliseconds: wallClockMilliseconds)
            ?? [.respond(token, .heartbeat(.unknownMemberId))]
    }

    /// Handles a LeaveGroup request.
    public mutating func leave(_ request: LeaveGroupEvent, token: RequestToken, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        guard Self.isValidGroupId(request.groupId, allowsEmpty: false) else {
            return [.respond(token, .leave(LeaveGroupResult(error: .invalidGroupId, members: [])))]
        }
        return groups[request.groupId]?.leave(request, token: token, now: now, wallClockMilliseconds: wallClockMilliseconds)
            ?? [.respond(token, .leave(LeaveGroupResult(error: .unknownMemberId, members: [])))]
    }

    // MARK: - Driver callbacks

    /// Handles a timer firing. Timers of groups that are gone, and stale timers, are ignored.
    public mutating func expire(_ timer: GroupTimer, now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        switch timer {
        case let .join(groupId), let .sync(groupId), let .heartbeat(groupId, _):
            return groups[groupId]?.expire(timer, now: now, wallClockMilliseconds: wallClockMilliseconds) ?? []
        case .offsetsRetentionCheck:
            return expireOffsets(now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
    }

    /// Reports that an append is durable (`failure` nil) or failed. Answers that waited for it
    /// go out now.
    public mutating func appended(
        _ append: GroupAppend, failure: GroupAppendFailure?, now: Instant, wallClockMilliseconds: Int64
    ) -> [GroupAction] {
        switch append.purpose {
        case let .offsetCommit(token, committed, rejected):
            return offsetCommitAppended(
                groupId: append.groupId, token: token, committed: committed, rejected: rejected, failure: failure)
        case let .transactionalOffsetCommit(token, producerId, committed, rejected):
            return transactionalOffsetCommitAppended(
                groupId: append.groupId, token: token, producerId: producerId, committed: committed, rejected: rejected, failure: failure)
        case .bookkeeping, .assignment, .staticMemberReplacement:
            return groups[append.groupId]?.appended(append, failure: failure, now: now, wallClockMilliseconds: wallClockMilliseconds) ?? []
        }
    }

    // MARK: - Helpers

    /// Kafka's `isValidGroupId`: offset and admin APIs accept "", membership APIs do not. Ids too
    /// long for a record key are refused everywhere.
    static func isValidGroupId(_ groupId: String, allowsEmpty: Bool) -> Bool {
        (allowsEmpty || !groupId.isEmpty) && groupId.utf8.count <= GroupRecordLimits.stringBytesMax
    }

    /// A member id as Kafka forms it: the instance id (static) or client id, a dash, and a
    /// random UUID.
    mutating func makeMemberId(prefix: String) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        let uuid = [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
        return prefix + "-" + uuid
    }
}
