// Goal: shared scaffolding for the transport tests, so every behaviour test reads the same
// for both transports (TCP twice: connections served through async channels, and on the event
// loop with `runsHandlersOnIOThread`). Method: a `TransportKind` argument picks the transport; servers run in
// a task owned by the test and are shut down and awaited before it ends; every wait has a
// deadline, so a broken transport fails a test instead of hanging the run.

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization
import Testing
import TernTransport
import TernTransportNIO

enum TransportKind: String, Sendable, CustomTestStringConvertible {
    case inMemory
    case tcp
    /// TCP with `runsHandlersOnIOThread`, whose connections are served on the event loop.
    case tcpOnIOThread

    var testDescription: String { rawValue }

    func makeTransport() -> any Transport {
        switch self {
        case .inMemory: InMemoryTransport()
        case .tcp: NIOTransport()
        case .tcpOnIOThread: IOThreadTransport()
        }
    }

    /// Where tests listen: an in-memory name, or loopback with an OS-chosen port.
    var listenEndpoint: Endpoint {
        switch self {
        case .inMemory: Endpoint(host: "memory", port: 0)
        case .tcp, .tcpOnIOThread: Endpoint(host: "127.0.0.1", port: 0)
        }
    }
}

/// The TCP transport with every server it binds serving handlers on the I/O thread.
struct IOThreadTransport: Transport {
    private let base = NIOTransport()

    func bind(
        _ endpoint: Endpoint, configuration: ServerConfiguration, service: any FrameService
    ) async throws(TransportError) -> any FrameServer {
        var configuration = configuration
        configuration.runsHandlersOnIOThread = true
        return try await base.bind(endpoint, configuration: configuration, service: service)
    }

    func withConnection<Result>(
        to endpoint: Endpoint,
        configuration: ClientConfiguration,
        isolation: isolated (any Actor)?,
        _ body: (any FrameConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await base.withConnection(to: endpoint, configuration: configuration, isolation: isolation, body)
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "timed out after \(limit)" }
}

/// Runs `body`, failing with `TimedOut` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration = .seconds(20), _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(limit: limit) }
        return value
    }
}

/// Records what a server logs, for tests that check why a connection closed.
final class EventLog: Sendable {
    private let events = Mutex<[TransportEvent]>([])

    var sink: @Sendable (TransportEvent) -> Void {
        { event in self.events.withLock { $0.append(event) } }
    }

    var closeReasons: [ConnectionCloseReason] {
        events.withLock { events in
            events.compactMap { event in
                if case .connectionClosed(_, _, let reason) = event { return reason }
                return nil
            }
        }
    }

    /// Waits until some connection has closed with a reason `matches` accepts.
    func waitForClose(within limit: Duration = .seconds(10), where matches: @escaping @Sendable (ConnectionCloseReason) -> Bool) async throws {
        try await withTimeout(limit) {
            while !self.closeReasons.contains(where: matches) { try await Task.sleep(for: .milliseconds(5)) }
        }
    }
}

/// Binds a server, runs it in a child task, runs `body`, then shuts the server down and waits
/// for `run()` to return, all within `limit`.
func withServer<T: Sendable>(
    _ kind: TransportKind,
    configuration: ServerConfiguration = ServerConfiguration(),
    service: any FrameService,
    limit: Duration = .seconds(30),
    _ body: @escaping @Sendable (any Transport, any FrameServer) async throws -> T
) async throws -> T {
    let transport = kind.makeTransport()
    return try await withServer(transport, at: kind.listenEndpoint, configuration: configuration, service: service, limit: limit) {
        try await body(transport, $0)
    }
}

/// Like `withServer(_:…)`, on a given transport (for the in-memory fault tests).
func withServer<T: Sendable>(
    _ transport: any Transport,
    at endpoint: Endpoint,
    configuration: ServerConfiguration = ServerConfiguration(),
    service: any FrameService,
    limit: Duration = .seconds(30),
    _ body: @escaping @Sendable (any FrameServer) async throws -> T
) async throws -> T {
    let server = try await transport.bind(endpoint, configuration: configuration, service: service)
    return try await withTimeout(limit) {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await server.run()
                return nil
            }
            do {
                let result = try await body(server)
                server.shutdown()
                while try await group.next() != nil {}
                return result
            } catch {
                server.shutdown()
                group.cancelAll()
                throw error
            }
        }
    }
}

/// A test request: API key, correlation id, then `body`, without the length prefix.
func requestBytes(apiKey: Int16 = 18, id: Int32, body: String = "") -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(apiKey)
    buffer.writeInteger(id)
    buffer.writeString(body)
    return buffer
}

func request(apiKey: Int16 = 18, id: Int32, body: String = "") -> FramePayload {
    FramePayload(requestBytes(apiKey: apiKey, id: id, body: body))
}

/// The correlation id of a test request or of an echoed response.
func correlationID(of frame: ByteBuffer) -> Int32? {
    frame.getInteger(at: frame.readerIndex + 2, as: Int32.self)
}

/// A service that answers each request with its own bytes.
let echoService = FrameResponder { request, _ in FramePayload(request) }

/// Reads `count` frames from a connection.
func readFrames(_ count: Int, from connection: any FrameConnection) async throws -> [ByteBuffer] {
    var iterator = connection.inbound.makeAsyncIterator()
    var frames: [ByteBuffer] = []
    while frames.count < count, let frame = try await iterator.next() { frames.append(frame) }
    return frames
}

/// Whether the connection's inbound side ends (EOF, reset or a rejected frame) within `limit`.
func inboundEnds(_ connection: any FrameConnection, within limit: Duration = .seconds(10)) async -> Bool {
    let frames = connection.inbound
    do {
        return try await withTimeout(limit) {
            do {
                for try await _ in frames {}
            } catch {
                // An error (a reset connection) ends the stream just as EOF does.
            }
            return true
        }
    } catch {
        return false
    }
}

/// Collects the ids of requests as a handler receives them.
final class ArrivalLog: Sendable {
    private let ids = Mutex<[Int32]>([])

    func record(_ request: ByteBuffer) {
        guard let id = correlationID(of: request) else { return }
        ids.withLock { $0.append(id) }
    }

    var arrived: [Int32] { ids.withLock { $0 } }

    func waitForCount(_ count: Int, within limit: Duration = .seconds(10)) async throws {
        try await withTimeout(limit) {
            while self.arrived.count < count { try await Task.sleep(for: .milliseconds(2)) }
        }
    }
}

/// Keeps a file descriptor open until released, like the log's segment handle.
final class OpenFile: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
