import Logging
import NIOCore
import TernTransport
import TernZooKeeper

// The connection side of the client: the session loop that connects to one server after
// another, the handshake that creates or resumes the session, and per connection three tasks
// (writer, reader, keep-alive) of which the first to end tears the connection down.
extension ZooKeeperClient {
    /// Connects and reconnects until the client is closed. Owned by the client (`runner`).
    func runSessions() async {
        var failuresInRound = 0
        while isRunning, !Task.isCancelled {
            let server = nextServer()
            phase = .connecting
            var connected = false
            do {
                let configuration = ClientConfiguration(
                    connectTimeout: configuration.connectTimeout, responseFrameBytesMax: ZooKeeperLimits.frameBytesMax)
                connected = try await transport.withConnection(to: server, configuration: configuration) { connection in
                    try await self.serve(connection)
                }
            } catch {
                logger.debug("zookeeper connection ended", metadata: ["server": "\(server)", "error": "\(error)"])
            }
            tearDownConnection()
            if connected {
                failuresInRound = 0
            } else {
                failuresInRound += 1
                if failuresInRound >= connectString.servers.count {
                    failuresInRound = 0
                    try? await Task.sleep(for: configuration.reconnectBackoff)
                }
            }
        }
    }

    /// Runs one connection: handshake, then serve until it ends. Returns whether a session was
    /// established on it (an expired session answer counts, since the next attempt creates a
    /// new one at once).
    private func serve(_ connection: any FrameConnection) async throws -> Bool {
        var request = ByteBuffer()
        ZooKeeperConnectRequest(
            lastZxidSeen: lastZxid, timeOut: Int32(clamping: configuration.sessionTimeout.milliseconds),
            sessionID: sessionID, password: password, readOnly: false
        ).writeJute(to: &request)
        try await connection.send(FramePayload(request))
        guard var frame = try await firstFrame(of: connection) else {
            logger.debug("zookeeper handshake got no answer", metadata: ["server": "\(connection.remoteEndpoint)"])
            return false
        }
        let response = try ZooKeeperConnectResponse(jute: &frame)
        guard response.timeOut > 0 else {
            sessionExpired()
            return true
        }
        let (outgoing, sink) = AsyncStream.makeStream(of: ByteBuffer.self)
        adopt(response, connection: connection, outgoing: sink)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Self.write(outgoing, to: connection) }
            group.addTask { await self.read(connection) }
            group.addTask { await self.keepAlive(connection) }
            _ = await group.next()
            connection.close()
            sink.finish()
            group.cancelAll()
        }
        return true
    }

    /// The handshake answer, or nil when none came within the connect timeout.
    private func firstFrame(of connection: any FrameConnection) async throws -> ByteBuffer? {
        let timeout = configuration.connectTimeout
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var frames = connection.inbound.makeAsyncIterator()
                return try await frames.next()
            }
            group.addTask {
                // Cancelled when the answer came first; otherwise closing ends the reader above.
                guard (try? await Task.sleep(for: timeout)) != nil else { return nil }
                connection.close()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Takes the server's session and opens the connection for requests; re-arms watches when
    /// the session was resumed.
    private func adopt(
        _ response: ZooKeeperConnectResponse, connection: any FrameConnection,
        outgoing: AsyncStream<ByteBuffer>.Continuation
    ) {
        let resumed = response.sessionID == sessionID
        sessionID = response.sessionID
        password = response.password
        negotiatedTimeout = .milliseconds(Int64(response.timeOut))
        lastReceived = .now
        self.connection = connection
        self.outgoing = outgoing
        phase = .connected
        if resumed, !watches.isEmpty {
            var frame = ByteBuffer()
            let record = watches.setWatches(relativeZxid: lastZxid, serverPath: connectString.serverPath)
            ZooKeeperRequestFrame(xid: Self.setWatchesXid, request: .setWatches(record)).write(to: &frame)
            outgoing.yield(frame)
        }
        logger.debug("zookeeper session", metadata: [
            "session": "0x\(String(sessionID, radix: 16))", "timeout": "\(negotiatedTimeout)", "resumed": "\(resumed)",
        ])
        emit(.connected(sessionID: sessionID))
    }

    /// The server refused to resume the session: everything it owned is gone.
    private func sessionExpired() {
        logger.warning("zookeeper session expired", metadata: ["session": "0x\(String(sessionID, radix: 16))"])
        sessionID = 0
        password = Self.emptyPassword
        watches.removeAll()
        emit(.expired)
    }

    /// Fails the requests in flight and marks the client disconnected.
    private func tearDownConnection() {
        let wasConnected = connection != nil
        connection = nil
        outgoing?.finish()
        outgoing = nil
        let failed = pending
        pending = [:]
        for (_, request) in failed { request.continuation.resume(returning: .failure(.connectionLoss)) }
        if isRunning {
            phase = .connecting
            if wasConnected { emit(.disconnected) }
        }
    }

    private static func write(_ outgoing: AsyncStream<ByteBuffer>, to connection: any FrameConnection) async {
        for await frame in outgoing {
            do throws(TransportError) {
                try await connection.send(FramePayload(frame))
            } catch {
                return
            }
        }
    }

    private func read(_ connection: any FrameConnection) async {
        do {
            for try await frame in connection.inbound {
                guard receive(frame) else { return }
            }
        } catch {
            logger.debug("zookeeper read ended", metadata: ["error": "\(error)"])
        }
    }

    /// Pings at a third of the session timeout, and drops a connection that has been silent
    /// for two thirds of it so the session can move to another server before it expires.
    private func keepAlive(_ connection: any FrameConnection) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: negotiatedTimeout / 3)
            } catch {
                return
            }
            if ContinuousClock.now - lastReceived > negotiatedTimeout * 2 / 3 {
                logger.warning("zookeeper server silent; reconnecting", metadata: ["server": "\(connection.remoteEndpoint)"])
                return
            }
            var frame = ByteBuffer()
            ZooKeeperRequestFrame(xid: ZooKeeperReplyHeader.pingXid, request: .ping).write(to: &frame)
            outgoing?.yield(frame)
        }
    }

    /// Handles one inbound frame; false when it breaks the protocol and the connection must go.
    private func receive(_ frame: ByteBuffer) -> Bool {
        lastReceived = .now
        var buffer = frame
        let header: ZooKeeperReplyHeader
        do {
            header = try ZooKeeperReplyHeader(jute: &buffer)
        } catch {
            logger.warning("zookeeper reply undecodable; closing", metadata: ["error": "\(error)"])
            return false
        }
        switch header.xid {
        case ZooKeeperReplyHeader.notificationXid:
            return notify(&buffer)
        case ZooKeeperReplyHeader.pingXid, Self.authXid:
            return true
        case Self.setWatchesXid:
            if header.err != .ok { logger.warning("zookeeper setWatches failed", metadata: ["code": "\(header.err.rawValue)"]) }
            return true
        default:
            guard let request = pending.removeValue(forKey: header.xid) else {
                logger.warning("zookeeper reply for unknown xid; closing", metadata: ["xid": "\(header.xid)"])
                return false
            }
            if header.zxid > 0 { lastZxid = max(lastZxid, header.zxid) }
            if let (kind, path) = request.watch {
                if header.err == .ok || (kind == .exist && header.err == .noNode) { watches.add(kind, path: path) }
            }
            request.continuation.resume(returning: .success(Reply(header: header, body: buffer)))
            return true
        }
    }

    private func notify(_ buffer: inout ByteBuffer) -> Bool {
        guard let event = try? ZooKeeperWatcherEvent(jute: &buffer) else {
            logger.warning("zookeeper watch event undecodable; closing")
            return false
        }
        guard let type = ZooKeeperWatchEventType(rawValue: event.type), type != .none else { return true }
        let path = connectString.clientPath(event.path)
        watches.fire(type, path: path)
        emit(.watch(type, path: path))
        return true
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
