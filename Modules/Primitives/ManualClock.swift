import Synchronization

/// A clock that moves only when told to: for tests and the simulator.
public final class ManualClock: BrokerClock {
    private struct Reading {
        var now: Instant
        var wallClockMilliseconds: Int64
    }

    // The mutex makes the class Sendable: every read and write of the reading goes through it.
    private let reading: Mutex<Reading>

    /// Starts at `now`, with the wall clock at `wallClockMilliseconds`.
    public init(now: Instant = .zero, wallClockMilliseconds: Int64 = 1_700_000_000_000) {
        reading = Mutex(Reading(now: now, wallClockMilliseconds: wallClockMilliseconds))
    }

    public var now: Instant { reading.withLock { $0.now } }

    public var wallClockMilliseconds: Int64 { reading.withLock { $0.wallClockMilliseconds } }

    /// Moves both clocks forward by `duration`.
    public func advance(by duration: Duration) {
        reading.withLock {
            $0.now = $0.now + duration
            $0.wallClockMilliseconds += duration.millisecondsClamped
        }
    }
}
