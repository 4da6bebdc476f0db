public import NIOCore
import Synchronization

/// An outbound connection: frames go out with `send`, and every inbound frame (responses
/// and unsolicited ones alike) comes through `inbound`, so a ZooKeeper client can see watch
/// events between its responses. Matching responses to requests is the caller's job.
public protocol FrameConnection: Sendable {
    /// The endpoint connected to.
    var remoteEndpoint: Endpoint { get }

    /// Inbound frames without their length prefix, in arrival order. It ends when the peer
    /// closes, and throws `DecodeError` when a length prefix is negative or above
    /// `ClientConfiguration.responseFrameBytesMax` (the connection is then closed). Read it
    /// from one task at a time.
    var inbound: InboundFrames { get }

    /// Writes one frame: the length prefix, then the payload's parts. Concurrent sends do not
    /// interleave their bytes. Suspends while the peer is not reading.
    func send(_ payload: FramePayload) async throws(TransportError)

    /// Writes bytes as they are, without a length prefix: for proxies, and for tests that
    /// send malformed or fragmented frames.
    func sendUnframed(_ bytes: ByteBuffer) async throws(TransportError)

    /// Closes the connection; `inbound` ends and later sends throw.
    func close()
}

/// Inbound frames of a connection, whatever the transport underneath. Every iterator made
/// from one value continues where the previous one stopped, so a caller can read a few
/// frames, do something else and read on; two tasks must not read at the same time.
public struct InboundFrames: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    private let nextFrame: @Sendable () async throws -> ByteBuffer?

    /// Wraps a transport's sequence of frames, which is iterated once.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        let shared = SharedIterator(base.makeAsyncIterator())
        nextFrame = { try await shared.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextFrame: nextFrame)
    }

    /// Reads the next inbound frame.
    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let nextFrame: @Sendable () async throws -> ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? {
            try await nextFrame()
        }
    }
}

/// One iterator shared by every `InboundFrames` iterator, since transports' inbound streams
/// (NIO's among them) allow a single iterator.
// @unchecked Sendable: the `reading` mutex admits one `next()` at a time, so `base` is never
// touched by two tasks at once; a second concurrent reader is a caller bug and traps.
private final class SharedIterator<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element == ByteBuffer {
    private var base: Base
    private let reading = Mutex(false)

    init(_ base: Base) {
        self.base = base
    }

    func next() async throws -> ByteBuffer? {
        let claimed = reading.withLock { reading in
            defer { reading = true }
            return !reading
        }
        precondition(claimed, "InboundFrames read from two tasks at once")
        defer { reading.withLock { $0 = false } }
        return try await base.next()
    }
}
