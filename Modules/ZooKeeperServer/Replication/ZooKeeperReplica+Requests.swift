import Logging
import NIOCore
import TernCoordination
import TernPrimitives
import TernTransport
import TernZooKeeper

/// A client connection as the replica tracks it.
struct ClientConnection: Sendable {
    enum Phase: Sendable {
        /// Waiting for the ConnectRequest.
        case handshake
        /// Serving `sessionID`.
        case open(sessionID: Int64)
        /// The session ended or was refused; the client is expected to close, and anything it
        /// still sends closes the connection.
        case finished
    }

    let connection: ServerConnection
    var phase: Phase = .handshake
    var pipeline = ClientPipeline()
    /// The request handler waiting for room in the pipeline.
    var roomWaiter: RoomWaiter?

    var sessionID: Int64? {
        if case .open(let sessionID) = phase { return sessionID }
        return nil
    }
}

/// What the connection's handler does with a frame after the replica has seen it.
enum Arrival: Sendable {
    /// The frame is a ConnectRequest: run the handshake.
    case handshake
    /// The request is queued; wait for room first when `full`.
    case queued(full: Bool)
    /// The connection has been closed.
    case closed
}

extension ZooKeeperReplica {
    /// Starts tracking a newly accepted connection.
    func connectionOpened(_ connection: ServerConnection) {
        connections[connection.id] = ClientConnection(connection: connection)
    }

    /// Forgets a connection that ended. Its session lives on until it expires or the client
    /// resumes it; its watches go, and the client re-sends them on reconnecting.
    func connectionClosed(_ id: UInt64) {
        guard let record = connections.removeValue(forKey: id) else { return }
        record.roomWaiter?.resume()
        if let sessionID = record.sessionID, sessionConnections[sessionID] == id {
            sessionConnections[sessionID] = nil
            database.connectionClosed(sessionID: sessionID)
        }
    }

    /// Takes one request frame of an open connection into its pipeline.
    func receive(_ frame: ByteBuffer, connection id: UInt64) -> Arrival {
        guard let record = connections[id] else { return .closed }
        let sessionID: Int64
        switch record.phase {
        case .handshake: return .handshake
        case .finished:
            close(id, because: "request after the session ended")
            return .closed
        case .open(let session): sessionID = session
        }
        var buffer = frame
        guard let header = try? ZooKeeperRequestHeader(jute: &buffer) else {
            close(id, because: "request of \(frame.readableBytes) bytes has no header")
            return .closed
        }
        touch(sessionID)
        let step: ClientPipeline.Step
        do {
            buffer = frame
            let request = try ZooKeeperRequestFrame(decoding: &buffer).request
            step = admit(request, sessionID: sessionID, connection: id, xid: header.xid)
        } catch {
            logger.info("connection \(id): undecodable request xid \(header.xid) opcode \(header.type): \(error)")
            step = .reply(.failure(xid: header.xid, zxid: database.tree.lastZxid, .marshallingError))
        }
        if case .write = step {
            // Queued by `admit`.
        } else {
            connections[id]?.pipeline.append(xid: header.xid, step: step)
        }
        flush(id)
        guard let count = connections[id]?.pipeline.count else { return .closed }
        return .queued(full: count >= configuration.requestsPerConnectionMax)
    }

    /// Routes a decoded request: rejected at once, proposed (queued as a write), or read.
    private func admit(_ request: ZooKeeperRequest, sessionID: Int64, connection id: UInt64, xid: Int32) -> ClientPipeline.Step {
        switch request.route(sessionID: sessionID, time: clock.wallClockMilliseconds) {
        case .reject(let code):
            if case .unknown(let opCode) = request { logger.info("connection \(id): unknown opcode \(opCode)") }
            return .reply(.failure(xid: xid, zxid: database.tree.lastZxid, code))
        case .propose(let transaction):
            let bytes = transaction.encoded.count
            connections[id]?.pipeline.appendWrite(xid: xid, transaction: transaction, byteCount: bytes)
            return .write(nil)
        case .local(let local):
            return .read(local, barrier: Self.needsBarrier(local) ? joinBarrier() : nil)
        }
    }

    /// Reads of the tree are linearizable: they wait for a read barrier that began after they
    /// arrived. Pings, auth and watch registration read nothing that a barrier would change.
    static func needsBarrier(_ request: ZooKeeperLocalRequest) -> Bool {
        switch request {
        case .exists, .getData, .getChildren, .getChildren2, .getACL, .sync, .getEphemerals, .getAllChildrenNumber:
            true
        case .ping, .auth, .setWatches, .addWatch:
            false
        }
    }

    /// A waiter the handler suspends on until the connection's pipeline has room again, or nil
    /// when it has room now (or the connection is gone).
    func roomWaiter(_ id: UInt64) -> RoomWaiter? {
        guard let count = connections[id]?.pipeline.count, count >= configuration.requestsPerConnectionMax else { return nil }
        let waiter = RoomWaiter()
        connections[id]?.roomWaiter = waiter
        return waiter
    }

    /// Sends every reply at the head of the pipeline that is ready, in order, then proposes the
    /// writes that no unanswered read precedes any more.
    func flush(_ id: UInt64) {
        defer { startBatchIfIdle(id) }
        while let record = connections[id], let entry = record.pipeline.first {
            let reply: ZooKeeperReply
            var sessionEnded = false
            switch entry.step {
            case .reply(let ready):
                reply = ready
            case .write(nil):
                return
            case .write(let result?):
                if case .sessionClosed = result.outcome { sessionEnded = true }
                reply = result.reply(xid: entry.xid) ?? .failure(xid: entry.xid, zxid: result.zxid, .systemError)
            case .read(let request, let barrier):
                if let barrier, barriers.finished < barrier { return }
                guard let sessionID = record.sessionID else { return }
                let answered = database.handle(request, xid: entry.xid, sessionID: sessionID)
                deliver(answered.notifications)
                reply = answered.reply
            }
            var buffer = ByteBuffer()
            reply.write(to: &buffer)
            push(buffer, to: record.connection)
            connections[id]?.pipeline.removeFirst()
            if sessionEnded { endSession(on: id) }
            if let waiter = connections[id]?.roomWaiter, (connections[id]?.pipeline.count ?? 0) < configuration.requestsPerConnectionMax {
                connections[id]?.roomWaiter = nil
                waiter.resume()
            }
        }
    }

    /// The client closed its own session: it gets no more replies and should hang up.
    private func endSession(on id: UInt64) {
        guard let sessionID = connections[id]?.sessionID else { return }
        connections[id]?.phase = .finished
        if sessionConnections[sessionID] == id { sessionConnections[sessionID] = nil }
    }

    /// Closes a connection at once, with a log line. The client sees connection loss, as with
    /// ZooKeeper, and learns what became of its writes by reading after it reconnects.
    func close(_ id: UInt64, because reason: String) {
        guard let record = connections[id] else { return }
        logger.info("closing connection \(id) from \(record.connection.remoteAddress): \(reason)")
        record.connection.close()
        connectionClosed(id)
    }

    // MARK: Writes

    /// Proposes the connection's queued writes as one command, unless a batch is in flight:
    /// one at a time keeps a client's writes in the order it sent them.
    func startBatchIfIdle(_ id: UInt64) {
        guard let record = connections[id], record.pipeline.batchInFlight == nil, record.pipeline.hasUnproposedWrites,
              let sessionID = record.sessionID
        else { return }
        let writes = connections[id]?.pipeline.takeBatch(bytesMax: configuration.batchBytesMax) ?? []
        guard !writes.isEmpty else { return }
        let batch = newBatch(.connection(id, sequences: writes.map(\.sequence)))
        connections[id]?.pipeline.batchInFlight = batch
        let command = ReplicaCommand(
            proposal: proposal(batch), sessionID: sessionID, transactions: writes.map { ($0.xid, $0.transaction) })
        jobInput.yield(.propose(batch: batch, command: command.encoded))
    }

    func newBatch(_ owner: BatchOwner) -> UInt64 {
        nextBatch += 1
        batches[nextBatch] = owner
        return nextBatch
    }

    func proposal(_ batch: UInt64) -> ProposalID {
        ProposalID(origin: node, incarnation: incarnation, sequence: batch)
    }

    /// A proposal of this node ended; `error` is nil when it committed and was applied.
    func proposalEnded(_ batch: UInt64, error: ReplicationError?) {
        guard let owner = batches.removeValue(forKey: batch) else { return }
        switch owner {
        case .connection(let id, let sequences):
            guard let record = connections[id] else { return }
            connections[id]?.pipeline.batchInFlight = nil
            if let error {
                close(id, because: "write not committed: \(error)")
                return
            }
            if sequences.contains(where: { record.pipeline.isUnfilledWrite($0) }) {
                // Committed yet never applied here: only a repeat that was skipped does that.
                close(id, because: "write committed without a result")
                return
            }
            startBatchIfIdle(id)
        case .expiry(let sessionID):
            if let error, isLeader, database.tree.session(sessionID) != nil {
                logger.warning("closeSession for expired session \(hex(sessionID)) failed (\(error)); retrying")
                tracker.track(sessionID, timeoutMilliseconds: 0, now: clock.now)
            }
        case .handshake, .sweep:
            break
        }
    }

    // MARK: Read barriers

    /// The generation a newly arrived read waits for, starting a barrier if none is running.
    private func joinBarrier() -> UInt64 {
        let (generation, start) = barriers.join()
        if let start { jobInput.yield(.readBarrier(generation: start)) }
        return generation
    }

    /// A read barrier ended: serve the reads waiting for it, or close their connections when it
    /// failed, and start the next generation if reads joined meanwhile.
    func barrierEnded(_ generation: UInt64, error: ReplicationError?) {
        if let error {
            for (id, record) in connections where record.pipeline.waitsForBarrier(upTo: generation) {
                close(id, because: "read barrier failed: \(error)")
            }
        }
        let next = barriers.end(generation)
        for id in Array(connections.keys) { flush(id) }
        if let next { jobInput.yield(.readBarrier(generation: next)) }
    }
}
