import NIOCore
import TernPrimitives
import TernProtocol
import TernTransport

/// Serves one connection on its event loop, for `ServerConfiguration.runsHandlersOnIOThread`:
/// the same contract as `ServerConnectionDriver` (responses in request order, at most
/// `inFlightRequestsMax` requests handled at once with reads stopped beyond that, idle
/// timeout, drain on shutdown, pushes), but frames go straight from the decoder to a handler
/// task and responses straight to `context.write`, with no `NIOAsyncChannel`, no reader task
/// and no per-connection event stream.
///
/// Profiles of the async-channel path at 20k records/s put a quarter of the broker's CPU in
/// moving frames through its inbound stream and outbound writer; here a request costs one task,
/// started and finished on this loop (its executor preference is the loop).
///
/// All state is touched on the event loop only; tasks and pushes report back through
/// `eventLoop.execute`, which keeps them in the order they happened.
final class EventLoopConnection: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundFrame
    typealias OutboundOut = OutboundFrame

    private let configuration: ServerConfiguration
    private let activity: ConnectionActivity
    private let clock = SystemClock()
    private var context: ChannelHandlerContext?

    /// Set by `start`; until then frames queue in `pending` and reads stay stopped.
    private var connection: ServerConnection?
    private var handler: (any ConnectionHandler)?
    private var finished: EventLoopPromise<ConnectionCloseReason>?

    private var sequencer = ResponseSequencer()
    /// Frames read but not yet dispatched, waiting for an in-flight slot.
    private var pending = CircularBuffer<ByteBuffer>()
    /// Running `respond` calls, by sequence number, to cancel when the connection ends.
    private var running: [UInt64: Task<Void, Never>] = [:]
    /// A read NIO asked for while the connection was full; issued once there is room.
    private var readHeld = false
    private var draining = false
    /// The reason seen before `start`, or the local reason once the connection is over.
    private var endReason: ConnectionCloseReason?
    private var inactive = false
    private var finalized = false
    private var idleTimer: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?
    /// Every request task's executor preference: this connection's loop. One per connection
    /// rather than one per request, which would be an allocation per request.
    private var taskExecutor: EventLoopTaskExecutor?

    init(configuration: ServerConfiguration, activity: ConnectionActivity) {
        self.configuration = configuration
        self.activity = activity
    }

    // MARK: Pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard endReason == nil, !draining else { return }
        pending.append(unwrapInboundIn(data))
        dispatchPending()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? DecodeError {
            end(.frameRejected(error))
        } else {
            end(.readFailed(String(describing: error)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        end(.peerClosed)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReading()
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if canRead {
            context.read()
        } else {
            readHeld = true
        }
    }

    // MARK: Driven by the server

    /// Starts serving with `handler`; `finished` completes with the close reason once the
    /// connection is closed, no `respond` call runs and the handler saw `connectionClosed`.
    func start(connection: ServerConnection, handler: any ConnectionHandler, finished: EventLoopPromise<ConnectionCloseReason>) {
        self.connection = connection
        self.handler = handler
        self.finished = finished
        if let endReason {
            connection.close(reason: endReason)
            finalizeIfDone()
            return
        }
        let loop = finished.futureResult.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        connection.attach(push: { payload in
            loop.execute { bound.value.writePush(payload) }
        })
        armIdleTimer()
        dispatchPending()
        resumeReading()
    }

    /// Stops reading; closes once what is in flight is answered or the drain timeout passes.
    func beginDrain() {
        guard endReason == nil, !draining else { return }
        draining = true
        pending.removeAll()
        guard sequencer.outstanding > 0 else {
            end(.shutdown)
            return
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        drainTimer = loop.scheduleTask(in: .nanoseconds(configuration.shutdownDrainTimeout.nanosecondsClamped)) {
            bound.value.end(.shutdownDrainTimedOut)
        }
    }

    /// Ends the connection with `reason` unless it already ended.
    func end(_ reason: ConnectionCloseReason) {
        guard endReason == nil else { return }
        endReason = reason
        pending.removeAll()
        idleTimer?.cancel()
        drainTimer?.cancel()
        guard let connection else {
            context?.close(promise: nil)
            return
        }
        // Closed first, so a handler pushing from now on is told the connection is gone.
        connection.attach(push: nil)
        connection.close(reason: reason)
        for task in running.values { task.cancel() }
        finalizeIfDone()
    }

    // MARK: Requests and responses

    private var loop: any EventLoop {
        context!.eventLoop
    }

    private var canRead: Bool {
        handler != nil && endReason == nil && !draining && pending.isEmpty
            && sequencer.outstanding < UInt64(configuration.inFlightRequestsMax)
            && (context?.channel.isWritable ?? false)
    }

    private func resumeReading() {
        guard readHeld, canRead, let context else { return }
        readHeld = false
        context.read()
    }

    private func dispatchPending() {
        guard let handler, endReason == nil else { return }
        while sequencer.outstanding < UInt64(configuration.inFlightRequestsMax), let frame = pending.popFirst() {
            dispatch(frame, to: handler)
        }
    }

    private func dispatch(_ frame: ByteBuffer, to handler: any ConnectionHandler) {
        let sequence = sequencer.assign()
        let loop = self.loop
        let bound = NIOLoopBound(self, eventLoop: loop)
        let connection = self.connection
        let executor = taskExecutor ?? EventLoopTaskExecutor(loop)
        taskExecutor = executor
        let task = Task(executorPreference: executor) {
            let outcome: ResponseSequencer.Outcome
            do {
                outcome = try await handler.respond(to: frame).map { .payload($0) } ?? .none
            } catch {
                // A handler interrupted by the connection's end has nothing to report.
                if !Task.isCancelled { connection?.close(reason: .handlerFailed(String(describing: error))) }
                outcome = .none
            }
            // Always queued, never inline: a push the handler made before returning is
            // queued the same way and must be written before this response.
            loop.execute { bound.value.finish(sequence, outcome) }
        }
        // A task that already finished has removed nothing yet: `finish` runs on this loop,
        // after this method returns.
        running[sequence] = task
    }

    private func finish(_ sequence: UInt64, _ outcome: ResponseSequencer.Outcome) {
        running[sequence] = nil
        guard endReason == nil, let context else {
            finalizeIfDone()
            return
        }
        var wrote = false
        for ready in sequencer.finish(sequence, outcome) {
            if case .payload(let payload) = ready {
                write(payload, context: context)
                wrote = true
            }
        }
        if wrote {
            context.flush()
            activity.touch()
        }
        if draining && sequencer.outstanding == 0 {
            end(.shutdown)
            return
        }
        dispatchPending()
        resumeReading()
    }

    private func writePush(_ payload: FramePayload) {
        connection?.pushDequeued()
        guard endReason == nil, let context else { return }
        write(payload, context: context)
        context.flush()
        activity.touch()
    }

    private func write(_ payload: FramePayload, context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenFailure { error in
            bound.value.end(.writeFailed(String(describing: error)))
        }
        context.write(wrapOutboundOut(.framed(payload)), promise: written)
    }

    // MARK: Timers and the end

    /// Closes the connection once nothing arrived, nothing was written and nothing was in
    /// flight for the idle timeout; sleeps to each deadline, never polls.
    private func armIdleTimer() {
        guard let timeout = configuration.idleTimeout, endReason == nil else { return }
        let now = clock.now.nanoseconds
        let deadline = sequencer.outstanding > 0 ? now + timeout.nanosecondsClamped : activity.lastNanosecondsSnapshot + timeout.nanosecondsClamped
        guard deadline > now else {
            end(.idleTimeout)
            return
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        idleTimer = loop.scheduleTask(in: .nanoseconds(deadline - now)) {
            bound.value.armIdleTimer()
        }
    }

    /// Once the connection is over and no `respond` call runs: tells the handler, logs and
    /// completes `finished`.
    private func finalizeIfDone() {
        guard !finalized, let endReason, running.isEmpty, let connection, let handler, let finished else { return }
        finalized = true
        let reason = connection.closeReason ?? endReason
        let log = configuration.log
        Task(executorPreference: EventLoopTaskExecutor(finished.futureResult.eventLoop)) {
            await handler.connectionClosed(reason: reason)
            log(.connectionClosed(id: connection.id, remoteAddress: connection.remoteAddress, reason: reason))
            finished.succeed(reason)
        }
    }
}
