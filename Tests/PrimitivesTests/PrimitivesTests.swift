// Goal: the few shared primitives behave at their edges: instants saturate instead of
// trapping, the seeded generator replays exactly, and the limits fit together.

import Testing
import TernPrimitives

@Suite struct PrimitivesTests {
    @Test func instant_plusHugeDuration_saturates() {
        let late = Instant(nanoseconds: .max - 5) + .seconds(10)
        #expect(late.nanoseconds == .max)
        let early = Instant(nanoseconds: .min + 5) + .seconds(-10)
        #expect(early.nanoseconds == .min)
    }

    @Test func instant_difference_isDuration() {
        let start = Instant(nanoseconds: 1_000)
        let end = start + .milliseconds(3)
        #expect(end - start == .milliseconds(3))
        #expect(Duration.milliseconds(3).millisecondsClamped == 3)
    }

    @Test func seededRandom_sameSeed_sameSequence() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        var third = SeededRandom(seed: 43)
        let a = (0..<16).map { _ in first.next() }
        let b = (0..<16).map { _ in second.next() }
        let c = (0..<16).map { _ in third.next() }
        #expect(a == b)
        #expect(a != c)
    }

    @Test func limits_fitTogether() {
        // A frame must be able to carry the largest batch plus request overhead, and a batch
        // must be able to decompress to at least its own size.
        #expect(Limits.requestFrameBytesMax > Limits.batchBytesMax)
        #expect(Limits.batchDecompressedBytesMax >= Limits.batchBytesMax)
        #expect(Limits.stringBytesMax == Int(Int16.max))
    }

    @Test func systemClock_isMonotonic() {
        let clock = SystemClock()
        let first = clock.now
        let second = clock.now
        #expect(second >= first)
        #expect(clock.wallClockMilliseconds > 1_600_000_000_000)
    }
}
