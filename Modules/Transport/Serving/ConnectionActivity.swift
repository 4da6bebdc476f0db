import Synchronization
import TernPrimitives

/// When a connection last moved bytes, for the idle timeout. Transports touch it where bytes
/// arrive (the NIO event loop, the in-memory pipe), not where a task gets round to reading
/// them, so a busy machine that is slow to schedule tasks does not make an active
/// connection look idle. Kafka likewise times idleness from socket activity.
public final class ConnectionActivity: Sendable {
    private let clock = SystemClock()
    private let lastNanoseconds: Atomic<Int64>

    /// Activity starting now.
    public init() {
        lastNanoseconds = Atomic(SystemClock().now.nanoseconds)
    }

    /// The time of the last activity on `SystemClock`, in nanoseconds.
    package var lastNanosecondsSnapshot: Int64 {
        lastNanoseconds.load(ordering: .relaxed)
    }

    /// Records activity now.
    public func touch() {
        lastNanoseconds.store(clock.now.nanoseconds, ordering: .relaxed)
    }

    /// The time of the last activity.
    var last: Instant {
        Instant(nanoseconds: lastNanoseconds.load(ordering: .relaxed))
    }

    /// Returns true once there has been no activity for `timeout` while `isBusy` was false
    /// at the deadline, or false if cancelled first. Sleeps to each deadline, never polls.
    func waitForIdle(_ timeout: Duration, isBusy: () -> Bool) async -> Bool {
        while true {
            let now = clock.now
            let deadline = isBusy() ? now + timeout : last + timeout
            if deadline <= now { return true }
            do {
                try await Task.sleep(for: deadline - now)
            } catch {
                return false
            }
        }
    }
}
