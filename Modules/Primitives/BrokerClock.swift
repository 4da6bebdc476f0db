#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source of time for drivers. State machines never read a clock; drivers read one of
/// these and pass `now:` in, so a test or the simulator can decide what time it is.
public protocol BrokerClock: Sendable {
    /// The current monotonic instant, for deadlines and timeouts.
    var now: Instant { get }
    /// Milliseconds since the Unix epoch, for record timestamps and anything a client sees.
    var wallClockMilliseconds: Int64 { get }
}

/// The operating system's clocks: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
public struct SystemClock: BrokerClock {
    /// Creates the system clock.
    public init() {}

    public var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Instant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var wallClockMilliseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
