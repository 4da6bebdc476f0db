/// Coalesces the read barriers of concurrent reads, sans-IO: at most one barrier is in flight,
/// and every read that arrives while it runs waits for the next one, which starts when it
/// ends. A read may only use a barrier that began after the read arrived: one already running
/// might have fixed its target before a write the reader has seen was committed.
///
/// Generations count barriers; a read is served once the generation it joined has passed.
struct ReadBarrierCoalescer: Equatable, Sendable {
    /// The newest generation that completed (successfully or not).
    private(set) var finished: UInt64 = 0
    /// The newest generation started.
    private(set) var started: UInt64 = 0
    /// The newest generation some read waits for.
    private var wanted: UInt64 = 0

    /// Whether a barrier is running.
    var isRunning: Bool { started > finished }

    /// A read arrives: the generation it must wait for, and the generation to start now, if any.
    mutating func join() -> (generation: UInt64, start: UInt64?) {
        if isRunning {
            wanted = started + 1
            return (wanted, nil)
        }
        started += 1
        wanted = started
        return (started, started)
    }

    /// Generation `generation` ended; returns the next generation to start, if reads joined
    /// while it ran.
    mutating func end(_ generation: UInt64) -> UInt64? {
        precondition(generation == started && isRunning, "barrier \(generation) ended out of turn")
        finished = generation
        guard wanted > started else { return nil }
        started += 1
        return started
    }
}
