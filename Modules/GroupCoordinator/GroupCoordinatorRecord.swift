// The records the group coordinator keeps in `__consumer_offsets`, byte-compatible with Kafka's
// `GroupMetadataManager` so Kafka's own tools (kafka-console-consumer with the offsets
// formatter, kafka-dump-log) read them. Keys start with an int16 that names the record type:
//
//   0, 1  offset commit    group string, topic string, partition int32   (we write 1)
//   2     group metadata   group string
//
// Values start with their own int16 version:
//
//   offset commit v0, v2   offset int64, metadata string, commitTimestamp int64
//   offset commit v1       offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
//   offset commit v3       offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
//   group metadata v0–3    protocolType string, generation int32, protocol string?, leader string?,
//                          [v2+] currentStateTimestamp int64, members [
//                            memberId string, [v3+] groupInstanceId string?, clientId string,
//                            clientHost string, [v1+] rebalanceTimeout int32, sessionTimeout int32,
//                            subscription bytes, assignment bytes ]
//
// A null value is a tombstone: compaction later drops the key. Like Kafka, we write offset
// values v1 when the commit carried an explicit retention and v3 otherwise, and group metadata
// v3. Version 4 (flexible, KIP-915) is not read; no classic group writes it. Trailing bytes after
// a known version are ignored, as Kafka's readers ignore them.

public import NIOCore

/// The key of an offset commit record.
public struct OffsetCommitKey: Hashable, Sendable {
    /// The group id.
    public var group: String
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32

    /// Creates a key.
    public init(group: String, topic: String, partition: Int32) {
        self.group = group
        self.topic = topic
        self.partition = partition
    }
}

/// The value of a group metadata record: the group as of its last stable point.
public struct GroupMetadataValue: Hashable, Sendable {
    /// One member as stored.
    public struct Member: Hashable, Sendable {
        /// The member id.
        public var memberId: String
        /// The static member's instance id (v3+).
        public var groupInstanceId: String?
        /// The client id.
        public var clientId: String
        /// The client's address.
        public var clientHost: String
        /// Rebalance timeout in milliseconds (v1+; v0 records reuse the session timeout).
        public var rebalanceTimeoutMilliseconds: Int32
        /// Session timeout in milliseconds.
        public var sessionTimeoutMilliseconds: Int32
        /// The member's metadata for the group's protocol.
        public var subscription: [UInt8]
        /// The member's assignment.
        public var assignment: [UInt8]

        /// Creates a member entry.
        public init(
            memberId: String, groupInstanceId: String?, clientId: String, clientHost: String,
            rebalanceTimeoutMilliseconds: Int32, sessionTimeoutMilliseconds: Int32,
            subscription: [UInt8], assignment: [UInt8]
        ) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
            self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
            self.subscription = subscription
            self.assignment = assignment
        }
    }

    /// The protocol type, "" when the group has none.
    public var protocolType: String
    /// The generation.
    public var generation: Int32
    /// The selected protocol, nil when the group is empty.
    public var protocolName: String?
    /// The leader's member id, nil when the group is empty.
    public var leader: String?
    /// Wall-clock milliseconds of the group's last state change (v2+), -1 when unknown.
    public var currentStateTimestamp: Int64
    /// The members.
    public var members: [Member]

    /// Creates a value.
    public init(
        protocolType: String, generation: Int32, protocolName: String?, leader: String?,
        currentStateTimestamp: Int64, members: [Member]
    ) {
        self.protocolType = protocolType
        self.generation = generation
        self.protocolName = protocolName
        self.leader = leader
        self.currentStateTimestamp = currentStateTimestamp
        self.members = members
    }
}

/// One record of `__consumer_offsets`.
public enum GroupCoordinatorRecord: Hashable, Sendable {
    /// An offset commit, or its tombstone when the value is nil.
    case offsetCommit(OffsetCommitKey, OffsetAndMetadata?)
    /// A group's metadata, or its tombstone when the value is nil.
    case groupMetadata(groupId: String, GroupMetadataValue?)

    /// The key type we write for offset commits.
    static let offsetCommitKeyVersion: Int16 = 1
    /// The key type of group metadata.
    static let groupMetadataKeyVersion: Int16 = 2

    /// The record's key bytes.
    public var key: ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case let .offsetCommit(key, _):
            buffer.writeInteger(Self.offsetCommitKeyVersion)
            buffer.writeRecordString(key.group)
            buffer.writeRecordString(key.topic)
            buffer.writeInteger(key.partition)
        case let .groupMetadata(groupId, _):
            buffer.writeInteger(Self.groupMetadataKeyVersion)
            buffer.writeRecordString(groupId)
        }
        return buffer
    }

    /// The record's value bytes, or nil for a tombstone.
    public var value: ByteBuffer? {
        var buffer = ByteBuffer()
        switch self {
        case .offsetCommit(_, nil), .groupMetadata(_, nil):
            return nil
        case let .offsetCommit(_, offset?):
            offset.writeRecordValue(to: &buffer, version: offset.recordVersion)
        case let .groupMetadata(_, metadata?):
            metadata.writeRecordValue(to: &buffer, version: GroupMetadataValue.currentVersion)
        }
        return buffer
    }

    /// Reads a record. Returns nil for key types this coordinator does not own (such as the
    /// KIP-848 consumer group records), which a loader skips.
    public init?(key: ByteBuffer, value: ByteBuffer?) throws(GroupRecordDecodeError) {
        var key = key
        let keyVersion = try key.readRecordInt16("key version")
        switch keyVersion {
        case 0, 1:
            let offsetKey = OffsetCommitKey(
                group: try key.readRecordString("group"), topic: try key.readRecordString("topic"),
                partition: try key.readRecordInt32("partition"))
            guard var value else {
                self = .offsetCommit(offsetKey, nil)
                return
            }
            self = .offsetCommit(offsetKey, try OffsetAndMetadata.readRecordValue(from: &value))
        case 2:
            let groupId = try key.readRecordString("group")
            guard var value else {
                self = .groupMetadata(groupId: groupId, nil)
                return
            }
            self = .groupMetadata(groupId: groupId, try GroupMetadataValue.readRecordValue(from: &value))
        default:
            return nil
        }
    }
}

extension OffsetAndMetadata {
    /// The value version Kafka writes for this offset: 1 keeps an explicit expire timestamp.
    public var recordVersion: Int16 { expireTimestamp == nil ? 3 : 1 }

    /// Appends the record value, version prefix first. `version` must be 0–3.
    public func writeRecordValue(to buffer: inout ByteBuffer, version: Int16) {
        precondition((0...3).contains(version), "offset commit values exist in versions 0-3")
        buffer.writeInteger(version)
        buffer.writeInteger(offset)
        if version >= 3 { buffer.writeInteger(leaderEpoch ?? -1) }
        buffer.writeRecordString(metadata)
        buffer.writeInteger(commitTimestamp)
        if version == 1 { buffer.writeInteger(expireTimestamp ?? -1) }
    }

    /// Reads a record value, version prefix first.
    public static func readRecordValue(from buffer: inout ByteBuffer) throws(GroupRecordDecodeError) -> OffsetAndMetadata {
        let version = try buffer.readRecordInt16("offset commit value version")
        guard (0...3).contains(version) else { throw .unsupportedVersion(record: "OffsetCommitValue", version: version) }
        let offset = try buffer.readRecordInt64("offset")
        let leaderEpoch = version >= 3 ? try buffer.readRecordInt32("leaderEpoch") : -1
        let metadata = try buffer.readRecordString("metadata")
        let commitTimestamp = try buffer.readRecordInt64("commitTimestamp")
        let expireTimestamp = version == 1 ? try buffer.readRecordInt64("expireTimestamp") : -1
        return OffsetAndMetadata(
            offset: offset, leaderEpoch: leaderEpoch == -1 ? nil : leaderEpoch, metadata: metadata,
            commitTimestamp: commitTimestamp, expireTimestamp: expireTimestamp == -1 ? nil : expireTimestamp)
    }
}

extension GroupMetadataValue {
    /// The version Kafka (2.3 and later) writes.
    public static let currentVersion: Int16 = 3

    /// Appends the record value, version prefix first. `version` must be 0–3; fields the
    /// version lacks are dropped.
    public func writeRecordValue(to buffer: inout ByteBuffer, version: Int16) {
        precondition((0...3).contains(version), "group metadata values exist in versions 0-3 here")
        buffer.writeInteger(version)
        buffer.writeRecordString(protocolType)
        buffer.writeInteger(generation)
        buffer.writeRecordNullableString(protocolName)
        buffer.writeRecordNullableString(leader)
        if version >= 2 { buffer.writeInteger(currentStateTimestamp) }
        buffer.writeInteger(Int32(members.count))
        for member in members {
            buffer.writeRecordString(member.memberId)
            if version >= 3 { buffer.writeRecordNullableString(member.groupInstanceId) }
            buffer.writeRecordString(member.clientId)
            buffer.writeRecordString(member.clientHost)
            if version >= 1 { buffer.writeInteger(member.rebalanceTimeoutMilliseconds) }
            buffer.writeInteger(member.sessionTimeoutMilliseconds)
            buffer.writeRecordBytes(member.subscription)
            buffer.writeRecordBytes(member.assignment)
        }
    }

    /// Reads a record value, version prefix first.
    public static func readRecordValue(from buffer: inout ByteBuffer) throws(GroupRecordDecodeError) -> GroupMetadataValue {
        let version = try buffer.readRecordInt16("group metadata value version")
        guard (0...3).contains(version) else { throw .unsupportedVersion(record: "GroupMetadataValue", version: version) }
        let protocolType = try buffer.readRecordString("protocolType")
        let generation = try buffer.readRecordInt32("generation")
        let protocolName = try buffer.readRecordNullableString("protocol")
        let leader = try buffer.readRecordNullableString("leader")
        let currentStateTimestamp = version >= 2 ? try buffer.readRecordInt64("currentStateTimestamp") : -1
        // A member takes at least three int16 string lengths, two int32 byte lengths and an int32.
        let count = try buffer.readRecordCount("members", elementBytesMin: 18)
        var members: [Member] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            let memberId = try buffer.readRecordString("memberId")
            let groupInstanceId = version >= 3 ? try buffer.readRecordNullableString("groupInstanceId") : nil
            let clientId = try buffer.readRecordString("clientId")
            let clientHost = try buffer.readRecordString("clientHost")
            let rebalanceTimeout = version >= 1 ? try buffer.readRecordInt32("rebalanceTimeout") : nil
            let sessionTimeout = try buffer.readRecordInt32("sessionTimeout")
            members.append(Member(
                memberId: memberId, groupInstanceId: groupInstanceId, clientId: clientId, clientHost: clientHost,
                rebalanceTimeoutMilliseconds: rebalanceTimeout ?? sessionTimeout, sessionTimeoutMilliseconds: sessionTimeout,
                subscription: try buffer.readRecordBytes("subscription"), assignment: try buffer.readRecordBytes("assignment")))
        }
        return GroupMetadataValue(
            protocolType: protocolType, generation: generation, protocolName: protocolName, leader: leader,
            currentStateTimestamp: currentStateTimestamp, members: members)
    }
}
