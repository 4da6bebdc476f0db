// The group as `__consumer_offsets` stores it and as DescribeGroups and ListGroups report it:
// building the group metadata record, rebuilding a group from one, and reading the topics a
// consumer group subscribes to out of its members' metadata.

import TernPrimitives
import NIOCore

extension ClassicGroup {
    /// The group metadata record value with `assignments` as the members' assignments.
    func metadataValue(assignments: [String: [UInt8]]) -> GroupMetadataValue {
        GroupMetadataValue(
            protocolType: protocolType ?? "", generation: generationId, protocolName: protocolName, leader: leaderId,
            currentStateTimestamp: currentStateTimestamp ?? -1,
            members: allMembers.map { member in
                GroupMetadataValue.Member(
                    memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                    clientHost: member.clientHost,
                    rebalanceTimeoutMilliseconds: Int32(clamping: member.rebalanceTimeout.millisecondsClamped),
                    sessionTimeoutMilliseconds: Int32(clamping: member.sessionTimeout.millisecondsClamped),
                    subscription: member.metadata(for: protocolName), assignment: assignments[member.memberId] ?? [])
            })
    }

    mutating func appendGroupMetadata(assignments: [String: [UInt8]], purpose: GroupAppend.Purpose) {
        let record = GroupCoordinatorRecord.groupMetadata(groupId: groupId, metadataValue(assignments: assignments))
        output.append(.append(GroupAppend(groupId: groupId, records: [record], purpose: purpose)))
    }

    /// Rebuilds a group from its last metadata record, as Kafka does on load: Stable with its
    /// members if it had any, otherwise Empty. Each member supports only the selected protocol.
    /// Members repeating an id or instance id (a corrupt record) are skipped rather than trusted.
    init(loading value: GroupMetadataValue, groupId: String, configuration: GroupCoordinatorConfiguration,
         now: Instant, wallClockMilliseconds: Int64) {
        self.init(groupId: groupId, configuration: configuration, now: now, wallClockMilliseconds: wallClockMilliseconds)
        generationId = value.generation
        protocolName = value.protocolName
        currentStateTimestamp = value.currentStateTimestamp == -1 ? nil : value.currentStateTimestamp
        for stored in value.members where members[stored.memberId] == nil {
            if let instanceId = stored.groupInstanceId, staticMembers[instanceId] != nil { continue }
            add(ClassicGroupMember(
                memberId: stored.memberId, groupInstanceId: stored.groupInstanceId, clientId: stored.clientId,
                clientHost: stored.clientHost,
                rebalanceTimeout: .milliseconds(Int64(stored.rebalanceTimeoutMilliseconds)),
                sessionTimeout: .milliseconds(Int64(stored.sessionTimeoutMilliseconds)),
                protocolType: value.protocolType,
                protocols: [GroupProtocol(name: value.protocolName ?? "", metadata: stored.subscription)],
                assignment: stored.assignment))
        }
        // `add` made the first member leader; the stored leader wins when it is a member.
        if let leader = value.leader, members[leader] != nil { leaderId = leader }
        protocolType = value.protocolType.isEmpty ? nil : value.protocolType
        state = members.isEmpty ? .empty : .stable
        subscribedTopics = computeSubscribedTopics()
    }

    /// Starts the clocks of a freshly loaded group: every member gets a full session to show
    /// up, and a group over `group.max.size` (the config shrank) rebalances at once.
    mutating func loaded(now: Instant, wallClockMilliseconds: Int64) -> [GroupAction] {
        begin(now: now, wallClockMilliseconds: wallClockMilliseconds)
        for member in allMembers { scheduleHeartbeat(member.memberId, timeout: member.sessionTimeout) }
        if members.count > configuration.groupSizeMax && canRebalance {
            prepareRebalance()
        }
        return finish()
    }

    /// The union of the members' subscribed topics, when the group uses the consumer protocol
    /// and every member's metadata parses; nil when unknown.
    func computeSubscribedTopics() -> Set<String>? {
        guard usesConsumerProtocol else { return nil }
        if members.isEmpty { return [] }
        guard let protocolName else { return nil }
        var topics: Set<String> = []
        for member in allMembers {
            guard let subscribed = Self.consumerSubscriptionTopics(member.metadata(for: protocolName)) else { return nil }
            topics.formUnion(subscribed)
        }
        return topics
    }

    /// Reads the topic list of a consumer protocol subscription. Every version starts with the
    /// version 0 layout (int16 version, then an array of int16-length topic names), so only that
    /// prefix is read, as Kafka does, and later versions parse the same way.
    static func consumerSubscriptionTopics(_ metadata: [UInt8]) -> [String]? {
        var buffer = ByteBuffer(bytes: metadata)
        guard let version = try? buffer.readRecordInt16("version"), version >= 0,
              let count = try? buffer.readRecordCount("topics", elementBytesMin: 2) else { return nil }
        var topics: [String] = []
        for _ in 0..<count {
            guard let topic = try? buffer.readRecordString("topic") else { return nil }
            topics.append(topic)
        }
        return topics
    }

    /// Whether the group consumes `topic`; when unknown, a consumer group is assumed to, so its
    /// offsets are not deleted from under it.
    func isSubscribedToTopic(_ topic: String) -> Bool {
        subscribedTopics.map { $0.contains(topic) } ?? usesConsumerProtocol
    }

    /// The group as DescribeGroups reports it: member metadata only once Stable.
    public var groupDescription: GroupDescription {
        let stable = state == .stable
        return GroupDescription(
            groupId: groupId, error: .noError, state: state, protocolType: protocolType ?? "",
            protocolData: stable ? protocolName ?? "" : "",
            members: allMembers.map { member in
                GroupDescription.Member(
                    memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                    clientHost: member.clientHost, metadata: stable ? member.metadata(for: protocolName) : [],
                    assignment: member.assignment)
            })
    }

    /// The group as ListGroups reports it.
    public var groupListing: GroupListing {
        GroupListing(groupId: groupId, protocolType: protocolType ?? "", state: state)
    }
}
