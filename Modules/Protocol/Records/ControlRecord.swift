public import NIOCore

/// The key of a record in a control batch: version int16 then type int16.
///
/// Types 0 and 1 are transaction markers; Kafka uses higher types for KRaft bookkeeping
/// (leader change, snapshot header/footer, ...), which Tern passes through by number.
public struct ControlRecordKey: Hashable, Sendable {
    /// Key schema version; 0 is the only one defined.
    public var version: Int16
    /// The control type: 0 abort, 1 commit, others KRaft-specific.
    public var type: Int16

    /// Control type of an abort marker.
    public static let abortType: Int16 = 0
    /// Control type of a commit marker.
    public static let commitType: Int16 = 1

    /// Builds a key.
    public init(version: Int16 = 0, type: Int16) {
        self.version = version
        self.type = type
    }

    /// Parses a control record's key. Kafka rejects a negative version; a higher version
    /// may append fields, which are ignored.
    public init(decoding key: ByteBuffer) throws(DecodeError) {
        var key = key
        guard let version = key.readInteger(as: Int16.self), let type = key.readInteger(as: Int16.self) else {
            throw .truncated(needed: 4, available: key.readableBytes)
        }
        guard version >= 0 else { throw .invalidValue("control record key version \(version)") }
        self.init(version: version, type: type)
    }

    /// The four key bytes.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(version)
        buffer.writeInteger(type)
        return buffer
    }
}

/// A transaction marker: the control record a transaction coordinator has each partition
/// leader append when a transaction commits or aborts.
///
/// The key is a `ControlRecordKey` of type 0 (abort) or 1 (commit); the value is
/// version int16 then coordinatorEpoch int32.
public struct EndTransactionMarker: Hashable, Sendable {
    /// How the transaction ended.
    public enum Result: Sendable, Hashable {
        /// The transaction's records are discarded by read-committed consumers.
        case abort
        /// The transaction's records become visible.
        case commit
    }

    /// How the transaction ended.
    public var result: Result
    /// Epoch of the coordinator that wrote the marker, so stale coordinators are fenced.
    public var coordinatorEpoch: Int32

    /// Builds a marker.
    public init(result: Result, coordinatorEpoch: Int32) {
        self.result = result
        self.coordinatorEpoch = coordinatorEpoch
    }

    /// Parses a marker from a control record. Throws if it is some other control type, or
    /// the key or value is missing or short.
    public init(record: Record) throws(DecodeError) {
        guard let keyBytes = record.key else { throw .invalidValue("control record with a null key") }
        let key = try ControlRecordKey(decoding: keyBytes)
        switch key.type {
        case ControlRecordKey.abortType: result = .abort
        case ControlRecordKey.commitType: result = .commit
        default: throw .invalidValue("control record type \(key.type) is not a transaction marker")
        }
        guard var value = record.value else { throw .invalidValue("transaction marker with a null value") }
        guard let version = value.readInteger(as: Int16.self), let epoch = value.readInteger(as: Int32.self) else {
            throw .truncated(needed: 6, available: record.value?.readableBytes ?? 0)
        }
        guard version >= 0 else { throw .invalidValue("transaction marker version \(version)") }
        coordinatorEpoch = epoch
    }

    /// The control record carrying this marker (key and value version 0).
    public func record(offsetDelta: Int32 = 0, timestampDelta: Int64 = 0) -> Record {
        let type = result == .commit ? ControlRecordKey.commitType : ControlRecordKey.abortType
        var value = ByteBuffer()
        value.writeInteger(Int16(0))
        value.writeInteger(coordinatorEpoch)
        return Record(
            timestampDelta: timestampDelta, offsetDelta: offsetDelta,
            key: ControlRecordKey(type: type).encoded, value: value
        )
    }

    /// A control batch holding just this marker, as a partition leader appends it: marked
    /// transactional and control, with the producer's id and epoch.
    public func batch(
        producerId: Int64, producerEpoch: Int16, timestamp: Int64,
        baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1
    ) -> RecordBatch {
        RecordBatch(
            baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch,
            attributes: RecordBatchAttributes(isTransactional: true, isControl: true),
            baseTimestamp: timestamp, maxTimestamp: timestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: -1,
            records: [record()]
        )
    }
}
