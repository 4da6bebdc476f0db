/// Why bytes from the network could not be decoded. Decoders throw this and never trap;
/// the broker answers with `corruptMessage` / `invalidRequest` or closes the connection.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a value of `needed` bytes could be read.
    case truncated(needed: Int, available: Int)
    /// A length prefix is negative where null is not allowed, or larger than the bytes left
    /// or a limit in `Limits`.
    case invalidLength(Int64, context: String)
    /// A variable-length integer ran past its maximum width.
    case varintTooLong
    /// A string is not valid UTF-8.
    case invalidString
    /// The message version is outside the range the codec supports.
    case unsupportedVersion(apiKey: Int16, version: Int16)
    /// The API key is not one Tern knows.
    case unknownApiKey(Int16)
    /// A field holds a value the protocol does not allow (a bad magic byte, a bad enum).
    case invalidValue(String)
    /// A checksum did not match the bytes it covers.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// Bytes were left over after a message that should have consumed its whole frame.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case let .truncated(needed, available): "truncated: needed \(needed) bytes, \(available) left"
        case let .invalidLength(length, context): "invalid length \(length) for \(context)"
        case .varintTooLong: "variable-length integer too long"
        case .invalidString: "string is not valid UTF-8"
        case let .unsupportedVersion(apiKey, version): "API key \(apiKey) version \(version) is not supported"
        case let .unknownApiKey(key): "unknown API key \(key)"
        case let .invalidValue(what): "invalid value: \(what)"
        case let .checksumMismatch(expected, actual): "checksum mismatch: expected \(expected), got \(actual)"
        case let .trailingBytes(count): "\(count) unexpected trailing bytes"
        }
    }
}

/// Why a message could not be encoded: a value the chosen version cannot represent.
public enum EncodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field is null in a version where it is not nullable.
    case nullNotAllowed(field: String, version: Int16)
    /// A string, bytes or array is longer than its length prefix can express.
    case tooLong(field: String, length: Int)
    /// The version is outside the range the codec supports.
    case unsupportedVersion(apiKey: Int16, version: Int16)

    public var description: String {
        switch self {
        case let .nullNotAllowed(field, version): "\(field) may not be null in version \(version)"
        case let .tooLong(field, length): "\(field) is too long (\(length))"
        case let .unsupportedVersion(apiKey, version): "API key \(apiKey) version \(version) is not supported"
        }
    }
}
