// Goal: the `__consumer_offsets` records are byte-for-byte Kafka's, so Kafka tooling can read
// what Tern writes and Tern can load what Kafka wrote. Method: golden bytes assembled by hand
// from Kafka's record schemas (GroupMetadataKey/Value, OffsetCommitKey/Value), round trips of
// every version, every truncation of a valid record, and seeded random bytes, which must be
// rejected with an error and never trap.

import NIOCore
import Testing
import TernGroupCoordinator
import TernPrimitives

@Suite struct GroupRecordCodecTests {
    let member = GroupMetadataValue.Member(
        memberId: "m1", groupInstanceId: "i", clientId: "c", clientHost: "h",
        rebalanceTimeoutMilliseconds: 30_000, sessionTimeoutMilliseconds: 10_000, subscription: [1, 2], assignment: [3])

    var groupValue: GroupMetadataValue {
        GroupMetadataValue(protocolType: "consumer", generation: 1, protocolName: "range", leader: "m1",
                           currentStateTimestamp: 1000, members: [member])
    }

    @Test func encode_offsetCommitKeyAndValueV3_matchesKafkaBytes() {
        let record = GroupCoordinatorRecord.offsetCommit(
            OffsetCommitKey(group: "g", topic: "t", partition: 3),
            OffsetAndMetadata(offset: 42, leaderEpoch: 5, metadata: "m", commitTimestamp: 1000))
        #expect(bytes(record.key) == [0x00, 0x01, 0x00, 0x01, 0x67, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x03])
        #expect(bytes(record.value) == [
            0x00, 0x03,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
            0x00, 0x00, 0x00, 0x05,
            0x00, 0x01, 0x6D,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8,
        ])
    }

    @Test func encode_offsetCommitValueWithExpiry_isVersion1() {
        let offset = OffsetAndMetadata(offset: 42, metadata: "", commitTimestamp: 1000, expireTimestamp: 2000)
        #expect(bytes(GroupCoordinatorRecord.offsetCommit(OffsetCommitKey(group: "g", topic: "t", partition: 0), offset).value) == [
            0x00, 0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xD0,
        ])
    }

    @Test func encode_groupMetadataKeyAndValueV3_matchesKafkaBytes() {
        let record = GroupCoordinatorRecord.groupMetadata(groupId: "g", groupValue)
        #expect(bytes(record.key) == [0x00, 0x02, 0x00, 0x01, 0x67])
        let expected: [UInt8] = [0x00, 0x03]
            + [0x00, 0x08] + Array("consumer".utf8)
            + [0x00, 0x00, 0x00, 0x01]
            + [0x00, 0x05] + Array("range".utf8)
            + [0x00, 0x02] + Array("m1".utf8)
            + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8]
            + [0x00, 0x00, 0x00, 0x01]
            + [0x00, 0x02] + Array("m1".utf8)
            + [0x00, 0x01, 0x69]
            + [0x00, 0x01, 0x63]
            + [0x00, 0x01, 0x68]
            + [0x00, 0x00, 0x75, 0x30]
            + [0x00, 0x00, 0x27, 0x10]
            + [0x00, 0x00, 0x00, 0x02, 0x01, 0x02]
            + [0x00, 0x00, 0x00, 0x01, 0x03]
        #expect(bytes(record.value) == expected)
    }

    @Test func decode_groupMetadataValueV0_fillsRebalanceTimeoutFromSession() throws {
        let encoded: [UInt8] = [0x00, 0x00]
            + [0x00, 0x08] + Array("consumer".utf8)
            + [0x00, 0x00, 0x00, 0x07]
            + [0xFF, 0xFF]
            + [0xFF, 0xFF]
            + [0x00, 0x00, 0x00, 0x01]
            + [0x00, 0x02] + Array("m1".utf8)
            + [0x00, 0x01, 0x63]
            + [0x00, 0x01, 0x68]
            + [0x00, 0x00, 0x27, 0x10]
            + [0x00, 0x00, 0x00, 0x00]
            + [0xFF, 0xFF, 0xFF, 0xFF]
        var buffer = ByteBuffer(bytes: encoded)
        let value = try GroupMetadataValue.readRecordValue(from: &buffer)
        #expect(value.generation == 7 && value.protocolName == nil && value.leader == nil)
        #expect(value.currentStateTimestamp == -1)
        #expect(value.members == [GroupMetadataValue.Member(
            memberId: "m1", groupInstanceId: nil, clientId: "c", clientHost: "h",
            rebalanceTimeoutMilliseconds: 10_000, sessionTimeoutMilliseconds: 10_000, subscription: [], assignment: [])])
    }

    @Test func roundTrip_groupMetadataEveryVersion_keepsWhatTheVersionHolds() throws {
        for version in Int16(0)...3 {
            var buffer = ByteBuffer()
            groupValue.writeRecordValue(to: &buffer, version: version)
            let decoded = try GroupMetadataValue.readRecordValue(from: &buffer)
            var expected = groupValue
            if version < 2 { expected.currentStateTimestamp = -1 }
            if version < 3 { expected.members[0].groupInstanceId = nil }
            if version < 1 { expected.members[0].rebalanceTimeoutMilliseconds = 10_000 }
            #expect(decoded == expected, "version \(version)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func roundTrip_offsetCommitEveryVersion_keepsWhatTheVersionHolds() throws {
        let offset = OffsetAndMetadata(offset: 9, leaderEpoch: 4, metadata: "meta", commitTimestamp: 77, expireTimestamp: 88)
        for version in Int16(0)...3 {
            var buffer = ByteBuffer()
            offset.writeRecordValue(to: &buffer, version: version)
            let decoded = try OffsetAndMetadata.readRecordValue(from: &buffer)
            #expect(decoded.offset == 9 && decoded.metadata == "meta" && decoded.commitTimestamp == 77)
            #expect(decoded.leaderEpoch == (version >= 3 ? 4 : nil), "version \(version)")
            #expect(decoded.expireTimestamp == (version == 1 ? 88 : nil), "version \(version)")
        }
    }

    @Test func roundTrip_records_throughKeyAndValueBytes() throws {
        let records: [GroupCoordinatorRecord] = [
            .groupMetadata(groupId: "g", groupValue),
            .groupMetadata(groupId: "g", nil),
            .offsetCommit(OffsetCommitKey(group: "g", topic: "topic", partition: 12), OffsetAndMetadata(offset: 1, commitTimestamp: 2)),
            .offsetCommit(OffsetCommitKey(group: "g", topic: "topic", partition: 12), nil),
        ]
        for record in records {
            #expect(try GroupCoordinatorRecord(key: record.key, value: record.value) == record)
        }
    }

    @Test func decode_offsetCommitKeyVersion0_readsAsOffsetCommit() throws {
        let key = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x01, 0x67, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x03])
        #expect(try GroupCoordinatorRecord(key: key, value: nil) == .offsetCommit(OffsetCommitKey(group: "g", topic: "t", partition: 3), nil))
    }

    @Test func decode_keyTypeOfAnotherCoordinator_isSkipped() throws {
        let key = ByteBuffer(bytes: [0x00, 0x03, 0x00, 0x01, 0x67])
        #expect(try GroupCoordinatorRecord(key: key, value: ByteBuffer(bytes: [0x00, 0x00])) == nil)
    }

    @Test func decode_unsupportedValueVersion_throws() {
        var buffer = ByteBuffer(bytes: [0x00, 0x04, 0x00, 0x00])
        #expect(throws: GroupRecordDecodeError.unsupportedVersion(record: "GroupMetadataValue", version: 4)) {
            _ = try GroupMetadataValue.readRecordValue(from: &buffer)
        }
    }

    @Test func decode_everyTruncation_throwsWithoutTrapping() {
        var full = ByteBuffer()
        groupValue.writeRecordValue(to: &full, version: 3)
        for length in 0..<full.readableBytes {
            var prefix = full.getSlice(at: full.readerIndex, length: length) ?? ByteBuffer()
            #expect(throws: GroupRecordDecodeError.self) { _ = try GroupMetadataValue.readRecordValue(from: &prefix) }
        }
        var offset = ByteBuffer()
        OffsetAndMetadata(offset: 1, leaderEpoch: 2, metadata: "x", commitTimestamp: 3).writeRecordValue(to: &offset, version: 3)
        for length in 0..<offset.readableBytes {
            var prefix = offset.getSlice(at: offset.readerIndex, length: length) ?? ByteBuffer()
            #expect(throws: GroupRecordDecodeError.self) { _ = try OffsetAndMetadata.readRecordValue(from: &prefix) }
        }
    }

    @Test func decode_randomBytes_neverTraps() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &random)
            let version = UInt8.random(in: 0...4, using: &random)
            let noise = [0x00, version] + (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            var value = ByteBuffer(bytes: noise)
            _ = try? GroupMetadataValue.readRecordValue(from: &value)
            var offset = ByteBuffer(bytes: noise)
            _ = try? OffsetAndMetadata.readRecordValue(from: &offset)
            _ = try? GroupCoordinatorRecord(key: ByteBuffer(bytes: noise), value: ByteBuffer(bytes: noise))
        }
    }

    @Test func decode_hugeMemberCount_isRejectedBeforeAllocating() {
        let encoded: [UInt8] = [0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + [0x7F, 0xFF, 0xFF, 0xFF]
        var buffer = ByteBuffer(bytes: encoded)
        #expect(throws: GroupRecordDecodeError.invalidLength(field: "members", length: .max)) {
            _ = try GroupMetadataValue.readRecordValue(from: &buffer)
        }
    }

    @Test func partition_forGroupId_matchesKafkasJavaHash() {
        // Expected values from Java's String.hashCode and Kafka's Utils.abs, 50 partitions.
        #expect(GroupMetadataManager.partition(for: "my-group", partitionCount: 50) == 12)
        #expect(GroupMetadataManager.partition(for: "console-consumer-12345", partitionCount: 50) == 6)
        #expect(GroupMetadataManager.partition(for: "grüppe-😀", partitionCount: 50) == 14, "hashes UTF-16 code units")
        // Its hash is Int32.min, which Utils.abs maps to 0 rather than overflowing.
        #expect(GroupMetadataManager.partition(for: "polygenelubricants", partitionCount: 50) == 0)
    }

    private func bytes(_ buffer: ByteBuffer?) -> [UInt8]? {
        buffer.map { Array($0.readableBytesView) }
    }
}
