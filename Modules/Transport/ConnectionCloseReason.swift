public import TernProtocol

/// Why a server connection ended: logged, and given to the connection's handler.
public enum ConnectionCloseReason: Equatable, Sendable, CustomStringConvertible {
    /// The peer closed its end.
    case peerClosed
    /// Nothing arrived, nothing was in flight and nothing was written for the idle timeout.
    case idleTimeout
    /// A length prefix was negative or above the frame limit; closed before buffering it.
    case frameRejected(DecodeError)
    /// Reading from the socket failed.
    case readFailed(String)
    /// Writing a response or push failed.
    case writeFailed(String)
    /// The handler threw while answering a request.
    case handlerFailed(String)
    /// The handler called `ServerConnection.close()`.
    case closedByHandler
    /// The connection left `Limits.pushedFramesPerConnectionMax` pushes unsent.
    case pushBacklogFull
    /// A test's fault hook asked for the connection to fail.
    case faultInjected
    /// The server shut down gracefully after the connection's in-flight requests were answered.
    case shutdown
    /// The server shut down and in-flight requests outlasted the drain timeout.
    case shutdownDrainTimedOut
    /// The serving task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .peerClosed: "peer closed"
        case .idleTimeout: "idle timeout"
        case .frameRejected(let error): "frame rejected: \(error)"
        case .readFailed(let detail): "read failed: \(detail)"
        case .writeFailed(let detail): "write failed: \(detail)"
        case .handlerFailed(let detail): "handler failed: \(detail)"
        case .closedByHandler: "closed by handler"
        case .pushBacklogFull: "push backlog full"
        case .faultInjected: "fault injected"
        case .shutdown: "server shutdown"
        case .shutdownDrainTimedOut: "server shutdown, drain timed out"
        case .cancelled: "cancelled"
        }
    }
}

/// Something a server did that an operator may want to see. Servers report these through
/// `ServerConfiguration.log`, so this module needs no logging library.
public enum TransportEvent: Sendable, CustomStringConvertible {
    /// A connection was accepted and handed to the service.
    case connectionOpened(id: UInt64, remoteAddress: String)
    /// A connection ended.
    case connectionClosed(id: UInt64, remoteAddress: String, reason: ConnectionCloseReason)
    /// A connection was closed on accept because the listener was at its connection limit.
    case connectionRejected(remoteAddress: String, limit: Int)
    /// The accept loop failed; the server stops accepting.
    case acceptFailed(String)

    public var description: String {
        switch self {
        case .connectionOpened(let id, let remote): "connection \(id) from \(remote) opened"
        case .connectionClosed(let id, let remote, let reason): "connection \(id) from \(remote) closed: \(reason)"
        case .connectionRejected(let remote, let limit): "connection from \(remote) rejected: \(limit) connections open"
        case .acceptFailed(let detail): "accept failed: \(detail)"
        }
    }
}
