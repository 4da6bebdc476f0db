public import NIOCore

/// What a server runs for its connections: a factory of one handler per connection, so
/// per-connection state (SASL progress, a ZooKeeper session) lives in the handler.
public protocol FrameService: Sendable {
    /// A connection was accepted. The returned handler answers its requests. The connection
    /// may be kept to push unsolicited frames or to close it later.
    func connectionOpened(_ connection: ServerConnection) async -> any ConnectionHandler
}

/// Answers the requests of one connection.
///
/// Calls to `respond(to:)` overlap, up to `ServerConfiguration.inFlightRequestsMax`, and each
/// runs in its own task. They start in request order, and their responses are written in
/// request order whatever order they finish in. A handler that needs Kafka's one-at-a-time
/// processing for some requests (appends of one producer) must serialise those itself.
///
/// With `ServerConfiguration.runsHandlersOnIOThread` the calls run on the connection's I/O
/// thread, as do the default actors they call into: a handler must not block there (file
/// I/O, `fsync`), or it stalls every connection sharing the thread; work that may block
/// should run with another executor preference (`withTaskExecutorPreference`).
public protocol ConnectionHandler: Sendable {
    /// The response to `request` (a frame without its length prefix), or nil when the request
    /// gets none (Produce with acks=0); its place in the response order is released either way.
    /// Throwing closes the connection. Calls see cancellation when the connection is closed.
    func respond(to request: ByteBuffer) async throws -> FramePayload?

    /// The connection has ended and no `respond` call is running; release its state.
    func connectionClosed(reason: ConnectionCloseReason) async
}

extension ConnectionHandler {
    /// Handlers without per-connection state need not observe the close.
    public func connectionClosed(reason: ConnectionCloseReason) async {}
}

/// A service that answers every request with one closure, for tools and tests.
public struct FrameResponder: FrameService {
    private let respond: @Sendable (ByteBuffer, ServerConnection) async throws -> FramePayload?

    /// A service that answers each request of each connection with `respond`.
    public init(_ respond: @escaping @Sendable (_ request: ByteBuffer, _ connection: ServerConnection) async throws -> FramePayload?) {
        self.respond = respond
    }

    public func connectionOpened(_ connection: ServerConnection) async -> any ConnectionHandler {
        Handler(connection: connection, respond: respond)
    }

    private struct Handler: ConnectionHandler {
        let connection: ServerConnection
        let respond: @Sendable (ByteBuffer, ServerConnection) async throws -> FramePayload?

        func respond(to request: ByteBuffer) async throws -> FramePayload? {
            try await respond(request, connection)
        }
    }
}
