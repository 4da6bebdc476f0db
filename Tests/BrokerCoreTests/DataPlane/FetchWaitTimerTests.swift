// Goal: the shared fetch-wait timer ends each parked fetch at its deadline: one parked after a
// far deadline with a nearer one still fires on time (the sleeper is re-armed), a removed fetch
// is never fired, and nothing stays parked once the deadlines pass. Method: signals parked with
// deadlines relative to now; every wait is bounded by a generous timeout, so a broken timer
// fails instead of hanging, and no assertion depends on how fast the machine is.

import Testing
@testable import TernBrokerCore

@Suite struct FetchWaitTimerTests {
    @Test func add_nearerDeadlineAfterFarOne_firesNearerFirst() async throws {
        let timer = FetchWaitTimer()
        let far = AsyncSignal()
        let near = AsyncSignal()
        timer.add(far, deadline: .now + .seconds(600))
        timer.add(near, deadline: .now + .milliseconds(20))
        #expect(await fires(near, within: .seconds(10)))
        #expect(timer.parkedCount == 1)
        timer.remove(far)
        #expect(timer.parkedCount == 0)
    }

    @Test func remove_beforeDeadline_signalNeverFires() async throws {
        let timer = FetchWaitTimer()
        let removed = AsyncSignal()
        let kept = AsyncSignal()
        timer.add(removed, deadline: .now + .milliseconds(10))
        timer.add(kept, deadline: .now + .milliseconds(50))
        timer.remove(removed)
        #expect(await fires(kept, within: .seconds(10)))
        #expect(!(await fires(removed, within: .milliseconds(50))))
        #expect(timer.parkedCount == 0)
    }

    @Test func add_afterTimerWentIdle_stillFires() async throws {
        let timer = FetchWaitTimer()
        for _ in 0..<3 {
            let signal = AsyncSignal()
            timer.add(signal, deadline: .now + .milliseconds(5))
            #expect(await fires(signal, within: .seconds(10)))
        }
        #expect(timer.parkedCount == 0)
    }

    /// Whether `signal` fires within `limit`.
    private func fires(_ signal: AsyncSignal, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await signal.wait()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
