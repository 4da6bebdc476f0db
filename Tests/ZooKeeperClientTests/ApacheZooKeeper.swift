// Test support: a real Apache ZooKeeper (Debian's `zookeeper` package) in a child process on
// a free 127.0.0.1 port with a temporary data directory. A shell watchdog kills the JVM when
// the test process goes away, so no server outlives a crashed run.

import Foundation
import Glibc
import Synchronization
import Logging
import NIOCore
import TernZooKeeper
import TernTransport
import TernTransportNIO
import TernZooKeeperClient

/// One standalone ZooKeeper server process.
final class ApacheZooKeeper: @unchecked Sendable {
    // @unchecked Sendable: `process` is only touched by start/stop, which tests call from one
    // task at a time.
    static let jar = "/usr/share/java/zookeeper.jar"
    static let logJar = "/usr/share/java/slf4j-simple.jar"
    static let java = "/usr/bin/java"

    /// Whether the Debian package and a JVM are installed; tests are skipped without them.
    static var isInstalled: Bool {
        FileManager.default.fileExists(atPath: jar) && FileManager.default.fileExists(atPath: java)
    }

    let port: Int
    let directory: String
    private var process: Process?

    /// A server on a free port over a new data directory, not yet started. `tickTime` bounds
    /// session timeouts to between 2 and 20 ticks.
    init(tickTime: Int = 500) throws {
        port = try Self.freePort()
        directory = NSTemporaryDirectory() + "tern-zk-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let config = """
            tickTime=\(tickTime)
            dataDir=\(directory)/data
            clientPort=\(port)
            clientPortAddress=127.0.0.1
            maxClientCnxns=0
            admin.enableServer=false
            4lw.commands.whitelist=ruok,srvr
            """
        try config.write(toFile: directory + "/zoo.cfg", atomically: true, encoding: .utf8)
    }

    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: port) }

    /// Starts the JVM and waits (at most 60 s) until it serves: `srvr` reports a mode. The port
    /// accepts connections earlier than that, and a session asked for then is refused.
    func start() async throws {
        // Only foreground `sleep`s: the test process may block SIGCHLD, which its children
        // inherit, and then the shell's `wait` never returns. A zombie test process (exited,
        // not yet reaped) counts as gone.
        let watchdog = """
            \(Self.java) -Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
            -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp \(Self.jar):\(Self.logJar) \
            org.apache.zookeeper.server.ZooKeeperServerMain \(directory)/zoo.cfg >>\(directory)/zk.log 2>&1 &
            zk=$!
            trap 'kill $zk 2>/dev/null; exit 0' TERM
            while kill -0 \(getpid()) 2>/dev/null && ! grep -q '^State:.*Z' /proc/\(getpid())/status 2>/dev/null; do
                sleep 0.3
            done
            kill $zk 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", watchdog]
        // Not the test's own stdout and stderr: `swift test` waits for those pipes to close
        // before it reaps the test process, and the watchdog waits for that.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Polled with Task.sleep, never usleep: the tests share Swift's two pool threads with
        // every other suite of the run, and blocking them stalls all of those for the JVM's start.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if Self.fourLetterWord("srvr", port: port).contains("Mode: ") { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ZooKeeperStartError(log: (try? String(contentsOfFile: directory + "/zk.log", encoding: .utf8)) ?? "")
    }

    /// Stops the JVM and waits (at most 20 s) for it to exit and free its port.
    func stop() async {
        guard let process else { return }
        process.terminate()
        self.process = nil
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning || Self.accepts(port: port), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the server without waiting (the watchdog kills the JVM) and removes its data.
    func destroy() {
        process?.terminate()
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A connect string to this server under `chroot`.
    func connectString(chroot: String = "") -> ZooKeeperConnectString {
        ZooKeeperConnectString(servers: [endpoint], chroot: chroot)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ZooKeeperStartError(log: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The server's answer to a four-letter word, or "" when it does not answer within 2 s.
    private static func fourLetterWord(_ word: String, port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected, Array(word.utf8).withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == 4 else { return "" }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while reply.count < 65536 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            reply += chunk[..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct ZooKeeperStartError: Error, CustomStringConvertible {
    var log: String
    var description: String { "ZooKeeper did not start: \(log.suffix(2000))" }
}

/// The server most tests share, started on first use; each test works under its own chroot.
enum SharedZooKeeper {
    private static let starter = SharedServerStarter()

    /// The shared server; throws when it could not be started.
    static func get() async throws -> ApacheZooKeeper {
        try await starter.server()
    }
}

/// Starts the shared server once, however many tests ask at the same time.
private actor SharedServerStarter {
    private var starting: Task<ApacheZooKeeper, any Error>?

    func server() async throws -> ApacheZooKeeper {
        if let starting { return try await starting.value }
        let task = Task {
            let server = try ApacheZooKeeper()
            try await server.start()
            return server
        }
        starting = task
        return try await task.value
    }
}

/// A chroot no other test uses.
func uniqueChroot(_ name: String) -> String {
    "/tern-test/\(name)-\(UUID().uuidString.prefix(8))"
}

/// A logger that keeps quiet unless TERN_TEST_LOG is set.
func testLogger() -> Logger {
    var logger = Logger(label: "tern.zk.test")
    logger.logLevel = ProcessInfo.processInfo.environment["TERN_TEST_LOG"] != nil ? .debug : .critical
    return logger
}

/// A started client of `server` under `chroot`.
func startedClient(
    _ server: ApacheZooKeeper, chroot: String = "", sessionTimeout: Duration = .seconds(6),
    resuming: ZooKeeperSessionCredentials? = nil
) async throws -> ZooKeeperClient {
    let client = ZooKeeperClient(
        connectString: server.connectString(chroot: chroot),
        configuration: ZooKeeperClientConfiguration(sessionTimeout: sessionTimeout, connectTimeout: .seconds(10)),
        transport: NIOTransport(), logger: testLogger(), resuming: resuming)
    try await client.start()
    if !chroot.isEmpty { try await client.createChrootIfMissing() }
    return client
}

/// Records a client's events from one reading task (an AsyncStream has one reader, and
/// cancelling it would end the stream), so tests can wait for the ones they expect.
final class EventRecorder: Sendable {
    private let seen = Mutex<[ZooKeeperEvent]>([])

    init(_ events: AsyncStream<ZooKeeperEvent>) {
        Task { [self] in
            for await event in events { self.seen.withLock { $0.append(event) } }
        }
    }

    /// Every event so far.
    var events: [ZooKeeperEvent] { seen.withLock { $0 } }

    /// Waits up to `timeout` for an event equal to `expected`, and consumes it.
    func waitFor(_ expected: ZooKeeperEvent, within timeout: Duration = .seconds(15)) async -> Bool {
        await waitFor(within: timeout) { $0 == expected } != nil
    }

    /// Waits up to `timeout` for an event that `matches`, and consumes it.
    func waitFor(
        within timeout: Duration = .seconds(15), _ matches: (ZooKeeperEvent) -> Bool
    ) async -> ZooKeeperEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = seen.withLock { events -> ZooKeeperEvent? in
                guard let index = events.firstIndex(where: matches) else { return nil }
                return events.remove(at: index)
            }
            if let found { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

/// Resumes the session on a second connection and closes it at once, as an expiry would end
/// it. Both frames go out together, so the owner's reconnect cannot get in between and take
/// the session back; the owner then learns on its next connect that the session expired.
func closeSession(_ credentials: ZooKeeperSessionCredentials, on server: ApacheZooKeeper) async throws {
    try await NIOTransport().withConnection(to: server.endpoint) { connection in
        var frames = ByteBuffer()
        frames.writeJuteFrame {
            ZooKeeperConnectRequest(
                lastZxidSeen: 0, timeOut: 4000, sessionID: credentials.sessionID, password: credentials.password, readOnly: false
            ).writeJute(to: &$0)
        }
        frames.writeJuteFrame { ZooKeeperRequestFrame(xid: 1, request: .closeSession).write(to: &$0) }
        try await connection.sendUnframed(frames)
        var replies = connection.inbound.makeAsyncIterator()
        // The server may close the connection before answering closeSession.
        _ = try? await replies.next()
        _ = try? await replies.next()
    }
}
