// Goal: with `runsHandlersOnIOThread` a TCP server runs each connection's handler, and the
// default actors it calls, on the NIO event loop thread that serves the socket; without it,
// on Swift's cooperative pool; pipelined responses keep request order either way. Method: the
// handler and an actor it calls record the name of the thread they run on (NIO names its
// threads `NIO-…`), for a few pipelined requests on one connection.

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization
import Testing
import TernTransport

@Suite struct IOThreadHandlerTests {
    @Test(arguments: [true, false])
    func serve_handlerPlacement_followsConfiguration(onIOThread: Bool) async throws {
        let threads = ThreadNames()
        let service = FrameResponder { request, _ in
            threads.record(currentThreadName())
            await threads.recordFromActor()
            return FramePayload(request)
        }
        let configuration = ServerConfiguration(inFlightRequestsMax: 1, runsHandlersOnIOThread: onIOThread)
        try await withServer(.tcp, configuration: configuration, service: service) { transport, server in
            try await transport.withConnection(to: server.localEndpoint) { connection in
                for id in Int32(0)..<5 { try await connection.send(request(id: id, body: "#\(id)")) }
                let frames = try await readFrames(5, from: connection)
                #expect(frames.map(correlationID) == (Int32(0)..<5).map { $0 })
            }
        }
        let names = threads.all
        #expect(names.count == 10)
        #expect(names.allSatisfy { $0.hasPrefix("NIO-") } == onIOThread, "threads: \(names)")
        #expect(names.contains { $0.hasPrefix("NIO-") } == onIOThread, "threads: \(names)")
    }
}

/// The names of the threads handler code ran on.
final class ThreadNames: Sendable {
    // The mutex guards the names recorded so far.
    private let names = Mutex<[String]>([])
    private let recorder = ActorRecorder()

    func record(_ name: String) {
        names.withLock { $0.append(name) }
    }

    /// Records the thread a default actor's method runs on.
    func recordFromActor() async {
        record(await recorder.threadName())
    }

    var all: [String] {
        names.withLock { $0 }
    }
}

/// A default actor, which runs on its caller's executor preference when it has one.
actor ActorRecorder {
    func threadName() -> String {
        currentThreadName()
    }
}

/// The calling thread's name, from `/proc/thread-self/comm` (Linux).
func currentThreadName() -> String {
    let descriptor = open("/proc/thread-self/comm", O_RDONLY)
    guard descriptor >= 0 else { return "?" }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    guard count > 0 else { return "?" }
    return String(decoding: buffer[..<count], as: UTF8.self).trimmingSuffix("\n")
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
