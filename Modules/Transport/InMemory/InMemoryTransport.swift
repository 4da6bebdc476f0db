import NIOCore
import Synchronization

/// A `Transport` without sockets: listeners live in a table keyed by endpoint, and a
/// connection is a pair of in-process byte pipes, framed and served exactly as TCP
/// connections are. Tests install faults by API key to drop, delay, fail or answer requests.
/// Deterministic apart from `.delay` faults and the idle timer.
public final class InMemoryTransport: Transport {
    private struct State {
        // One entry per bound server; servers are made by our own code, not the network.
        var listeners: [Endpoint: InMemoryServer] = [:]
        var nextPort = 1
    }

    private let state = Mutex(State())
    private let faults = InMemoryFaultTable()

    /// A transport with no listeners and no faults.
    public init() {}

    public func bind(
        _ endpoint: Endpoint, configuration: ServerConfiguration, service: any FrameService
    ) async throws(TransportError) -> any FrameServer {
        try state.withLock { state throws(TransportError) -> InMemoryServer in
            var bound = endpoint
            if bound.port == 0 {
                while state.listeners[Endpoint(host: endpoint.host, port: state.nextPort)] != nil { state.nextPort += 1 }
                bound.port = state.nextPort
                state.nextPort += 1
            }
            guard state.listeners[bound] == nil else { throw .bindFailed(bound, reason: "address in use") }
            let key = bound
            let server = InMemoryServer(
                endpoint: key, configuration: configuration, service: service, faults: faults,
                unregister: { [weak self] in self?.unregister(key) }
            )
            state.listeners[key] = server
            return server
        }
    }

    public func withConnection<Result>(
        to endpoint: Endpoint,
        configuration: ClientConfiguration,
        isolation: isolated (any Actor)?,
        _ body: (any FrameConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let server = state.withLock { $0.listeners[endpoint] }
        guard let server else { throw TransportError.connectFailed(endpoint, reason: "connection refused") }
        let link = InMemoryLink()
        defer { link.close() }
        try await server.enqueue(link, timeout: configuration.connectTimeout)
        let connection = InMemoryFrameConnection(
            remoteEndpoint: endpoint, link: link, responseFrameBytesMax: configuration.responseFrameBytesMax
        )
        return try await body(connection)
    }

    /// Intercepts requests whose API key (the int16 at the start of the frame) is `apiKey`,
    /// at every server of this transport or only at `server`, for the next `times` requests
    /// or until removed. When several faults match, the oldest applies.
    @discardableResult
    public func installFault(_ fault: InMemoryFault, apiKey: Int16, server: Endpoint? = nil, times: Int? = nil) -> InMemoryFaultID {
        faults.install(fault, apiKey: apiKey, server: server, times: times)
    }

    /// Removes one fault; requests it matched reach the handler again.
    public func removeFault(_ id: InMemoryFaultID) {
        faults.remove(id)
    }

    /// Removes every fault.
    public func removeAllFaults() {
        faults.removeAll()
    }

    private func unregister(_ endpoint: Endpoint) {
        state.withLock { _ = $0.listeners.removeValue(forKey: endpoint) }
    }
}

/// The client end of an in-memory connection.
struct InMemoryFrameConnection: FrameConnection {
    let remoteEndpoint: Endpoint
    let link: InMemoryLink
    let inbound: InboundFrames

    init(remoteEndpoint: Endpoint, link: InMemoryLink, responseFrameBytesMax: Int) {
        self.remoteEndpoint = remoteEndpoint
        self.link = link
        inbound = InboundFrames(InMemoryFrames(pipe: link.toClient, link: link, bytesMax: responseFrameBytesMax))
    }

    func send(_ payload: FramePayload) async throws(TransportError) {
        try await link.toServer.write(payload.encodedFrame())
        link.serverActivity.touch()
    }

    func sendUnframed(_ bytes: ByteBuffer) async throws(TransportError) {
        try await link.toServer.write(bytes)
        link.serverActivity.touch()
    }

    func close() {
        link.close()
    }
}
