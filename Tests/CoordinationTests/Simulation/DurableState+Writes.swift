// The disk model shared by the unit tests and the simulator: how a `PersistRequest` lands on a
// node's durable state, all of it or, on a crash mid-write, only its first steps. The steps run
// in the order `PersistRequest` documents (truncate, snapshot, hard state, then one step per
// entry), so a torn write keeps a prefix of them, as a log with per-record checksums would
// after recovery discarded a half-written record.

import TernCoordination

extension DurableState {
    /// How many steps `request` takes, each of which a crash may or may not have reached.
    static func stepCount(of request: PersistRequest) -> Int {
        3 + (request.log?.entries.count ?? 0)
    }

    /// The index of the last durable entry, or of the snapshot when no entry follows it.
    var lastIndex: LogIndex {
        entries.last?.index ?? snapshot?.index ?? .zero
    }

    /// Lands the first `stepsLanded` steps of `request` (all of them by default). Returns a
    /// description of the problem when the request contradicts what is stored, which is a bug
    /// in the core, for the caller to report with its seed.
    mutating func land(_ request: PersistRequest, stepsLanded: Int = .max) -> String? {
        var step = 0
        func reached() -> Bool {
            step += 1
            return step <= stepsLanded
        }
        if reached(), let write = request.log {
            entries.removeAll { $0.index >= write.from }
        }
        if reached(), let newSnapshot = request.snapshot {
            if let old = snapshot, old.index >= newSnapshot.index {
                return "\(request.ticket) stores snapshot at \(newSnapshot.index) over one at \(old.index)"
            }
            snapshot = newSnapshot
            entries.removeAll { $0.index <= newSnapshot.index }
            if let first = entries.first, first.index != newSnapshot.index.successor {
                return "\(request.ticket) leaves a gap between snapshot \(newSnapshot.index) and \(first.index)"
            }
        }
        if reached(), let newHardState = request.hardState {
            if newHardState.term < hardState.term {
                return "\(request.ticket) lowers the durable term from \(hardState.term) to \(newHardState.term)"
            }
            hardState = newHardState
        }
        for entry in request.log?.entries ?? [] {
            guard reached() else { break }
            if entry.index != lastIndex.successor {
                return "\(request.ticket) appends \(entry.index) after durable \(lastIndex)"
            }
            entries.append(entry)
        }
        return nil
    }
}
