public import TernPrimitives
/// Compresses and decompresses the records section of a Kafka record batch.
///
/// A codec is a stateless value: each call sets up and tears down its own library context,
/// so one codec can be shared by every connection and actor. Inputs are borrowed raw bytes
/// so callers holding an array, a `ByteBuffer` or a memory-mapped segment can all pass them
/// without copying; the results are fresh arrays sized to fit.
///
/// Decompression is where network input drives memory, so it takes a `limit` and stops
/// with ``CompressionError/outputLimitExceeded(_:limit:)`` as soon as the output would pass
/// it. Codecs grow their output in bounded steps and never trust a size written inside the
/// input for more than a limit check, so a small "bomb" cannot make them allocate more than
/// about `limit` bytes.
public protocol BatchCodec: Sendable {
    /// The attribute value this codec handles.
    var id: CompressionType { get }

    /// The compression levels this codec accepts, or `nil` if it has no levels.
    var levels: ClosedRange<Int>? { get }

    /// The level used when a caller passes `nil`; ignored by codecs without levels.
    var defaultLevel: Int { get }

    /// Compresses `input` into this codec's wire format.
    ///
    /// - Parameter level: a level within ``levels``, or `nil` for ``defaultLevel``. Codecs
    ///   without levels accept only `nil`.
    func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8]

    /// Decompresses `input`, which must hold complete data in this codec's wire format.
    ///
    /// - Parameter limit: the most decompressed bytes to accept. Exactly `limit` bytes is
    ///   fine; one more throws ``CompressionError/outputLimitExceeded(_:limit:)``. Must not
    ///   be negative.
    func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8]
}

extension BatchCodec {
    /// Compresses an array at the default level.
    public func compress(_ bytes: [UInt8], level: Int? = nil) throws(CompressionError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CompressionError) in try compress(raw, level: level) }
        }
        return try result.get()
    }

    /// Decompresses an array, accepting at most `limit` decompressed bytes.
    public func decompress(_ bytes: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CompressionError) in try decompress(raw, limit: limit) }
        }
        return try result.get()
    }

    /// The level to use for a request of `level`, or an error naming the accepted range.
    func resolveLevel(_ level: Int?) throws(CompressionError) -> Int {
        guard let level else { return defaultLevel }
        guard let levels, levels.contains(level) else {
            throw .levelOutOfRange(id, level: level, accepted: levels)
        }
        return level
    }
}
