import Logging
import TernCoordination
import TernPrimitives
import TernZooKeeper

/// The next step of a connection's handshake.
enum HandshakeStep: Sendable {
    /// Send this ConnectResponse; the session is established.
    case respond(ZooKeeperConnectResponse)
    /// Send this ConnectResponse (an expired session); the client then hangs up.
    case refuse(ZooKeeperConnectResponse)
    /// Propose this createSession command, then call `finishHandshake`.
    case propose(batch: UInt64, command: [UInt8])
    /// Close without answering.
    case close(String)
}

extension ZooKeeperReplica {
    // MARK: Handshake

    /// Decides a ConnectRequest against the tree, which the caller has brought up to date with
    /// a read barrier.
    func beginHandshake(_ request: ZooKeeperConnectRequest, connection id: UInt64) -> HandshakeStep {
        guard let record = connections[id], case .handshake = record.phase else { return .close("connection gone") }
        switch database.decideConnect(request, timeouts: configuration.sessionTimeouts) {
        case .createSession(let timeout):
            let sessionID = sessionIDs.nextID()
            let password = ZooKeeperSessionIDGenerator.password(using: &random)
            let transaction = ZooKeeperTransaction(
                time: clock.wallClockMilliseconds, sessionID: sessionID,
                kind: .createSession(timeout: timeout, password: password))
            let batch = newBatch(.handshake)
            let command = ReplicaCommand(proposal: proposal(batch), sessionID: sessionID, transactions: [(0, transaction)])
            return .propose(batch: batch, command: command.encoded)
        case .resume(let response):
            attach(response.sessionID, to: id)
            touch(response.sessionID, timeout: response.timeOut)
            logger.debug("connection \(id) resumed session \(hex(response.sessionID))")
            return .respond(response)
        case .refuse(let response):
            connections[id]?.phase = .finished
            return .refuse(response)
        case .serverBehind:
            return .close("client has seen zxid \(request.lastZxidSeen), this server only \(database.tree.lastZxid)")
        }
    }

    /// Ends a handshake whose createSession proposal ended (`error` nil when it was applied).
    func finishHandshake(
        batch: UInt64, request: ZooKeeperConnectRequest, connection id: UInt64, error: ReplicationError?
    ) -> HandshakeStep {
        batches[batch] = nil
        let result = handshakeResults.removeValue(forKey: batch)
        if let error { return .close("session not created: \(error)") }
        guard connections[id] != nil else { return .close("connection gone") }
        switch result?.outcome {
        case .sessionCreated(let session):
            attach(session.id, to: id)
            logger.debug("connection \(id) opened session \(hex(session.id)), timeout \(session.timeout) ms")
            return .respond(ZooKeeperConnectResponse(for: session, replyingTo: request))
        case .sessionRefused(let code):
            logger.warning("session refused by the tree: \(code)")
            connections[id]?.phase = .finished
            return .refuse(.expired(replyingTo: request))
        case .sessionClosed, .write, .multi, nil:
            return .close("createSession committed without a result")
        }
    }

    /// Binds a session to a connection. A session lives on one connection per node: an older
    /// connection of it here is closed, as ZooKeeper closes the connection a session moved from.
    private func attach(_ sessionID: Int64, to id: UInt64) {
        if let previous = sessionConnections[sessionID], previous != id {
            close(previous, because: "session \(hex(sessionID)) moved to connection \(id)")
        }
        sessionConnections[sessionID] = id
        connections[id]?.phase = .open(sessionID: sessionID)
    }

    // MARK: Liveness

    /// A session showed signs of life here: a leader pushes its deadline back; a follower
    /// passes it on with the next keep-alive.
    func touch(_ sessionID: Int64, timeout: Int32? = nil) {
        if isLeader {
            tracker.touch(sessionID, now: clock.now, timeoutMilliseconds: timeout)
        } else {
            touchedSessions[sessionID] = timeout ?? touchedSessions[sessionID] ?? -1
        }
    }

    /// Keep-alives a follower sent this node while it leads.
    func receiveKeepalive(_ bytes: [UInt8], from peer: NodeID) {
        guard isLeader else { return }
        do {
            let keepalive = try SessionKeepalive(encoded: bytes)
            let now = clock.now
            for (sessionID, timeout) in keepalive.sessions {
                tracker.touch(sessionID, now: now, timeoutMilliseconds: timeout >= 0 ? timeout : nil)
            }
        } catch {
            logger.warning("undecodable keep-alive from \(peer): \(error)")
        }
    }

    /// Leadership moved. A new leader times every session afresh from now, as ZooKeeper's new
    /// leaders do, since deadlines are not replicated; a former leader stops timing.
    func leadershipChanged(_ view: Leadership) {
        if view.isLocal && !isLeader {
            isLeader = true
            tracker.trackAll(database.tree, now: clock.now)
            touchedSessions = [:]
            logger.info("leading term \(view.term.rawValue); tracking \(tracker.count) sessions")
        } else if !view.isLocal && isLeader {
            isLeader = false
            tracker = ZooKeeperSessionTracker()
            logger.info("no longer leading (term \(view.term.rawValue))")
        }
    }

    /// The periodic session check: a leader proposes closeSession for each expired session and
    /// sweeps containers now and then; a follower sends its keep-alives.
    func tick() {
        let now = clock.now
        guard isLeader else {
            if !touchedSessions.isEmpty {
                jobInput.yield(.sendToLeader(SessionKeepalive(sessions: touchedSessions).encoded))
                touchedSessions = [:]
            }
            return
        }
        for sessionID in tracker.expired(now: now) {
            tracker.remove(sessionID)
            logger.info("session \(hex(sessionID)) expired")
            proposeHousekeeping(.closeSession, sessionID: sessionID, owner: .expiry(sessionID: sessionID))
        }
        if lastContainerSweep.map({ now - $0 >= configuration.containerSweepInterval }) ?? true {
            lastContainerSweep = now
            for path in database.tree.containerSweepCandidates(now: clock.wallClockMilliseconds) {
                proposeHousekeeping(.deleteContainer(path: path), sessionID: 0, owner: .sweep)
            }
        }
    }

    private func proposeHousekeeping(_ kind: ZooKeeperTransaction.Kind, sessionID: Int64, owner: BatchOwner) {
        let transaction = ZooKeeperTransaction(time: clock.wallClockMilliseconds, sessionID: sessionID, kind: kind)
        let batch = newBatch(owner)
        let command = ReplicaCommand(proposal: proposal(batch), sessionID: sessionID, transactions: [(0, transaction)])
        jobInput.yield(.propose(batch: batch, command: command.encoded))
    }
}
