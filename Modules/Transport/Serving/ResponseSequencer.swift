/// Puts the responses of pipelined requests back in request order. Sans-IO: the connection
/// loop feeds it finished requests and writes what it hands back.
package struct ResponseSequencer {
    /// What a finished request produced.
    package enum Outcome: Sendable {
        case payload(FramePayload)
        /// No response (acks=0, a dropped request, a failed handler); the slot still frees.
        case none
    }

    package init() {}

    private(set) var assigned: UInt64 = 0
    private(set) var released: UInt64 = 0
    // Holds only finished requests still waiting for an earlier one; at most the in-flight
    // limit, since requests are only dispatched while a slot is free.
    private var finished: [UInt64: Outcome] = [:]

    /// Requests dispatched whose slot has not been released.
    package var outstanding: UInt64 { assigned - released }

    /// The sequence number of the next request.
    package mutating func assign() -> UInt64 {
        defer { assigned += 1 }
        return assigned
    }

    /// Records that request `sequence` finished and returns, in order, every outcome that is
    /// now ready to be written, each releasing one slot.
    package mutating func finish(_ sequence: UInt64, _ outcome: Outcome) -> [Outcome] {
        precondition(sequence >= released && sequence < assigned && finished[sequence] == nil, "request finished twice")
        finished[sequence] = outcome
        var ready: [Outcome] = []
        while let next = finished.removeValue(forKey: released) {
            ready.append(next)
            released += 1
        }
        return ready
    }
}
