import NIOCore

/// The state of one connection, owned by its serving task: dispatches requests, restores
/// response order and writes. See `ServerConnectionDriver`.
struct ConnectionLoop<Sink: FrameSink> {
    let sink: Sink
    let connection: ServerConnection
    let handler: any ConnectionHandler
    let limiter: InFlightLimiter
    let activity: ConnectionActivity
    let events: AsyncStream<ConnectionEvent>.Continuation
    let drainTimeout: Duration
    let intercept: (@Sendable (ByteBuffer) -> InMemoryFault?)?
    private var sequencer = ResponseSequencer()

    init(
        sink: Sink, connection: ServerConnection, handler: any ConnectionHandler, limiter: InFlightLimiter,
        activity: ConnectionActivity, events: AsyncStream<ConnectionEvent>.Continuation, drainTimeout: Duration,
        intercept: (@Sendable (ByteBuffer) -> InMemoryFault?)?
    ) {
        self.sink = sink
        self.connection = connection
        self.handler = handler
        self.limiter = limiter
        self.activity = activity
        self.events = events
        self.drainTimeout = drainTimeout
        self.intercept = intercept
    }

    /// Handles events until the connection is over and returns why.
    mutating func run(_ stream: AsyncStream<ConnectionEvent>, group: inout DiscardingTaskGroup) async -> ConnectionCloseReason {
        var draining = false
        for await event in stream {
            switch event {
            case .request(let frame):
                dispatch(frame, group: &group)
            case .response(let sequence, let outcome):
                if let failure = await writeInOrder(sequencer.finish(sequence, outcome)) { return failure }
            case .push(let payload):
                connection.pushDequeued()
                if let failure = await write(payload) { return failure }
            case .readerStopped(.ended(let reason)):
                return reason
            case .readerStopped(.shutdown):
                draining = true
                startDrainTimer(group: &group)
            case .drainDeadlinePassed:
                return .shutdownDrainTimedOut
            }
            if draining && sequencer.outstanding == 0 { return .shutdown }
        }
        // The stream only ends early when this task is cancelled.
        return .cancelled
    }

    private mutating func dispatch(_ frame: ByteBuffer, group: inout DiscardingTaskGroup) {
        let sequence = sequencer.assign()
        switch intercept?(frame) {
        case nil:
            startHandler(frame, sequence: sequence, delay: nil, group: &group)
        case .delay(let delay):
            startHandler(frame, sequence: sequence, delay: delay, group: &group)
        case .drop:
            events.yield(.response(sequence: sequence, .none))
        case .fail:
            connection.close(reason: .faultInjected)
            events.yield(.response(sequence: sequence, .none))
        case .respond(let answer):
            events.yield(.response(sequence: sequence, answer(frame).map { .payload($0) } ?? .none))
        }
    }

    private func startHandler(_ frame: ByteBuffer, sequence: UInt64, delay: Duration?, group: inout DiscardingTaskGroup) {
        group.addTask { [handler, connection, events] in
            if let delay {
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    events.yield(.response(sequence: sequence, .none))
                    return
                }
            }
            let outcome: ResponseSequencer.Outcome
            do {
                outcome = try await handler.respond(to: frame).map { .payload($0) } ?? .none
            } catch {
                // A handler interrupted by the connection's end has nothing to report.
                if !Task.isCancelled { connection.close(reason: .handlerFailed(String(describing: error))) }
                outcome = .none
            }
            events.yield(.response(sequence: sequence, outcome))
        }
    }

    private func startDrainTimer(group: inout DiscardingTaskGroup) {
        group.addTask { [events, drainTimeout] in
            // Cancellation means the drain finished in time: nothing to report.
            guard (try? await Task.sleep(for: drainTimeout)) != nil else { return }
            events.yield(.drainDeadlinePassed)
        }
    }

    /// Writes the outcomes that are next in request order, freeing a slot for each.
    private func writeInOrder(_ ready: [ResponseSequencer.Outcome]) async -> ConnectionCloseReason? {
        for outcome in ready {
            if case .payload(let payload) = outcome, let failure = await write(payload) { return failure }
            limiter.release()
        }
        return nil
    }

    private func write(_ payload: FramePayload) async -> ConnectionCloseReason? {
        do {
            try await sink.write(payload)
            activity.touch()
            return nil
        } catch {
            return .writeFailed(String(describing: error))
        }
    }
}
