// Goal: the gate lets appends of different producers run together, holds a producer's second
// append until its first leaves, admits in arrival order, and lets a snapshot in only when no
// idempotent append is inside, without being starved. Method: drive the pure struct with
// integer tokens standing in for parked tasks.

import Testing
@testable import TernBrokerCore

@Suite struct ProducerAppendGateTests {
    /// The gate behind a reference, so `#expect` can call its mutating methods.
    final class Gate {
        private var gate = ProducerAppendGate<Int>()
        typealias Claim = ProducerAppendGate<Int>.Claim

        func enter(_ claim: Claim) -> Bool { gate.tryEnter(claim) }
        func wait(_ claim: Claim, _ waiter: Int) { gate.wait(claim, waiter) }
        func leave(_ claim: Claim) -> [Int] { gate.leave(claim) }
        var isIdle: Bool { gate.isIdle }
    }

    @Test func enter_differentProducers_bothAdmitted_sameProducerWaits() {
        let gate = Gate()
        #expect(gate.enter(.producers([1])))
        #expect(gate.enter(.producers([2])))
        #expect(!gate.enter(.producers([1, 3])))
        gate.wait(.producers([1, 3]), 10)
        #expect(gate.leave(.producers([2])) == [])
        #expect(gate.leave(.producers([1])) == [10])
        #expect(gate.leave(.producers([1, 3])) == [])
        #expect(gate.isIdle)
    }

    @Test func enter_behindWaiterOfSameProducer_waitsInOrder() {
        let gate = Gate()
        #expect(gate.enter(.producers([1])))
        #expect(!gate.enter(.producers([1])))
        gate.wait(.producers([1]), 10)
        // Producer 3 is free but 1 is queued: an append of {1, 3} queues behind it.
        #expect(!gate.enter(.producers([3, 1])))
        gate.wait(.producers([3, 1]), 11)
        // Another producer passes the queue.
        #expect(gate.enter(.producers([4])))
        #expect(gate.leave(.producers([1])) == [10])
        #expect(gate.leave(.producers([1])) == [11])
    }

    @Test func snapshot_waitsForAppendsInside_andHoldsNewOnesBack() {
        let gate = Gate()
        #expect(gate.enter(.producers([1])))
        #expect(!gate.enter(.all))
        gate.wait(.all, 20)
        // Nobody passes a waiting snapshot, so it cannot be starved.
        #expect(!gate.enter(.producers([2])))
        gate.wait(.producers([2]), 21)
        #expect(gate.leave(.producers([1])) == [20])
        #expect(gate.leave(.all) == [21])
        #expect(gate.leave(.producers([2])) == [])
        #expect(gate.isIdle)
    }

    @Test func snapshot_onIdleGate_entersAtOnce_andExcludesEveryone() {
        let gate = Gate()
        #expect(gate.enter(.all))
        #expect(!gate.enter(.all))
        gate.wait(.all, 30)
        #expect(!gate.enter(.producers([5])))
        gate.wait(.producers([5]), 31)
        // The second snapshot came first, so it goes first; the append follows it.
        #expect(gate.leave(.all) == [30])
        #expect(gate.leave(.all) == [31])
    }
}
