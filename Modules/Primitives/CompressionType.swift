/// The codec a record batch uses, numbered as Kafka numbers it in the low three bits of a
/// batch's `attributes` field.
///
/// The raw values are wire values: never renumber a case. The names are the values Kafka
/// accepts for the `compression.type` setting, so configuration can be parsed with
/// ``init(name:)``.
public enum CompressionType: Int8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Records are stored as they are.
    case none = 0
    /// DEFLATE in a gzip wrapper (RFC 1952).
    case gzip = 1
    /// Snappy: raw blocks from librdkafka, xerial-framed blocks from the Java client.
    case snappy = 2
    /// The LZ4 frame format (not raw LZ4 blocks).
    case lz4 = 3
    /// Zstandard frames.
    case zstd = 4

    /// Kafka's configuration name for this codec, such as `"zstd"`.
    public var name: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// The codec whose Kafka configuration name is `name`, or `nil` for an unknown name.
    ///
    /// Matching is exact, as in Kafka: `"ZSTD"` is not a codec name.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The configuration name, so log lines read like Kafka's.
    public var description: String { name }
}
