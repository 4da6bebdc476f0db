public import TernPrimitives

/// Which clock a batch's timestamps come from.
public enum TimestampType: Sendable, Hashable {
    /// The producer set the timestamps.
    case createTime
    /// The broker overwrote the batch's max timestamp with the time it appended the batch.
    case logAppendTime
}

/// The 16-bit attributes field of a v2 record batch.
///
/// Bits 0–2 hold the compression codec, bit 3 the timestamp type, bit 4 "transactional",
/// bit 5 "control batch", bit 6 "baseTimestamp is the delete horizon"; bits 7–15 are unused.
/// The raw value is kept whole so unknown bits survive a decode/encode round trip.
public struct RecordBatchAttributes: Hashable, Sendable {
    /// The attributes exactly as they appear on the wire.
    public var rawValue: Int16

    private static let compressionMask: Int16 = 0x07
    private static let logAppendTimeBit: Int16 = 0x08
    private static let transactionalBit: Int16 = 0x10
    private static let controlBit: Int16 = 0x20
    private static let deleteHorizonBit: Int16 = 0x40

    /// Wraps attributes read from the wire.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Builds attributes from their parts.
    public init(
        compression: CompressionType = .none,
        timestampType: TimestampType = .createTime,
        isTransactional: Bool = false,
        isControl: Bool = false,
        hasDeleteHorizon: Bool = false
    ) {
        rawValue = Int16(compression.rawValue)
        self.timestampType = timestampType
        self.isTransactional = isTransactional
        self.isControl = isControl
        self.hasDeleteHorizon = hasDeleteHorizon
    }

    /// The codec id in bits 0–2, including ids Kafka does not assign.
    public var compressionCodecID: Int { Int(rawValue & Self.compressionMask) }

    /// The codec, or `nil` for an unassigned id (5–7). Setting `nil` means no compression.
    public var compression: CompressionType? {
        get { CompressionType(rawValue: Int8(compressionCodecID)) }
        set { rawValue = (rawValue & ~Self.compressionMask) | Int16(newValue?.rawValue ?? 0) }
    }

    /// Whether the batch's timestamps are the producer's or the broker's.
    public var timestampType: TimestampType {
        get { rawValue & Self.logAppendTimeBit == 0 ? .createTime : .logAppendTime }
        set { set(Self.logAppendTimeBit, newValue == .logAppendTime) }
    }

    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool {
        get { rawValue & Self.transactionalBit != 0 }
        set { set(Self.transactionalBit, newValue) }
    }

    /// Whether the batch holds control records (transaction markers) instead of data.
    public var isControl: Bool {
        get { rawValue & Self.controlBit != 0 }
        set { set(Self.controlBit, newValue) }
    }

    /// Whether compaction stored the delete horizon in `baseTimestamp` (KIP-534).
    public var hasDeleteHorizon: Bool {
        get { rawValue & Self.deleteHorizonBit != 0 }
        set { set(Self.deleteHorizonBit, newValue) }
    }

    private mutating func set(_ bit: Int16, _ on: Bool) {
        rawValue = on ? rawValue | bit : rawValue & ~bit
    }
}
