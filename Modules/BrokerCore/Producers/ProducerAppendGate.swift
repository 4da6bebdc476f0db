/// Who may be between a producer-state check and its update on one partition.
///
/// A hosted partition is an actor, but an append awaits the log, so two appends of the same
/// producer (a retry on a new connection while the first is still being written) could both
/// pass the check before either is recorded, and both be appended. The gate closes that gap
/// without serialising the whole partition: an append claims the producer ids in its
/// batches, so batches of different producers still go to the log concurrently (and share
/// the log's group-commit fsync), while a second append of a producer waits until the first
/// has been recorded. A snapshot claims every producer: it waits for the appends in flight
/// and holds new idempotent ones back while it reads the log end and encodes the table.
///
/// Waiters are admitted in arrival order, except that a claim on other producers may pass
/// one that waits, so a busy producer never holds up the rest; nobody passes a waiting
/// snapshot, so appends cannot starve it. Non-idempotent appends never touch the gate.
///
/// Pure bookkeeping: the caller parks its tasks as `Waiter`s (continuations) and resumes the
/// ones `leave` returns.
struct ProducerAppendGate<Waiter> {
    /// What an entrant holds while inside.
    enum Claim: Hashable {
        /// The producer ids of one append's batches.
        case producers(Set<Int64>)
        /// Every producer: a snapshot.
        case all
    }

    private var busy: Set<Int64> = []
    private var exclusive = false
    private var queue: [(claim: Claim, waiter: Waiter)] = []

    /// An empty gate.
    init() {}

    /// Whether nobody is inside or waiting (tests).
    var isIdle: Bool { busy.isEmpty && !exclusive && queue.isEmpty }

    /// Enters at once if `claim` conflicts with nobody inside or waiting, and says so.
    mutating func tryEnter(_ claim: Claim) -> Bool {
        var blocked = Blocked()
        for entry in queue { blocked.add(entry.claim) }
        guard admissible(claim, behind: blocked) else { return false }
        admit(claim)
        return true
    }

    /// Queues `waiter` for `claim`, after `tryEnter` refused it.
    mutating func wait(_ claim: Claim, _ waiter: Waiter) {
        queue.append((claim, waiter))
    }

    /// Leaves with `claim` and returns the waiters now admitted, to be resumed.
    mutating func leave(_ claim: Claim) -> [Waiter] {
        switch claim {
        case .producers(let ids):
            precondition(ids.isSubset(of: busy), "leaving a producer gate that was not entered")
            busy.subtract(ids)
        case .all:
            precondition(exclusive, "leaving an exclusive gate that was not entered")
            exclusive = false
        }
        var admitted: [Waiter] = []
        var blocked = Blocked()
        var remaining: [(claim: Claim, waiter: Waiter)] = []
        for entry in queue {
            if admissible(entry.claim, behind: blocked) {
                admit(entry.claim)
                admitted.append(entry.waiter)
            } else {
                blocked.add(entry.claim)
                remaining.append(entry)
            }
        }
        queue = remaining
        return admitted
    }

    /// The claims of those still waiting ahead of an entrant.
    private struct Blocked {
        var ids: Set<Int64> = []
        var anyone = false
        var snapshot = false

        mutating func add(_ claim: Claim) {
            anyone = true
            switch claim {
            case .producers(let more): ids.formUnion(more)
            case .all: snapshot = true
            }
        }
    }

    private func admissible(_ claim: Claim, behind blocked: Blocked) -> Bool {
        guard !exclusive else { return false }
        switch claim {
        case .producers(let ids):
            return !blocked.snapshot && busy.isDisjoint(with: ids) && blocked.ids.isDisjoint(with: ids)
        case .all:
            return !blocked.anyone && busy.isEmpty
        }
    }

    private mutating func admit(_ claim: Claim) {
        switch claim {
        case .producers(let ids): busy.formUnion(ids)
        case .all: exclusive = true
        }
    }
}
