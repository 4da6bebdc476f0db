public import NIOCore
import NIOPosix
import TernPrimitives
public import TernTransport

/// The TCP `Transport`, on SwiftNIO: listeners with `SO_REUSEADDR`, connections with
/// `TCP_NODELAY`, frames split on the event loop and served by `ServerConnectionDriver` in
/// Swift tasks (or, with `runsHandlersOnIOThread`, by `EventLoopConnection` on the loop), file
/// ranges sent with `sendfile`.
public struct NIOTransport: Transport {
    private let group: any EventLoopGroup

    /// A transport on NIO's shared multi-threaded event loop group.
    public init() {
        group = MultiThreadedEventLoopGroup.singleton
    }

    /// A transport on `eventLoopGroup`.
    public init(eventLoopGroup: any EventLoopGroup) {
        group = eventLoopGroup
    }

    public func bind(
        _ endpoint: Endpoint, configuration: ServerConfiguration, service: any FrameService
    ) async throws(TransportError) -> any FrameServer {
        let frameBytesMax = configuration.requestFrameBytesMax
        let log = configuration.log
        let fourLetterWords = configuration.fourLetterWords
        // Our own queue rather than NIO's async accept stream: when the server stops, even by
        // cancellation, it gets back the connections nobody took and closes them properly.
        // Sized by the connection limit, not the kernel backlog: a burst of connects that
        // arrives faster than the serving loop takes them must wait, not be refused, as long
        // as the server is under its limit (300 clients at once failed on a loaded machine).
        let acceptedMax = max(Limits.acceptBacklogMax, configuration.connectionsMax)
        let accepted = AcceptQueue<AcceptedChannel>(capacity: acceptedMax)
        let listener: any Channel
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: Int32(Limits.acceptBacklogMax))
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(
                    minimum: Limits.receiveBufferBytesMin, initial: Limits.receiveBufferBytesInitial, maximum: Limits.receiveBufferBytesMax))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let queued = try accepted.offer {
                            let activity = ConnectionActivity()
                            if configuration.runsHandlersOnIOThread {
                                let served = try FramePipeline.serveOnEventLoop(channel, configuration: configuration, activity: activity)
                                return AcceptedChannel(
                                    channel: channel, activity: activity, served: .eventLoop(NIOLoopBound(served, eventLoop: channel.eventLoop))
                                )
                            }
                            let wrapped = try FramePipeline.wrap(
                                channel, frameBytesMax: frameBytesMax, activity: activity, fourLetterWords: fourLetterWords
                            )
                            return AcceptedChannel(channel: channel, activity: activity, served: .asyncChannel(wrapped))
                        }
                        guard queued else {
                            log(.connectionRejected(remoteAddress: channel.remoteAddress?.description ?? "unknown", limit: acceptedMax))
                            // A failed initializer makes NIO close the new connection.
                            throw TransportError.connectionClosed
                        }
                    }
                }
                .bind(host: endpoint.host, port: endpoint.port)
                .get()
        } catch {
            throw .bindFailed(endpoint, reason: String(describing: error))
        }
        guard let port = listener.localAddress?.port else {
            listener.close(promise: nil)
            throw .bindFailed(endpoint, reason: "no local address")
        }
        return NIOFrameServer(
            listener: listener, accepted: accepted, localEndpoint: Endpoint(host: endpoint.host, port: port),
            configuration: configuration, service: service
        )
    }

    public func withConnection<Result>(
        to endpoint: Endpoint,
        configuration: ClientConfiguration,
        isolation: isolated (any Actor)?,
        _ body: (any FrameConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let frameBytesMax = configuration.responseFrameBytesMax
        let channel: FrameChannel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanosecondsClamped))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try FramePipeline.wrap(channel, frameBytesMax: frameBytesMax) }
                }
        } catch ChannelError.connectTimeout {
            throw TransportError.connectTimedOut(endpoint)
        } catch {
            throw TransportError.connectFailed(endpoint, reason: String(describing: error))
        }
        return try await channel.executeThenClose(isolation: isolation) { inbound, outbound in
            let connection = NIOFrameConnection(
                remoteEndpoint: endpoint, channel: channel.channel, frames: inbound, outbound: outbound
            )
            return try await body(connection)
        }
    }
}

/// The client end of a TCP connection.
struct NIOFrameConnection: FrameConnection {
    let remoteEndpoint: Endpoint
    let channel: any Channel
    let inbound: InboundFrames
    let outbound: NIOAsyncChannelOutboundWriter<OutboundFrame>

    init(
        remoteEndpoint: Endpoint, channel: any Channel, frames: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<OutboundFrame>
    ) {
        self.remoteEndpoint = remoteEndpoint
        self.channel = channel
        inbound = InboundFrames(frames)
        self.outbound = outbound
    }

    func send(_ payload: FramePayload) async throws(TransportError) {
        guard payload.byteCount <= Int(Int32.max) else {
            throw .frameTooLarge(bytes: payload.byteCount, limit: Int(Int32.max))
        }
        try await write(.framed(payload))
    }

    func sendUnframed(_ bytes: ByteBuffer) async throws(TransportError) {
        try await write(.unframed(bytes))
    }

    func close() {
        channel.close(promise: nil)
    }

    private func write(_ frame: OutboundFrame) async throws(TransportError) {
        do {
            try await outbound.write(frame)
        } catch {
            throw .connectionClosed
        }
    }
}

/// Writes a server connection's responses and pushes.
struct NIOFrameSink: FrameSink {
    let outbound: NIOAsyncChannelOutboundWriter<OutboundFrame>

    func write(_ payload: FramePayload) async throws {
        try await outbound.write(.framed(payload))
    }
}
