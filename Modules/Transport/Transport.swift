/// Listens for and makes connections that carry length-prefixed frames: 4-byte big-endian
/// lengths, as both Kafka and ZooKeeper frame their messages.
///
/// Implementations: `InMemoryTransport` (in-process, with fault hooks) and the SwiftNIO TCP
/// transport in TernTransportNIO. Frames reach handlers and clients without their prefix,
/// and outbound `FramePayload`s get theirs from the transport.
public protocol Transport: Sendable {
    /// Opens a listener on `endpoint` (port 0 picks a free port; see
    /// `FrameServer.localEndpoint`). Nothing is served until `FrameServer.run()` is called.
    func bind(
        _ endpoint: Endpoint, configuration: ServerConfiguration, service: any FrameService
    ) async throws(TransportError) -> any FrameServer

    /// Connects to `endpoint`, runs `body` with the connection and closes it when `body`
    /// returns or throws. Connection failures throw `TransportError`.
    func withConnection<Result>(
        to endpoint: Endpoint,
        configuration: ClientConfiguration,
        isolation: isolated (any Actor)?,
        _ body: (any FrameConnection) async throws -> sending Result
    ) async throws -> sending Result
}

extension Transport {
    /// Connects to `endpoint` with the default client configuration; see the requirement.
    public func withConnection<Result>(
        to endpoint: Endpoint,
        configuration: ClientConfiguration = ClientConfiguration(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any FrameConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await withConnection(to: endpoint, configuration: configuration, isolation: isolation, body)
    }
}
