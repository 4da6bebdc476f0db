import NIOCore
import TernPrimitives
import TernProtocol
import TernTransport

/// What the transport writes: a frame that gets its length prefix, or raw bytes that go out
/// as they are (`FrameConnection.sendUnframed`).
enum OutboundFrame: Sendable {
    case framed(FramePayload)
    case unframed(ByteBuffer)
}

/// The channel type of every framed connection, server side and client side.
typealias FrameChannel = NIOAsyncChannel<ByteBuffer, OutboundFrame>

/// An accepted connection waiting for the accept loop, with the activity its pipeline touches.
struct AcceptedChannel: Sendable {
    /// How the connection's frames reach its handler.
    enum Served: Sendable {
        /// Through an async channel, to `ServerConnectionDriver`.
        case asyncChannel(FrameChannel)
        /// By a handler on the event loop (`ServerConfiguration.runsHandlersOnIOThread`).
        case eventLoop(NIOLoopBound<EventLoopConnection>)
    }

    let channel: any Channel
    let activity: ConnectionActivity
    let served: Served
}

/// Sets up a connection's pipeline: split inbound bytes into frames, close the connection on
/// a bad length prefix, turn outbound payloads into buffers and file regions, and hand
/// frames to Swift tasks through `NIOAsyncChannel`. The event loop does nothing else.
enum FramePipeline {
    /// Installs the handlers and wraps the channel; must run on the channel's event loop,
    /// before any read, so no frame can slip past the async channel.
    static func wrap(
        _ channel: any Channel, frameBytesMax: Int, activity: ConnectionActivity? = nil,
        fourLetterWords: (@Sendable (String) -> String?)? = nil
    ) throws -> FrameChannel {
        let pipeline = channel.pipeline.syncOperations
        if let activity { try pipeline.addHandler(ActivityRecorder(activity: activity)) }
        try pipeline.addHandler(OutboundFrameEncoder())
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(frameBytesMax: frameBytesMax, fourLetterWords: fourLetterWords)))
        try pipeline.addHandler(CloseOnFrameError())
        return try FrameChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(
                backPressureStrategy: .init(lowWatermark: 1, highWatermark: Limits.inboundFramesBufferedMax),
                isOutboundHalfClosureEnabled: false
            )
        )
    }
}

extension FramePipeline {
    /// Installs the handlers of a server connection served on its event loop; must run on
    /// the channel's event loop before any read.
    static func serveOnEventLoop(
        _ channel: any Channel, configuration: ServerConfiguration, activity: ConnectionActivity
    ) throws -> EventLoopConnection {
        let pipeline = channel.pipeline.syncOperations
        let connection = EventLoopConnection(configuration: configuration, activity: activity)
        try pipeline.addHandler(ActivityRecorder(activity: activity))
        try pipeline.addHandler(OutboundFrameEncoder())
        try pipeline.addHandler(
            ByteToMessageHandler(FrameDecoder(frameBytesMax: configuration.requestFrameBytesMax, fourLetterWords: configuration.fourLetterWords))
        )
        try pipeline.addHandler(CloseOnFrameError())
        try pipeline.addHandler(connection)
        return connection
    }
}

/// Notes every socket read on the event loop, so the idle timer sees traffic even before the
/// connection's task is scheduled to look at it.
final class ActivityRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: ConnectionActivity

    init(activity: ConnectionActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.touch()
        context.fireChannelRead(data)
    }
}

/// Splits the inbound byte stream into frames with the protocol module's framing. A negative
/// or oversized length prefix throws before anything of that frame is buffered.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let frameBytesMax: Int
    /// `ServerConfiguration.fourLetterWords`; set to nil once the first four bytes were seen.
    var fourLetterWords: (@Sendable (String) -> String?)?
    /// After a four-letter word nothing more is read: the connection is closing.
    var answeredFourLetterWord = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if answeredFourLetterWord {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        if let answer = fourLetterWords {
            guard buffer.readableBytes >= 4 else { return .needMoreData }
            fourLetterWords = nil
            if let word = buffer.getString(at: buffer.readerIndex, length: 4), let reply = answer(word) {
                buffer.moveReaderIndex(to: buffer.writerIndex)
                answeredFourLetterWord = true
                let channel = context.channel
                let written = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(NIOAny(OutboundFrame.unframed(channel.allocator.buffer(string: reply))), promise: written)
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                return .needMoreData
            }
        }
        guard let frame = try KafkaFrame.readFrame(from: &buffer, maximumBytes: frameBytesMax) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Whole frames before the EOF still count; a partial one at the end is dropped.
        try decode(context: context, buffer: &buffer)
    }
}

/// Closes the connection as soon as the decoder rejects a frame, rather than when the
/// connection's task next reads (it may be waiting for an in-flight slot), and passes the
/// error on so the task learns why.
final class CloseOnFrameError: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The error goes first: closing delivers end-of-stream, after which the task would
        // see a plain EOF instead of the reason.
        context.fireErrorCaught(error)
        if error is DecodeError { context.close(promise: nil) }
    }
}
