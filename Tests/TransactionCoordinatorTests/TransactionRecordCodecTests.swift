// Goal: the `__transaction_state` records are byte-for-byte Kafka's, so Kafka tooling reads what
// Tern writes and Tern loads what Kafka wrote. Method: golden bytes assembled by hand from
// Kafka's TransactionLogKey and TransactionLogValue schemas (each byte group commented), round
// trips of both value versions in every state, every truncation of a valid value, unknown tagged
// fields, and seeded random bytes, which must be rejected with an error and never trap.

import NIOCore
import Testing
import TernPrimitives
import TernTransactionCoordinator

@Suite struct TransactionRecordCodecTests {
    static let ongoing = TransactionLogValue(
        producerId: 1000, producerEpoch: 5, transactionTimeoutMilliseconds: 60_000, state: .ongoing,
        topics: [TransactionLogValue.Topic(topic: "t", partitions: [0, 3])],
        lastUpdateTimestamp: 1_700_000_000_500, startTimestamp: 1_700_000_000_000)

    @Test func encode_key_matchesKafkaBytes() {
        let record = TransactionLogRecord(transactionalId: "txn", value: nil)

        #expect(bytes(record.key) == [
            0x00, 0x00,              // key version 0 (the transaction log's record type)
            0x00, 0x03, 0x74, 0x78, 0x6E, // transactionalId "txn": int16 length, UTF-8
        ])
        #expect(record.valueBytes == nil)
    }

    @Test func encode_ongoingValueVersion0_matchesKafkaBytes() {
        #expect(bytes(TransactionLogRecord(transactionalId: "txn", value: Self.ongoing).valueBytes) == [
            0x00, 0x00,                                     // value version 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // producerId 1000
            0x00, 0x05,                                     // producerEpoch 5
            0x00, 0x00, 0xEA, 0x60,                         // transactionTimeoutMs 60000
            0x01,                                           // status 1, Ongoing
            0x00, 0x00, 0x00, 0x01,                         // transactionPartitions: 1 topic
            0x00, 0x01, 0x74,                               //   topic "t"
            0x00, 0x00, 0x00, 0x02,                         //   partitionIds: 2 entries
            0x00, 0x00, 0x00, 0x00,                         //     0
            0x00, 0x00, 0x00, 0x03,                         //     3
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x69, 0xF4, // lastUpdateTimestampMs 1700000000500
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, // startTimestampMs 1700000000000
        ])
    }

    @Test func encode_emptyValueVersion0_writesNullPartitions() {
        let value = TransactionLogValue(
            producerId: 1000, producerEpoch: 0, transactionTimeoutMilliseconds: 60_000, state: .empty, topics: nil,
            lastUpdateTimestamp: 1_700_000_000_000, startTimestamp: -1)

        #expect(bytes(TransactionLogRecord(transactionalId: "txn", value: value).valueBytes) == [
            0x00, 0x00,                                     // value version 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // producerId 1000
            0x00, 0x00,                                     // producerEpoch 0
            0x00, 0x00, 0xEA, 0x60,                         // transactionTimeoutMs 60000
            0x00,                                           // status 0, Empty
            0xFF, 0xFF, 0xFF, 0xFF,                         // transactionPartitions: null
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, // lastUpdateTimestampMs
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // startTimestampMs -1
        ])
    }

    @Test func encode_ongoingValueVersion1_matchesKafkaFlexibleBytes() {
        var value = Self.ongoing
        value.version = 1
        value.previousProducerId = 999

        #expect(bytes(TransactionLogRecord(transactionalId: "txn", value: value).valueBytes) == [
            0x00, 0x01,                                     // value version 1 (flexible)
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // producerId 1000
            0x00, 0x05,                                     // producerEpoch 5
            0x00, 0x00, 0xEA, 0x60,                         // transactionTimeoutMs 60000
            0x01,                                           // status 1, Ongoing
            0x02,                                           // transactionPartitions: varint 1 + 1
            0x02, 0x74,                                     //   topic: varint length 1 + 1, "t"
            0x03,                                           //   partitionIds: varint 2 + 1
            0x00, 0x00, 0x00, 0x00,                         //     0
            0x00, 0x00, 0x00, 0x03,                         //     3
            0x00,                                           //   the entry's tagged fields: none
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x69, 0xF4, // lastUpdateTimestampMs
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, // startTimestampMs
            0x01,                                           // tagged fields: 1
            0x00, 0x08,                                     //   tag 0 (previousProducerId), 8 bytes
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE7, //   999
        ])
    }

    @Test(arguments: TransactionState.allCases, [Int16(0), 1])
    func decode_encodedValue_roundTrips(state: TransactionState, version: Int16) throws {
        let value = TransactionLogValue(
            version: version, producerId: 77, previousProducerId: version == 1 ? 70 : -1, nextProducerId: version == 1 ? 80 : -1,
            producerEpoch: 12, transactionTimeoutMilliseconds: 900_000, state: state,
            topics: state == .empty ? nil : [.init(topic: "b", partitions: [2, 1]), .init(topic: "a", partitions: [])],
            lastUpdateTimestamp: 123, startTimestamp: state == .empty ? -1 : 100, clientTransactionVersion: version == 1 ? 2 : 0)
        let record = TransactionLogRecord(transactionalId: "some-id-é", value: value)

        let decoded = try TransactionLogRecord(key: record.key, value: record.valueBytes)

        #expect(decoded == record)
    }

    @Test func decode_tombstone_hasNoValue() throws {
        let record = TransactionLogRecord(transactionalId: "txn", value: nil)

        #expect(try TransactionLogRecord(key: record.key, value: nil) == record)
    }

    @Test func decode_otherKeyVersion_isSkipped() throws {
        var key = ByteBuffer()
        key.writeInteger(Int16(1))
        key.writeInteger(Int16(1))
        key.writeString("g")

        #expect(try TransactionLogRecord(key: key, value: nil) == nil)
    }

    @Test func decode_unknownValueVersionOrState_throws() {
        let key = TransactionLogRecord(transactionalId: "txn", value: nil).key
        var future = ByteBuffer(bytes: bytes(TransactionLogRecord(transactionalId: "txn", value: Self.ongoing).valueBytes))
        future.setInteger(Int16(2), at: 0)
        var badState = ByteBuffer(bytes: bytes(TransactionLogRecord(transactionalId: "txn", value: Self.ongoing).valueBytes))
        badState.setInteger(Int8(9), at: 16)

        #expect(throws: TransactionRecordDecodeError.unsupportedVersion(record: "TransactionLogValue", version: 2)) {
            try TransactionLogRecord(key: key, value: future)
        }
        #expect(throws: TransactionRecordDecodeError.unknownState(9)) {
            try TransactionLogRecord(key: key, value: badState)
        }
    }

    @Test func decode_unknownTaggedFields_areSkipped() throws {
        var value = Self.ongoing
        value.version = 1
        var buffer = ByteBuffer(bytes: bytes(TransactionLogRecord(transactionalId: "txn", value: value).valueBytes).dropLast())
        // Replace "no tagged fields" with two: an unknown tag 5 of two bytes, then tag 1.
        buffer.writeBytes([0x02, 0x05, 0x02, 0xAB, 0xCD, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 42])

        let decoded = try TransactionLogValue.read(from: &buffer)

        #expect(decoded.nextProducerId == 42)
        #expect(decoded.previousProducerId == -1)
        #expect(decoded.topics == value.topics)
    }

    @Test(arguments: [Int16(0), 1])
    func decode_everyTruncation_throws(version: Int16) {
        var value = Self.ongoing
        value.version = version
        value.previousProducerId = version == 1 ? 999 : -1
        let full = bytes(TransactionLogRecord(transactionalId: "txn", value: value).valueBytes)

        for length in 0..<full.count {
            var buffer = ByteBuffer(bytes: full.prefix(length))
            #expect(throws: TransactionRecordDecodeError.self) { try TransactionLogValue.read(from: &buffer) }
        }
    }

    @Test func decode_randomBytes_neverTraps() {
        var random = SeededRandom(seed: 98)
        let key = TransactionLogRecord(transactionalId: "txn", value: nil).key
        for round in 0..<5_000 {
            let length = Int.random(in: 0...48, using: &random)
            var candidate = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            // Half the inputs start with a valid version, so decoding gets past the first field.
            if round.isMultiple(of: 2), candidate.count >= 2 { candidate[0] = 0; candidate[1] = UInt8(round % 4 == 0 ? 0 : 1) }
            _ = try? TransactionLogRecord(key: key, value: ByteBuffer(bytes: candidate))
            _ = try? TransactionLogRecord(key: ByteBuffer(bytes: candidate), value: nil)
        }
    }

    private func bytes(_ buffer: ByteBuffer?) -> [UInt8] {
        buffer.map { Array($0.readableBytesView) } ?? []
    }
}
