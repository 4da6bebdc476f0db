/// Why bytes from a ZooKeeper client (or a stored transaction or snapshot) could not be decoded.
/// Decoders throw this and never trap; the server answers with `marshallingError` or closes the
/// connection, and the state machine refuses to load a snapshot that fails this way.
public enum JuteDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a value of `needed` bytes could be read.
    case truncated(needed: Int, available: Int)
    /// A length or count prefix is below -1, larger than the bytes left, or over a limit in
    /// `ZooKeeperLimits`.
    case invalidLength(Int64, context: String)
    /// A field holds a value the protocol does not allow (a bad tag, an unknown version).
    case invalidValue(String)
    /// Bytes were left over after a record that should have consumed its whole input.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case let .truncated(needed, available): "truncated: needed \(needed) bytes, \(available) left"
        case let .invalidLength(length, context): "invalid length \(length) for \(context)"
        case let .invalidValue(what): "invalid value: \(what)"
        case let .trailingBytes(count): "\(count) unexpected trailing bytes"
        }
    }
}
