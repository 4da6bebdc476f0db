public import NIOCore
import TernProtocol

/// Where a connection's frames are written. Transports adapt their socket or pipe to this.
public protocol FrameSink: Sendable {
    /// Writes the length prefix and the payload's parts; suspends while the peer is slow.
    func write(_ payload: FramePayload) async throws
}

/// What the connection loop reacts to. Every producer is bounded: requests by the in-flight
/// slots, responses by one per request, pushes by `pushedFramesMax`, the rest are one-offs;
/// so the loop's stream needs no buffer limit of its own.
enum ConnectionEvent: Sendable {
    case request(ByteBuffer)
    case response(sequence: UInt64, ResponseSequencer.Outcome)
    case push(FramePayload)
    case readerStopped(ReaderStop)
    case drainDeadlinePassed
}

/// Why a connection stopped reading requests.
enum ReaderStop: Sendable {
    /// The connection is over; close it with this reason.
    case ended(ConnectionCloseReason)
    /// The server is shutting down; answer what is in flight, then close.
    case shutdown
}

/// Serves one accepted connection for any transport: reads frames, hands them to the
/// handler concurrently up to the in-flight limit, writes responses in request order,
/// interleaves pushes, enforces the idle timeout and drains on shutdown.
///
/// One task owns the connection. Its children are the reader (which also watches the idle
/// timer and the shutdown signal) and one task per request; all report back as events on a
/// single stream, so all connection state is touched by the owning task alone.
public enum ServerConnectionDriver {
    /// Serves `frames` (request frames without length prefix; a `DecodeError` thrown by the
    /// sequence means the frame was rejected) until the connection ends, writing to `sink`.
    /// The transport touches `activity` whenever bytes arrive. Returns once every child task
    /// has finished and the connection is closed.
    public static func serve<Frames: AsyncSequence & Sendable>(
        frames: Frames, sink: some FrameSink, connection: ServerConnection, activity: ConnectionActivity,
        service: any FrameService, configuration: ServerConfiguration, shutdown: ShutdownSignal
    ) async where Frames.Element == ByteBuffer {
        await serve(
            frames: frames, sink: sink, connection: connection, activity: activity, service: service,
            configuration: configuration, shutdown: shutdown, intercept: nil
        )
    }

    static func serve<Frames: AsyncSequence & Sendable>(
        frames: Frames, sink: some FrameSink, connection: ServerConnection, activity: ConnectionActivity,
        service: any FrameService, configuration: ServerConfiguration, shutdown: ShutdownSignal,
        intercept: (@Sendable (ByteBuffer) -> InMemoryFault?)?
    ) async where Frames.Element == ByteBuffer {
        let (events, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self)
        connection.attach(continuation)
        let handler = await service.connectionOpened(connection)
        configuration.log(.connectionOpened(id: connection.id, remoteAddress: connection.remoteAddress))
        let limiter = InFlightLimiter(limit: configuration.inFlightRequestsMax)
        var loop = ConnectionLoop(
            sink: sink, connection: connection, handler: handler, limiter: limiter, activity: activity,
            events: continuation, drainTimeout: configuration.shutdownDrainTimeout, intercept: intercept
        )
        let reason = await withDiscardingTaskGroup(returning: ConnectionCloseReason.self) { group in
            group.addTask {
                let stop = await readRequests(
                    frames: frames, limiter: limiter, activity: activity, events: continuation,
                    idleTimeout: configuration.idleTimeout, shutdown: shutdown
                )
                continuation.yield(.readerStopped(stop))
            }
            let reason = await loop.run(events, group: &group)
            // Closed before the children are cancelled, so a handler that pushes from now on
            // is told the connection is gone instead of queueing into the void.
            connection.attach(nil)
            connection.close(reason: reason)
            group.cancelAll()
            return reason
        }
        continuation.finish()
        let finalReason = connection.closeReason ?? reason
        await handler.connectionClosed(reason: finalReason)
        configuration.log(.connectionClosed(id: connection.id, remoteAddress: connection.remoteAddress, reason: finalReason))
    }

    /// Reads request frames until the peer closes, a frame is rejected, the connection goes
    /// idle or the server shuts down, whichever comes first.
    private static func readRequests<Frames: AsyncSequence & Sendable>(
        frames: Frames, limiter: InFlightLimiter, activity: ConnectionActivity,
        events: AsyncStream<ConnectionEvent>.Continuation, idleTimeout: Duration?, shutdown: ShutdownSignal
    ) async -> ReaderStop where Frames.Element == ByteBuffer {
        await withTaskGroup(of: ReaderStop.self) { group in
            group.addTask { await pump(frames: frames, limiter: limiter, activity: activity, events: events) }
            group.addTask {
                await shutdown.wait()
                return Task.isCancelled ? .ended(.cancelled) : .shutdown
            }
            if let idleTimeout {
                group.addTask {
                    let idle = await activity.waitForIdle(idleTimeout) { limiter.isBusy }
                    return idle ? .ended(.idleTimeout) : .ended(.cancelled)
                }
            }
            let first = await group.next() ?? .ended(.cancelled)
            group.cancelAll()
            return first
        }
    }

    /// Moves frames from the transport to the loop. It reads one frame, then waits for a
    /// slot before reading the next, so a full connection stops reading from its socket.
    private static func pump<Frames: AsyncSequence & Sendable>(
        frames: Frames, limiter: InFlightLimiter, activity: ConnectionActivity,
        events: AsyncStream<ConnectionEvent>.Continuation
    ) async -> ReaderStop where Frames.Element == ByteBuffer {
        var iterator = frames.makeAsyncIterator()
        while true {
            let frame: ByteBuffer?
            do {
                frame = try await iterator.next()
            } catch let error as DecodeError {
                return .ended(.frameRejected(error))
            } catch {
                return .ended(Task.isCancelled ? .cancelled : .readFailed(String(describing: error)))
            }
            guard let frame else { return .ended(Task.isCancelled ? .cancelled : .peerClosed) }
            activity.touch()
            guard await limiter.acquire() else { return .ended(.cancelled) }
            events.yield(.request(frame))
        }
    }
}
