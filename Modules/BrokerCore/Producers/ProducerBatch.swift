import NIOCore
import TernProtocol

/// The header fields of one record batch that producer state looks at.
///
/// Taken from the batch header alone (no record is decoded), on the produce path and when
/// rebuilding state from the log.
public struct ProducerBatch: Hashable, Sendable {
    /// The producer id, or -1 for a batch from a producer without idempotence.
    public var producerId: Int64
    /// The producer epoch.
    public var producerEpoch: Int16
    /// The sequence number of the first record.
    public var baseSequence: Int32
    /// The last offset minus the base offset: the record count less one.
    public var lastOffsetDelta: Int32
    /// The batch's max timestamp as stored (the log append time on LogAppendTime topics).
    public var maxTimestamp: Int64
    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool
    /// Whether the batch holds control records (transaction markers).
    public var isControl: Bool

    /// A batch summary from header fields.
    public init(producerId: Int64, producerEpoch: Int16, baseSequence: Int32, lastOffsetDelta: Int32,
                maxTimestamp: Int64, isTransactional: Bool = false, isControl: Bool = false) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.lastOffsetDelta = lastOffsetDelta
        self.maxTimestamp = maxTimestamp
        self.isTransactional = isTransactional
        self.isControl = isControl
    }

    /// The summary of a batch's header.
    init(_ header: RecordBatchHeader) {
        self.init(producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence,
                  lastOffsetDelta: header.lastOffsetDelta, maxTimestamp: header.maxTimestamp,
                  isTransactional: header.attributes.isTransactional, isControl: header.attributes.isControl)
    }

    /// Whether the batch comes from an idempotent or transactional producer.
    public var hasProducerId: Bool { producerId >= 0 }

    /// Whether the batch carries a sequence number (the broker's own transactional writes do not).
    public var hasSequence: Bool { baseSequence >= 0 }

    /// The sequence number of the last record. Sequences wrap from Int32.max to 0, as the
    /// Kafka producer wraps them.
    public var lastSequence: Int32 {
        Self.sequence(baseSequence, advancedBy: lastOffsetDelta)
    }

    /// `sequence` moved on by `delta` (≥ 0) in the wrapping sequence space [0, Int32.max].
    static func sequence(_ sequence: Int32, advancedBy delta: Int32) -> Int32 {
        let sum = Int64(sequence) + Int64(delta)
        return Int32(sum > Int64(Int32.max) ? sum - Int64(Int32.max) - 1 : sum)
    }

    /// The producer summaries of back-to-back batches whose headers the caller has already
    /// validated (a produce request after `ProducedBatches`, or bytes read from the log).
    static func summaries(of batches: ByteBuffer) -> [(baseOffset: Int64, batch: ProducerBatch)] {
        var splitter = RecordBatchSplitter(records: batches, trailingPartialBatch: .allow, verifyingChecksums: false)
        var result: [(baseOffset: Int64, batch: ProducerBatch)] = []
        while case .batch(let view)? = try? splitter.next() {
            result.append((view.baseOffset, ProducerBatch(view.header)))
        }
        return result
    }
}
