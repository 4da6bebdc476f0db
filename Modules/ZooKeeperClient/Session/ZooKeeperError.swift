public import TernZooKeeper

/// Why a ZooKeeper call failed: the server's result code for the request, or what the client
/// saw of the connection and session.
public enum ZooKeeperError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The node does not exist (`noNode`).
    case noNode(String)
    /// The node already exists (`nodeExists`).
    case nodeExists(String)
    /// The expected version did not match (`badVersion`).
    case badVersion(String)
    /// The node has children (`notEmpty`).
    case notEmpty(String)
    /// Ephemeral nodes may not have children (`noChildrenForEphemerals`).
    case noChildrenForEphemerals(String)
    /// The server refused an argument: a bad path, flags or oversized data (`badArguments`).
    case badArguments(String)
    /// A multi failed at `index` with `error`; nothing of it was applied.
    indirect case multiFailed(index: Int, ZooKeeperError)
    /// The session expired; ephemeral nodes and watches of it are gone. The client opens a new
    /// session by itself; this call was not applied.
    case sessionExpired
    /// The connection was lost with the request in flight (it may or may not have been
    /// applied), or no server could be reached within the session timeout.
    case connectionLoss
    /// The reply could not be decoded; the connection was closed.
    case malformedReply(String)
    /// The client was closed.
    case closed
    /// Any other result code.
    case server(ZooKeeperErrorCode, path: String)

    /// The error for a non-`ok` result code about `path`.
    public init(code: ZooKeeperErrorCode, path: String) {
        switch code {
        case .noNode: self = .noNode(path)
        case .nodeExists: self = .nodeExists(path)
        case .badVersion: self = .badVersion(path)
        case .notEmpty: self = .notEmpty(path)
        case .noChildrenForEphemerals: self = .noChildrenForEphemerals(path)
        case .badArguments: self = .badArguments(path)
        case .sessionExpired: self = .sessionExpired
        case .connectionLoss: self = .connectionLoss
        default: self = .server(code, path: path)
        }
    }

    public var description: String {
        switch self {
        case .noNode(let path): "no node \(path)"
        case .nodeExists(let path): "node \(path) exists"
        case .badVersion(let path): "bad version of \(path)"
        case .notEmpty(let path): "node \(path) has children"
        case .noChildrenForEphemerals(let path): "ephemeral parent of \(path)"
        case .badArguments(let path): "bad arguments for \(path)"
        case .multiFailed(let index, let error): "multi op \(index) failed: \(error)"
        case .sessionExpired: "session expired"
        case .connectionLoss: "connection lost"
        case .malformedReply(let detail): "malformed reply: \(detail)"
        case .closed: "client closed"
        case .server(let code, let path): "server answered \(code.rawValue) for \(path)"
        }
    }
}
