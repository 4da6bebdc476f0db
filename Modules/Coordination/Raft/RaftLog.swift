// The in-memory log: a compacted prefix summarised by (snapshotIndex, snapshotTerm), then the
// entries after it. How much of it is durable is tracked beside it in `RaftNode` (the
// `durableIndex` and the outstanding writes), because durability changes on a different event
// from the one that changes the entries.

struct RaftLog: Sendable {
    /// The last index folded into the snapshot; zero when nothing is compacted.
    private(set) var snapshotIndex: LogIndex
    /// The term of the entry at `snapshotIndex`.
    private(set) var snapshotTerm: Term
    /// The entries after the snapshot: `entries[k].index == snapshotIndex + (k + 1)`.
    private(set) var entries: [LogEntry]

    init(snapshotIndex: LogIndex = .zero, snapshotTerm: Term = .zero, entries: [LogEntry] = []) {
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index == snapshotIndex + (offset + 1), "recovered log has a gap at \(entry.index)")
        }
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.entries = entries
    }

    var lastIndex: LogIndex { snapshotIndex + entries.count }

    var lastTerm: Term { entries.last?.term ?? snapshotTerm }

    /// The term at `index`, or nil when the index is compacted away (below the snapshot) or
    /// not yet written.
    func term(at index: LogIndex) -> Term? {
        if index == snapshotIndex { return snapshotTerm }
        return entry(at: index)?.term
    }

    func entry(at index: LogIndex) -> LogEntry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[index - snapshotIndex - 1]
    }

    /// Entries from `start` on, at most `countMax` of them and `bytesMax` bytes, but always at
    /// least one when any exists so that an entry larger than the byte bound still moves.
    func slice(from start: LogIndex, countMax: Int, bytesMax: Int) -> [LogEntry] {
        precondition(start > snapshotIndex, "slice below the snapshot at \(snapshotIndex)")
        guard start <= lastIndex else { return [] }
        var result: [LogEntry] = []
        var bytes = 0
        var position = start - snapshotIndex - 1
        while position < entries.count, result.count < countMax {
            let entry = entries[position]
            if !result.isEmpty, bytes + entry.encodedSize > bytesMax { break }
            bytes += entry.encodedSize
            result.append(entry)
            position += 1
        }
        return result
    }

    /// Entries from `start` through `end`, inclusive.
    func entries(from start: LogIndex, through end: LogIndex) -> [LogEntry] {
        precondition(start > snapshotIndex && end <= lastIndex, "range \(start)...\(end) outside the log")
        guard start <= end else { return [] }
        return Array(entries[(start - snapshotIndex - 1)...(end - snapshotIndex - 1)])
    }

    /// Whether a candidate whose log ends at (`index`, `term`) is at least as up to date as
    /// this log (Raft §5.4.1).
    func isUpToDate(lastIndex index: LogIndex, lastTerm term: Term) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// The first index holding `term`, scanning back from `index`; used as the conflict hint
    /// so the leader can skip the whole term.
    func firstIndex(ofTermAt index: LogIndex) -> LogIndex {
        guard let term = term(at: index), index > snapshotIndex else { return index }
        var first = index
        while first.predecessor > snapshotIndex, self.term(at: first.predecessor) == term {
            first = first.predecessor
        }
        return first
    }

    /// The last index holding `term` at or below `ceiling`, if the uncompacted log has one.
    func lastIndex(ofTerm term: Term, atOrBelow ceiling: LogIndex) -> LogIndex? {
        var index = min(ceiling, lastIndex)
        while index > snapshotIndex {
            guard let found = self.term(at: index) else { return nil }
            if found == term { return index }
            // Terms never decrease along a log, so once below the wanted term it cannot appear.
            if found < term { return nil }
            index = index.predecessor
        }
        return nil
    }

    mutating func append(_ entry: LogEntry) {
        precondition(entry.index == lastIndex.successor, "append at \(entry.index) after \(lastIndex)")
        precondition(entry.term >= lastTerm, "terms must not decrease along the log")
        entries.append(entry)
    }

    /// Drops every entry at or after `index`.
    mutating func truncate(from index: LogIndex) {
        precondition(index > snapshotIndex, "cannot truncate into the snapshot")
        guard index <= lastIndex else { return }
        entries.removeSubrange((index - snapshotIndex - 1)...)
    }

    /// Folds everything through `index` into a snapshot whose last entry has `term`. Entries
    /// after `index` survive only when the log agrees with the snapshot at `index`; otherwise
    /// the whole log is replaced (Raft §7, InstallSnapshot step 6–7).
    /// Returns whether the tail after `index` was kept.
    @discardableResult
    mutating func compact(through index: LogIndex, term: Term) -> Bool {
        precondition(index >= snapshotIndex, "compaction must move forward")
        let keepsTail = self.term(at: index) == term
        if keepsTail {
            entries.removeFirst(index - snapshotIndex)
        } else {
            entries.removeAll()
        }
        snapshotIndex = index
        snapshotTerm = term
        return keepsTail
    }
}
