import TernPrimitives

/// A listener of `InMemoryTransport`: connections arrive as links on a bounded accept queue
/// and are served by the same driver as TCP connections.
final class InMemoryServer: FrameServer {
    let localEndpoint: Endpoint
    private let configuration: ServerConfiguration
    private let service: any FrameService
    private let faults: InMemoryFaultTable
    private let unregister: @Sendable () -> Void
    private let shutdownSignal = ShutdownSignal()
    private let accepted = AcceptQueue<InMemoryLink>(capacity: Limits.acceptBacklogMax)
    private let counters = WaitableState(Counters())

    private struct Counters {
        var open = 0
        var running = false
        var nextConnectionID: UInt64 = 0
    }

    init(
        endpoint: Endpoint, configuration: ServerConfiguration, service: any FrameService,
        faults: InMemoryFaultTable, unregister: @escaping @Sendable () -> Void
    ) {
        localEndpoint = endpoint
        self.configuration = configuration
        self.service = service
        self.faults = faults
        self.unregister = unregister
    }

    /// Queues a new connection, waiting up to `timeout` while the queue is full, as a TCP
    /// client retries its SYN while the listen queue is full.
    func enqueue(_ link: InMemoryLink, timeout: Duration) async throws(TransportError) {
        let queued = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.accepted.offerWaiting(link) }
            group.addTask {
                // Cancelled once the link is queued or refused; then this result is ignored.
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch queued {
        case true?: return
        case false?: throw .connectFailed(localEndpoint, reason: "connection refused")
        case nil: throw .connectTimedOut(localEndpoint)
        }
    }

    func run() async {
        let first = counters.withLock { counters in
            defer { counters.running = true }
            return !counters.running
        }
        precondition(first, "FrameServer.run() called twice")
        await withDiscardingTaskGroup { group in
            while let link = await accepted.next() {
                guard !shutdownSignal.isTriggered, let id = admit() else {
                    if !shutdownSignal.isTriggered {
                        configuration.log(.connectionRejected(remoteAddress: "memory", limit: configuration.connectionsMax))
                    }
                    link.close()
                    continue
                }
                group.addTask { await self.serve(link, id: id) }
            }
            // Shut down or cancelled: whatever is still queued was never served.
            for link in accepted.close() { link.close() }
        }
    }

    func shutdown() {
        shutdownSignal.trigger()
        unregister()
        accepted.finish()
    }

    /// Counts a connection in, or nil at the connection limit.
    private func admit() -> UInt64? {
        counters.withLock { counters in
            guard counters.open < configuration.connectionsMax else { return nil }
            counters.open += 1
            counters.nextConnectionID += 1
            return counters.nextConnectionID
        }
    }

    private func serve(_ link: InMemoryLink, id: UInt64) async {
        let connection = ServerConnection(
            id: id, remoteAddress: "memory:\(id)", pushedFramesMax: configuration.pushedFramesMax,
            closeTransport: { link.close() }
        )
        let endpoint = localEndpoint
        await ServerConnectionDriver.serve(
            frames: InMemoryFrames(pipe: link.toServer, link: link, bytesMax: configuration.requestFrameBytesMax),
            sink: InMemorySink(pipe: link.toClient), connection: connection, activity: link.serverActivity, service: service,
            configuration: configuration, shutdown: shutdownSignal,
            intercept: { [faults] request in faults.fault(for: request, at: endpoint) }
        )
        link.close()
        counters.withLock { $0.open -= 1 }
    }
}
