public import TernPrimitives
/// Why a codec refused to compress or decompress.
///
/// Every case names the codec, so a handler can log which one failed without carrying that
/// context separately. Input problems (`corruptInput`, `outputLimitExceeded`, `inputTooLarge`)
/// come from the bytes a client sent and map to Kafka's `corruptMessage`; `levelOutOfRange`
/// is a configuration mistake; `libraryFailure` is the C library failing for a reason that is
/// not the input's fault, such as running out of memory.
public enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The compressed bytes are malformed or truncated. `reason` is a short explanation,
    /// often the C library's own error name.
    case corruptInput(CompressionType, reason: String)
    /// Decompressing would produce more than `limit` bytes. Decompression stopped once the
    /// limit was passed, so the output was never larger than `limit + 1` bytes.
    case outputLimitExceeded(CompressionType, limit: Int)
    /// The input is larger than the codec's format can describe, for example more than
    /// 4 GiB for raw snappy, whose header holds a 32-bit length.
    case inputTooLarge(CompressionType, bytes: Int, max: Int)
    /// The requested compression level is not one the codec accepts. `accepted` is `nil`
    /// for codecs that have no levels at all.
    case levelOutOfRange(CompressionType, level: Int, accepted: ClosedRange<Int>?)
    /// The C library failed with `code` for a reason other than bad input.
    case libraryFailure(CompressionType, code: Int, message: String)

    /// One line for logs.
    public var description: String {
        switch self {
        case .corruptInput(let type, let reason):
            "corrupt \(type) input: \(reason)"
        case .outputLimitExceeded(let type, let limit):
            "\(type) output exceeds the limit of \(limit) bytes"
        case .inputTooLarge(let type, let bytes, let max):
            "\(type) input of \(bytes) bytes exceeds the format's maximum of \(max)"
        case .levelOutOfRange(let type, let level, let accepted):
            if let accepted {
                "\(type) level \(level) is outside \(accepted.lowerBound)...\(accepted.upperBound)"
            } else {
                "\(type) has no compression levels, but level \(level) was given"
            }
        case .libraryFailure(let type, let code, let message):
            "\(type) library failure \(code): \(message)"
        }
    }
}
