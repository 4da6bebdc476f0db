public import NIOCore

/// Runs Swift jobs on one NIO event loop, so that a connection's task, and the default actors it
/// calls into, run on the thread that reads and writes its socket.
///
/// Without it a request crosses threads four times: the event loop hands the frame to a task on
/// Swift's cooperative pool, which wakes a pool thread, and the response goes back to the event
/// loop, which wakes it out of `epoll_wait`; the same again for every parked fetch that an
/// append wakes. Profiles at 20k records/s showed those wake-ups, not the broker's own work, as
/// the largest cost per record. With this executor as the connection task's preference a
/// frame resumes the waiting task on the loop itself and the response is written inline, as a
/// tokio runtime runs a connection's task on the worker that polls its socket.
///
/// Jobs never run inline: a job enqueued while one of this executor's jobs runs waits until
/// that job returns. Such jobs are most of them — the runtime enqueues one each time a task
/// moves between a default actor and this executor, seven times in a plain Fetch — so they
/// queue here, on the loop's thread, and run right after the current job instead of each going
/// through `EventLoop.execute` (a closure, a lock and a turn of the loop's task queue: ~0.5 µs a
/// job, a fifth of a Fetch's own CPU in `tern-bench requests`). At most `jobsPerTurnMax` run per
/// turn; the rest go back to the loop's queue so its sockets and other tasks get their turn.
/// Actors with their own executors (the segmented log's I/O lanes) still run there: blocking
/// file I/O never lands on the loop.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// Jobs enqueued on the loop's thread during a turn; touched on that thread only, which is
    /// what makes the class Sendable.
    private var queued = CircularBuffer<UnownedJob>()
    /// Whether one of this executor's turns is running on the loop's thread.
    private var running = false

    /// Jobs one turn runs before handing the rest back to the loop.
    static let jobsPerTurnMax = 64

    /// An executor running its jobs on `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `running` may only be read on the loop's thread, hence the order of the checks.
        if eventLoop.inEventLoop && running {
            queued.append(job)
            return
        }
        eventLoop.execute { self.runTurn(first: job) }
    }

    /// Runs `first`, if any, then the jobs enqueued meanwhile, up to `jobsPerTurnMax`.
    private func runTurn(first: UnownedJob?) {
        running = true
        defer { running = false }
        var ran = 0
        if let first {
            first.runSynchronously(on: asUnownedTaskExecutor())
            ran = 1
        }
        while let next = queued.popFirst() {
            guard ran < Self.jobsPerTurnMax else {
                queued.prepend(next)
                // Queued before anything enqueued from now on, so jobs keep their order.
                eventLoop.execute { self.runTurn(first: nil) }
                return
            }
            next.runSynchronously(on: asUnownedTaskExecutor())
            ran += 1
        }
    }
}
