import NIOCore
import Synchronization
import TernTransport

/// A bound TCP listener. `run()` owns one child task per connection in a discarding task
/// group; each catches and logs its own errors, so one bad connection never ends another.
final class NIOFrameServer: FrameServer {
    let localEndpoint: Endpoint
    private let listener: any Channel
    private let accepted: AcceptQueue<AcceptedChannel>
    private let configuration: ServerConfiguration
    private let service: any FrameService
    private let shutdownSignal = ShutdownSignal()
    private let state = Mutex(State())

    private struct State {
        var open = 0
        var running = false
        var nextConnectionID: UInt64 = 0
    }

    init(
        listener: any Channel, accepted: AcceptQueue<AcceptedChannel>, localEndpoint: Endpoint,
        configuration: ServerConfiguration, service: any FrameService
    ) {
        self.listener = listener
        self.accepted = accepted
        self.localEndpoint = localEndpoint
        self.configuration = configuration
        self.service = service
    }

    func run() async {
        let first = state.withLock { state in
            defer { state.running = true }
            return !state.running
        }
        precondition(first, "FrameServer.run() called twice")
        // If the listener fails on its own, stop as if shut down, draining what runs.
        listener.closeFuture.whenComplete { [shutdownSignal, accepted] _ in
            shutdownSignal.trigger()
            accepted.finish()
        }
        await withDiscardingTaskGroup { group in
            while let child = await accepted.next() {
                // The connection's task, its children and the default actors they call run
                // on the connection's event loop when asked (see `EventLoopTaskExecutor`).
                let executor = configuration.runsHandlersOnIOThread ? EventLoopTaskExecutor(child.channel.eventLoop) : nil
                group.addTask(executorPreference: executor) { await self.serve(child) }
            }
            listener.close(promise: nil)
            // Cancelled or shut down: connections accepted but never taken are closed here.
            for child in accepted.close() {
                group.addTask { await self.reject(child, limit: nil) }
            }
        }
        // Returning only once the port is released, so the caller can rebind or rely on
        // connections being refused. NIO never fails a close future.
        _ = try? await listener.closeFuture.get()
    }

    func shutdown() {
        shutdownSignal.trigger()
        listener.close(promise: nil)
        // `run()` still takes what is queued, and closes it unserved.
        accepted.finish()
    }

    private func serve(_ incoming: AcceptedChannel) async {
        let channel = incoming.channel
        guard !shutdownSignal.isTriggered, let id = admit() else {
            await reject(incoming, limit: shutdownSignal.isTriggered ? nil : configuration.connectionsMax)
            return
        }
        defer { state.withLock { $0.open -= 1 } }
        let remoteAddress = Self.hostAndPort(channel.remoteAddress)
        let connection = ServerConnection(
            id: id, remoteAddress: remoteAddress, pushedFramesMax: configuration.pushedFramesMax,
            closeTransport: { channel.close(promise: nil) }
        )
        switch incoming.served {
        case .asyncChannel(let child):
            do {
                try await child.executeThenClose { inbound, outbound in
                    await ServerConnectionDriver.serve(
                        frames: inbound, sink: NIOFrameSink(outbound: outbound), connection: connection,
                        activity: incoming.activity, service: service, configuration: configuration, shutdown: shutdownSignal
                    )
                }
            } catch {
                configuration.log(.connectionClosed(id: id, remoteAddress: remoteAddress, reason: .readFailed(String(describing: error))))
            }
        case .eventLoop(let served):
            await serveOnEventLoop(served, channel: channel, connection: connection)
        }
    }

    /// Starts the event-loop connection and waits for its end, telling it when the server
    /// shuts down or this task is cancelled.
    private func serveOnEventLoop(_ served: NIOLoopBound<EventLoopConnection>, channel: any Channel, connection: ServerConnection) async {
        let handler = await service.connectionOpened(connection)
        configuration.log(.connectionOpened(id: connection.id, remoteAddress: connection.remoteAddress))
        let loop = channel.eventLoop
        let finished = loop.makePromise(of: ConnectionCloseReason.self)
        loop.execute { served.value.start(connection: connection, handler: handler, finished: finished) }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [shutdownSignal] in
                    await shutdownSignal.wait()
                    if !Task.isCancelled { loop.execute { served.value.beginDrain() } }
                }
                _ = try? await finished.futureResult.get()
                group.cancelAll()
            }
        } onCancel: {
            loop.execute { served.value.end(.cancelled) }
        }
        _ = try? await channel.closeFuture.get()
    }

    /// Closes a connection that will not be served; `limit` is logged when it was refused
    /// for being over the connection limit.
    private func reject(_ incoming: AcceptedChannel, limit: Int?) async {
        let remoteAddress = Self.hostAndPort(incoming.channel.remoteAddress)
        if let limit { configuration.log(.connectionRejected(remoteAddress: remoteAddress, limit: limit)) }
        switch incoming.served {
        case .asyncChannel(let child):
            // executeThenClose, not a bare close: the async channel must finish its writer.
            do {
                try await child.executeThenClose { _, _ in }
            } catch {
                configuration.log(.acceptFailed(String(describing: error)))
            }
        case .eventLoop:
            incoming.channel.close(promise: nil)
            _ = try? await incoming.channel.closeFuture.get()
        }
    }

    /// Counts a connection in, or nil at the connection limit.
    private func admit() -> UInt64? {
        state.withLock { state in
            guard state.open < configuration.connectionsMax else { return nil }
            state.open += 1
            state.nextConnectionID += 1
            return state.nextConnectionID
        }
    }

    /// `ip:port` (`[ip]:port` for IPv6), the form Kafka reports client hosts in; NIO's own
    /// description (`[IPv4]host/ip:port`) is for logs.
    static func hostAndPort(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return address?.description ?? "unknown" }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
