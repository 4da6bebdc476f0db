import Foundation
import Synchronization

// Why a pool of our own: pwrite, pread, fdatasync, open and rename block the calling thread,
// sometimes for milliseconds, and Swift's cooperative pool has one thread per core (two
// here), so a blocking call there stalls unrelated tasks. Every partition log is an actor
// whose executor is an `IOLane`: a serial queue drained by this pool's threads. All of a
// log's code therefore runs on an I/O thread, where blocking is expected, and needs no
// extra hop per syscall. Group commit moves a large fdatasync to a job on a second pool
// (`run(_:)`), so the lane keeps accepting appends while the disk flushes; a lane blocked in
// a small one holds up only its own partition, never another's.
//
// The pool is elastic: it starts a thread when work waits and every thread is busy, up to
// `threadsMax`, and a thread that has been idle for `idleTimeout` exits. A store that is
// closed or dropped therefore leaves no threads behind, and nothing needs shutting down.
//
// A thread that runs out of work polls for more for `spinDuration` before it parks. A
// producer appending batch after batch calls its log again a few microseconds after the
// last append returned; parking and waking a pool thread for each call costs a futex round
// trip and two context switches, which profiles showed to be a large part of an append. A
// polling thread picks the job up without either, and work submitted while one polls
// signals no one. At most two threads poll, and they yield the core (`sched_yield`) between
// checks, so a runnable thread, such as the caller about to submit, is not kept off it.
//
// The pool is also a `TaskExecutor`. A caller on Swift's cooperative pool still pays for
// one wake-up per call into a log: when the log's job finishes, the caller's task is handed
// back to the cooperative pool, whose threads park at once. A task that prefers this pool
// (`withTaskExecutorPreference`) continues on whichever pool thread is free, usually the
// one that just ran the log's job, so a call into a log changes threads without waking one.

/// A small elastic thread pool for blocking file I/O.
final class IOThreadPool: @unchecked Sendable {
    /// A unit of work: a lane to drain, one closure, or a step of a task preferring the pool.
    enum Work {
        case lane(IOLane)
        case call(@Sendable () -> Void)
        /// A job of a task that prefers this pool as its executor.
        case job(UnownedJob)
    }

    // `condition` guards every stored var below.
    private let condition = NSCondition()
    // Needs no limit of its own: a lane is queued at most once at a time, each log has at
    // most one fsync job out, and a task preferring the pool at most one step, so the queue
    // is bounded by the number of open logs and such tasks.
    private var pending: [Work] = []
    private var head = 0
    private var threads = 0
    /// Threads parked on `condition`.
    private var parked = 0
    /// Threads polling `waiting` without the lock; each will take one item.
    private var polling = 0
    /// `pending.count - head`, published for polling threads (written under the lock).
    private let waiting = Atomic<Int>(0)
    /// The most threads the pool runs at once.
    let threadsMax: Int
    private let idleTimeout: TimeInterval
    private let spinDuration: Duration
    /// Idle threads beyond this many park at once. Two cover a caller and a log handing
    /// work back and forth; more only compete for the cores (appends measured slower with
    /// every idle thread polling than with two, and slower still with one).
    private static let pollingThreadsMax = 2

    /// A pool of at most `threadsMax` threads; an idle thread polls for `spinDuration`, then
    /// parks, and exits after `idleTimeout` seconds without work.
    init(threadsMax: Int = 4, idleTimeout: TimeInterval = 5, spinDuration: Duration = .microseconds(100)) {
        self.threadsMax = max(1, threadsMax)
        self.idleTimeout = idleTimeout
        self.spinDuration = spinDuration
    }

    /// Queues work; a polling, parked or new thread picks it up.
    func submit(_ work: Work) {
        condition.lock()
        pending.append(work)
        let count = pending.count - head
        waiting.store(count, ordering: .releasing)
        // Polling threads take the first `polling` items without being told.
        let unclaimed = count - polling
        let wake = unclaimed > 0 && parked > 0
        let spawn = unclaimed > parked && threads < threadsMax
        if spawn { threads += 1 }
        if wake { condition.signal() }
        condition.unlock()
        if spawn {
            Thread { [self] in workerLoop() }.start()
        }
    }

    /// Runs a blocking closure on a pool thread and returns its result to the caller's
    /// executor. The caller suspends, so an actor calling this stays free meanwhile.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(LogStoreError) -> T) async throws(LogStoreError) -> T {
        let result: Result<T, LogStoreError> = await withCheckedContinuation { continuation in
            submit(.call {
                continuation.resume(returning: Result { () throws(LogStoreError) -> T in try body() })
            })
        }
        return try result.get()
    }

    /// Marks the pool's threads, so code (and tests) can check where it runs. Thread names
    /// are no help on Linux: Foundation's `Thread.name` does not reach the OS thread.
    private static let poolThreadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the calling thread is one of an I/O pool's threads.
    static var isPoolThread: Bool {
        pthread_getspecific(poolThreadKey) != nil
    }

    private func workerLoop() {
        pthread_setspecific(Self.poolThreadKey, UnsafeRawPointer(bitPattern: 1))
        while let work = next() {
            switch work {
            case let .lane(lane): lane.drain()
            case let .call(body): body()
            case let .job(job): job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }

    /// The next work item, or nil when the thread has idled long enough to exit.
    private func next() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        var polled = false
        while head == pending.count {
            if !polled && polling < Self.pollingThreadsMax {
                polled = true
                polling += 1
                condition.unlock()
                poll()
                condition.lock()
                polling -= 1
                continue
            }
            parked += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
            parked -= 1
            if !signalled && head == pending.count {
                threads -= 1
                return nil
            }
        }
        let work = pending[head]
        head += 1
        // Reclaim the consumed prefix once it dominates, so the array does not grow forever.
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= pending.count {
            pending.removeFirst(head)
            head = 0
        }
        waiting.store(pending.count - head, ordering: .releasing)
        return work
    }

    /// Returns once work is queued or `spinDuration` has passed, yielding the core between
    /// checks. The caller holds no lock; it takes the work (if still there) under the lock.
    private func poll() {
        guard spinDuration > .zero else { return }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: spinDuration)
        while waiting.load(ordering: .acquiring) == 0 {
            if clock.now >= deadline { return }
            sched_yield()
        }
    }
}

extension IOThreadPool: TaskExecutor {
    /// Runs a job of a task that prefers this pool, after the work already queued.
    func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}

/// A serial executor over an `IOThreadPool`: jobs run one at a time, in order, on whichever
/// pool thread drains the lane. Each partition log's actor runs on its own lane.
final class IOLane: SerialExecutor, @unchecked Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var head = 0
        var scheduled = false
        var runner: pthread_t?
    }

    private let pool: IOThreadPool
    // Guards the job queue and whether the lane sits in the pool's queue; the class is
    // Sendable because every access to `state` goes through this mutex.
    private let state = Mutex(State())
    /// Jobs run per turn before the lane yields its thread to other lanes.
    private static let jobsPerTurn = 32

    /// A lane whose jobs run on `pool`.
    init(pool: IOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = state.withLock { state in
            state.jobs.append(job)
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
        if schedule { pool.submit(.lane(self)) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        let current = pthread_self()
        let isRunner = state.withLock { $0.runner.map { pthread_equal($0, current) != 0 } ?? false }
        precondition(isRunner, "not running on this partition log's I/O lane")
    }

    /// Runs queued jobs for one turn on the calling pool thread, then requeues the lane if
    /// jobs remain so that one busy partition cannot starve the others.
    fileprivate func drain() {
        let current = pthread_self()
        for _ in 0..<Self.jobsPerTurn {
            let job: UnownedJob? = state.withLock { state in
                guard state.head < state.jobs.count else {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                    state.scheduled = false
                    state.runner = nil
                    return nil
                }
                let job = state.jobs[state.head]
                state.head += 1
                state.runner = current
                return job
            }
            guard let job else { return }
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
        let more = state.withLock { state in
            state.runner = nil
            if state.head < state.jobs.count {
                if state.head >= 1024 {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return true
            }
            state.jobs.removeAll(keepingCapacity: true)
            state.head = 0
            state.scheduled = false
            return false
        }
        if more { pool.submit(.lane(self)) }
    }
}
