import NIOCore

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
/// Jobs go through `execute`, never run inline, so a job enqueued from the loop runs after the
/// current one finishes. Actors with their own executors (the segmented log's I/O lanes) still
/// run there: blocking file I/O never lands on the loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
