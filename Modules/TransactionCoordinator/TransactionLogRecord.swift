// The records the transaction coordinator keeps in `__transaction_state`, byte-compatible with
// Kafka's `TransactionLogKey` and `TransactionLogValue` so Kafka's tools (kafka-dump-log with the
// transaction log decoder) read what we write and we load what Kafka wrote.
//
//   key, version 0          int16 0, transactionalId string
//   value, version 0        int16 0, producerId int64, producerEpoch int16, transactionTimeoutMs int32,
//                           status int8, partitions [topic string, partitionIds [int32]] (null when
//                           Empty), lastUpdateTimestampMs int64, startTimestampMs int64
//   value, version 1        the same fields in the flexible encoding (compact strings and arrays,
//                           each partitions entry followed by its tagged fields), then the value's
//                           tagged fields: 0 previousProducerId int64 (default -1), 1 nextProducerId
//                           int64 (default -1), 2 clientTransactionVersion int16 (default 0)
//
// Kafka 3.9 writes version 0 (version 1 only once `transaction.version` ≥ 1, which 3.9 does not
// offer for production); Kafka 4 writes version 1. Brokers before 3.5 cannot read version 1
// (KIP-915), so version 0 is our default. Tagged fields equal to their default are not written,
// as Kafka's generated writers skip them; unknown tags are skipped on read. A null value is a
// tombstone: compaction later drops the key.

public import NIOCore
public import TernPrimitives

/// The value of a `__transaction_state` record: one transactional id's state.
public struct TransactionLogValue: Hashable, Sendable {
    /// The partitions of one topic that take part in the transaction.
    public struct Topic: Hashable, Sendable {
        /// The topic.
        public var topic: String
        /// Its partitions, in stored order.
        public var partitions: [Int32]

        /// Creates an entry.
        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }
    }

    /// The value version: 0 (classic) or 1 (flexible).
    public var version: Int16
    /// The producer id in use.
    public var producerId: Int64
    /// The producer id before the last rotation (v1 tag 0), -1 when none or not stored.
    public var previousProducerId: Int64
    /// The producer id handed to the client next (v1 tag 1, KIP-890), -1 when none.
    public var nextProducerId: Int64
    /// The producer epoch.
    public var producerEpoch: Int16
    /// The transaction timeout in milliseconds.
    public var transactionTimeoutMilliseconds: Int32
    /// The state (the status byte).
    public var state: TransactionState
    /// The partitions by topic; nil (a null array) when the state is Empty.
    public var topics: [Topic]?
    /// Wall-clock milliseconds of the last change.
    public var lastUpdateTimestamp: Int64
    /// Wall-clock milliseconds when the transaction began, -1 when none is open.
    public var startTimestamp: Int64
    /// The transaction version the client used (v1 tag 2), 0 when unknown.
    public var clientTransactionVersion: Int16

    /// Creates a value.
    public init(
        version: Int16 = 0, producerId: Int64, previousProducerId: Int64 = -1, nextProducerId: Int64 = -1,
        producerEpoch: Int16, transactionTimeoutMilliseconds: Int32, state: TransactionState, topics: [Topic]?,
        lastUpdateTimestamp: Int64, startTimestamp: Int64, clientTransactionVersion: Int16 = 0
    ) {
        self.version = version
        self.producerId = producerId
        self.previousProducerId = previousProducerId
        self.nextProducerId = nextProducerId
        self.producerEpoch = producerEpoch
        self.transactionTimeoutMilliseconds = transactionTimeoutMilliseconds
        self.state = state
        self.topics = topics
        self.lastUpdateTimestamp = lastUpdateTimestamp
        self.startTimestamp = startTimestamp
        self.clientTransactionVersion = clientTransactionVersion
    }

    /// The value versions this build reads and writes.
    public static let versions: ClosedRange<Int16> = 0...1
}

/// One record of `__transaction_state`: a transactional id and its state, or its tombstone.
public struct TransactionLogRecord: Hashable, Sendable {
    /// The transactional id, the record's key.
    public var transactionalId: String
    /// The state, or nil for a tombstone.
    public var value: TransactionLogValue?

    /// Creates a record.
    public init(transactionalId: String, value: TransactionLogValue?) {
        self.transactionalId = transactionalId
        self.value = value
    }

    /// The key version (Kafka's coordinator record type for the transaction log).
    public static let keyVersion: Int16 = 0

    /// The record's key bytes.
    public var key: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.keyVersion)
        buffer.writeTransactionRecordString(transactionalId)
        return buffer
    }

    /// The record's value bytes, or nil for a tombstone.
    public var valueBytes: ByteBuffer? {
        guard let value else { return nil }
        var buffer = ByteBuffer()
        value.write(to: &buffer)
        return buffer
    }

    /// Reads a record. Returns nil for a key version this coordinator does not own, which a
    /// loader skips (Kafka 4 does the same).
    public init?(key: ByteBuffer, value: ByteBuffer?) throws(TransactionRecordDecodeError) {
        var key = key
        let keyVersion: Int16 = try key.readTransactionRecordInteger("key version")
        guard keyVersion == Self.keyVersion else { return nil }
        transactionalId = try key.readTransactionRecordString("transactionalId")
        guard var value else {
            self.value = nil
            return
        }
        self.value = try TransactionLogValue.read(from: &value)
    }
}

extension TransactionLogValue {
    /// The partitions as a flat list, topic by topic in stored order.
    public var partitions: [TopicPartition] {
        (topics ?? []).flatMap { entry in entry.partitions.map { TopicPartition(topic: entry.topic, partition: $0) } }
    }

    /// Appends the value, version prefix first.
    public func write(to buffer: inout ByteBuffer) {
        precondition(Self.versions.contains(version), "TransactionLogValue exists in versions 0-1")
        buffer.writeInteger(version)
        buffer.writeInteger(producerId)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(transactionTimeoutMilliseconds)
        buffer.writeInteger(state.rawValue)
        if version == 0 {
            buffer.writeInteger(Int32(topics?.count ?? -1))
            for entry in topics ?? [] {
                buffer.writeTransactionRecordString(entry.topic)
                buffer.writeInteger(Int32(entry.partitions.count))
                for partition in entry.partitions { buffer.writeInteger(partition) }
            }
        } else {
            buffer.writeCompactCount(topics?.count)
            for entry in topics ?? [] {
                buffer.writeCompactString(entry.topic)
                buffer.writeCompactCount(entry.partitions.count)
                for partition in entry.partitions { buffer.writeInteger(partition) }
                buffer.writeUnsignedVarint(0)
            }
        }
        buffer.writeInteger(lastUpdateTimestamp)
        buffer.writeInteger(startTimestamp)
        if version >= 1 { writeTaggedFields(to: &buffer) }
    }

    private func writeTaggedFields(to buffer: inout ByteBuffer) {
        var fields: [(tag: UInt32, bytes: ByteBuffer)] = []
        if previousProducerId != -1 { fields.append((0, ByteBuffer(integer: previousProducerId))) }
        if nextProducerId != -1 { fields.append((1, ByteBuffer(integer: nextProducerId))) }
        if clientTransactionVersion != 0 { fields.append((2, ByteBuffer(integer: clientTransactionVersion))) }
        buffer.writeUnsignedVarint(UInt32(fields.count))
        for field in fields {
            buffer.writeUnsignedVarint(field.tag)
            buffer.writeUnsignedVarint(UInt32(field.bytes.readableBytes))
            buffer.writeImmutableBuffer(field.bytes)
        }
    }

    /// Reads a value, version prefix first. Trailing bytes are ignored, as Kafka's readers
    /// ignore them.
    public static func read(from buffer: inout ByteBuffer) throws(TransactionRecordDecodeError) -> TransactionLogValue {
        let version: Int16 = try buffer.readTransactionRecordInteger("value version")
        guard versions.contains(version) else { throw .unsupportedVersion(record: "TransactionLogValue", version: version) }
        let producerId: Int64 = try buffer.readTransactionRecordInteger("producerId")
        let producerEpoch: Int16 = try buffer.readTransactionRecordInteger("producerEpoch")
        let timeout: Int32 = try buffer.readTransactionRecordInteger("transactionTimeoutMs")
        let status: Int8 = try buffer.readTransactionRecordInteger("transactionStatus")
        guard let state = TransactionState(rawValue: status) else { throw .unknownState(status) }
        let topics = version == 0 ? try readClassicTopics(from: &buffer) : try readFlexibleTopics(from: &buffer)
        var value = TransactionLogValue(
            version: version, producerId: producerId, producerEpoch: producerEpoch, transactionTimeoutMilliseconds: timeout,
            state: state, topics: topics,
            lastUpdateTimestamp: try buffer.readTransactionRecordInteger("transactionLastUpdateTimestampMs"),
            startTimestamp: try buffer.readTransactionRecordInteger("transactionStartTimestampMs"))
        guard version >= 1 else { return value }
        try buffer.readTaggedFields("tagged fields") { tag, field throws(TransactionRecordDecodeError) in
            switch tag {
            case 0: value.previousProducerId = try field.readTransactionRecordInteger("previousProducerId")
            case 1: value.nextProducerId = try field.readTransactionRecordInteger("nextProducerId")
            case 2: value.clientTransactionVersion = try field.readTransactionRecordInteger("clientTransactionVersion")
            default: break
            }
        }
        return value
    }

    private static func readClassicTopics(from buffer: inout ByteBuffer) throws(TransactionRecordDecodeError) -> [Topic]? {
        // An entry takes at least a string length and an array count.
        guard let count = try buffer.readTransactionRecordCount("transactionPartitions", elementBytesMin: 6) else { return nil }
        var topics: [Topic] = []
        topics.reserveCapacity(count)
        for _ in 0..<count {
            let topic = try buffer.readTransactionRecordString("topic")
            guard let partitionCount = try buffer.readTransactionRecordCount("partitionIds", elementBytesMin: 4) else {
                throw .invalidLength(field: "partitionIds", length: -1)
            }
            var partitions: [Int32] = []
            partitions.reserveCapacity(partitionCount)
            for _ in 0..<partitionCount { partitions.append(try buffer.readTransactionRecordInteger("partitionId")) }
            topics.append(Topic(topic: topic, partitions: partitions))
        }
        return topics
    }

    private static func readFlexibleTopics(from buffer: inout ByteBuffer) throws(TransactionRecordDecodeError) -> [Topic]? {
        // An entry takes at least a string length, an array count and a tagged field count.
        guard let count = try buffer.readCompactCount("transactionPartitions", elementBytesMin: 3) else { return nil }
        var topics: [Topic] = []
        topics.reserveCapacity(count)
        for _ in 0..<count {
            let topic = try buffer.readCompactString("topic")
            guard let partitionCount = try buffer.readCompactCount("partitionIds", elementBytesMin: 4) else {
                throw .invalidLength(field: "partitionIds", length: -1)
            }
            var partitions: [Int32] = []
            partitions.reserveCapacity(partitionCount)
            for _ in 0..<partitionCount { partitions.append(try buffer.readTransactionRecordInteger("partitionId")) }
            try buffer.readTaggedFields("partitions tagged fields") { _, _ throws(TransactionRecordDecodeError) in }
            topics.append(Topic(topic: topic, partitions: partitions))
        }
        return topics
    }
}
