// Goal: ZooKeeper's monitoring words (`echo ruok | nc host port`) reach a TCP listener that asks
// for them, while framed clients on the same listener are unaffected. Method: a raw socket sends
// the word and reads until the server closes; a framed client then uses the same listener.

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Testing
import TernTransport
import TernTransportNIO

@Suite struct FourLetterWordTests {
    private let configuration = ServerConfiguration(fourLetterWords: { $0 == "ruok" ? "imok" : nil })

    @Test func ruok_answeredRawThenClosed_framedClientsStillServed() async throws {
        try await withServer(.tcp, configuration: configuration, service: echoService) { transport, server in
            let reply = try rawExchange(port: server.localEndpoint.port, send: Array("ruok".utf8))
            #expect(reply == Array("imok".utf8))
            try await transport.withConnection(to: server.localEndpoint) { connection in
                try await connection.send(request(id: 7))
                #expect(try await readFrames(1, from: connection) == [requestBytes(id: 7)])
            }
        }
    }

    @Test func unknownWord_readAsLengthPrefix_connectionClosedWithoutReply() async throws {
        try await withServer(.tcp, configuration: configuration, service: echoService) { _, server in
            // "srvr" is not answered here, so it is a length prefix far beyond the frame limit.
            let reply = try rawExchange(port: server.localEndpoint.port, send: Array("srvr".utf8))
            #expect(reply.isEmpty)
        }
    }
}

/// Connects to 127.0.0.1:`port`, sends `bytes`, and reads until the peer closes (5 s at most).
private func rawExchange(port: Int, send bytes: [UInt8]) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXFailure(call: "socket") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXFailure(call: "connect") }
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw POSIXFailure(call: "write") }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            received += chunk[..<count]
        } else if count == 0 || errno != EINTR {
            // 0 is the server's close; a reset (the server closed with unread bytes) also ends it.
            guard count == 0 || errno == ECONNRESET else { throw POSIXFailure(call: "read") }
            return received
        }
    }
}

private struct POSIXFailure: Error {
    let call: String
    let code = errno
}
