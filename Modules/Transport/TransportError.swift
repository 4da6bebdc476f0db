/// Why a transport operation failed.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The listening socket could not be opened (address in use, bad host, permissions).
    case bindFailed(Endpoint, reason: String)
    /// Nothing accepted the connection, or the host could not be reached.
    case connectFailed(Endpoint, reason: String)
    /// The connection was not established within the configured timeout.
    case connectTimedOut(Endpoint)
    /// The connection is closed; nothing more can be sent on it.
    case connectionClosed
    /// A frame body too long for its length prefix or the peer's configured limit.
    case frameTooLarge(bytes: Int, limit: Int)
    /// The connection had `Limits.pushedFramesPerConnectionMax` unsent pushes; it is closed.
    case pushBacklogFull
    /// A file range could not be read (the `errno` of the failed `pread`).
    case fileUnreadable(errno: Int32)

    public var description: String {
        switch self {
        case .bindFailed(let endpoint, let reason): "cannot listen on \(endpoint): \(reason)"
        case .connectFailed(let endpoint, let reason): "cannot connect to \(endpoint): \(reason)"
        case .connectTimedOut(let endpoint): "connecting to \(endpoint) timed out"
        case .connectionClosed: "connection closed"
        case .frameTooLarge(let bytes, let limit): "frame of \(bytes) bytes exceeds \(limit)"
        case .pushBacklogFull: "too many unsent pushed frames"
        case .fileUnreadable(let code): "file range unreadable (errno \(code))"
        }
    }
}
