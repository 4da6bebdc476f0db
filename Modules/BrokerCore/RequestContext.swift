public import TernProtocol

/// What a handler knows about the request besides its body.
public struct RequestContext: Sendable {
    /// The request's header: API key, version, correlation id, client id.
    public var header: RequestHeader
    /// The client's address as the transport saw it (`host:port`), for group member hosts.
    public var clientAddress: String
    /// The transport's id of the connection, for per-connection state such as fetch sessions.
    public var connectionId: UInt64

    /// Creates a context.
    public init(header: RequestHeader, clientAddress: String, connectionId: UInt64) {
        self.header = header
        self.clientAddress = clientAddress
        self.connectionId = connectionId
    }

    /// The request's API version; every response is encoded at it.
    public var apiVersion: Int16 { header.apiVersion }

    /// The client's id, or "" when it sent none.
    public var clientId: String { header.clientId ?? "" }

    /// The client's host without the port, as Kafka reports it in group descriptions.
    public var clientHost: String {
        // `[::1]:9092` and `127.0.0.1:9092` both end in `:port`.
        guard let colon = clientAddress.lastIndex(of: ":") else { return clientAddress }
        var host = clientAddress[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return "/" + host
    }
}
