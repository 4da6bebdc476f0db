public import TernPrimitives
/// The codec for ``CompressionType/none``: output equals input.
///
/// It exists so callers can treat every batch the same way, and it still enforces the
/// decompression limit, because an uncompressed batch is bounded by the same rule as a
/// compressed one.
public struct IdentityCodec: BatchCodec {
    /// Always ``CompressionType/none``.
    public var id: CompressionType { .none }
    /// Copying has no levels.
    public var levels: ClosedRange<Int>? { nil }
    /// Unused; copying has no levels.
    public var defaultLevel: Int { 0 }

    /// Creates the identity codec.
    public init() {}

    /// Returns a copy of `input`.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int?) throws(CompressionError) -> [UInt8] {
        _ = try resolveLevel(level)
        return Array(input)
    }

    /// Returns a copy of `input`, or throws if it is longer than `limit`.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        precondition(limit >= 0, "negative decompression limit")
        guard input.count <= limit else { throw .outputLimitExceeded(id, limit: limit) }
        return Array(input)
    }
}
