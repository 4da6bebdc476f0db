import NIOCore
import TernProtocol

/// One direction of an in-memory connection: a bounded byte buffer with a writer side that
/// waits for room and a reader side that splits frames with `KafkaFrame.readFrame`, the same
/// framing and limits the TCP transport applies.
final class InMemoryPipe: Sendable {
    /// Bytes a pipe holds before writers wait. A write that starts below the bound completes,
    /// so one frame larger than this still passes.
    static let bytesBufferedMax = 1 << 20
    /// Consumed bytes kept at the front of the buffer before they are discarded.
    private static let consumedBytesKeptMax = 64 * 1024

    private struct State {
        var buffer = ByteBuffer()
        var closed = false
    }

    private let state = WaitableState(State())

    /// Appends `bytes`, waiting while the pipe is full; throws once the pipe is closed.
    func write(_ bytes: ByteBuffer) async throws(TransportError) {
        while true {
            enum Step { case written, closed, full }
            let step = state.withLock { state -> Step in
                if state.closed { return .closed }
                if state.buffer.readableBytes >= Self.bytesBufferedMax { return .full }
                var bytes = bytes
                state.buffer.writeBuffer(&bytes)
                return .written
            }
            switch step {
            case .written:
                // Wakes the reader; waking only on change keeps waiting writers from waking
                // each other in turn.
                state.update { _ in }
                return
            case .closed:
                throw .connectionClosed
            case .full:
                if Task.isCancelled { throw .connectionClosed }
                await state.wait { $0.closed || $0.buffer.readableBytes < Self.bytesBufferedMax }
            }
        }
    }

    /// The next whole frame without its prefix, or nil once the pipe is closed and no whole
    /// frame is left. Throws `DecodeError` on a bad length prefix and `CancellationError`.
    func readFrame(bytesMax: Int) async throws -> ByteBuffer? {
        while true {
            enum Step { case frame(ByteBuffer), rejected(DecodeError), end, wait(seen: Int) }
            let step = state.withLock { state -> Step in
                do throws(DecodeError) {
                    if let slice = try KafkaFrame.readFrame(from: &state.buffer, maximumBytes: bytesMax) {
                        // A copy, so no slice shares the buffer's storage and later writes
                        // append in place instead of copying it.
                        var frame = ByteBuffer()
                        frame.writeImmutableBuffer(slice)
                        if state.buffer.readerIndex > Self.consumedBytesKeptMax { state.buffer.discardReadBytes() }
                        return .frame(frame)
                    }
                } catch {
                    return .rejected(error)
                }
                return state.closed ? .end : .wait(seen: state.buffer.readableBytes)
            }
            switch step {
            case .frame(let frame):
                state.update { _ in }
                return frame
            case .rejected(let error):
                throw error
            case .end:
                return nil
            case .wait(let seen):
                try Task.checkCancellation()
                await state.wait { $0.closed || $0.buffer.readableBytes != seen }
            }
        }
    }

    /// Closes the pipe: writes throw, reads return what is whole and then nil.
    func close() {
        state.update { $0.closed = true }
    }
}

/// Both directions of one in-memory connection.
final class InMemoryLink: Sendable {
    let toServer = InMemoryPipe()
    let toClient = InMemoryPipe()
    /// Touched when the client's bytes land in `toServer`, as NIO touches it on a socket read.
    let serverActivity = ConnectionActivity()

    func close() {
        toServer.close()
        toClient.close()
    }
}

/// The frames arriving on one side of a link. A rejected frame closes the whole link at
/// once, as the TCP transport closes its socket.
struct InMemoryFrames: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let pipe: InMemoryPipe
    let link: InMemoryLink
    let bytesMax: Int

    func makeAsyncIterator() -> Iterator {
        Iterator(frames: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        let frames: InMemoryFrames

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await frames.pipe.readFrame(bytesMax: frames.bytesMax)
            } catch let error as DecodeError {
                frames.link.close()
                throw error
            }
        }
    }
}

/// Writes frames into one direction of a link.
struct InMemorySink: FrameSink {
    let pipe: InMemoryPipe

    func write(_ payload: FramePayload) async throws {
        try await pipe.write(payload.encodedFrame())
    }
}
